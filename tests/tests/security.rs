//! Hardening that is about what the server keeps and says: mail that carries a one-time
//! link, and what a registration can make the server write to someone else.

use std::time::Duration;

use awc::http::StatusCode;
use diesel::prelude::*;
use indaba::db::schema::mail_outbox;
use indaba_tests::*;
use serde_json::json;

both_backends!(
    requests_to_confirm_speakers_are_limited_per_proposer,
    one_time_links_leave_no_trace,
    text_that_could_deceive_is_refused,
    answers_to_someone_are_kept_by_no_cache
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
    for _ in 0..600 {
        let mut conn = db.get().unwrap();
        stored = mail_outbox::table
            .filter(mail_outbox::kind.eq("verify_email"))
            .filter(mail_outbox::sent_at.is_not_null())
            .select((mail_outbox::body_text, mail_outbox::body_html))
            .load::<(String, String)>(&mut **conn)
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
    for _ in 0..600 {
        let mut conn = db.get().unwrap();
        let bodies: Vec<String> = mail_outbox::table
            .filter(mail_outbox::sent_at.is_not_null())
            .select(mail_outbox::body_text)
            .load(&mut **conn)
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

/// Whatever an answer holds, once the request said who sends it (a bearer token or the
/// session cookie) no cache keeps it, the browser's disk included; public assets and
/// anonymous answers stay cacheable.
async fn answers_to_someone_are_kept_by_no_cache(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, staff) = app
        .user_with_roles("Staff", &["organizer", "moderator"])
        .await;
    let id = open_consultation(&app, &staff).await;
    let cache = |res: &Response| res.header("cache-control").map(str::to_owned);
    for path in [
        "/api/v1/moderation/queue".to_owned(),
        "/api/v1/consultations".to_owned(),
        format!("/api/v1/consultations/{id}/comments"),
        format!("/api/v1/consultations/{id}/search"),
        format!("/api/v1/consultations/{id}/balance"),
        format!("/api/v1/consultations/{id}/duplicates"),
    ] {
        let res = app.get(&path, Some(&staff)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
        assert_eq!(cache(&res).as_deref(), Some("no-store"), "{path}");
    }
    let anonymous = app.get("/api/v1/consultations", None).await;
    assert_ne!(cache(&anonymous).as_deref(), Some("no-store"));
    // The pages of a signed-in person, by their cookie; the stylesheet stays public.
    let cookie = format!("indaba_access={staff}");
    for (path, expected) in [
        ("/me", "no-store"),
        ("/static/app.css", "public, max-age=31536000, immutable"),
    ] {
        let res = app
            .client
            .get(app.url(path))
            .insert_header(("cookie", cookie.as_str()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some(expected),
            "{path}"
        );
    }
}

/// A proposal's speakers are mailed at addresses the proposer typed: editing it again and
/// again with new addresses stops at 100 a day, refused before anything is written.
async fn requests_to_confirm_speakers_are_limited_per_proposer(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Limit Org", &["organizer"]).await;
    let event = event_with_open_call(&app, &organizer, "igf-limits").await;
    let (_, proposer) = app.user_with_roles("Mass Mailer", &[]).await;
    let body = |round: usize| {
        let speakers: Vec<_> = (0..10)
            .map(|k| json!({"name": format!("Target {round}-{k}"), "email": format!("target{round}-{k}@example.org"),
                            "stakeholder_group": "civil_society", "country": "KE"}))
            .collect();
        json!({"title": "Mailer", "type": "workshop", "subtheme": "Governance", "format": "hybrid",
               "description": "x", "policy_questions": [], "speakers": speakers,
               "moderator_name": "M", "rapporteur_name": "R"})
    };
    let res = app
        .post(
            &format!("/api/v1/events/{event}/proposals"),
            Some(&proposer),
            &body(0),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/proposals/{id}");
    for round in 1..10 {
        let res = app
            .send(
                awc::http::Method::PATCH,
                &path,
                Some(&proposer),
                &body(round),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "round {round}: {}", res.text);
    }
    // 100 addresses asked: the 101st to 110th are refused, and the proposal is unchanged.
    let res = app
        .send(awc::http::Method::PATCH, &path, Some(&proposer), &body(10))
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.text);
    assert_eq!(res.code(), "rate_limited");
    assert!(res.header("retry-after").is_some());
    let read = app.get(&path, Some(&proposer)).await;
    assert_eq!(
        read.body["speakers"][0]["name"], "Target 9-0",
        "{}",
        read.text
    );
    let db = app.db();
    let queued: i64 = db
        .run(move |conn| {
            Ok(mail_outbox::table
                .filter(mail_outbox::kind.eq("speaker_request"))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(queued, 100);
    // An edit that asks nobody new is not counted.
    let res = app
        .send(awc::http::Method::PATCH, &path, Some(&proposer), &body(9))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}
