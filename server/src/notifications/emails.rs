//! Notification mail in the recipient's language: one message per notification for
//! `immediate`, one digest for `daily` and `weekly`, each with plain text and HTML and
//! a one-click unsubscribe link.

use super::types::{Frequency, Kind};
use super::view::NotificationBody;
use crate::db::rfc3339;
use crate::mail::templates::escape;
use crate::mail::Rendered;

struct Texts {
    greeting: &'static str,
    daily: &'static str,
    weekly: &'static str,
    intro: &'static str,
    open: &'static str,
    unsubscribe: &'static str,
    settings: &'static str,
    headline: fn(Kind) -> &'static str,
    word: fn(&str) -> Option<&'static str>,
}

fn texts(lang: &str) -> Texts {
    match lang {
        "fr" => Texts {
            greeting: "Bonjour {name},",
            daily: "Votre résumé quotidien d'Indaba",
            weekly: "Votre résumé hebdomadaire d'Indaba",
            intro: "Voici ce qui s'est passé depuis votre dernier résumé :",
            open: "Ouvrir",
            unsubscribe: "Ne plus recevoir ces courriels",
            settings:
                "Vous pouvez choisir ce que vous recevez dans vos paramètres de notification.",
            headline: |k| match k {
                Kind::Reply => {
                    "Nouvelle réponse dans une discussion que vous suivez sur « {title} »"
                }
                Kind::Endorsement => "Votre contribution sur « {title} » a reçu un soutien",
                Kind::Review => "Votre contribution sur « {title} » a été examinée : {status}",
                Kind::NewVersion => "Une nouvelle version de « {title} » est disponible",
                Kind::ClosingSoon => "« {title} » ferme aux commentaires dans moins de 48 heures",
                Kind::SessionStarting => "« {title} » commence bientôt",
                Kind::ProposalDecision => "Décision sur votre proposition « {title} » : {status}",
                Kind::Moderation => {
                    "Un modérateur est intervenu sur votre contribution à « {title} »"
                }
                Kind::SilenceDeadline => {
                    "La procédure d'accord tacite sur « {title} » prend fin dans moins de 24 heures"
                }
            },
            word: |w| {
                Some(match w {
                    "new" => "nouvelle",
                    "read" => "lue",
                    "incorporated" => "intégrée",
                    "partially_incorporated" => "partiellement intégrée",
                    "not_incorporated" => "non intégrée",
                    "out_of_scope" => "hors sujet",
                    "accepted" => "acceptée",
                    "rejected" => "refusée",
                    "merged" => "fusionnée",
                    _ => return None,
                })
            },
        },
        "es" => Texts {
            greeting: "Hola, {name}:",
            daily: "Su resumen diario de Indaba",
            weekly: "Su resumen semanal de Indaba",
            intro: "Esto es lo que ocurrió desde su último resumen:",
            open: "Abrir",
            unsubscribe: "Dejar de recibir estos correos",
            settings: "Puede elegir qué recibe en su configuración de notificaciones.",
            headline: |k| match k {
                Kind::Reply => "Nueva respuesta en un hilo que sigue sobre «{title}»",
                Kind::Endorsement => "Su aportación sobre «{title}» recibió un apoyo",
                Kind::Review => "Su aportación sobre «{title}» fue examinada: {status}",
                Kind::NewVersion => "Hay una nueva versión de «{title}»",
                Kind::ClosingSoon => "«{title}» cierra los comentarios en menos de 48 horas",
                Kind::SessionStarting => "«{title}» empieza pronto",
                Kind::ProposalDecision => "Decisión sobre su propuesta «{title}»: {status}",
                Kind::Moderation => "Un moderador actuó sobre su aportación a «{title}»",
                Kind::SilenceDeadline => {
                    "El procedimiento de silencio sobre «{title}» termina en menos de 24 horas"
                }
            },
            word: |w| {
                Some(match w {
                    "new" => "nueva",
                    "read" => "leída",
                    "incorporated" => "incorporada",
                    "partially_incorporated" => "incorporada en parte",
                    "not_incorporated" => "no incorporada",
                    "out_of_scope" => "fuera de alcance",
                    "accepted" => "aceptada",
                    "rejected" => "rechazada",
                    "merged" => "fusionada",
                    _ => return None,
                })
            },
        },
        "ru" => Texts {
            greeting: "Здравствуйте, {name}!",
            daily: "Ваша ежедневная сводка Indaba",
            weekly: "Ваша еженедельная сводка Indaba",
            intro: "Вот что произошло после вашей последней сводки:",
            open: "Открыть",
            unsubscribe: "Отказаться от этих писем",
            settings: "Выбрать, что вы получаете, можно в настройках уведомлений.",
            headline: |k| match k {
                Kind::Reply => "Новый ответ в обсуждении «{title}», за которым вы следите",
                Kind::Endorsement => "Ваш вклад в «{title}» получил поддержку",
                Kind::Review => "Ваш вклад в «{title}» рассмотрен: {status}",
                Kind::NewVersion => "Вышла новая версия «{title}»",
                Kind::ClosingSoon => {
                    "Приём комментариев к «{title}» закроется менее чем через 48 часов"
                }
                Kind::SessionStarting => "«{title}» скоро начнётся",
                Kind::ProposalDecision => "Решение по вашему предложению «{title}»: {status}",
                Kind::Moderation => "Модератор принял меры в отношении вашего вклада в «{title}»",
                Kind::SilenceDeadline => {
                    "Процедура молчания по «{title}» завершается менее чем через 24 часа"
                }
            },
            word: |w| {
                Some(match w {
                    "new" => "новый",
                    "read" => "прочитан",
                    "incorporated" => "учтён",
                    "partially_incorporated" => "учтён частично",
                    "not_incorporated" => "не учтён",
                    "out_of_scope" => "вне рамок",
                    "accepted" => "принято",
                    "rejected" => "отклонено",
                    "merged" => "объединено",
                    _ => return None,
                })
            },
        },
        "zh" => Texts {
            greeting: "{name}，您好：",
            daily: "您的 Indaba 每日摘要",
            weekly: "您的 Indaba 每周摘要",
            intro: "自上次摘要以来的动态：",
            open: "打开",
            unsubscribe: "不再接收此类邮件",
            settings: "您可以在通知设置中选择接收哪些内容。",
            headline: |k| match k {
                Kind::Reply => "您关注的“{title}”讨论中有新回复",
                Kind::Endorsement => "您对“{title}”的意见获得了支持",
                Kind::Review => "您对“{title}”的意见已审阅：{status}",
                Kind::NewVersion => "“{title}”发布了新版本",
                Kind::ClosingSoon => "“{title}”将在 48 小时内截止评论",
                Kind::SessionStarting => "“{title}”即将开始",
                Kind::ProposalDecision => "您的提案“{title}”已有决定：{status}",
                Kind::Moderation => "版主处理了您在“{title}”中的发言",
                Kind::SilenceDeadline => "关于“{title}”的默许程序将在 24 小时内结束",
            },
            word: |w| {
                Some(match w {
                    "new" => "新",
                    "read" => "已读",
                    "incorporated" => "已采纳",
                    "partially_incorporated" => "部分采纳",
                    "not_incorporated" => "未采纳",
                    "out_of_scope" => "不在范围内",
                    "accepted" => "接受",
                    "rejected" => "拒绝",
                    "merged" => "合并",
                    _ => return None,
                })
            },
        },
        "ar" => Texts {
            greeting: "مرحبًا {name}،",
            daily: "ملخصك اليومي من Indaba",
            weekly: "ملخصك الأسبوعي من Indaba",
            intro: "إليك ما حدث منذ ملخصك الأخير:",
            open: "فتح",
            unsubscribe: "إيقاف هذه الرسائل",
            settings: "يمكنك اختيار ما تتلقاه من إعدادات الإشعارات.",
            headline: |k| match k {
                Kind::Reply => "رد جديد في نقاش تتابعه حول «{title}»",
                Kind::Endorsement => "حظيت مساهمتك في «{title}» بتأييد",
                Kind::Review => "تمت مراجعة مساهمتك في «{title}»: {status}",
                Kind::NewVersion => "صدرت نسخة جديدة من «{title}»",
                Kind::ClosingSoon => "يُغلق باب التعليق على «{title}» خلال أقل من 48 ساعة",
                Kind::SessionStarting => "تبدأ «{title}» قريبًا",
                Kind::ProposalDecision => "صدر قرار بشأن مقترحك «{title}»: {status}",
                Kind::Moderation => "اتخذ أحد المشرفين إجراءً بشأن مساهمتك في «{title}»",
                Kind::SilenceDeadline => "ينتهي إجراء الصمت بشأن «{title}» خلال أقل من 24 ساعة",
            },
            word: |w| {
                Some(match w {
                    "new" => "جديدة",
                    "read" => "مقروءة",
                    "incorporated" => "مُدرجة",
                    "partially_incorporated" => "مُدرجة جزئيًا",
                    "not_incorporated" => "غير مُدرجة",
                    "out_of_scope" => "خارج النطاق",
                    "accepted" => "مقبول",
                    "rejected" => "مرفوض",
                    "merged" => "مدمج",
                    _ => return None,
                })
            },
        },
        _ => Texts {
            greeting: "Hello {name},",
            daily: "Your daily summary from Indaba",
            weekly: "Your weekly summary from Indaba",
            intro: "Here is what happened since your last summary:",
            open: "Open",
            unsubscribe: "Stop these emails",
            settings: "You can choose what you receive in your notification settings.",
            headline: |k| match k {
                Kind::Reply => "New reply in a thread you follow on “{title}”",
                Kind::Endorsement => "Your input on “{title}” was endorsed",
                Kind::Review => "Your input on “{title}” was reviewed: {status}",
                Kind::NewVersion => "A new version of “{title}” is out",
                Kind::ClosingSoon => "“{title}” closes for comments in less than 48 hours",
                Kind::SessionStarting => "“{title}” starts soon",
                Kind::ProposalDecision => "A decision on your proposal “{title}”: {status}",
                Kind::Moderation => "A moderator acted on your contribution to “{title}”",
                Kind::SilenceDeadline => "The silence procedure on “{title}” ends within 24 hours",
            },
            word: |w| {
                Some(match w {
                    "new" => "new",
                    "read" => "read",
                    "incorporated" => "incorporated",
                    "partially_incorporated" => "partially incorporated",
                    "not_incorporated" => "not incorporated",
                    "out_of_scope" => "out of scope",
                    "accepted" => "accepted",
                    "rejected" => "rejected",
                    "merged" => "merged",
                    _ => return None,
                })
            },
        },
    }
}

/// One notification as a headline, a detail line and a link.
pub struct Item {
    pub headline: String,
    pub detail: String,
    pub url: String,
}

/// A notification in `lang`: a headline, a detail line and its link (as stored: a path
/// on this site, made absolute for mail by the caller).
pub fn item(lang: &str, body: &NotificationBody) -> Item {
    let t = texts(lang);
    let status = match body {
        NotificationBody::Review(d) => d.status.as_str(),
        NotificationBody::ProposalDecision(d) => d.status.as_str(),
        _ => "",
    };
    let status = (t.word)(status).unwrap_or(status);
    let headline = (t.headline)(body.kind())
        .replace("{title}", body.title())
        .replace("{status}", status);
    let detail = match body {
        NotificationBody::Reply(d) => d.excerpt.clone().unwrap_or_default(),
        NotificationBody::Review(d) => d
            .incorporated_in
            .iter()
            .map(|p| format!("{} ¶{}", p.version, p.number))
            .collect::<Vec<_>>()
            .join(", "),
        NotificationBody::ClosingSoon(d) => rfc3339(d.closes_at.0),
        NotificationBody::SessionStarting(d) => format!("{} ({})", d.local_starts_at, d.timezone),
        NotificationBody::ProposalDecision(d) => d.note.clone(),
        NotificationBody::Moderation(d) => d.note.clone(),
        NotificationBody::NewVersion(d) => d.version.clone(),
        NotificationBody::Endorsement(_) => String::new(),
        NotificationBody::SilenceDeadline(d) => format!("{} · {}", d.version, d.deadline_local),
    };
    Item {
        headline,
        detail,
        url: body.url().to_owned(),
    }
}

/// A message for one notification, or a digest of several.
pub fn render(
    lang: &str,
    name: &str,
    frequency: Frequency,
    items: &[Item],
    unsubscribe_url: &str,
) -> Rendered {
    let t = texts(lang);
    let greeting = t.greeting.replace("{name}", name);
    let subject = match (frequency, items) {
        (Frequency::Weekly, _) => t.weekly.to_owned(),
        (Frequency::Daily, _) => t.daily.to_owned(),
        (_, [one]) => one.headline.clone(),
        _ => t.daily.to_owned(),
    };
    let digest = matches!(frequency, Frequency::Daily | Frequency::Weekly);
    let mut text = format!("{greeting}\n\n");
    let mut html_items = String::new();
    if digest {
        text.push_str(t.intro);
        text.push_str("\n\n");
    }
    for i in items {
        text.push_str(&format!("- {}\n", i.headline));
        if !i.detail.is_empty() {
            text.push_str(&format!("  {}\n", i.detail));
        }
        text.push_str(&format!("  {}: {}\n\n", t.open, i.url));
        html_items.push_str(&format!(
            "<li><p><a href=\"{url}\">{headline}</a></p>{detail}</li>",
            url = escape(&i.url),
            headline = escape(&i.headline),
            detail = if i.detail.is_empty() {
                String::new()
            } else {
                format!("<p>{}</p>", escape(&i.detail))
            },
        ));
    }
    text.push_str(&format!(
        "{}\n{}: {unsubscribe_url}\n\n-- \nIndaba\n",
        t.settings, t.unsubscribe
    ));
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    let html = format!(
        "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body><p>{greeting}</p>{intro}<ul>{html_items}</ul><p>{settings}</p>\
         <p><a href=\"{unsubscribe}\">{unsubscribe_label}</a></p><p>Indaba</p></body></html>",
        subject = escape(&subject),
        greeting = escape(&greeting),
        intro = if digest { format!("<p>{}</p>", escape(t.intro)) } else { String::new() },
        settings = escape(t.settings),
        unsubscribe = escape(unsubscribe_url),
        unsubscribe_label = escape(t.unsubscribe),
    );
    Rendered {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Timestamp;
    use crate::mail::templates::UI_LANGUAGES;
    use crate::notifications::view::*;

    fn every_kind() -> Vec<NotificationBody> {
        let title = "Draft <b>".to_owned();
        let url = "http://x/c?a=1&b=2".to_owned();
        let at = Timestamp(chrono::DateTime::UNIX_EPOCH.naive_utc());
        vec![
            NotificationBody::Reply(ReplyData {
                title: title.clone(),
                comment_id: 2,
                parent_id: 1,
                consultation_id: Some(1),
                session_id: None,
                excerpt: Some("Yes".into()),
                url: url.clone(),
            }),
            NotificationBody::Endorsement(CommentData {
                title: title.clone(),
                comment_id: 1,
                url: url.clone(),
            }),
            NotificationBody::Review(ReviewData {
                title: title.clone(),
                comment_id: 1,
                status: crate::review::store::ReviewStatus::Incorporated,
                incorporated_in: vec![],
                url: url.clone(),
            }),
            NotificationBody::NewVersion(NewVersionData {
                title: title.clone(),
                consultation_id: 1,
                version: "rev1".into(),
                url: url.clone(),
            }),
            NotificationBody::ClosingSoon(ClosingSoonData {
                title: title.clone(),
                consultation_id: 1,
                closes_at: at,
                url: url.clone(),
            }),
            NotificationBody::SessionStarting(SessionStartingData {
                title: title.clone(),
                session_id: 1,
                event_id: 1,
                starts_at: at,
                local_starts_at: "1970-01-01T03:00:00+03:00".into(),
                timezone: "Africa/Nairobi".into(),
                url: url.clone(),
            }),
            NotificationBody::ProposalDecision(DecisionData {
                title: title.clone(),
                proposal_id: 1,
                status: crate::events::types::ProposalStatus::Accepted,
                note: "Welcome".into(),
                session_id: Some(3),
                url: url.clone(),
            }),
            NotificationBody::Moderation(ModerationData {
                title: title.clone(),
                comment_id: 1,
                action: crate::consultations::types::ModerationAction::Hide,
                note: "off topic".into(),
                url: url.clone(),
            }),
            NotificationBody::SilenceDeadline(SilenceDeadlineData {
                title,
                consultation_id: 1,
                version: "rev2".into(),
                deadline: at,
                deadline_local: "1970-01-01 00:00 (UTC)".into(),
                url,
            }),
        ]
    }

    #[test]
    fn every_language_has_every_kind_and_escapes() {
        let bodies = every_kind();
        assert_eq!(bodies.len(), Kind::ALL.len());
        for lang in UI_LANGUAGES {
            for body in &bodies {
                let kind = body.kind();
                let i = item(lang, body);
                assert!(i.headline.contains("Draft <b>"), "{lang} {kind}");
                assert!(!i.headline.contains("{status}"), "{lang} {kind}");
                if kind == Kind::Review && lang != "en" {
                    assert!(
                        !i.headline.contains("incorporated"),
                        "{lang}: status translated"
                    );
                }
            }
            let one = item(lang, &bodies[0]);
            let m = render(lang, "Ana", Frequency::Immediate, &[one], "http://x/u?t=1");
            assert!(
                m.html.contains("Draft &lt;b&gt;") && !m.html.contains("<b>"),
                "{lang}"
            );
            assert!(m.text.contains("http://x/u?t=1"));
            assert_eq!(m.html.contains("dir=\"rtl\""), lang == "ar");
        }
    }

    #[test]
    fn stored_data_reads_back() {
        for body in every_kind() {
            let data = body.stored_data().unwrap();
            let back = NotificationBody::from_stored(body.kind(), &data).unwrap();
            // What is about a comment leads to the comment's page; the rest as stored.
            let about_a_comment = matches!(
                body.kind(),
                Kind::Reply | Kind::Endorsement | Kind::Review | Kind::Moderation
            );
            if about_a_comment {
                assert!(back.url().starts_with("/comments/"), "{}", back.url());
            } else {
                assert_eq!(back.stored_data().unwrap(), data);
            }
            let again = NotificationBody::from_stored(body.kind(), &back.stored_data().unwrap());
            assert_eq!(
                again.unwrap().stored_data().unwrap(),
                back.stored_data().unwrap()
            );
        }
        // A row written before the typed core: the excerpt it kept is read but not trusted,
        // and its link to the whole text leads to the comment's page instead.
        let old = r#"{"title":"T","comment_id":2,"parent_id":1,"consultation_id":1,"session_id":null,"excerpt":"old","url":"/consultations/t#c-2"}"#;
        let read = NotificationBody::from_stored(Kind::Reply, old).unwrap();
        assert_eq!(read.url(), "/comments/2");
        let old = r#"{"consultation_id":1,"title":"T","closes_at":"2030-01-01T00:00:00Z","url":"/consultations/t"}"#;
        assert!(NotificationBody::from_stored(Kind::ClosingSoon, old).is_ok());
    }
}
