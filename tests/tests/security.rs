//! Hardening that is about what the server keeps and says: mail that carries a one-time
//! link, and what a registration can make the server write to someone else.

use std::time::Duration;

use awc::http::StatusCode;
use diesel::prelude::*;
use indaba::db::schema::mail_outbox;
use indaba_tests::*;
use serde_json::json;

both_backends!(
    one_time_links_leave_no_trace,
    text_that_could_deceive_is_refused
);

/// Whoever registers an address chooses the display name, and may not own the address:
/// the verification mail greets nobody by name. Once it is delivered, the outbox keeps
/// no usable token.
async fn one_time_links_leave_no_trace(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, res) = app
        .register(
            "greeted",
            json!({"display_name": "Click http://evil.example now"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let token = app.link_token(&email, "/verify?token=").await;
    let mail = app.mails_to(&email).pop().unwrap();
    assert!(!mail.text.contains("evil.example"), "{}", mail.text);
    assert!(!mail.html.contains("evil.example"), "{}", mail.html);

    // Delivered: its stored body is blanked (the token is the recipient's alone).
    let db = app.db();
    let mut stored = Vec::new();
    for _ in 0..100 {
        let mut conn = db.get().unwrap();
        stored = mail_outbox::table
            .filter(mail_outbox::kind.eq("verify_email"))
            .filter(mail_outbox::sent_at.is_not_null())
            .select((mail_outbox::body_text, mail_outbox::body_html))
            .load::<(String, String)>(&mut *conn)
            .unwrap();
        if !stored.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stored, vec![(String::new(), String::new())]);
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"email": email}),
        )
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text);
    app.link_token(&email, "/reset-password?token=").await;
    for _ in 0..100 {
        let mut conn = db.get().unwrap();
        let bodies: Vec<String> = mail_outbox::table
            .filter(mail_outbox::sent_at.is_not_null())
            .select(mail_outbox::body_text)
            .load(&mut *conn)
            .unwrap();
        if bodies.len() == 2 {
            assert!(bodies
                .iter()
                .all(|b| !b.contains(&token) && !b.contains("token=")));
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the reset mail was not sent");
}

/// A name that reorders itself, or a comment that shows nothing, is refused: 422 naming
/// the field, and nothing is stored.
async fn text_that_could_deceive_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, res) = app
        .register("bidi", json!({"display_name": "Ana \u{202E}gnp.exe"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("display_name").is_some(), "{}", res.text);
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let res = app
        .post(
            "/api/v1/consultations",
            Some(&organizer),
            &json!({"slug": "bidi-title", "title": "\u{2066}Official\u{2069} text", "language": "en"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("title").is_some(), "{}", res.text);
    let id = open_consultation(&app, &organizer).await;
    let (_, alice) = app.user_with_roles("Alice", &[]).await;
    let path = format!("/api/v1/consultations/{id}/comments");
    let res = app
        .post(
            &path,
            Some(&alice),
            &json!({"body": "\u{200B}\u{200B}\u{FEFF}"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("body").is_some(), "{}", res.text);
    let list = app.get(&path, None).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
}
