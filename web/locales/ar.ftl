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
field-country = البلد (اختياري)
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
comment-on-behalf = باسم { $name }
comment-on-behalf-stated = باسم { $name } (كما ذكر الكاتب)
speaks-for-delegation = وفد تم التحقق منه
speaks-for-group = مجموعة تفاوضية تم التحقق منها
comment-speak-for = التحدث باسم
comment-speak-for-self = باسمي فقط
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
balance-intro = من شارك حتى الآن. لا تُعرض الخانات التي تضم أقل من خمسة أشخاص، حتى لا يمكن تمييز أحد. ولا الخانات التي تسمح باستنتاجها من المجاميع.
balance-contributors = الأشخاص
balance-contributions = المساهمات
balance-missing = لم تُسمع بعد: { $list }
balance-few = محجوب
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
organize-scheduled-day = المجدولة في هذا اليوم: نقل أو إخراج
organize-slot-move = نقل
organize-unschedule = إخراج من الجدول
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
kind-silence_deadline = انتهاء إجراءات الصمت (المندوبون)
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
me-proposals-title = مقترحاتي للجلسات
me-proposals-none = لم تقترح أي جلسة بعد.
me-proposals-session = الجلسة
proposal-edit = تعديل
proposal-edit-title = تعديل مقترحك
proposal-edit-submit = حفظ المقترح
proposal-saved = تم حفظ مقترحك.

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
text-languages-read = اقرأ النص باللغة
text-languages = لغات النص
comments-language-filter = التعليقات باللغة
comments-language-all = كل اللغات
comment-written-in = مكتوب باللغة {$language}

# The language of a contribution
comment-language = لغة تعليقك
comment-language-detect = التعرف عليها تلقائيًا (وإلا فلغة حسابك)
comment-jump-to-form = الانتقال إلى نموذج التعليق

# The secretariat's consultation pages
status-synthesis = التجميع
status-concluded = مختتمة
organize-consultations-link = المشاورات: الإنشاء واستيراد المشاريع والفتح والإغلاق
secretariat-title = إدارة المشاورات
secretariat-none = لا توجد مشاورات بعد.
secretariat-no-text = لا نص بعد
secretariat-closes = تُغلق في
secretariat-new = مشاورة جديدة
secretariat-field-title = العنوان
secretariat-field-summary = الملخص
secretariat-field-language = لغة المشروع
secretariat-field-opens = الافتتاح (بالتوقيت العالمي، اختياري)
secretariat-field-closes = الإغلاق (بالتوقيت العالمي، اختياري)
secretariat-create = إنشاء المشاورة
secretariat-created = أُنشئت المشاورة كمسودة. استورد نصها واختر الميسّرين المشاركين ثم افتحها.
secretariat-current-text = النص الحالي
secretariat-see-page = عرض الصفحة العامة
secretariat-figures = الأرقام: المساهمات حسب الفئة والمنطقة ونوع الجنس
secretariat-status = الحالة
secretariat-no-moves = اختُتمت هذه المشاورة.
secretariat-reopen = إعادة الفتح للتعليقات
secretariat-move-draft = الرجوع إلى المسودة
secretariat-move-open = الفتح للتعليقات
secretariat-move-closed = إغلاق
secretariat-move-synthesis = الانتقال إلى التجميع
secretariat-move-concluded = الاختتام
secretariat-status-saved = تغيّرت الحالة.
phase-inputs = دعوة مفتوحة لتقديم المساهمات
phase-consultation = التشاور مع أصحاب المصلحة
phase-negotiation = المفاوضات الحكومية الدولية
phase-silence = إجراء الصمت
phase-adopted = اعتُمد
consultation-phase = المرحلة: { $phase }، منذ { $date }
secretariat-phase = المرحلة
secretariat-phase-now = الآن: { $phase }.
secretariat-phase-none = لم تُحدَّد أي مرحلة بعد.
secretariat-phase-next = الانتقال إلى
secretariat-phase-note = ملاحظة للسجل (اختيارية)
secretariat-phase-save = الانتقال إلى المرحلة التالية
secretariat-phase-close-stakeholders = أثناء التفاوض، تعلّق الوفود فقط (تُغلق تعليقات أصحاب المصلحة)
secretariat-phase-saved = تغيّرت المرحلة.
secretariat-participation = من يمكنه المشاركة
secretariat-participation-anyone = أي شخص لديه حساب موثَّق
secretariat-participation-groups = هذه الفئات من أصحاب المصلحة فقط:
secretariat-participation-verified = وفقط الحسابات التي تحقق مسؤول من منظمتها (شارة ✓)؛ وإلا فالفئة هي ما يعلنه كل شخص
secretariat-participation-save = حفظ من يمكنه المشاركة
secretariat-participation-saved = حُفظ من يمكنه المشاركة.
consultation-participation = مساهمات من: { $groups }
consultation-not-admitted = لا تقبل هذه المشاورة المساهمات إلا من فئات أصحاب المصلحة هذه: { $groups }. يمكنك قراءتها ومتابعتها.
consultation-delegations-only = في هذا التفاوض، تعلّق الوفود فقط وتقدّم التعديلات. يمكنك القراءة والمتابعة.
secretariat-cofacilitators = الميسّرون المشاركون
secretariat-no-cofacilitators = لا يوجد ميسّرون مشاركون بعد.
secretariat-unseat = إزالة
secretariat-find = البحث عن شخص (الاسم أو المنظمة أو البريد الإلكتروني)
secretariat-find-submit = بحث
secretariat-found = الأشخاص الذين عُثر عليهم
secretariat-found-none = لم يُعثر على أحد.
secretariat-seated = ميسّر مشارك
secretariat-seat = تعيين ميسّرًا مشاركًا
secretariat-cofacilitators-saved = حُفظ الميسّرون المشاركون.
secretariat-import = النص والنسخ
secretariat-import-intro = الصق المشروع نصًا عاديًا (فقرات مرقّمة وبنود وحواشٍ) أو بصيغة Markdown. عاينه أولًا: سترى كيف قُسّم إلى عناوين وفقرات وأي الفقرات تحتفظ بتعليقاتها، قبل نشر أي شيء.
secretariat-format = الصيغة
secretariat-format-text = نص عادي (وثيقة للأمم المتحدة)
secretariat-source = المشروع
secretariat-preview = معاينة
secretariat-publish = نشر هذه النسخة
secretariat-published = نُشرت النسخة بوصفها النص الحالي.
secretariat-preview-title = معاينة، لم تُنشر بعد
secretariat-count-paragraphs = الفقرات والبنود: { $count }
secretariat-count-kept = تحتفظ بموضعها وتعليقاتها: { $count }
secretariat-count-moved = نُقلت، وتتبعها التعليقات: { $count }
secretariat-count-new = جديدة: { $count }
secretariat-count-removed = حُذفت من النص الحالي: { $count }
secretariat-count-footnotes = الحواشي: { $count }
secretariat-text-language = لغة هذا النص
secretariat-text-language-original = { $language } (الأصل)
secretariat-translation-hint = تحمل الترجمة تسمية النسخة التي تترجمها؛ وتُحاذى مع الأصل بأرقام الفقرات، وتبقى التعليقات مرتبطة بكل فقرة في جميع اللغات.
secretariat-alignment = المحاذاة مع الأصل
secretariat-count-aligned = الفقرات المحاذاة: { $count }
secretariat-missing = في الأصل، وغائبة عن هذه الترجمة
secretariat-extra = في هذه الترجمة، وغائبة عن الأصل
secretariat-alignment-whole = كل فقرة محاذاة مع الأصل: يمكن نشر هذه الترجمة.
secretariat-unnumbered = بلا رقم
secretariat-headings = قُرئت كعناوين
secretariat-no-headings = لا عناوين.
secretariat-paragraphs = الفقرات
secretariat-section = القسم
secretariat-carry = التعليقات
secretariat-fate-kept = محفوظة
secretariat-fate-moved = تنتقل من الفقرة { $number }
secretariat-fate-new = فقرة جديدة
secretariat-removed = الفقرات المحذوفة

# The admins' accounts page
nav-admin = الحسابات
admin-title = الحسابات
admin-filter = تصفية الحسابات
admin-role = الدور
admin-group = فئة أصحاب المصلحة
admin-any = الكل
admin-suspended = معلّق
admin-unverified-email = البريد الإلكتروني غير مُتحقَّق منه
admin-roles = الأدوار
admin-save-roles = حفظ الأدوار
admin-verify = التحقق من المنظمة
admin-unverify = سحب التحقق
admin-suspend = تعليق
admin-reinstate = إعادة التفعيل
admin-next = الحسابات التالية
admin-saved = حُفظ.
organization-verified = مُتحقَّق منها
role-participant = مشارك
role-moderator = مشرف
role-organizer = منظِّم
role-admin = مسؤول
error-account-suspended = علّق أحد المسؤولين هذا الحساب.
versions-word = ملف Word
versions-diff-word = التغييرات في ملف Word مع تعقّب التغييرات
compilation-title = تجميع المساهمات
compilation-other = مساهمات بشأن فقرات لم تعد في النص
report-title = ما سمعناه بشأن { $version }
report-summary = وردت { $count } مساهمة بشأن { $version }.
report-paragraph = الفقرة { $number }
report-inputs = عدد المساهمات بشأن هذه الفقرة: { $count }.
report-campaign = عدد المساهمات شبه المتطابقة (حملة): { $count }، وتقول:
report-theme = عدد المساهمات التي تطرح هذه النقطة: { $count }:
report-others = عدد المساهمات الأخرى التي تطرح كل منها نقطتها: { $count }.
report-informed = استُرشد بـ { $count } من هذه المساهمات في الفقرة { $number } من { $version }.
report-download = ما سمعناه (HTML، Word)
silence-title = إجراء الصمت
silence-running = يخضع { $version } لإجراء الصمت حتى { $deadline }. ويكسر الوفد المعترض الصمت برسالة قبل ذلك.
silence-held = لم يُكسر الصمت بشأن { $version }.
silence-broken = كسر { $names } الصمت بشأن { $version }.
silence-adopted = اعتُمد { $version } بالرمز { $symbol } في { $date }.
silence-letter = رسالة { $name } (الفقرات { $paragraphs })
silence-break-title = كسر الصمت
silence-break-delegation = باسم وفد
silence-break-paragraphs = الفقرات المعنية
silence-break-letter = الرسالة (تُنشر علنًا)
silence-break-submit = كسر الصمت
silence-break-sent = سُجّلت رسالتك بكسر الصمت وأصبحت علنية.
compilation-text-title = النص التجميعي
compilation-tabled-by = قدّمه { $names }
compilation-supported-by = أيّده { $names }
compilation-stakeholders = { $count ->
    [one] صاحب مصلحة واحد
    [two] صاحبا مصلحة
    [few] { $count } أصحاب مصلحة
   *[other] { $count } من أصحاب المصلحة
}
compilation-removed = تعديلات على فقرات لم تعد في النص
compilation-download-html = النص التجميعي (HTML)
compilation-download-docx = النص التجميعي (Word)
disposition-accepted = مقبول
disposition-merged = مدمج
disposition-rejected = مرفوض
disposition-pending = معلّق
paragraph-status-agreed_ad_ref = متفق عليه بشرط الاستشارة
paragraph-status-pending = معلّق
review-compilation-word = تجميع المساهمات (Word)
secretariat-file = المشروع كملف (Word ‏.docx أو PDF يحتوي على نص أو نص أو Markdown)، أو الصقه أدناه

# The unsubscribe page
unsubscribe-title = إيقاف هذه الرسائل
unsubscribe-intro = ستتوقف الرسائل بشأن: { $what }. وستظل ترى هذه الأخبار على الموقع.
unsubscribe-button = إيقاف هذه الرسائل
unsubscribe-done = تم: لن تصلك رسائل بشأن { $what }.
unsubscribe-invalid = هذا الرابط غير صالح: ربما قُطع عند نسخه. إعداداتك في صفحة الإشعارات.
unsubscribe-settings = جميع إعدادات الإشعارات
unsubscribe-digest-daily = الملخص اليومي
unsubscribe-digest-weekly = الملخص الأسبوعي
field-country-none = — غير محدد —

# Field errors in words
error-field-required = هذا الحقل مطلوب.
error-field-email = هذا ليس عنوان بريد إلكتروني.
error-field-visible = اكتب نصًا مرئيًا.
error-field-bidi = احذف الأحرف غير المرئية التي تعيد ترتيب النص.
error-password-guessable = كلمة المرور هذه سهلة التخمين بالنسبة إلى طولها: { $reason }
error-password-common-password = إنها كلمة مرور شائعة أو قريبة جدًا من واحدة.
error-password-keyboard-pattern = أنماط لوحة المفاتيح مثل qwerty سهلة التخمين.
error-password-repeats = التكرارات مثل aaa أو abcabc سهلة التخمين.
error-password-sequence = التسلسلات مثل abc أو 6543 سهلة التخمين.
error-password-dates = السنوات والتواريخ سهلة التخمين.
error-password-word-or-name = الكلمة الواحدة أو الاسم الواحد سهل التخمين.
error-password-too-few-words = أضف كلمة أو كلمتين؛ الكلمات غير الشائعة أفضل.
error-import-empty = النص فارغ.
error-import-not-text = هذا ليس نصًا: فيه أحرف ثنائية أو أحرف تحكم.
error-import-no-paragraphs = لم يُعثر على فقرات مرقّمة: رقّمها ‎1.‎ و‎2.‎ … في بداية السطر.
error-import-too-many = أكثر من 10000 فقرة (بما فيها البنود الفرعية): استورد النص على أجزاء.
error-import-duplicate = رقم الفقرة { $number } مكرر مرتين.
error-file-word-locked = الملف محمي بكلمة مرور أو بصيغة Word القديمة (.doc): احفظه بصيغة .docx دون كلمة مرور.
error-file-not-word = الملف ليس مستند Word ‏(.docx).
error-file-word-damaged = مستند Word تالف.
error-file-word-too-large = مستند Word كبير جدًا بعد فك ضغطه.
error-file-not-pdf = الملف ليس PDF.
error-file-pdf-damaged = ملف PDF تالف ولا يمكن قراءته.
error-file-pdf-password = ملف PDF محمي بكلمة مرور: احفظه دونها، أو بصيغة .docx.
error-file-pdf-too-long = في ملف PDF ‏{ $pages } صفحة: لا يُقرأ أكثر من 300. قسّم المستند أو الصق نصه.
error-file-pdf-no-text = لا يحتوي ملف PDF على نص يمكن قراءته: يبدو أنه صورة ممسوحة ضوئيًا. شغّل عليه التعرف الضوئي على الحروف (OCR)، أو احفظه بصيغة .docx، أو الصق نصه.
error-file-pdf-too-much = يحتوي ملف PDF على نص أكثر مما يتسع له المشروع: قسّم المستند أو الصق نصه.
error-msg-unknown-action = هذا الإجراء غير معروف.
error-msg-date-time = أدخل تاريخًا ووقتًا.
error-msg-whole-number = أدخل عددًا صحيحًا.
error-msg-after-opening = يجب أن يكون بعد الافتتاح.
error-msg-after-start = يجب أن يكون بعد البداية.
error-msg-not-before-first-day = يجب ألا يسبق اليوم الأول.
error-msg-event-days = تستمر الفعالية 60 يومًا على الأكثر.
error-msg-choose-comment = اختر تعليقًا.
error-msg-choose-day = اختر يومًا.
error-file-missing = اختر ملف المشروع.
error-msg-onsite-remote = اختر الحضور في الموقع أو عن بُعد.
error-msg-no-such-comment = هذا التعليق غير موجود.
error-msg-no-such-room = هذه القاعة ليست من قاعات هذه الفعالية.
error-msg-rows-max = 5000 صف على الأكثر في المرة الواحدة.
error-msg-nothing-to-import = لا يوجد ما يُستورد.
error-msg-cofacilitators-max = 100 ميسّر مشارك على الأكثر.
error-msg-takeaways = أدخل من 1 إلى 10 استنتاجات رئيسية.
error-msg-comment-or-question = اختر تعليقًا أو سؤالًا.
error-msg-search-length = أدخل من 2 إلى 100 حرف.
error-msg-url = أدخل عنوان ويب يبدأ بـ http:// أو https://.
error-msg-segments-max = 20 جزءًا على الأكثر.
error-msg-speakers-max = 30 متحدثًا على الأكثر.
error-msg-subthemes-max = 50 موضوعًا فرعيًا على الأكثر.
error-msg-sort = رتّب حسب الصلة أو الأحدث أولًا.
error-msg-time = أدخل وقتًا، مثل { $example }.
error-msg-range = يجب أن يكون بين { $low } و{ $high }.
error-file-not-utf8 = الملف ليس نصًا بترميز UTF-8: احفظه بصيغة .docx أو نصًا بترميز UTF-8.
error-translation-misaligned = لا تتطابق هذه الترجمة مع الأصل فقرةً بفقرة: اعرضها للمعاينة لترى الفقرات الناقصة أو الزائدة.
error-translation-no-version = لا توجد نسخة «{ $label }» لترجمتها: استورد النص بلغته أولاً، ثم كل ترجمة بالتسمية نفسها.
error-translation-too-many = يمكن قراءة النص بست لغات على الأكثر، منها لغته.
error-field-at-most = { $count } حرفًا على الأكثر.
error-field-at-least = { $count } حرفًا على الأقل.
error-field-one-of = اختر واحدًا مما يلي: { $choices }.
list-separator = { "، " }
organize-score-none = — اختر —
error-field-choose = اختر واحدًا.
pager-label = الصفحات
pager-previous = الصفحة السابقة
pager-next = الصفحة التالية
pager-position = الصفحة { $page } من { $pages }
agenda-matching = { $count ->
    [zero] لا توجد جلسات مطابقة.
    [one] جلسة واحدة مطابقة.
    [two] جلستان مطابقتان.
   *[other] عدد الجلسات المطابقة: { $count }.
}
speaker-title = هل ستتحدث؟
speaker-intro = ذُكرت متحدثًا، { $name }، في الجلسة «{ $title }» المقترحة على { $event }.
speaker-answer-asked = لم ترد بعد.
speaker-answer-confirmed = ردك: ستتحدث.
speaker-answer-declined = ردك: لن تتحدث.
speaker-saved-confirmed = شكرًا: سيرى المنظمون أنك ستتحدث.
speaker-saved-declined = شكرًا: سيرى المنظمون أنك لن تتحدث.
speaker-confirm = سأتحدث
speaker-decline = لن أتحدث
speaker-closed = اتخذ المنظمون قرارًا بشأن هذا المقترح: لم يعد بالإمكان تغيير الرد.
speaker-status-asked = طُلب منه، لا رد بعد
speaker-status-confirmed = أكّد
speaker-status-declined = اعتذر
speaker-status-none = لا بريد إلكتروني: لم يُسأل
proposal-decision-note = ملاحظة القرار
proposal-proposer = اقترحها
proposal-questions = أسئلة السياسات
proposal-speakers = المتحدثون
proposal-organization = المنظمة
proposal-group = فئة أصحاب المصلحة
proposal-country = البلد (المنطقة)
proposal-email = البريد الإلكتروني
proposal-confirmation = هل سيتحدث؟
proposal-reviews = التقييمات
proposal-no-reviews = لا توجد تقييمات بعد.
proposal-reviewed = لقد قيّمت هذا المقترح.
proposal-decision = القرار
proposal-note = ملاحظة لمقدّم المقترح (اختيارية)
proposal-read = القراءة والتقييم
proposal-speakers-count = { $count ->
    [zero] لا متحدثين
    [one] متحدث واحد
    [two] متحدثان
    [few] { $count } متحدثين
   *[other] { $count } متحدثًا
}
organize-filter-status = الحالة
organize-filter-any = الكل
organize-filter-apply = عرض
organize-room-remote = رابط المشاركة عن بُعد (اختياري)
organize-room-interpretation = الترجمة الفورية متاحة
organize-room-has-remote = مشاركة عن بُعد
organize-room-has-interpretation = ترجمة فورية
organize-solve = اقتراح جدول
organize-solve-intro = يوزّع الجلسات غير المجدولة على القاعات والفترات: لا متحدث في مكانين، ولكل جمهور قاعة تتسع له ومجهزة بما يلزم، مع احترام الجلسات المثبتة وأوقات عدم توفر المتحدثين، ولا تتوازى جلسات المسار الواحد ما أمكن. راجعه على الجدول وانقل الجلسات يدويًا.
organize-solve-from = بداية اليوم
organize-solve-to = نهاية اليوم
organize-solve-slot = الفترة (بالدقائق)
organize-solve-break = الاستراحة بين الفترات (بالدقائق)
organize-solve-reschedule = نقل الجلسات المجدولة أيضًا (تبقى المثبتة)
organize-solve-submit = اقتراح الجدول وحفظه
organize-solved = المجدولة: { $placed }. بلا مكان: { $unplaced }. فترات يتوازى فيها مسار واحد: { $overlaps }.
organize-unplaced-no_suitable_room = لا توجد قاعة كافية أو مجهزة بما يلزم
organize-unplaced-people_unavailable = متحدثوها غير متاحين في كل الفترات
organize-unplaced-no_free_slot = كل فترة ممكنة ممتلئة أو أحد متحدثيها في مكان آخر
room-title = في القاعة
room-moderators = يديرها
room-rapporteurs = المقررون
room-segments = ترتيب الفقرات
room-minutes = { $count ->
    [zero] لا دقائق
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $count } دقائق
   *[other] { $count } دقيقة
}
room-now = الآن
room-queue = قائمة طالبي الكلمة
room-has-floor = الكلمة الآن لـ { $name } ({ $mode }).
room-nobody = لا أحد يتكلم الآن.
room-nobody-waits = لا أحد في الانتظار.
room-mode-onsite = في القاعة
room-mode-remote = عبر الإنترنت
room-raise-onsite = طلب الكلمة (في القاعة)
room-raise-remote = طلب الكلمة (عبر الإنترنت)
room-lower = سحب طلب الكلمة
room-give-floor = إعطاء الكلمة للتالي
room-questions = الأسئلة، الأكثر تأييدًا أولًا
room-no-questions = لا أسئلة بعد.
room-upvotes = { $count ->
    [zero] لا أصوات
    [one] صوت واحد
    [two] صوتان
    [few] { $count } أصوات
   *[other] { $count } صوتًا
}
room-upvote = تأييد
room-file-report = تقديم تقرير الجلسة
room-takeaways = الخلاصات الرئيسية (واحدة في كل سطر، من 1 إلى 10)
room-calls = الدعوات إلى العمل (واحدة في كل سطر، حتى 10)
room-onsite = المشاركون في القاعة
room-online = المشاركون عبر الإنترنت
room-women = نسبة النساء بين المشاركين (%، اختياري)
room-report-submit = تقديم التقرير
segment-opening = الافتتاح
segment-panel = حلقة النقاش
segment-interactive_dialogue = الحوار التفاعلي
segment-closing = الختام
segment-other = أخرى
