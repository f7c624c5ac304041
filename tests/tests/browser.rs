//! The pages in a real browser (headless Debian chromium through chromedriver): a
//! newcomer signs up, verifies by the mail's link, signs in and comments on a paragraph,
//! and a second browser sees the comment arrive live; every main page passes axe-core
//! (WCAG 2.1 A and AA: no serious or critical violation) in English and Arabic, and
//! Arabic pages are right-to-left. Pages are about HTML, not storage: SQLite only.

use indaba_tests::browser::{axe_source, chromedriver, Driver};
use indaba_tests::*;
use serde_json::{json, Value};

/// Screenshots go to docs/screenshots when INDABA_SCREENSHOTS is set (for the guides).
fn screenshot_dir() -> Option<std::path::PathBuf> {
    std::env::var("INDABA_SCREENSHOTS")
        .ok()
        .map(|_| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"))
}

async fn first_paragraph(app: &TestApp, id: i64) -> (String, String) {
    let res = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let slug = res.body["slug"].as_str().expect("slug").to_owned();
    let key = res.body["version"]["paragraphs"][0]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    (slug, key)
}

#[actix_web::test]
async fn a_newcomer_signs_up_verifies_comments_and_a_second_browser_sees_it_live() {
    let Some(binary) = chromedriver() else { return };
    let app = spawn_app(Backend::Sqlite).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (slug, key) = first_paragraph(&app, id).await;
    let paragraph_page = app.url(&format!("/consultations/{slug}?paragraph={key}"));

    let driver = Driver::start(&binary).await;
    let amina = driver.browser().await;
    let watcher = driver.browser().await;

    // Sign up with stakeholder group and country.
    let email = format!("{}@example.org", unique("amina"));
    amina.goto(&app.url("/register?lang=en")).await;
    amina.type_into("#display_name", "Amina Diallo").await;
    amina.type_into("#email", &email).await;
    amina.type_into("#password", PASSWORD).await;
    amina.select("#stakeholder_group", "civil_society").await;
    amina.type_into("#country", "SN").await;
    amina
        .click_and_wait("form[action='/register'] button[type=submit]")
        .await;
    assert_eq!(amina.text("h1").await, "Check your email");

    // The verification link from the real mail, opened in the browser.
    let token = app.link_token(&email, "verify?token=").await;
    amina
        .goto(&app.url(&format!("/verify?token={token}")))
        .await;
    amina.click_and_wait("#verify-button").await;
    assert!(amina
        .text("main")
        .await
        .contains("Your email address is verified"));

    // Sign in, and land where the sign-in link pointed.
    amina
        .goto(&app.url(&format!("/login?next=/consultations/{slug}")))
        .await;
    amina.type_into("#email", &email).await;
    amina.type_into("#password", PASSWORD).await;
    amina
        .click_and_wait("form[action='/login'] button[type=submit]")
        .await;
    assert!(
        amina
            .url()
            .await
            .ends_with(&format!("/consultations/{slug}")),
        "{}",
        amina.url().await
    );
    let header = amina.text("header").await;
    assert!(header.contains("Amina Diallo"), "{header}");

    // A second browser, not signed in, reads the same paragraph.
    watcher.goto(&paragraph_page).await;
    assert!(
        watcher
            .wait_for_text("#no-comments", "No comments yet")
            .await
    );
    // Its script has connected (the WebSocket) before the comment is posted; even if
    // not, it resumes from the seq the page was rendered at.

    let words = "Meaningful connectivity needs affordable devices as well as networks.";
    amina.goto(&paragraph_page).await;
    amina.type_into("#body", words).await;
    amina
        .click_and_wait("#comment-form button[type=submit]")
        .await;
    let main = amina.text("main").await;
    assert!(main.contains("Your comment is posted"), "{main}");
    assert!(amina.wait_for_text("#thread .comment", words).await);

    assert!(
        watcher.wait_for_text("#thread .comment", words).await,
        "the comment did not arrive live"
    );
    assert!(
        watcher
            .wait_for_text("#thread .comment", "Amina Diallo")
            .await
    );
    assert!(
        watcher
            .wait_for_text("#live", "New comment from Amina Diallo")
            .await
    );

    // The watcher reloads: the comment is there without the script too.
    watcher.goto(&paragraph_page).await;
    assert!(watcher.text("#thread").await.contains(words));

    amina.close().await;
    watcher.close().await;
    app.stop().await;
}

#[actix_web::test]
async fn main_pages_pass_axe_in_english_and_arabic_and_arabic_is_right_to_left() {
    let Some(binary) = chromedriver() else { return };
    let app = spawn_app(Backend::Sqlite).await;
    let db = app.db();
    actix_web::web::block(move || indaba::seed::demo(&db))
        .await
        .expect("block")
        .expect("demo data");
    let consultation = app
        .get(
            "/api/v1/consultations/declaration-digital-cooperation",
            None,
        )
        .await;
    let key = consultation.body["version"]["paragraphs"][2]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let agenda = app.get("/api/v1/events/igf-2026-demo/agenda", None).await;
    let session_id = agenda.body["items"][0]["id"]
        .as_i64()
        .expect("a scheduled session");
    let (_, member) = app.member("Reader", &[], "academia", "KE", None).await;
    let _ = member;

    let pages: Vec<(&str, String)> = vec![
        ("home", "/".to_owned()),
        ("register", "/register".to_owned()),
        ("login", "/login".to_owned()),
        (
            "consultation",
            "/consultations/declaration-digital-cooperation".to_owned(),
        ),
        (
            "paragraph",
            format!("/consultations/declaration-digital-cooperation?paragraph={key}"),
        ),
        ("agenda", "/events/igf-2026-demo/agenda".to_owned()),
        ("session", format!("/sessions/{session_id}")),
        ("not-found", "/no/such/page".to_owned()),
    ];
    let axe = axe_source();
    let driver = Driver::start(&binary).await;
    let browser = driver.browser().await;
    let mut problems: Vec<Value> = Vec::new();
    for lang in ["en", "ar"] {
        for (name, path) in &pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            browser
                .goto(&app.url(&format!("{path}{sep}lang={lang}")))
                .await;
            let html = browser
                .script(
                    "const h = document.documentElement; return [h.lang, h.dir];",
                    json!([]),
                )
                .await;
            assert_eq!(
                html,
                json!([lang, if lang == "ar" { "rtl" } else { "ltr" }]),
                "{name} in {lang}"
            );
            for v in browser.axe(&axe).await {
                problems.push(json!({"page": name, "lang": lang, "violation": v}));
            }
            if let Some(dir) = screenshot_dir() {
                browser
                    .screenshot(&dir.join(format!("{name}.{lang}.png")))
                    .await;
            }
        }
    }
    assert!(
        problems.is_empty(),
        "axe-core found serious or critical violations:\n{}",
        serde_json::to_string_pretty(&problems).unwrap()
    );

    // On a small phone the layout holds: nothing wider than the screen.
    browser.resize(360, 740).await;
    for (name, path) in &pages {
        browser.goto(&app.url(path)).await;
        let overflow = browser
            .script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", json!([]))
            .await;
        assert!(
            overflow.as_i64().unwrap_or(0) <= 0,
            "{name} scrolls sideways on a phone: {overflow}"
        );
    }
    browser.close().await;
    app.stop().await;
}
