# رسائل واجهة Indaba: العربية.
site-name = Indaba
site-tagline = مشاورات أصحاب المصلحة المتعددين وفعاليات منتدى إدارة الإنترنت
skip-to-content = الانتقال إلى المحتوى الرئيسي
nav-main = التنقل الرئيسي
nav-home = الصفحة الرئيسية
nav-sign-in = تسجيل الدخول
nav-register = إنشاء حساب
nav-account = حسابي
nav-sign-out = تسجيل الخروج
language-label = اللغة
footer-note = Indaba برنامج مفتوح المصدر لمشاركة أصحاب المصلحة المتعددين.
error-summary-title = توجد مشكلة
error-csrf = انتهت صلاحية النموذج. لم يضع شيء: يُرجى مراجعته وإرساله مرة أخرى.
error-not-found = هذه الصفحة غير موجودة أو غير متاحة للعموم.
error-not-found-title = الصفحة غير موجودة
error-generic = حدث خطأ. يُرجى المحاولة مرة أخرى.
error-unavailable = الموقع مشغول أو يتعذّر عليه الوصول إلى قاعدة بياناته حاليًا. يُرجى المحاولة مرة أخرى بعد قليل.
error-unavailable-title = الموقع غير متاح مؤقتًا
error-rate-limited = محاولات كثيرة جدًا. يُرجى الانتظار قليلًا ثم المحاولة مجددًا.
error-forbidden = لا يُسمح لك بالقيام بهذا الإجراء.
error-verify-first = يُرجى تأكيد عنوان بريدك الإلكتروني قبل المشاركة.
home-title = شارك
home-open-consultations = المشاورات المفتوحة
home-other-consultations = مشاورات أخرى
home-events = الفعاليات
home-no-consultations = لا توجد مشاورات بعد.
home-no-events = لا توجد فعاليات منشورة بعد.
home-view-agenda = جدول الأعمال
closes-on = تُغلق في { $date }
status-draft = مسودة
status-open = مفتوحة
status-closed = مغلقة
status-archived = مؤرشفة
field-email = البريد الإلكتروني
field-password = كلمة المرور
field-password-hint = ‏12 حرفًا على الأقل، ويصعب تخمينها: تكفي بضع كلمات غير شائعة.
field-display-name = اسمك كما سيراه الآخرون
field-stakeholder-group = فئة أصحاب المصلحة
field-organization = المنظمة (اختياري)
field-country = البلد (رمز ISO من حرفين، اختياري)
field-preferred-language = اللغة المفضلة
field-choose = اختر…
group-government = الحكومات
group-intergovernmental = المنظمات الحكومية الدولية
group-private_sector = القطاع الخاص
group-civil_society = المجتمع المدني
group-technical_community = المجتمع التقني
group-academia = الأوساط الأكاديمية
region-african = أفريقيا
region-asia_pacific = آسيا والمحيط الهادئ
region-eastern_european = أوروبا الشرقية
region-latin_american_caribbean = أمريكا اللاتينية ومنطقة البحر الكاريبي
region-western_european_others = أوروبا الغربية ودول أخرى
login-title = تسجيل الدخول
login-submit = دخول
login-failed = البريد الإلكتروني أو كلمة المرور غير صحيحة.
login-forgot = هل نسيت كلمة المرور؟
login-no-account = ليس لديك حساب بعد؟ أنشئ حسابًا.
register-title = إنشاء حساب
register-intro = أخبرنا من أنت ليعرف الميسّرون المشاركون أي الأصوات حاضرة.
register-submit = إنشاء حسابي
register-done-title = تحقّق من بريدك الإلكتروني
register-done = أرسلنا رابطًا إلى { $email }. افتحه لتأكيد عنوانك، ثم سجّل الدخول.
verify-title = تأكيد البريد الإلكتروني
verify-ok = تم تأكيد عنوان بريدك الإلكتروني. يمكنك المشاركة الآن.
verify-failed = هذا الرابط لم يعد صالحًا. سجّل الدخول لطلب رابط جديد، أو أنشئ حسابًا من جديد.
reset-title = إعادة تعيين كلمة المرور
reset-intro = أدخل بريدك الإلكتروني وسنرسل إليك رابطًا لاختيار كلمة مرور جديدة.
reset-submit = أرسل لي رابطًا
reset-sent = إذا كان هناك حساب بهذا العنوان، فالرابط في طريقه إليك.
reset-new-title = اختر كلمة مرور جديدة
reset-new-submit = حفظ كلمة المرور الجديدة
reset-done = تم تغيير كلمة المرور. يُرجى تسجيل الدخول.
me-title = حسابي
me-profile = الملف الشخصي
me-my-data = بياناتي
me-export = تنزيل كل ما نحتفظ به عني (JSON)
me-delete-title = حذف حسابي
me-delete-intro = يُمحى اسمك وبريدك وملفك الشخصي. تبقى مساهماتك موسومة بأن صاحبها سحبها، ما لم تسحبها أيضًا.
me-delete-withdraw = سحب مساهماتي أيضًا
me-delete-confirm = أدرك أن هذا الإجراء لا يمكن التراجع عنه
me-delete-submit = حذف حسابي
me-deleted = تم حذف حسابك.
me-signed-out = تم تسجيل خروجك.
me-password-title = تغيير كلمة المرور
me-password-intro = سيُسجَّل خروجك من كل مكان آخر سجّلت فيه الدخول.
field-current-password = كلمة المرور الحالية
field-new-password = كلمة المرور الجديدة
me-password-submit = تغيير كلمة المرور
me-password-changed = تم تغيير كلمة المرور. أُنهيت جميع جلساتك الأخرى.
me-delete-password = كلمة المرور للتأكيد
consultation-document = مشروع النص
consultation-version = الصيغة { $label }
consultation-general = تعليقات عامة
consultation-comments-on = تعليقات على الفقرة { $number }
consultation-general-comments = تعليقات عامة على النص كله
consultation-show-comments = اقرأ وعلّق
consultation-closed = هذه المشاورة لا تقبل المساهمات الآن.
consultation-sign-in-to-comment = سجّل الدخول للتعليق
consultation-back-to-text = العودة إلى النص الكامل
consultation-informed-by = { $count ->
    [zero] لم تستند إلى أي مساهمة
    [one] استندت إلى مساهمة واحدة
    [two] استندت إلى مساهمتين
    [few] استندت إلى { $count } مساهمات
   *[other] استندت إلى { $count } مساهمة
}
comments-count = { $count ->
    [zero] لا تعليقات
    [one] تعليق واحد
    [two] تعليقان
    [few] { $count } تعليقات
   *[other] { $count } تعليقًا
}
comment-form-title = تعليقك
comment-body = التعليق
comment-kind = نوع المساهمة
comment-kind-comment = تعليق
comment-kind-amendment = تعديل (صياغة جديدة مقترحة)
comment-proposed-text = النص المقترح (للتعديل)
comment-anonymous = النشر دون إظهار اسمي (تبقى فئتك ومنطقتك ظاهرتين)
comment-submit = نشر
comment-reply = رد
comment-reply-submit = نشر الرد
comment-endorse = تأييد
comment-endorsed = تم التأييد
endorsements-count = { $count ->
    [zero] لا تأييد
    [one] تأييد واحد
    [two] تأييدان
    [few] { $count } تأييدات
   *[other] { $count } تأييدًا
}
comment-amendment = تعديل مقترح
comment-anonymous-author = مجهول الهوية
comment-withdrawn-author = مشارك منسحب
comment-withdrawn = سحبه صاحبه
comment-hidden = أخفاه أحد المشرفين
comment-outcome = ما الذي حدث له: { $status }
comment-posted = تم نشر تعليقك.
comment-none = لا توجد تعليقات بعد. كن أول من يعلّق.
live-new-comment = تعليق جديد من { $name }
live-status = تحديثات مباشرة
review-new = لم يُراجَع بعد
review-read = اطّلع عليه الميسّرون المشاركون
review-incorporated = أُدرج
review-partially_incorporated = أُدرج جزئيًا
review-not_incorporated = لم يُدرج
review-out_of_scope = خارج النطاق
agenda-title = جدول الأعمال
agenda-filters = تصفية جدول الأعمال
agenda-day = اليوم
agenda-any-day = كل الأيام
agenda-type = نوع الجلسة
agenda-any-type = كل الأنواع
agenda-search = كلمات من العنوان أو الوصف
agenda-timezone = المنطقة الزمنية
agenda-apply = تطبيق
agenda-times-in = الأوقات بتوقيت { $zone }.
agenda-download = تنزيل جدول الأعمال (iCalendar)
agenda-empty = لا توجد جلسة مطابقة.
agenda-room = القاعة
session-add-calendar = إضافة إلى تقويمي (iCalendar)
session-comments = التعليقات والأسئلة
session-ask = تعليقك أو سؤالك
session-kind-question = سؤال
session-report = تقرير الجلسة
session-no-report = لم يُقدَّم التقرير بعد.
session-upvotes = { $count ->
    [zero] لا أصوات
    [one] صوت واحد
    [two] صوتان
    [few] { $count } أصوات
   *[other] { $count } صوتًا
}
type-main_session = جلسة رئيسية
type-workshop = حلقة عمل
type-open_forum = منتدى مفتوح
type-lightning_talk = عرض خاطف
type-town_hall = اجتماع عام مفتوح
type-networking_session = جلسة تواصل
type-launch_award = إطلاق أو تكريم
type-day_0 = فعالية اليوم صفر
type-dynamic_coalition = تحالف دينامي
type-best_practice_forum = منتدى أفضل الممارسات
type-policy_network = شبكة سياسات
type-nri_collaborative = جلسة تعاونية للمبادرات الوطنية والإقليمية
type-parliamentary_track = المسار البرلماني
type-youth_track = مسار الشباب
type-high_level = جلسة رفيعة المستوى
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
date-format = { $day } { $month } { $year }
review-title = مراجعة المساهمات
review-tab-inputs = المساهمات
review-tab-balance = توازن الأصوات
review-tab-campaigns = الحملات
review-export-csv = تصدير (CSV)
review-export-json = تصدير (JSON)
review-search = البحث في المساهمات
review-search-words = كلمات (بأي لغة)
review-search-button = بحث
review-any = الكل
review-results = { $count ->
    [zero] لم يُعثر على أي مساهمة
    [one] عُثر على مساهمة واحدة
    [two] عُثر على مساهمتين
    [few] عُثر على { $count } مساهمات
   *[other] عُثر على { $count } مساهمة
}
review-approximate = لا توجد نتائج مطابقة تمامًا؛ هذه نتائج قريبة.
review-sort = الترتيب
sort-relevance = الأكثر صلة أولًا
sort-newest = الأحدث أولًا
facet-stakeholder_group = فئة أصحاب المصلحة
facet-region = المنطقة
facet-language = اللغة
facet-paragraph_key = الفقرة
facet-review_status = حالة المراجعة
facet-tag = الوسم
review-tags = الوسوم (مفصولة بفواصل)
review-note = ملاحظة خاصة
review-save = حفظ
review-saved = تم حفظ المراجعة.
review-select = تحديد المساهمة { $id }
review-bulk-title = مع المساهمات المحددة
review-bulk-add-tag = إضافة وسم
review-bulk-apply = تطبيق على المحدد
review-bulk-none = حدّد مساهمة واحدة على الأقل.
review-keep = إبقاء كما هو
review-next-page = النتائج التالية
review-paragraph = الفقرة { $number }
review-open-link = المراجعة
balance-intro = من شارك حتى الآن. لا تُعرض الخانات التي تضم أقل من خمسة أشخاص، حتى لا يمكن تمييز أحد.
balance-contributors = الأشخاص
balance-contributions = المساهمات
balance-missing = لم تُسمع بعد: { $list }
balance-few = أقل من 5
balance-by = حسب { $what }
facet-gender = النوع الاجتماعي
gender-female = النساء
gender-male = الرجال
gender-non_binary = غير ثنائيي الجنس
gender-other = أخرى
gender-prefer_not_to_say = فضّلوا عدم الإفصاح
gender-unknown = غير محدد
region-unknown = غير محددة
campaigns-intro = مجموعات من المساهمات شبه المتطابقة، مثل رسالة أرسلها كثيرون.
campaigns-none = لم يُعثر على حملات.
campaigns-size = عدد المساهمات شبه المتطابقة: { $count }
organize-title = تنظيم الفعاليات
organize-open-link = التنظيم
organize-new-event = فعالية جديدة
organize-slug = اسم قصير للعنوان (أحرف لاتينية صغيرة وأرقام وشرطات)
organize-name = الاسم
organize-venue = المكان
organize-timezone = المنطقة الزمنية للمكان
organize-starts = اليوم الأول
organize-ends = اليوم الأخير
organize-create = إنشاء الفعالية
organize-event-created = تم إنشاء الفعالية. أضف القاعات، وافتح باب المقترحات، ثم ضع الجدول.
organize-saved = تم الحفظ.
organize-published = منشور
organize-unpublished = غير منشور
organize-publish = نشر الفعالية وجدول أعمالها
organize-unpublish = سحب من النشر
organize-call = الدعوة إلى تقديم مقترحات الجلسات
organize-call-opens = الافتتاح (بتوقيت المكان)
organize-call-closes = الإغلاق (بتوقيت المكان)
organize-call-save = حفظ مواعيد الدعوة
organize-rooms = القاعات
organize-room-name = اسم القاعة
organize-room-capacity = عدد المقاعد
organize-add-room = إضافة القاعة
organize-proposals = المقترحات
organize-no-proposals = لا توجد مقترحات بعد.
organize-score = متوسط الدرجة
organize-reviews-count = { $count ->
    [zero] لا تقييمات
    [one] تقييم واحد
    [two] تقييمان
    [few] { $count } تقييمات
   *[other] { $count } تقييمًا
}
organize-your-score = درجتك (من 1 إلى 5)
organize-review-comment = تعليق لبقية المراجعين
organize-review-submit = إرسال التقييم
organize-accept = قبول
organize-reject = رفض
organize-status = الحالة
proposal-submitted = مقدَّم
proposal-accepted = مقبول
proposal-rejected = مرفوض
proposal-merged = مدمج
organize-schedule = الجدول
organize-grid-time = الوقت
organize-unscheduled = لم تُجدول بعد
organize-all-scheduled = جميع الجلسات مجدولة.
organize-slot-day = اليوم
organize-slot-start = البداية
organize-slot-end = النهاية
organize-slot-save = جدولة
organize-clash = يتعارض هذا الموعد مع جلسات أخرى؛ لم يُغيَّر شيء.
organize-forbidden = هذا القسم مخصص للمنظمين.
organize-clash-room = القاعة مشغولة في ذلك الوقت بجلسة «{ $title }».
organize-clash-person = { $person } مشارك في «{ $title }» في ذلك الوقت.
moderation-title = قائمة الإشراف
moderation-open-link = الإشراف
moderation-empty = لا شيء في الانتظار.
moderation-flags = أسباب الإبلاغ
moderation-reason = السبب (يظهر في سجل الإشراف العام)
moderation-hide = إخفاء
moderation-keep = إبقاء كما هو
moderation-done = تم: جرى تحديث القائمة.
moderation-context = عرضه في سياقه
versions-title = صيغ النص
versions-compare = مقارنة صيغتين
versions-from = الصيغة السابقة
versions-to = الصيغة اللاحقة
versions-show = عرض التغييرات
versions-current = الحالية
diff-summary = أُضيفت { $added }، وعُدّلت { $changed }، وحُذفت { $removed }، ولم تتغير { $unchanged }
diff-added = مضافة
diff-removed = محذوفة
diff-changed = معدّلة
diff-unchanged = دون تغيير
diff-was-number = كانت { $number }
diff-informed-by = استندت إلى:
revise-title = صياغة الصيغة التالية
revise-intro = عدّل كل فقرة وحدّد المساهمات التي استندت إليها. اترك الفقرة فارغة لحذفها.
revise-label = اسم الصيغة الجديدة (مثل rev1)
revise-number = الرقم
revise-text = النص
revise-inputs = المساهمات على هذه الفقرة
revise-new-paragraph = فقرة جديدة
revise-submit = نشر هذه الصيغة
revise-done = تم نشر الصيغة الجديدة.
comment-informed = استندت إليها الفقرة { $number } من الصيغة { $version }.
comment-flag = إبلاغ المشرفين
comment-flag-reason = لماذا ينبغي أن يطّلع المشرفون على هذا؟
comment-flag-submit = إرسال البلاغ
comment-flagged = شكرًا لك: سيطّلع عليه المشرفون.
notif-title = الإشعارات
notif-open-link = الإشعارات
notif-none = لا جديد.
notif-unread = جديد
notif-mark-all = تعليم الكل كمقروء
notif-settings = كيف نخبرك
notif-settings-intro = لكل نوع من الأخبار: بالبريد فورًا، أو في ملخص يومي أو أسبوعي، أو هنا فقط.
notif-save = حفظ
notif-saved = تم حفظ إعدادات الإشعارات.
notif-timezone = منطقتك الزمنية (للملخصات وتذكيرات الجلسات)
kind-reply = الردود على مساهماتي
kind-endorsement = تأييد مساهماتي
kind-review = ما حدث لمساهماتي
kind-new_version = صيغ جديدة للنصوص التي أتابعها
kind-closing_soon = مشاورات توشك أن تُغلق
kind-session_starting = جلسات على وشك البدء
kind-proposal_decision = القرارات بشأن مقترحات جلساتي
kind-moderation = الإشراف على مساهماتي
freq-off = هنا فقط
freq-immediate = بريد فوري
freq-daily = ملخص يومي
freq-weekly = ملخص أسبوعي
propose-title = اقتراح جلسة
propose-link = اقتراح جلسة
propose-closed = باب تقديم مقترحات الجلسات غير مفتوح الآن.
propose-intro = أخبر المنظمين بموضوع جلستك ومن سيتحدث فيها. يُنتظر تنوع المتحدثين (الفئات والمناطق والنوع الاجتماعي).
propose-session-title = العنوان
propose-subtheme = الموضوع الفرعي
propose-format = الشكل
format-in_person = حضوري
format-hybrid = هجين
format-online = عبر الإنترنت
propose-description = الوصف
propose-questions = أسئلة السياسات (سؤال في كل سطر)
propose-speaker = المتحدث { $n }
propose-speaker-name = الاسم
propose-speaker-gender = النوع الاجتماعي (اختياري)
propose-moderator = مدير الجلسة
propose-rapporteur = المقرر
propose-submit = إرسال المقترح
propose-done = تم إرسال مقترحك. ستُبلَّغ بقرار المنظمين.

# Following from the pages, withdrawing an endorsement, own anonymous contributions
follow-start = متابعة
follow-stop = إلغاء المتابعة
follow-following = أنت تتابع هذا.
follow-started = أنت تتابع الآن: تصلك الردود والنسخ الجديدة في إشعاراتك.
follow-stopped = لم تعد تتابع هذا.
comment-unendorse = سحب التأييد
comment-posted-anonymously = نشرت هذا دون ذكر اسمك: يرى الآخرون «{ $shown }» مع فئة أصحاب المصلحة التي تنتمي إليها، لا اسمك ولا منظمتك.

# Moderation from the thread, and the public moderation log
moderation-moderate = الإشراف
moderation-restore = استعادة
moderation-log-title = سجل الإشراف
moderation-log-intro = كل تعليق أُخفي أو استُعيد أو أُبقي بعد الإبلاغ عنه، مع السبب المذكور. لا تُذكر أسماء المشرفين.
moderation-log-empty = لم يخضع أي تعليق للإشراف.
moderation-log-comment = التعليق رقم { $id }
moderation-act-hide = أُخفي
moderation-act-restore = استُعيد
moderation-act-keep = أُبقي بعد الإبلاغ
comment-hidden-because = أخفاه مشرف: { $reason }

# Ordering a paragraph's threads
comments-sort = الترتيب
comments-sort-old = الأقدم أولاً
comments-sort-new = الأحدث أولاً
comments-sort-top = الأكثر تأييداً
comments-sort-apply = عرض

# The language of a contribution
comment-language = لغة تعليقك
comment-language-detect = التعرف عليها تلقائيًا (وإلا فلغة حسابك)
comment-jump-to-form = الانتقال إلى نموذج التعليق
