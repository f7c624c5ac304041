//! The pages in a real browser (headless Debian chromium through chromedriver), in
//! English and in Arabic with every word checked against that language's catalogue: a
//! newcomer signs up, verifies by the mail's link, signs in and comments on a paragraph,
//! and a second browser sees the comment arrive live; a participant endorses, follows,
//! sorts, posts anonymously, and sees a moderator hide and restore a comment; every main
//! page passes axe-core
//! (WCAG 2.1 A and AA: no serious or critical violation) in English and Arabic, and
//! Arabic pages are right-to-left. Pages are about HTML, not storage: SQLite only.

use indaba::web::i18n::{Lang, Tr};
use indaba_tests::browser::{axe_source, chromedriver, Browser, Driver};
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
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn a_newcomer_signs_up_verifies_comments_and_a_second_browser_sees_it_live() {
    newcomer(Lang::En).await;
}

/// The same walk in Arabic: every word the pages say comes from the Arabic catalogue,
/// the live card and its announcement included, and the pages are right-to-left.
#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn the_newcomer_s_walk_in_arabic() {
    newcomer(Lang::Ar).await;
}

/// What a participant does besides posting, in a real browser, in English and in Arabic:
/// the registration form speaks the page's language (countries by name, a refused
/// password's reason); endorse and withdraw, follow and stop, sort the threads, post
/// anonymously and see it marked; a moderator hides a comment from the page (its place
/// stays, with the reason and the log's entry) and restores it. axe-core finds nothing
/// serious on the paragraph's page in either language.
#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn a_participant_s_tools_in_english() {
    participant_tools(Lang::En).await;
}

#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn a_participant_s_tools_in_arabic() {
    participant_tools(Lang::Ar).await;
}

/// A moderator hides or restores comment `id` from the page's own form, with a reason.
async fn moderate(moderator: &Browser<'_>, page: &str, id: i64, action: &str, reason: &str) {
    moderator.goto(page).await;
    moderator
        .click(&format!(
            "#c-{id} details.reply:has(form[action='/moderation']) summary"
        ))
        .await;
    moderator.type_into(&format!("#mod-{id}"), reason).await;
    moderator
        .click_and_wait(&format!("#c-{id} button[value={action}]"))
        .await;
}

async fn participant_tools(lang: Lang) {
    let t = Tr::new(lang);
    let code = lang.code();
    let binary = chromedriver();
    let app = spawn_app(Backend::Sqlite).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (slug, key) = first_paragraph(&app, id).await;
    let page = app.url(&format!("/consultations/{slug}?paragraph={key}"));
    let layla = app
        .account("Layla Haddad", &[], "civil_society", "EG", None, None)
        .await;
    let moderator = app
        .account(
            "Mod",
            &["moderator"],
            "technical_community",
            "DE",
            None,
            None,
        )
        .await;
    let (_, ben) = app.member("Ben", &[], "academia", "KE", None).await;
    let bens = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&ben),
            &json!({"body": "Affordable devices matter as much as networks.", "paragraph_key": key}),
        )
        .await;
    assert_eq!(bens.status, awc::http::StatusCode::CREATED, "{}", bens.text);
    let bens = bens.body["id"].as_i64().unwrap();

    let driver = Driver::start(&binary).await;
    let browser = driver.browser().await;

    // Registration: countries by their names in the page's language, and a refused
    // password's reason in it too.
    browser
        .goto(&app.url(&format!("/register?lang={code}")))
        .await;
    assert_eq!(
        browser.text("#country option[value=KE]").await,
        t.country("KE")
    );
    browser.type_into("#display_name", "Weak Password").await;
    browser
        .type_into("#email", &format!("{}@example.org", unique("weak")))
        .await;
    browser.type_into("#password", "password1234").await;
    browser.select("#stakeholder_group", "academia").await;
    browser.select("#country", "KE").await;
    browser
        .click_and_wait("form[action='/register'] button[type=submit]")
        .await;
    let reason = t.arg(
        "error-password-guessable",
        "reason",
        &t.get("error-password-common-password"),
    );
    assert!(
        browser.wait_for_text("#password-error", &reason).await,
        "{}",
        browser.text("main").await
    );

    // Signed in, on the paragraph.
    browser.goto(&app.url("/login")).await;
    browser.type_into("#email", &layla.email).await;
    browser.type_into("#password", PASSWORD).await;
    browser
        .click_and_wait("form[action='/login'] button[type=submit]")
        .await;
    browser.goto(&page).await;

    // Endorse, and take it back.
    let endorse = format!("form[action='/comments/{bens}/endorse'] button[type=submit]");
    browser.click_and_wait(&endorse).await;
    assert!(
        browser
            .wait_for_text(&format!("#c-{bens} .actions"), &t.get("comment-endorsed"))
            .await
    );
    assert!(
        browser
            .wait_for_text(
                &format!("#c-{bens} .actions"),
                &t.count("endorsements-count", 1)
            )
            .await
    );
    browser.click_and_wait(&endorse).await;
    assert!(
        browser
            .wait_for_text(
                &format!("#c-{bens} .actions"),
                &t.count("endorsements-count", 0)
            )
            .await
    );

    // Follow the paragraph, and stop.
    browser
        .click_and_wait("form.follow button[value=follow]")
        .await;
    assert!(
        browser
            .wait_for_text("form.follow", &t.get("follow-following"))
            .await
    );
    browser
        .click_and_wait("form.follow button[value=unfollow]")
        .await;
    assert!(browser
        .find_all("form.follow button[value=unfollow]")
        .await
        .is_empty());

    // Post anonymously, in French chosen from the list: the author sees it marked, with
    // how others see it, and labelled with its language in the page's.
    browser
        .type_into("#body", "Les langues locales ont aussi besoin de soutien.")
        .await;
    browser.select("#language", "fr").await;
    browser.click("#anonymous").await;
    browser
        .click_and_wait("#comment-form button[type=submit]")
        .await;
    let marked = t.arg(
        "comment-posted-anonymously",
        "shown",
        &t.get("comment-anonymous-author"),
    );
    assert!(browser.wait_for_text(".own-anonymous", &marked).await);
    let french = indaba::web::countries::language(lang, "fr");
    let card = "#thread .comment:has(.own-anonymous) .comment-lang";
    assert!(
        browser.wait_for_text(card, &french).await,
        "{}",
        browser.text("#thread").await
    );

    // Sort the threads: most endorsed first, kept in the address and the select.
    browser.select("#sort", "top").await;
    browser
        .click_and_wait("form.sort button[type=submit]")
        .await;
    assert!(browser.url().await.contains("sort=top"));
    let chosen = browser
        .script("return document.getElementById('sort').value", json!([]))
        .await;
    assert_eq!(chosen, "top");

    let problems = browser.axe(&axe_source()).await;
    assert!(
        problems.is_empty(),
        "axe-core ({code}): {}",
        serde_json::to_string_pretty(&problems).unwrap()
    );

    // A moderator hides Ben's comment from the page; its place stays with the reason.
    let moderating = driver.browser().await;
    moderating.goto(&app.url("/login")).await;
    moderating.type_into("#email", &moderator.email).await;
    moderating.type_into("#password", PASSWORD).await;
    moderating
        .click_and_wait("form[action='/login'] button[type=submit]")
        .await;
    moderate(&moderating, &page, bens, "hide", "Off topic").await;
    browser.goto(&page).await;
    let hidden = t.arg("comment-hidden-because", "reason", "Off topic");
    assert!(
        browser
            .wait_for_text(&format!("#c-{bens}.hidden-mark"), &hidden)
            .await,
        "{}",
        browser.text("#thread").await
    );
    browser
        .click_and_wait(&format!("#c-{bens}.hidden-mark a"))
        .await;
    assert!(browser.url().await.contains("/moderation-log"));
    assert!(browser.wait_for_text("main", "Off topic").await);

    // And restores it from the page.
    moderate(&moderating, &page, bens, "restore", "Back on topic").await;
    browser.goto(&page).await;
    assert!(
        browser
            .wait_for_text(
                &format!("#c-{bens}"),
                "Affordable devices matter as much as networks."
            )
            .await
    );

    browser.close().await;
    moderating.close().await;
    app.stop().await;
}

/// Sign up, verify by the mail's link, sign in, comment; a second browser sees the
/// comment, a reply and the counts arrive live; the notification leads to the reply.
/// What the pages say is checked against the catalogue of `lang`.
async fn newcomer(lang: Lang) {
    let t = Tr::new(lang);
    let code = lang.code();
    let binary = chromedriver();
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
    amina
        .goto(&app.url(&format!("/register?lang={code}")))
        .await;
    let dir = amina
        .script("return document.documentElement.dir", json!([]))
        .await;
    assert_eq!(dir, if lang.rtl() { "rtl" } else { "ltr" });
    amina.type_into("#display_name", "Amina Diallo").await;
    amina.type_into("#email", &email).await;
    amina.type_into("#password", PASSWORD).await;
    amina.select("#stakeholder_group", "civil_society").await;
    amina.select("#country", "SN").await;
    amina
        .click_and_wait("form[action='/register'] button[type=submit]")
        .await;
    assert_eq!(amina.text("h1").await, t.get("register-done-title"));

    // The verification link from the real mail, opened in the browser.
    let token = app.link_token(&email, "verify?token=").await;
    amina
        .goto(&app.url(&format!("/verify?token={token}")))
        .await;
    amina.click_and_wait("#verify-button").await;
    let verified = amina.text("main").await;
    assert!(verified.contains(&t.get("verify-ok")), "{verified}");

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
    watcher.goto(&format!("{paragraph_page}&lang={code}")).await;
    assert!(
        watcher
            .wait_for_text("#no-comments", &t.get("comment-none"))
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
    assert!(main.contains(&t.get("comment-posted")), "{main}");
    // The page opens at the new comment, with the focus on it.
    let focused = amina
        .script(
            "return document.activeElement && document.activeElement.id",
            json!([]),
        )
        .await;
    assert!(
        focused.as_str().is_some_and(|id| id.starts_with("c-")),
        "focus: {focused}"
    );
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
            .wait_for_text("#live", &t.arg("live-new-comment", "name", "Amina Diallo"))
            .await
    );
    // The live card is the page's card: its date and group, rendered by the same template.
    assert!(
        watcher
            .wait_for_text("#thread .comment .who", &t.get("group-civil_society"))
            .await
    );
    assert_eq!(watcher.find_all("#thread .comment time").await.len(), 1);

    // The watcher reloads: the comment is there without the script too.
    watcher.goto(&paragraph_page).await;
    assert!(watcher.text("#thread").await.contains(words));

    // A reply to Amina: the unread count in her header follows without a reload, and
    // the notification leads to the reply in its thread.
    assert!(amina.find_all("#notif-unread-count").await.is_empty());
    let comments = app
        .get(&format!("/api/v1/consultations/{id}/comments"), None)
        .await;
    let hers = comments.body["items"][0]["id"].as_i64().unwrap();
    let (_, ben, _) = app.verified_user("Ben").await;
    let reply = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&ben),
            &json!({"body": "Devices, yes, and skills.", "parent_id": hers}),
        )
        .await;
    assert_eq!(
        reply.status,
        awc::http::StatusCode::CREATED,
        "{}",
        reply.text
    );
    assert!(
        amina.wait_for_text("#notif-unread-count", "1").await,
        "the header did not count the reply live"
    );
    // The watcher sees the reply arrive under its parent, as a reload would place it.
    assert!(
        watcher
            .wait_for_text("#thread .comment.depth-1", "Devices, yes, and skills.")
            .await,
        "the reply did not arrive under its parent"
    );
    // On the whole text, the paragraph's count follows, in words.
    watcher
        .goto(&app.url(&format!("/consultations/{slug}")))
        .await;
    let count = ".paragraphs > li:first-child .count";
    assert_eq!(watcher.text(count).await, t.count("comments-count", 2));
    let more = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&ben),
            &json!({"body": "A third view.", "paragraph_key": key}),
        )
        .await;
    assert_eq!(more.status, awc::http::StatusCode::CREATED, "{}", more.text);
    assert!(
        watcher
            .wait_for_text(count, &t.count("comments-count", 3))
            .await,
        "the count did not follow: {}",
        watcher.text(count).await
    );
    amina.goto(&app.url("/me/notifications")).await;
    amina.click_and_wait("main li a[dir=auto]").await;
    let landed = amina.url().await;
    assert!(
        landed.ends_with(&format!("#c-{}", reply.body["id"])),
        "{landed}"
    );
    assert!(amina
        .text("#thread")
        .await
        .contains("Devices, yes, and skills."));

    amina.close().await;
    watcher.close().await;
    app.stop().await;
}

#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn main_pages_pass_axe_in_english_and_arabic_and_arabic_is_right_to_left() {
    let binary = chromedriver();
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
    let bodies = app.get("/api/v1/bodies?kind=dynamic_coalition", None).await;
    let body_id = bodies.body["items"][0]["id"].as_i64().expect("a coalition");

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
        ("bodies", "/bodies?kind=nri".to_owned()),
        ("body", format!("/bodies/{body_id}")),
        (
            "versions",
            "/consultations/declaration-digital-cooperation/versions".to_owned(),
        ),
        ("not-found", "/no/such/page".to_owned()),
    ];
    let axe = axe_source();
    let driver = Driver::start(&binary).await;
    let mut problems: Vec<Value> = Vec::new();
    let review = "/consultations/declaration-digital-cooperation/review";
    let signed_in: Vec<(&str, String)> = vec![
        ("review", format!("{review}?q=connectivity")),
        ("balance", format!("{review}?view=balance")),
        ("campaigns", format!("{review}?view=campaigns")),
        (
            "revise",
            "/consultations/declaration-digital-cooperation/revise".to_owned(),
        ),
        ("account", "/me".to_owned()),
        ("notifications", "/me/notifications".to_owned()),
        ("propose", "/events/igf-2026-demo/propose".to_owned()),
        ("evaluate", "/evaluate".to_owned()),
    ];
    let organizing: Vec<(&str, String)> = vec![
        ("organize", "/organize".to_owned()),
        (
            "organize-event",
            "/organize/events/igf-2026-demo?day=2026-06-23".to_owned(),
        ),
        ("secretariat", "/organize/consultations".to_owned()),
        ("messages", "/events/igf-2026-demo/messages".to_owned()),
        ("bodies-organizer", "/bodies".to_owned()),
        (
            "secretariat-consultation",
            "/organize/consultations/declaration-digital-cooperation?q=demo".to_owned(),
        ),
    ];
    let administering: Vec<(&str, String)> = vec![
        ("admin-users", "/admin/users".to_owned()),
        (
            "admin-users-filtered",
            "/admin/users?stakeholder_group=civil_society".to_owned(),
        ),
    ];
    let rounds = [
        (None, &pages),
        (Some("cofacilitator"), &signed_in),
        (Some("organizer"), &organizing),
        (Some("admin"), &administering),
    ];
    for (who, list) in rounds {
        let browser = driver.browser().await;
        if let Some(who) = who {
            browser.goto(&app.url("/login")).await;
            browser
                .type_into("#email", &format!("{who}@demo.indaba.example"))
                .await;
            browser.type_into("#password", "indaba-demo-2026").await;
            browser
                .click_and_wait("form[action='/login'] button[type=submit]")
                .await;
        }
        for lang in ["en", "ar"] {
            for (name, path) in list.iter() {
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
                // English for every page, Arabic for three (the guides show the mirroring).
                let wanted = lang == "en" || ["home", "paragraph", "balance"].contains(name);
                if let (Some(dir), true) = (screenshot_dir(), wanted) {
                    browser
                        .screenshot(&dir.join(format!("{name}.{lang}.png")))
                        .await;
                }
            }
        }
        // On a small phone the layout holds: nothing wider than the screen.
        browser.resize(360, 740).await;
        for (name, path) in list.iter() {
            browser.goto(&app.url(path)).await;
            let overflow = browser
                .script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", json!([]))
                .await;
            if overflow.as_i64().unwrap_or(0) > 0 {
                // Name what sticks out, to mend it.
                let wide = browser
                    .script(
                        "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect(); return r.right > w + 1 || r.left < -1; }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40));",
                        json!([]),
                    )
                    .await;
                panic!("{name} scrolls sideways on a phone by {overflow}px: {wide}");
            }
        }
        browser.close().await;
    }
    assert!(
        problems.is_empty(),
        "axe-core found serious or critical violations:\n{}",
        serde_json::to_string_pretty(&problems).unwrap()
    );
    app.stop().await;
}

#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn a_cofacilitator_searches_in_chinese_filters_by_group_and_tags_inputs() {
    let binary = chromedriver();
    let app = spawn_app(Backend::Sqlite).await;
    let db = app.db();
    actix_web::web::block(move || indaba::seed::demo(&db))
        .await
        .expect("block")
        .expect("demo data");
    let email = "cofacilitator@demo.indaba.example";
    let api_token = token_of(&app.login(email, "indaba-demo-2026").await, "access_token");
    let query = "能力建设";
    // The indexer catches up with the demo data within moments.
    let search = format!(
        "/api/v1/consultations/declaration-digital-cooperation/search?q={}",
        percent(query)
    );
    for _ in 0..200 {
        if app.get(&search, None).await.body["total"]
            .as_u64()
            .unwrap_or(0)
            > 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let driver = Driver::start(&binary).await;
    let lucia = driver.browser().await;
    lucia.goto(&app.url("/login?lang=en")).await;
    lucia.type_into("#email", email).await;
    lucia.type_into("#password", "indaba-demo-2026").await;
    lucia
        .click_and_wait("form[action='/login'] button[type=submit]")
        .await;
    lucia
        .goto(&app.url("/consultations/declaration-digital-cooperation"))
        .await;
    lucia.click_and_wait("a[href$='/review']").await;
    assert_eq!(lucia.text("h1").await, "Review of inputs");

    // Search in Chinese: every hit marks the term.
    lucia.type_into("#q", query).await;
    lucia
        .click_and_wait("form[role=search] button[type=submit]")
        .await;
    let marks = lucia
        .script("return Array.from(document.querySelectorAll('.hit')).map(h => Array.from(h.querySelectorAll('mark')).map(m => m.textContent).join(''));", json!([]))
        .await;
    let marks = marks.as_array().expect("hits").clone();
    assert!(!marks.is_empty(), "no hit for {query}");
    // Each hit names its language in words, not by its code.
    let meta = lucia.text(".hit .meta").await;
    assert!(meta.ends_with("Chinese"), "{meta}");
    assert!(
        marks
            .iter()
            .all(|m| m.as_str().unwrap_or_default().contains(query)),
        "{marks:?}"
    );

    // Filter by the first stakeholder group the facet offers.
    let group = lucia
        .script(
            "return document.querySelector('#f-stakeholder_group option:nth-child(2)').value;",
            json!([]),
        )
        .await;
    let group = group.as_str().expect("a group facet").to_owned();
    lucia.select("#f-stakeholder_group", &group).await;
    lucia
        .click_and_wait("form[role=search] button[type=submit]")
        .await;
    assert!(lucia
        .url()
        .await
        .contains(&format!("stakeholder_group={group}")));
    let ids = lucia
        .script(
            "return Array.from(document.querySelectorAll('.hit')).map(h => Number(h.id.slice(4)));",
            json!([]),
        )
        .await;
    let ids: Vec<i64> = ids
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    assert!(!ids.is_empty());
    for id in &ids {
        let c = app.get(&format!("/api/v1/comments/{id}"), None).await;
        assert_eq!(
            c.body["author"]["stakeholder_group"],
            group.as_str(),
            "hit {id} is of another group"
        );
    }

    // Tag one input and mark it incorporated.
    let first = ids[0];
    lucia.clear(&format!("#tags-{first}")).await;
    lucia
        .type_into(&format!("#tags-{first}"), "能力建设, capacity")
        .await;
    lucia
        .select(&format!("#status-{first}"), "incorporated")
        .await;
    lucia
        .click_and_wait(&format!("#hit-{first} form button[type=submit]"))
        .await;
    assert!(lucia.text(".flash").await.contains("The review is saved"));
    // The review is a search facet: searchable once the indexer has caught up.
    let tagged = format!(
        "/api/v1/consultations/declaration-digital-cooperation/search?tag={}",
        percent("能力建设")
    );
    let search = until_found(&app, &tagged, &api_token, &[first]).await;
    let found = search.body["items"].as_array().expect("items");
    assert!(
        found.iter().any(|i| i["comment"]["id"] == first),
        "{}",
        search.text
    );
    let review = &found.iter().find(|i| i["comment"]["id"] == first).unwrap()["comment"]["review"];
    assert_eq!(review["status"], "incorporated", "{review}");

    // The same status for a selection, at once.
    if ids.len() >= 2 {
        let (a, b) = (ids[0], ids[1]);
        lucia.click(&format!("#pick-{a}")).await;
        lucia.click(&format!("#pick-{b}")).await;
        lucia.select("#bulk-status", "read").await;
        lucia.click_and_wait("#bulk button[type=submit]").await;
        assert!(lucia.text(".flash").await.contains("The review is saved"));
        let read = "/api/v1/consultations/declaration-digital-cooperation/search?review_status=read&limit=200";
        until_found(&app, read, &api_token, &[a, b]).await;
    }
    lucia.close().await;
    app.stop().await;
}

/// Polls a search until every id is among its hits (the index follows within moments).
async fn until_found(app: &TestApp, path: &str, token: &str, ids: &[i64]) -> Response {
    for _ in 0..600 {
        let res = app.get(path, Some(token)).await;
        let hits: Vec<i64> = res.body["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["comment"]["id"].as_i64())
                    .collect()
            })
            .unwrap_or_default();
        if ids.iter().all(|id| hits.contains(id)) {
            return res;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path}: never found {ids:?}");
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn an_organiser_sets_up_an_event_schedules_sees_a_clash_refused_and_publishes() {
    let binary = chromedriver();
    let app = spawn_app_with(
        Backend::Sqlite,
        Options::new().with("INDABA_RATE_LIMITS", "off"),
    )
    .await;
    let (_, organizer) = app.user_with_roles("Olu", &["organizer"]).await;
    let email = app.get("/api/v1/me", Some(&organizer)).await.body["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, proposer) = app
        .member("Pat", &[], "civil_society", "NG", Some("female"))
        .await;

    let driver = Driver::start(&binary).await;
    let olu = driver.browser().await;
    olu.goto(&app.url("/login?lang=en&next=/organize")).await;
    olu.type_into("#email", &email).await;
    olu.type_into("#password", PASSWORD).await;
    olu.click_and_wait("form[action='/login'] button[type=submit]")
        .await;
    assert_eq!(olu.text("h1").await, "Organise events");

    // Set up the event through its form.
    olu.type_into("#name", "Youth IGF 2026").await;
    olu.type_into("#slug", "yigf-2026").await;
    olu.type_into("#venue", "Kigali").await;
    olu.type_into("#timezone", "Africa/Kigali").await;
    olu.script("document.querySelector('#starts_on').value = '2026-09-14'; document.querySelector('#ends_on').value = '2026-09-15';", json!([])).await;
    olu.click_and_wait("form[action='/organize/events'] button[type=submit]")
        .await;
    assert!(
        olu.url().await.contains("/organize/events/yigf-2026"),
        "{}",
        olu.url().await
    );
    assert!(olu.text(".flash").await.contains("The event is created"));
    for room in ["Plenary", "Room 2"] {
        olu.type_into("#room-name", room).await;
        olu.click_and_wait("form:has(#room-name) button[type=submit]")
            .await;
    }
    assert!(olu.text("#rooms + ul").await.contains("Room 2"));

    // Two proposals arrive during the call (through the API, as a proposer's client would).
    let res = app
        .send(awc::http::Method::PATCH, "/api/v1/events/yigf-2026", Some(&organizer), &json!({"call_opens_at": "2020-01-01T00:00:00Z", "call_closes_at": "2999-01-01T00:00:00Z"}))
        .await;
    assert_eq!(res.status, awc::http::StatusCode::OK, "{}", res.text);
    let speakers = json!([
        {"name": "Ana", "organization": "Org", "stakeholder_group": "civil_society", "country": "BR", "gender": "female"},
        {"name": "Kofi", "organization": "Org", "stakeholder_group": "government", "country": "GH", "gender": "male"}
    ]);
    let mut proposals = vec![];
    for title in ["Youth and AI", "Digital skills for all"] {
        let res = app
            .post("/api/v1/events/yigf-2026/proposals", Some(&proposer), &json!({"title": title, "type": "workshop", "subtheme": "Youth", "format": "hybrid", "description": "A workshop.", "policy_questions": ["How?"], "speakers": speakers, "moderator_name": "Mona", "rapporteur_name": "Rita"}))
            .await;
        assert_eq!(res.status, awc::http::StatusCode::CREATED, "{}", res.text);
        proposals.push(res.body["id"].as_i64().unwrap());
    }

    // Each title in the list leads to the whole proposal, where it is reviewed.
    olu.goto(&app.url("/organize/events/yigf-2026")).await;
    olu.click_and_wait(&format!("#proposal-{} a", proposals[0]))
        .await;
    assert!(olu.text("#description").await.contains("A workshop."));
    assert!(olu.text("#questions").await.contains("How?"));
    let speakers = olu.text("#speakers").await;
    assert!(
        speakers.contains("Kofi") && speakers.contains("Civil society"),
        "{speakers}"
    );
    // No score is chosen for the reviewer; one sent without a choice is refused in words.
    assert_eq!(
        olu.script("return document.querySelector('#score').value;", json!([]))
            .await,
        json!("")
    );
    olu.script(
        "document.querySelector('#score').removeAttribute('required');",
        json!([]),
    )
    .await;
    olu.click_and_wait("#review-form button[type=submit]").await;
    assert!(olu.text("#score-error").await.contains("Choose one."));
    olu.select("#score", "5").await;
    olu.type_into("#comment", "Strong youth panel").await;
    olu.click_and_wait("#review-form button[type=submit]").await;
    assert!(olu.text("#reviews-h").await.contains("5.00"));
    assert!(olu.text("#reviews").await.contains("Strong youth panel"));
    assert!(olu.text("#reviewed").await.contains("You have reviewed"));
    // Decided on the proposal's page, with a note the proposer reads.
    for p in &proposals {
        olu.goto(&app.url(&format!("/organize/proposals/{p}")))
            .await;
        olu.type_into("#note", "Welcome aboard").await;
        olu.click_and_wait("#accept").await;
        assert!(olu.text("#decision-note").await.contains("Welcome aboard"));
    }
    let sessions = app
        .get("/api/v1/events/yigf-2026/sessions", Some(&organizer))
        .await;
    let ids: Vec<i64> = sessions.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{}", sessions.text);

    // Schedule the first at 10:00–11:00 in the Plenary: it shows in the grid.
    olu.goto(&app.url("/organize/events/yigf-2026")).await;
    let slot = |id: i64, starts: &'static str, ends: &'static str| {
        format!("document.querySelector('#starts-{id}').value = '{starts}'; document.querySelector('#ends-{id}').value = '{ends}';")
    };
    olu.script(&slot(ids[0], "10:00", "11:00"), json!([])).await;
    olu.click_and_wait(&format!("#session-{} button[type=submit]", ids[0]))
        .await;
    assert!(olu.text("table.grid").await.contains("Youth and AI"));

    // The second in the same room at 10:30: refused, named, nothing changed.
    olu.script(&slot(ids[1], "10:30", "11:30"), json!([])).await;
    olu.click_and_wait(&format!("#session-{} button[type=submit]", ids[1]))
        .await;
    let summary = olu.text(".error-summary").await;
    assert!(
        summary.contains("clashes") && summary.contains("Youth and AI"),
        "{summary}"
    );
    let second = app
        .get(&format!("/api/v1/sessions/{}", ids[1]), Some(&organizer))
        .await;
    assert!(second.body["starts_at"].is_null(), "{}", second.text);

    // At 11:00 it fits.
    olu.script(&slot(ids[1], "11:00", "12:00"), json!([])).await;
    olu.click_and_wait(&format!("#session-{} button[type=submit]", ids[1]))
        .await;
    assert!(olu
        .text("table.grid")
        .await
        .contains("Digital skills for all"));

    // Not public until published.
    assert_eq!(
        app.get("/api/v1/events/yigf-2026/agenda", None)
            .await
            .status,
        awc::http::StatusCode::NOT_FOUND
    );
    olu.click_and_wait("#publish").await;
    let agenda = app.get("/api/v1/events/yigf-2026/agenda", None).await;
    assert_eq!(
        agenda.body["items"].as_array().map(Vec::len),
        Some(2),
        "{}",
        agenda.text
    );
    olu.goto(&app.url("/events/yigf-2026/agenda")).await;
    assert!(olu.text(".agenda").await.contains("Digital skills for all"));
    olu.close().await;
    app.stop().await;
}

#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn the_secretariat_creates_previews_and_publishes_a_un_report_in_the_browser() {
    let binary = chromedriver();
    let app = spawn_app(Backend::Sqlite).await;
    let org = app
        .account(
            "Secretariat",
            &["organizer"],
            "intergovernmental",
            "CH",
            None,
            None,
        )
        .await;
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/wsis-progress-report-2021.zh.txt");
    let Ok(report) = std::fs::read_to_string(&corpus) else {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    };
    let driver = Driver::start(&binary).await;
    let sec = driver.browser().await;
    sec.goto(&app.url("/login?lang=en&next=/organize/consultations"))
        .await;
    sec.type_into("#email", &org.email).await;
    sec.type_into("#password", PASSWORD).await;
    sec.click_and_wait("form[action='/login'] button[type=submit]")
        .await;
    assert_eq!(sec.text("h1").await, "Manage consultations");

    sec.type_into("#title", "WSIS progress 2021").await;
    sec.type_into("#slug", "wsis-2021").await;
    sec.select("#language", "zh").await;
    sec.click_and_wait("form[action='/organize/consultations'] button[type=submit]")
        .await;
    assert!(sec
        .url()
        .await
        .ends_with("/organize/consultations/wsis-2021"));
    assert!(sec.text(".flash").await.contains("created as a draft"));

    // The report pasted whole (a script sets it: typing 60 KB key by key takes minutes).
    sec.type_into("#label", "").await;
    sec.script(
        "document.querySelector('#label').value = 'zero-draft'; document.querySelector('#source').value = arguments[0];",
        json!([report]),
    )
    .await;
    sec.click_and_wait("button[name=action][value=preview]")
        .await;
    assert!(sec.text("#preview").await.contains("Paragraphs and items:"));
    let headings = sec.text("ul.headings").await;
    assert!(headings.contains("各项行动方针的落实"), "{headings}");
    let axe = axe_source();
    let mut problems = sec.axe(&axe).await;
    if let Some(dir) = screenshot_dir() {
        sec.screenshot(&dir.join("secretariat-preview.en.png"))
            .await;
    }
    sec.click_and_wait("button[name=action][value=publish]")
        .await;
    assert!(sec.text(".flash").await.contains("published"));
    let api = app
        .get("/api/v1/consultations/wsis-2021", Some(&org.token))
        .await;
    assert_eq!(api.body["current_version"], "zero-draft");
    let numbers: Vec<&str> = api.body["version"]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["parent_key"].is_null())
        .map(|p| p["number"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=109).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected);

    // Open it; the page in Arabic is right-to-left and passes axe too.
    sec.click_and_wait("form:has(input[name=status][value=open]) button")
        .await;
    assert_eq!(
        app.get("/api/v1/consultations/wsis-2021", None).await.body["status"],
        "open"
    );
    sec.goto(&app.url("/organize/consultations/wsis-2021?lang=ar"))
        .await;
    assert_eq!(
        sec.script("return document.documentElement.dir;", json!([]))
            .await,
        json!("rtl")
    );
    problems.extend(sec.axe(&axe).await);
    assert!(problems.is_empty(), "{problems:#?}");
    sec.close().await;
}

#[actix_web::test]
#[ignore = "needs chromium and chromedriver (tests/run runs it when they are installed)"]
async fn on_a_small_phone_the_header_is_one_line_and_the_languages() {
    let binary = chromedriver();
    let app = spawn_app(Backend::Sqlite).await;
    // Every role: the most links a header carries.
    let admin = app
        .account(
            "Amina Diallo",
            &["admin", "organizer", "moderator"],
            "intergovernmental",
            "CH",
            None,
            None,
        )
        .await;
    let driver = Driver::start(&binary).await;
    let b = driver.browser().await;
    b.resize(375, 740).await;
    b.goto(&app.url("/login?lang=en")).await;
    b.type_into("#email", &admin.email).await;
    b.type_into("#password", PASSWORD).await;
    b.click_and_wait("form[action='/login'] button[type=submit]")
        .await;
    for lang in ["en", "ar", "zh", "ru"] {
        b.goto(&app.url(&format!("/?lang={lang}"))).await;
        let lines = b
            .script(
                "const tops = s => [...document.querySelectorAll(s)].map(e => Math.round(e.getBoundingClientRect().top)); \
                 const nav = tops('header .bar > nav:not(.langs) li'); const langs = tops('header .langs li'); \
                 const brand = tops('header .brand'); \
                 return [new Set(nav).size, new Set(langs).size, Math.abs(brand[0] - nav[0]) < 12, \
                         document.documentElement.scrollWidth <= window.innerWidth, \
                         Math.round(document.querySelector('header.top').getBoundingClientRect().height)];",
                json!([]),
            )
            .await;
        assert_eq!(lines[0], 1, "{lang}: the main links on one line: {lines}");
        assert_eq!(lines[1], 1, "{lang}: the languages on one line: {lines}");
        assert_eq!(
            lines[2], true,
            "{lang}: the brand on the links' line: {lines}"
        );
        assert_eq!(
            lines[3], true,
            "{lang}: the page does not scroll sideways: {lines}"
        );
        assert!(lines[4].as_i64().unwrap() < 110, "{lang}: {lines}");
        if let (Some(dir), true) = (screenshot_dir(), ["en", "ar"].contains(&lang)) {
            b.screenshot(&dir.join(format!("phone.{lang}.png"))).await;
        }
        // The links that do not fit are reached by scrolling the line, or by keyboard.
        let last = b
            .script(
                "const l = [...document.querySelectorAll('header .bar > nav:not(.langs) a, header .bar > nav:not(.langs) button')].pop(); \
                 l.focus(); const r = l.getBoundingClientRect(); return r.right <= window.innerWidth + 1 && r.left >= -1;",
                json!([]),
            )
            .await;
        assert_eq!(
            last,
            json!(true),
            "{lang}: the last link scrolls into view on focus"
        );
    }
    b.close().await;
}
