//! Mail texts in the six UN languages. Each message is plain text plus an HTML
//! part, in the recipient's language (English when theirs is not one of the six).

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The UI languages; content may be in any language, mail and pages use these.
pub const UI_LANGUAGES: [&str; 6] = ["ar", "zh", "en", "fr", "ru", "es"];

/// The supported language closest to a stored preference (`zh-Hans` → `zh`).
pub fn ui_language(preferred: &str) -> &'static str {
    let primary = preferred
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    UI_LANGUAGES
        .iter()
        .find(|l| **l == primary)
        .copied()
        .unwrap_or("en")
}

struct Texts<'a> {
    subject: &'a str,
    greeting: &'a str,
    body: &'a str,
    action: &'a str,
    validity: &'a str,
    ignore: &'a str,
}

fn verification_texts(lang: &str) -> Texts<'static> {
    match lang {
        "fr" => Texts {
            subject: "Confirmez votre adresse électronique pour Indaba",
            greeting: "Bonjour,",
            body: "Veuillez confirmer votre adresse électronique pour participer aux consultations et aux sessions sur Indaba.",
            action: "Confirmer mon adresse",
            validity: "Ce lien est valable 48 heures.",
            ignore: "Si vous n'avez pas créé ce compte, vous pouvez ignorer ce message.",
        },
        "zh" => Texts {
            subject: "确认您在 Indaba 的电子邮件地址",
            greeting: "您好：",
            body: "请确认您的电子邮件地址，以便参与 Indaba 上的磋商和会议。",
            action: "确认我的电子邮件地址",
            validity: "此链接 48 小时内有效。",
            ignore: "如果您没有创建此帐户，请忽略此邮件。",
        },
        "es" => Texts {
            subject: "Confirme su dirección de correo electrónico en Indaba",
            greeting: "Hola:",
            body: "Confirme su dirección de correo electrónico para participar en las consultas y sesiones de Indaba.",
            action: "Confirmar mi dirección",
            validity: "Este enlace es válido durante 48 horas.",
            ignore: "Si usted no creó esta cuenta, puede ignorar este mensaje.",
        },
        "ru" => Texts {
            subject: "Подтвердите адрес электронной почты для Indaba",
            greeting: "Здравствуйте!",
            body: "Подтвердите адрес электронной почты, чтобы участвовать в консультациях и сессиях на Indaba.",
            action: "Подтвердить адрес",
            validity: "Ссылка действительна 48 часов.",
            ignore: "Если вы не создавали эту учётную запись, просто проигнорируйте это письмо.",
        },
        "ar" => Texts {
            subject: "أكِّد عنوان بريدك الإلكتروني في Indaba",
            greeting: "مرحبًا،",
            body: "يُرجى تأكيد عنوان بريدك الإلكتروني للمشاركة في المشاورات والجلسات على Indaba.",
            action: "تأكيد عنوان بريدي",
            validity: "هذا الرابط صالح لمدة 48 ساعة.",
            ignore: "إذا لم تُنشئ هذا الحساب، يمكنك تجاهل هذه الرسالة.",
        },
        _ => Texts {
            subject: "Confirm your email address for Indaba",
            greeting: "Hello,",
            body: "Please confirm your email address to take part in consultations and sessions on Indaba.",
            action: "Confirm my email address",
            validity: "This link is valid for 48 hours.",
            ignore: "If you did not create this account, you can ignore this message.",
        },
    }
}

fn reset_texts(lang: &str) -> Texts<'static> {
    match lang {
        "fr" => Texts {
            subject: "Réinitialisez votre mot de passe Indaba",
            greeting: "Bonjour,",
            body: "Une demande de réinitialisation du mot de passe de votre compte Indaba a été faite. Utilisez le lien ci-dessous pour en choisir un nouveau.",
            action: "Choisir un nouveau mot de passe",
            validity: "Ce lien est valable une heure et ne peut servir qu'une fois.",
            ignore: "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
        },
        "zh" => Texts {
            subject: "重置您的 Indaba 密码",
            greeting: "您好：",
            body: "有人请求重置您 Indaba 帐户的密码。请使用下面的链接设置新密码。",
            action: "设置新密码",
            validity: "此链接 1 小时内有效，且只能使用一次。",
            ignore: "如果这不是您本人的请求，请忽略此邮件，您的密码不会改变。",
        },
        "es" => Texts {
            subject: "Restablezca su contraseña de Indaba",
            greeting: "Hola:",
            body: "Alguien solicitó restablecer la contraseña de su cuenta de Indaba. Utilice el enlace siguiente para elegir una nueva.",
            action: "Elegir una nueva contraseña",
            validity: "Este enlace es válido durante 1 hora y solo puede usarse una vez.",
            ignore: "Si no lo solicitó, ignore este mensaje: su contraseña no cambiará.",
        },
        "ru" => Texts {
            subject: "Сброс пароля Indaba",
            greeting: "Здравствуйте!",
            body: "Поступил запрос на сброс пароля вашей учётной записи Indaba. Перейдите по ссылке ниже, чтобы задать новый пароль.",
            action: "Задать новый пароль",
            validity: "Ссылка действительна 1 час и может быть использована один раз.",
            ignore: "Если вы не отправляли этот запрос, проигнорируйте письмо: ваш пароль не изменится.",
        },
        "ar" => Texts {
            subject: "إعادة تعيين كلمة مرور Indaba",
            greeting: "مرحبًا،",
            body: "طلب أحدهم إعادة تعيين كلمة مرور حسابك في Indaba. استخدم الرابط أدناه لاختيار كلمة مرور جديدة.",
            action: "اختيار كلمة مرور جديدة",
            validity: "هذا الرابط صالح لمدة ساعة واحدة ويمكن استخدامه مرة واحدة.",
            ignore: "إذا لم تطلب ذلك، فتجاهل هذه الرسالة: ستبقى كلمة مرورك كما هي.",
        },
        _ => Texts {
            subject: "Reset your Indaba password",
            greeting: "Hello,",
            body: "Someone asked to reset the password of your Indaba account. Use the link below to choose a new one.",
            action: "Choose a new password",
            validity: "This link is valid for 1 hour and can be used once.",
            ignore: "If you did not ask for this, ignore this message: your password stays as it is.",
        },
    }
}

fn speaker_request_texts(lang: &str) -> Texts<'static> {
    match lang {
        "fr" => Texts {
            subject: "Interviendrez-vous à « {title} » ?",
            greeting: "Bonjour,",
            body: "{proposer} a proposé la séance « {title} » à {event} et vous y nomme comme intervenant·e. Les organisateurs vous demandent de confirmer votre participation.",
            action: "Confirmer ou décliner",
            validity: "Le même lien permet de changer votre réponse.",
            ignore: "Si vous ne connaissez pas cette séance, déclinez : rien d'autre ne se passera.",
        },
        "es" => Texts {
            subject: "¿Intervendrá en «{title}»?",
            greeting: "Hola:",
            body: "{proposer} propuso la sesión «{title}» a {event} y le nombra como ponente. Los organizadores le piden que confirme su participación.",
            action: "Confirmar o declinar",
            validity: "Con el mismo enlace puede cambiar su respuesta.",
            ignore: "Si no conoce esta sesión, decline: no pasará nada más.",
        },
        "ru" => Texts {
            subject: "Выступите ли вы на заседании «{title}»?",
            greeting: "Здравствуйте!",
            body: "{proposer} предложил(а) заседание «{title}» для мероприятия {event} и указал(а) вас как докладчика. Организаторы просят подтвердить ваше участие.",
            action: "Подтвердить или отказаться",
            validity: "По той же ссылке можно изменить ответ.",
            ignore: "Если вы не знаете об этом заседании, откажитесь: больше ничего не произойдёт.",
        },
        "zh" => Texts {
            subject: "您是否将在“{title}”发言？",
            greeting: "您好：",
            body: "{proposer} 向 {event} 提议了会议“{title}”，并将您列为发言人。组织方请您确认是否发言。",
            action: "确认或谢绝",
            validity: "您可以通过同一链接更改答复。",
            ignore: "如果您不了解此会议，请选择谢绝：不会有其他影响。",
        },
        "ar" => Texts {
            subject: "هل ستتحدث في «{title}»؟",
            greeting: "مرحبًا،",
            body: "اقترح {proposer} الجلسة «{title}» على {event} وذكرك متحدثًا فيها. يطلب منك المنظمون تأكيد مشاركتك.",
            action: "التأكيد أو الاعتذار",
            validity: "يمكنك تغيير ردك بالرابط نفسه.",
            ignore: "إذا كنت لا تعرف هذه الجلسة، فاعتذر: لن يحدث شيء آخر.",
        },
        _ => Texts {
            subject: "Will you speak at “{title}”?",
            greeting: "Hello,",
            body: "{proposer} has proposed the session “{title}” to {event} and named you as a speaker. The organisers ask you to confirm that you will speak.",
            action: "Confirm or decline",
            validity: "The same link changes your answer.",
            ignore: "If you do not know this session, decline: nothing else happens.",
        },
    }
}

/// What a speaker request names: all of it typed by the proposer or the organisers.
pub struct SpeakerRequest<'a> {
    pub proposer: &'a str,
    pub title: &'a str,
    pub event: &'a str,
}

/// The request to a speaker to confirm. It greets no one by name: the name and address
/// were typed by the proposer, who may have the wrong person.
pub fn speaker_request(lang: &str, r: &SpeakerRequest<'_>, link: &str) -> Rendered {
    let t = speaker_request_texts(lang);
    // Typed text goes into a subject line: no line breaks.
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let fill = |s: &str| {
        s.replace("{proposer}", &one_line(r.proposer))
            .replace("{title}", &one_line(r.title))
            .replace("{event}", &one_line(r.event))
    };
    let (subject, body) = (fill(t.subject), fill(t.body));
    render(
        lang,
        &Texts {
            subject: &subject,
            body: &body,
            ..t
        },
        link,
    )
}

/// The verification mail greets nobody by name: the name was chosen by whoever registered
/// the address, who may not be its owner, and it must not speak to the owner in their voice.
pub fn verification(lang: &str, link: &str) -> Rendered {
    render(lang, &verification_texts(lang), link)
}

/// Nor does the reset mail (an unverified account's name is as untrusted).
pub fn password_reset(lang: &str, link: &str) -> Rendered {
    render(lang, &reset_texts(lang), link)
}

fn render(lang: &str, t: &Texts<'_>, link: &str) -> Rendered {
    let greeting = t.greeting;
    let text = format!(
        "{greeting}\n\n{}\n\n{}:\n{link}\n\n{}\n\n{}\n\n-- \nIndaba\n",
        t.body, t.action, t.validity, t.ignore
    );
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    let html = format!(
        "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body><p>{greeting}</p><p>{body}</p><p><a href=\"{link}\">{action}</a></p><p>{validity}</p><p>{ignore}</p>\
         <p>Indaba</p></body></html>",
        subject = escape(t.subject),
        greeting = escape(greeting),
        body = escape(t.body),
        link = escape(link),
        action = escape(t.action),
        validity = escape(t.validity),
        ignore = escape(t.ignore),
    );
    Rendered {
        subject: t.subject.to_owned(),
        text,
        html,
    }
}

/// HTML escaping for text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ui_language_has_its_own_texts() {
        let english = verification("en", "http://x/verify?token=t");
        for lang in UI_LANGUAGES {
            let v = verification(lang, "http://x/verify?token=t&a=1");
            let r = password_reset(lang, "http://x/reset-password?token=t");
            assert!(v.text.contains("http://x/verify?token=t&a=1"));
            assert!(v.html.contains("token=t&amp;a=1"));
            assert!(r.text.contains("reset-password?token=t"));
            if lang != "en" {
                assert_ne!(v.subject, english.subject, "{lang}");
            }
        }
        assert!(verification("ar", "l").html.contains("dir=\"rtl\""));
        let asked = SpeakerRequest {
            proposer: "Ana <b>",
            title: "AI &\nyouth",
            event: "IGF 2026",
        };
        for lang in UI_LANGUAGES {
            let m = speaker_request(lang, &asked, "http://x/c?token=t");
            assert!(
                !m.subject.contains('\n') && m.subject.contains("AI & youth"),
                "{lang}"
            );
            assert!(
                m.text.contains("Ana <b>") && m.text.contains("IGF 2026"),
                "{lang}"
            );
            assert!(
                m.html.contains("Ana &lt;b&gt;") && !m.html.contains('{'),
                "{lang}"
            );
        }
        assert_eq!(ui_language("zh-Hans"), "zh");
        assert_eq!(ui_language("de"), "en");
    }
}
