//! Mail through a real SMTP server (Python's aiosmtpd, writing a Maildir): register,
//! read the verification link out of the received message, verify with it.

use std::time::Duration;

use awc::http::StatusCode;
use indaba_tests::*;
use serde_json::json;

both_backends!(
    verification_link_arrives_over_smtp,
    mail_in_the_recipients_language
);

async fn verification_link_arrives_over_smtp(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(
        backend,
        Options::new().with(
            "INDABA_SMTP_URL",
            &format!("smtp://127.0.0.1:{}", smtp.port),
        ),
    )
    .await;
    let (email, res) = app.register("Smtp", json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED);

    let maildir = smtp.maildir.0.join("Maildir");
    let mut received = Vec::new();
    for _ in 0..200 {
        received = read_mail_dir(&maildir, &email);
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(received.len(), 1, "exactly one message arrives");
    let mail = &received[0];
    assert!(mail.headers.contains("multipart/alternative"));
    // The Message-ID names the outbox row, so a message sent again after a crash is
    // recognisably the same one.
    let message_id = mail
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .expect("a Message-ID");
    assert!(
        message_id.starts_with('<') && message_id.contains(".outbox@"),
        "{message_id}"
    );
    assert!(!mail.html.is_empty());
    let token = token_after(&mail.text, "/verify?token=").expect("a verification link");
    assert!(mail
        .text
        .contains(&format!("{}/verify?token={token}", app.base)));
    let res = app
        .post("/api/v1/auth/verify", None, &json!({"token": token}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["email_verified"], true);
    // Nothing went to the folder transport.
    assert!(app.mails_to(&email).is_empty());
}

async fn mail_in_the_recipients_language(backend: Backend) {
    let app = spawn_app(backend).await;
    for (lang, expected) in [
        ("fr", "Confirmez votre adresse"),
        ("zh", "确认您"),
        ("ar", "أكِّد"),
        ("es", "Confirme"),
        ("ru", "Подтвердите"),
    ] {
        let (email, res) = app
            .register(lang, json!({"preferred_language": lang}))
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
        app.link_token(&email, "/verify?token=").await;
        let mail = app.mails_to(&email).pop().unwrap();
        assert!(mail.subject.contains(expected), "{lang}: {}", mail.subject);
        assert!(mail.html.contains(&format!("lang=\"{lang}\"")));
    }
}
