//! Notifications on SQLite and PostgreSQL with a real SMTP server: follows, replies by
//! mail with one-click unsubscribe, digests, reminders, settings, the live unread count,
//! and a scheduler run that restarts halfway without sending anything twice.

use std::time::Duration;

use awc::http::{Method, StatusCode};
use indaba::notifications::scheduler::{self, Ctx};
use indaba::notifications::types::Frequency;
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    a_reply_mails_once_and_unsubscribes_in_one_click,
    digests_collect_a_day_and_a_restart_sends_nothing_twice,
    follows_settings_reminders_and_bad_input,
    mail_waits_for_a_mail_server_that_is_down,
    a_reply_hidden_or_withdrawn_leaves_no_text_in_notifications,
    follows_reach_only_what_the_caller_may_see,
    bad_input_is_refused_and_changes_nothing,
    rows_written_before_the_typed_core_still_read,
);

struct Fixture {
    app: TestApp,
    smtp: SmtpServer,
    organizer: String,
    consultation: i64,
}

async fn fixture(backend: Backend) -> Fixture {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(
        backend,
        Options::new()
            .with(
                "INDABA_SMTP_URL",
                &format!("smtp://127.0.0.1:{}", smtp.port),
            )
            .with("INDABA_RATE_LIMITS", "off"),
    )
    .await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let consultation = open_consultation(&app, &organizer).await;
    Fixture {
        app,
        smtp,
        organizer,
        consultation,
    }
}

impl Fixture {
    async fn comment(&self, token: &str, body: Value) -> i64 {
        let res = self
            .app
            .post(
                &format!("/api/v1/consultations/{}/comments", self.consultation),
                Some(token),
                &body,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        res.body["id"].as_i64().unwrap()
    }

    /// A verified member with an email address we can look for.
    async fn person(&self, name: &str) -> (i64, String, String) {
        let (id, token) = self
            .app
            .member(name, &[], "civil_society", "KE", None)
            .await;
        let me = self.app.get("/api/v1/me", Some(&token)).await;
        (
            id,
            token,
            me.body["user"]["email"].as_str().unwrap().to_owned(),
        )
    }

    async fn mails(&self, to: &str, count: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let mails = self.smtp.mails_to(to);
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{to}: fewer than {count} mails: {:?}",
            self.smtp
                .mails_to(to)
                .iter()
                .map(|m| &m.subject)
                .collect::<Vec<_>>()
        );
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            public_url: self.app.base.clone(),
            link_secret: indaba::accounts::tokens::Keys::new(SECRET.as_bytes()).link_secret,
        }
    }

    /// Mail queued for a user (by kind), straight from the outbox.
    async fn queued(&self, user: i64, kind: &'static str) -> i64 {
        self.app
            .db()
            .run(move |conn| {
                use diesel::prelude::*;
                use indaba::db::schema::mail_outbox as m;
                Ok(m::table
                    .filter(m::user_id.eq(user))
                    .filter(m::kind.eq(kind))
                    .count()
                    .get_result(conn)?)
            })
            .await
            .unwrap()
    }

    async fn tick(&self, at: chrono::NaiveDateTime) -> scheduler::Report {
        let (db, ctx) = (self.app.db(), self.ctx());
        actix_web::web::block(move || scheduler::tick(&db, &ctx, at))
            .await
            .unwrap()
            .unwrap()
    }
}

fn header<'a>(mail: &'a Mail, name: &str) -> Option<&'a str> {
    mail.headers.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

async fn a_reply_mails_once_and_unsubscribes_in_one_click(backend: Backend) {
    let f = fixture(backend).await;
    let (alice_id, alice, alice_email) = f.person("Alice").await;
    let (_, bob, _) = f.person("Bob").await;
    let (_, carol, _) = f.person("Carol").await;
    let root = f
        .comment(&alice, json!({"body": "Connectivity must be affordable."}))
        .await;
    // Alice follows her thread by commenting; following it again changes nothing.
    let res = f
        .app
        .post(
            "/api/v1/follows",
            Some(&alice),
            &json!({"target_type": "comment", "target_id": root}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let reply = f
        .comment(
            &bob,
            json!({"body": "Agreed, and <b>meaningful</b>.", "parent_id": root}),
        )
        .await;

    let mails = f.mails(&alice_email, 1).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.subject.contains("New reply"), "{}", mail.subject);
    assert!(mail.text.contains("Agreed, and <b>meaningful</b>."));
    assert!(mail
        .html
        .contains("Agreed, and &lt;b&gt;meaningful&lt;/b&gt;."));
    assert_eq!(
        header(mail, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let unsubscribe = header(mail, "List-Unsubscribe")
        .unwrap()
        .trim_matches(['<', '>'])
        .to_owned();
    assert!(unsubscribe.starts_with(&format!("{}/api/v1/unsubscribe?token=", f.app.base)));

    // In the app: one notification, unread; and on Alice's own live channel.
    let list = f.app.get("/api/v1/me/notifications", Some(&alice)).await;
    assert_eq!(list.body["unread_count"], 1, "{}", list.text);
    assert_eq!(list.body["items"][0]["kind"], "reply");
    assert_eq!(list.body["items"][0]["data"]["comment_id"], reply);
    // The notification and the mail lead to the reply itself: its page sends the reader
    // to the reply in its paragraph's thread, where it is.
    let to = format!("/comments/{reply}");
    assert_eq!(list.body["items"][0]["data"]["url"], to.as_str());
    assert!(
        mail.text.contains(&format!("{}{to}", f.app.base)),
        "{}",
        mail.text
    );
    let web = WebClient::new(&f.app.base);
    let go = web.get(&to).await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    let place = go.header("location").unwrap().to_owned();
    assert!(place.ends_with(&format!("#c-{reply}")), "{place}");
    let thread = web.get(place.split('#').next().unwrap()).await;
    assert_eq!(thread.status, StatusCode::OK);
    assert!(
        thread.html.contains(&format!("id=\"c-{reply}\"")),
        "{}",
        thread.html
    );
    let live = f
        .app
        .get(
            &format!("/api/v1/live/me/events?since=0&access_token={alice}"),
            None,
        )
        .await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.text);
    let events: Vec<&Value> = live.body["items"].as_array().unwrap().iter().collect();
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "notification.created" && e["data"]["unread_count"] == 1),
        "{}",
        live.text
    );
    assert_eq!(
        f.app
            .get("/api/v1/live/me/events?since=0", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // A tampered link is refused and changes nothing.
    let tampered = unsubscribe.replace("reply", "endorsement");
    let path = |url: &str| url.trim_start_matches(&f.app.base).to_owned();
    let one_click = Some((
        "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click",
    ));
    let res = f
        .app
        .raw(Method::POST, &path(&tampered), None, one_click)
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    let settings = f
        .app
        .get("/api/v1/me/notification-settings", Some(&alice))
        .await;
    assert_eq!(settings.body["kinds"]["endorsement"], "daily");
    assert_eq!(settings.body["kinds"]["reply"], "immediate");
    // A GET shows a button and changes nothing either (link scanners follow links).
    let page = f
        .app
        .raw(Method::GET, &path(&unsubscribe), None, None)
        .await;
    // (The API's address, in mails sent before the page existed, leads to the page.)
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("<form method=\"post\" action=\"/unsubscribe\""),
        "{}",
        page.text
    );
    assert_eq!(
        f.app
            .get("/api/v1/me/notification-settings", Some(&alice))
            .await
            .body["kinds"]["reply"],
        "immediate"
    );
    // One click, no login.
    let res = f
        .app
        .raw(Method::POST, &path(&unsubscribe), None, one_click)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["unsubscribed"], json!(["reply"]));

    // The link in the mail's text leads to a page in the site's look and the reader's
    // language, never to JSON; a GET changes nothing, the button confirms.
    let link = mail
        .text
        .split_whitespace()
        .find(|w| w.contains("/unsubscribe?token="))
        .expect("an unsubscribe link in the text")
        .to_owned();
    assert!(!link.contains("/api/"), "{link}");
    assert!(link.contains("&lang="), "{link}");
    let browser = WebClient::new(&f.app.base);
    let page = browser.get(&path(&link)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("<link rel=\"stylesheet\""),
        "the site's look"
    );
    assert!(page.html.contains("Replies to my inputs"), "{}", page.html);
    let csrf = page.hidden("csrf").unwrap();
    let token = page.hidden("token").unwrap();
    let done = browser
        .post("/unsubscribe", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(
        done.html
            .contains("no more e-mails about Replies to my inputs"),
        "{}",
        done.html
    );
    assert!(!done.html.contains("\"unsubscribed\""), "no raw JSON");
    let bad = browser.get("/unsubscribe?token=1.reply.forged").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("This link is not valid"), "{}", bad.html);
    let ar = browser
        .get(&path(&link).replace("lang=en", "lang=ar"))
        .await;
    assert!(ar.html.contains("dir=\"rtl\""));
    assert!(ar.html.contains("إيقاف هذه الرسائل"));

    // After unsubscribing: the reply is still in the app, but no mail is queued.
    f.comment(
        &carol,
        json!({"body": "Also for schools.", "parent_id": root}),
    )
    .await;
    // (Bob follows the thread by replying: his mail may go in this pass.)
    f.tick(indaba::db::now()).await;
    assert_eq!(f.queued(alice_id, "notification").await, 1);
    let list = f
        .app
        .get("/api/v1/me/notifications?unread=true", Some(&alice))
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    let res = f
        .app
        .post(
            "/api/v1/me/notifications/read",
            Some(&alice),
            &json!({"all": true}),
        )
        .await;
    assert_eq!(res.body["unread_count"], 0, "{}", res.text);
    assert_eq!(f.smtp.mails_to(&alice_email).len(), 1);
}

async fn digests_collect_a_day_and_a_restart_sends_nothing_twice(backend: Backend) {
    let f = fixture(backend).await;
    let (a_id, a, a_email) = f.person("Amara").await;
    let (b_id, b, b_email) = f.person("Bilal").await;
    let (_, c, _) = f.person("Chen").await;
    let a1 = f
        .comment(&a, json!({"body": "First point on data governance."}))
        .await;
    let a2 = f
        .comment(&a, json!({"body": "Second point on skills."}))
        .await;
    let b1 = f.comment(&b, json!({"body": "A point on spectrum."})).await;
    for id in [a1, a2, b1] {
        let res = f
            .app
            .post(
                &format!("/api/v1/comments/{id}/endorsement"),
                Some(&c),
                &json!({}),
            )
            .await;
        assert_eq!(res.status.as_u16() / 100, 2, "{}", res.text);
    }
    // A new version reaches both (they follow the consultation by commenting).
    let res = f
        .app
        .post(
            &format!("/api/v1/consultations/{}/versions", f.consultation),
            Some(&f.organizer),
            &json!({"label": "v2", "source": SMALL_DRAFT.replace("2030", "2029")}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let now = indaba::db::now();
    // Not a day yet: nothing.
    assert_eq!(f.tick(now + chrono::Duration::hours(2)).await.digests, 0);
    let tomorrow = now + chrono::Duration::hours(25);
    // A run that stops after Amara's digest, then a restarted run, then another.
    let (db, ctx) = (f.app.db(), f.ctx());
    let sent = actix_web::web::block(move || {
        scheduler::digest(&db, &ctx, a_id, Frequency::Daily, tomorrow)
    })
    .await
    .unwrap()
    .unwrap();
    assert!(sent);
    assert_eq!(f.tick(tomorrow).await.digests, 1, "only Bilal's was left");
    assert_eq!(f.tick(tomorrow).await.digests, 0);
    assert_eq!(f.queued(a_id, "digest").await, 1);
    assert_eq!(f.queued(b_id, "digest").await, 1);

    let a_mail = &f.mails(&a_email, 1).await[0];
    assert_eq!(a_mail.subject, "Your daily summary from Indaba");
    assert_eq!(
        a_mail.text.matches("was endorsed").count(),
        2,
        "{}",
        a_mail.text
    );
    assert_eq!(a_mail.text.matches("A new version").count(), 1);
    assert!(header(a_mail, "List-Unsubscribe").is_some());
    let b_mail = &f.mails(&b_email, 1).await[0];
    let items = b_mail.text.lines().filter(|l| l.starts_with("- ")).count();
    assert_eq!(items, 2, "{}", b_mail.text);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(f.smtp.mails_to(&a_email).len(), 1);
    assert_eq!(f.smtp.mails_to(&b_email).len(), 1);
}

async fn follows_settings_reminders_and_bad_input(backend: Backend) {
    let f = fixture(backend).await;
    let (_, alice, _) = f.person("Alice").await;
    let app = &f.app;
    // Every kind of target, and 404 for unknown ones.
    let detail = app
        .get(&format!("/api/v1/consultations/{}", f.consultation), None)
        .await;
    let paragraph = detail.body["version"]["paragraphs"][0]["id"]
        .as_i64()
        .unwrap();
    let comment = f.comment(&alice, json!({"body": "A view."})).await;
    for (kind, id) in [
        ("consultation", f.consultation),
        ("paragraph", paragraph),
        ("comment", comment),
    ] {
        let body = json!({"target_type": kind, "target_id": id});
        let first = app.post("/api/v1/follows", Some(&alice), &body).await;
        assert!(
            first.status == StatusCode::CREATED || first.status == StatusCode::OK,
            "{kind}: {}",
            first.text
        );
        let missing = app
            .post(
                "/api/v1/follows",
                Some(&alice),
                &json!({"target_type": kind, "target_id": 999_999}),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{kind}");
    }
    for kind in ["event", "session"] {
        let res = app
            .post(
                "/api/v1/follows",
                Some(&alice),
                &json!({"target_type": kind, "target_id": 999_999}),
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{kind}");
    }
    let res = app
        .post(
            "/api/v1/follows",
            Some(&alice),
            &json!({"target_type": "planet", "target_id": 1}),
        )
        .await;
    assert!(res.field("target_type").is_some(), "{}", res.text);
    assert_eq!(
        app.post(
            "/api/v1/follows",
            None,
            &json!({"target_type": "comment", "target_id": comment})
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    let mine = app.get("/api/v1/me/follows", Some(&alice)).await;
    let items = mine.body["items"].as_array().unwrap();
    assert!(items
        .iter()
        .any(|i| i["target_type"] == "paragraph" && i["paragraph_key"].is_string()));
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/follows",
            Some(&alice),
            &json!({"target_type": "comment", "target_id": comment}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me/follows", Some(&alice)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        items.len() - 1
    );

    // Settings: defaults, a change, and a refused change that keeps what was there.
    let s = app
        .get("/api/v1/me/notification-settings", Some(&alice))
        .await;
    assert_eq!(s.body["kinds"]["proposal_decision"], "immediate");
    assert_eq!(s.body["kinds"]["closing_soon"], "daily");
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me/notification-settings",
            Some(&alice),
            &json!({"closing_soon": "immediate", "timezone": "Asia/Tokyo"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .send(Method::PATCH, "/api/v1/me/notification-settings", Some(&alice), &json!({"closing_soon": "hourly", "gossip": "daily", "timezone": "Mars/Olympus", "reply": "off"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["closing_soon", "gossip", "timezone"] {
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }
    let s = app
        .get("/api/v1/me/notification-settings", Some(&alice))
        .await;
    assert_eq!(s.body["kinds"]["closing_soon"], "immediate");
    assert_eq!(s.body["kinds"]["reply"], "immediate");
    assert_eq!(s.body["timezone"], "Asia/Tokyo");
    let res = app
        .post("/api/v1/me/notifications/read", Some(&alice), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An account whose address is not verified sees notifications but gets no mail; an
    // erased one gets nothing at all.
    let (email, res) = app.register("Unverified", json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let unverified = token_of(&app.login(&email, PASSWORD).await, "access_token");
    let unverified_id = app.get("/api/v1/me", Some(&unverified)).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    let (erased_id, erased, _) = f.person("Erased").await;
    for token in [&unverified, &erased] {
        app.post(
            "/api/v1/follows",
            Some(token),
            &json!({"target_type": "consultation", "target_id": f.consultation}),
        )
        .await;
        app.send(
            Method::PATCH,
            "/api/v1/me/notification-settings",
            Some(token),
            &json!({"new_version": "immediate"}),
        )
        .await;
    }
    assert_eq!(
        app.send(
            Method::DELETE,
            "/api/v1/me",
            Some(&erased),
            &json!({"current_password": PASSWORD}),
        )
        .await
        .status
        .as_u16()
            / 100,
        2
    );
    let res = app
        .post(
            &format!("/api/v1/consultations/{}/versions", f.consultation),
            Some(&f.organizer),
            &json!({"label": "v2", "source": SMALL_DRAFT.replace("2030", "2029")}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    f.tick(indaba::db::now()).await;
    let list = app.get("/api/v1/me/notifications", Some(&unverified)).await;
    assert_eq!(
        list.body["items"][0]["kind"], "new_version",
        "{}",
        list.text
    );
    assert_eq!(f.queued(unverified_id, "notification").await, 0);
    assert_eq!(f.queued(erased_id, "notification").await, 0);

    // Reminders: the consultation closes tomorrow, so its followers hear of it once.
    let closes = (chrono::Utc::now() + chrono::Duration::hours(30))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/consultations/{}", f.consultation),
            Some(&f.organizer),
            &json!({"closes_at": closes}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(f.tick(indaba::db::now()).await.reminders >= 1);
    assert_eq!(f.tick(indaba::db::now()).await.reminders, 0);
    let list = app.get("/api/v1/me/notifications", Some(&alice)).await;
    let closing: Vec<&Value> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "closing_soon")
        .collect();
    assert_eq!(closing.len(), 1, "{}", list.text);

    // A bookmarked session starting in 20 minutes, shown in Alice's zone (Tokyo).
    let today = chrono::Utc::now().date_naive();
    let res = app
        .post("/api/v1/events", Some(&f.organizer), &json!({"slug": "nri-day", "name": "NRI day", "theme": "Local voices", "venue": "Online",
            "timezone": "UTC", "starts_on": (today - chrono::Duration::days(1)).to_string(), "ends_on": (today + chrono::Duration::days(1)).to_string(), "subthemes": ["Access"]}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let event = res.body["id"].as_i64().unwrap();
    app.send(Method::PATCH, &format!("/api/v1/events/{event}"), Some(&f.organizer), &json!({"published": true, "call_opens_at": "2020-01-01T00:00:00Z", "call_closes_at": "2999-01-01T00:00:00Z"})).await;
    let room = app
        .post(
            &format!("/api/v1/events/{event}/rooms"),
            Some(&f.organizer),
            &json!({"name": "Main", "capacity": 100}),
        )
        .await;
    let room = room.body["id"].as_i64().unwrap();
    let proposal = app
        .post(&format!("/api/v1/events/{event}/proposals"), Some(&alice), &json!({"title": "Community networks", "type": "workshop", "subtheme": "Access", "format": "online",
            "description": "How.", "policy_questions": ["Who pays?"], "speakers": [{"name": "Ana", "organization": "X", "stakeholder_group": "civil_society", "country": "BR", "gender": "female"}],
            "moderator_name": "Mo", "rapporteur_name": "Ra"}))
        .await;
    assert_eq!(proposal.status, StatusCode::CREATED, "{}", proposal.text);
    let decided = app
        .post(
            &format!("/api/v1/proposals/{}/decision", proposal.body["id"]),
            Some(&f.organizer),
            &json!({"decision": "accepted", "note": "Welcome"}),
        )
        .await;
    let session = decided.body["session_id"].as_i64().unwrap();
    let start = chrono::Utc::now() + chrono::Duration::minutes(20);
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:00Z").to_string();
    let res = app
        .send(Method::PUT, &format!("/api/v1/sessions/{session}/slot"), Some(&f.organizer), &json!({"room_id": room, "starts_at": fmt(start), "ends_at": fmt(start + chrono::Duration::minutes(60))}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        app.post(
            &format!("/api/v1/sessions/{session}/bookmark"),
            Some(&alice),
            &json!({})
        )
        .await
        .status
        .as_u16()
            / 100,
        2
    );
    f.tick(indaba::db::now()).await;
    f.tick(indaba::db::now()).await;
    let list = app.get("/api/v1/me/notifications", Some(&alice)).await;
    let kinds: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "session_starting").count(),
        1,
        "{kinds:?}"
    );
    assert!(kinds.contains(&"proposal_decision"));
    let starting = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "session_starting")
        .unwrap();
    assert!(
        starting["data"]["local_starts_at"]
            .as_str()
            .unwrap()
            .ends_with("+09:00"),
        "{starting}"
    );
}

/// The outbox row of the one mail to `to`: (attempts, last error, sent).
async fn outbox_state(app: &TestApp, to: &str) -> (i32, Option<String>, bool) {
    let to = to.to_owned();
    app.db()
        .run(move |conn| {
            use diesel::prelude::*;
            use indaba::db::schema::mail_outbox as m;
            let (attempts, error, sent): (i32, Option<String>, Option<chrono::NaiveDateTime>) =
                m::table
                    .filter(m::recipient.eq(to))
                    .select((m::attempts, m::last_error, m::sent_at))
                    .first(conn)?;
            Ok((attempts, error, sent.is_some()))
        })
        .await
        .unwrap()
}

/// No mail server at start: the server starts, registration still answers 201, and the
/// verification mail waits in the outbox with the reason; once a server answers on that
/// address (and the backoff has run out) it is delivered, once.
async fn mail_waits_for_a_mail_server_that_is_down(backend: Backend) {
    let port = free_port();
    let app = spawn_app_with(
        backend,
        Options::new().with("INDABA_SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
    )
    .await;
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    let (email, res) = app.register("Down", json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let mut state = outbox_state(&app, &email).await;
    for _ in 0..200 {
        if state.0 > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        state = outbox_state(&app, &email).await;
    }
    let (attempts, error, sent) = state;
    assert_eq!((attempts, sent), (1, false), "one failed attempt, not sent");
    assert!(error.is_some_and(|e| !e.is_empty()), "the reason is kept");

    let smtp = SmtpServer::start_on(port).await;
    // The backoff (30 s after a first failure) is over: the worker's next look sends it.
    app.db()
        .run(|conn| {
            use diesel::prelude::*;
            use indaba::db::schema::mail_outbox as m;
            diesel::update(m::table)
                .set(m::next_attempt_at.eq(indaba::db::now()))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let mut mails = smtp.mails_to(&email);
    for _ in 0..300 {
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        mails = smtp.mails_to(&email);
    }
    assert_eq!(mails.len(), 1, "delivered once the server answers");
    assert!(token_after(&mails[0].text, "/verify?token=").is_some());
    // The worker records the send once the server has answered: the mail can be seen
    // there a moment before the row says so.
    let mut state = outbox_state(&app, &email).await;
    for _ in 0..200 {
        if state.2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        state = outbox_state(&app, &email).await;
    }
    let (attempts, _, sent) = state;
    assert_eq!((attempts, sent), (2, true));
}

async fn moderate(f: &Fixture, moderator: &str, comment: i64, action: &str) {
    let res = f
        .app
        .post(
            &format!("/api/v1/comments/{comment}/moderation"),
            Some(moderator),
            &json!({"action": action, "reason": "Off topic for this paragraph"}),
        )
        .await;
    assert_eq!(res.status.as_u16() / 100, 2, "{action}: {}", res.text);
}

/// The text of a reply reaches the people it notifies while they may read it: not once
/// it is hidden (list, page, export, digest mail), again once restored, never after
/// its author withdrew it. No notification names the reply's author.
async fn a_reply_hidden_or_withdrawn_leaves_no_text_in_notifications(backend: Backend) {
    const CANARY: &str = "Canary text of a reply that will be hidden";
    let f = fixture(backend).await;
    let (_, alice, alice_email) = f.person("Alice").await;
    let (_, bob, _) = f.person("Bobby Canaryname").await;
    let (_, moderator) = f.app.user_with_roles("Moder", &["moderator"]).await;
    // Alice takes replies as a daily digest, so no mail goes before we look.
    let res = f
        .app
        .send(
            Method::PATCH,
            "/api/v1/me/notification-settings",
            Some(&alice),
            &json!({"reply": "daily"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let root = f.comment(&alice, json!({"body": "Root point."})).await;
    let reply = f
        .comment(
            &bob,
            json!({"body": CANARY, "parent_id": root, "anonymous": true}),
        )
        .await;

    let excerpt = |res: &Response| {
        let items = res.body["items"].as_array().unwrap();
        let n = items
            .iter()
            .find(|n| n["kind"] == "reply" && n["data"]["comment_id"] == reply)
            .unwrap_or_else(|| panic!("no reply notification: {}", res.text));
        n["data"]["excerpt"].as_str().map(str::to_owned)
    };
    let list = f.app.get("/api/v1/me/notifications", Some(&alice)).await;
    assert_eq!(list.header("cache-control"), Some("no-store"));
    assert_eq!(excerpt(&list).as_deref(), Some(CANARY));
    assert!(!list.text.contains("Canaryname"), "{}", list.text);

    moderate(&f, &moderator, reply, "hide").await;
    let list = f.app.get("/api/v1/me/notifications", Some(&alice)).await;
    assert_eq!(excerpt(&list), None, "{}", list.text);
    assert!(!list.text.contains(CANARY));
    let export = f.app.get("/api/v1/me/export", Some(&alice)).await;
    assert!(!export.text.contains(CANARY), "{}", export.text);
    let web = WebClient::new(&f.app.base);
    web.sign_in(&alice_email, PASSWORD).await;
    let page = web.get("/me/notifications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.html.contains(CANARY), "{}", page.html);
    // Tomorrow's digest does not carry it either.
    let tomorrow = indaba::db::now() + chrono::Duration::hours(25);
    assert!(f.tick(tomorrow).await.digests >= 1);
    let mail = &f.mails(&alice_email, 1).await[0];
    assert!(mail.text.contains("New reply"), "{}", mail.text);
    assert!(!mail.text.contains(CANARY) && !mail.html.contains(CANARY));
    assert!(!mail.text.contains("Canaryname"));

    // Restored: the text is back where it was.
    moderate(&f, &moderator, reply, "restore").await;
    let list = f.app.get("/api/v1/me/notifications", Some(&alice)).await;
    assert_eq!(excerpt(&list).as_deref(), Some(CANARY));
    assert!(web.get("/me/notifications").await.html.contains(CANARY));

    // Withdrawn with its author's account: gone for good.
    let res = f
        .app
        .send(
            Method::DELETE,
            "/api/v1/me?withdraw_contributions=true",
            Some(&bob),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let list = f.app.get("/api/v1/me/notifications", Some(&alice)).await;
    assert_eq!(excerpt(&list), None, "{}", list.text);
    assert!(!list.text.contains(CANARY));
}

async fn follows_reach_only_what_the_caller_may_see(backend: Backend) {
    let f = fixture(backend).await;
    let app = &f.app;
    let (_, alice, _) = f.person("Alice").await;
    let (_, bob, _) = f.person("Bob").await;
    let (_, moderator) = app.user_with_roles("Moder", &["moderator"]).await;
    let follow = |token: &str, kind: &str, id: i64| {
        let body = json!({"target_type": kind, "target_id": id});
        let token = token.to_owned();
        async move { app.post("/api/v1/follows", Some(&token), &body).await }
    };

    // A hidden comment: its author and moderators may follow it; others do not know it.
    let hidden = f.comment(&bob, json!({"body": "Soon hidden."})).await;
    moderate(&f, &moderator, hidden, "hide").await;
    let res = follow(&alice, "comment", hidden).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(
        follow(&bob, "comment", hidden).await.status.as_u16() / 100,
        2
    );
    let res = follow(&moderator, "comment", hidden).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["following"], true);
    let again = follow(&moderator, "comment", hidden).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("cache-control"), Some("no-store"));
    assert_eq!(again.body["follows"], res.body["follows"]);

    // A draft consultation and its paragraphs exist for those who prepare it only.
    let res = app
        .post(
            "/api/v1/consultations",
            Some(&f.organizer),
            &json!({"slug": "draft-only", "title": "Draft", "language": "en"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let draft = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/consultations/{draft}/versions"),
            Some(&f.organizer),
            &json!({"label": "v1", "source": SMALL_DRAFT}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let detail = app
        .get(
            &format!("/api/v1/consultations/{draft}"),
            Some(&f.organizer),
        )
        .await;
    let paragraph = detail.body["version"]["paragraphs"][0]["id"]
        .as_i64()
        .unwrap();
    for (kind, id) in [("consultation", draft), ("paragraph", paragraph)] {
        let res = follow(&alice, kind, id).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{kind}: {}", res.text);
        let res = follow(&f.organizer, kind, id).await;
        assert_eq!(res.status, StatusCode::CREATED, "{kind}: {}", res.text);
    }

    // An unpublished event: its organisers only.
    let res = app
        .post("/api/v1/events", Some(&f.organizer), &json!({"slug": "hidden-event", "name": "Not yet", "theme": "T", "venue": "V",
            "timezone": "UTC", "starts_on": "2030-01-01", "ends_on": "2030-01-02", "subthemes": ["A"]}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let event = res.body["id"].as_i64().unwrap();
    assert_eq!(
        follow(&alice, "event", event).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        follow(&f.organizer, "event", event).await.status,
        StatusCode::CREATED
    );
    let mine = app.get("/api/v1/me/follows", Some(&alice)).await;
    assert_eq!(mine.header("cache-control"), Some("no-store"));
    assert_eq!(mine.body["next_cursor"], Value::Null);
    assert!(
        mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["target_id"] != hidden
                && i["target_id"] != draft
                && i["target_id"] != event),
        "{}",
        mine.text
    );
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let f = fixture(backend).await;
    let app = &f.app;
    let (_, alice, _) = f.person("Alice").await;
    let settings = || app.get("/api/v1/me/notification-settings", Some(&alice));
    let before = settings().await.body;

    let patch = |body: &'static str| {
        let alice = alice.clone();
        async move {
            app.raw(
                Method::PATCH,
                "/api/v1/me/notification-settings",
                Some(&alice),
                Some(("application/json", body)),
            )
            .await
        }
    };
    let res = patch(r#"{"reply": 5, "review": null, "timezone": 7, "weekly": "daily"}"#).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    for field in ["reply", "review", "timezone", "weekly"] {
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }
    let res = patch(r#"["reply", "off"]"#).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = patch(r#"{"reply": "off""#).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    assert_eq!(settings().await.body, before);
    // `null` clears the zone; a zone is kept by its IANA name.
    assert_eq!(
        patch(r#"{"timezone": "America/Sao_Paulo"}"#).await.body["timezone"],
        "America/Sao_Paulo"
    );
    let res = patch(r#"{"timezone": null}"#).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["timezone"], Value::Null);

    // Marking read: ids or all, not both, not neither, not too many.
    let read = |body: Value| {
        let alice = alice.clone();
        async move {
            app.post("/api/v1/me/notifications/read", Some(&alice), &body)
                .await
        }
    };
    let too_many: Vec<i64> = (1..=1001).collect();
    for body in [
        json!({}),
        json!({"ids": [1], "all": true}),
        json!({"all": false}),
        json!({"ids": too_many}),
        json!({"ids": ["one"]}),
        json!({"all": true, "also": 1}),
    ] {
        let res = read(body.clone()).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
    }
    let res = read(json!({"ids": []})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.body["unread_count"], 0);

    // Follows: a bad type or id is named; another's follow is untouched by my unfollow.
    for (body, field) in [
        (
            json!({"target_type": "planet", "target_id": 1}),
            "target_type",
        ),
        (
            json!({"target_type": "comment", "target_id": "7"}),
            "target_id",
        ),
        (json!({"target_type": "comment"}), "target_id"),
        (
            json!({"target_type": "comment", "target_id": 1, "x": 1}),
            "x",
        ),
    ] {
        let res = app.post("/api/v1/follows", Some(&alice), &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/follows",
            Some(&alice),
            &json!({"target_type": "session", "target_id": 424242}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // The list's query.
    for bad in ["limit=0", "limit=500", "cursor=zzz", "unread=maybe"] {
        let res = app
            .get(&format!("/api/v1/me/notifications?{bad}"), Some(&alice))
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.text
        );
    }
    let res = app
        .get("/api/v1/me/notifications?limit=1&unread=true", Some(&alice))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.header("cache-control"), Some("no-store"));

    // Unsubscribe without a token, or with a signed token for a scope that is none.
    for path in [
        "/api/v1/unsubscribe",
        "/api/v1/unsubscribe?token=",
        "/api/v1/unsubscribe?token=1.reply.bad",
    ] {
        for method in [Method::GET, Method::POST] {
            let res = app.raw(method.clone(), path, None, None).await;
            assert_eq!(
                (res.status, res.code()),
                (StatusCode::BAD_REQUEST, "bad_request"),
                "{method} {path}: {}",
                res.text
            );
        }
    }
    let secret = indaba::accounts::tokens::Keys::new(SECRET.as_bytes()).link_secret;
    let odd = scheduler::unsubscribe_token(&secret, 1, "immediate");
    let res = app
        .raw(
            Method::POST,
            &format!("/api/v1/unsubscribe?token={odd}"),
            None,
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    // The caller never needs a token here, and a stale one does not get in the way.
    let alice_id = app.get("/api/v1/me", Some(&alice)).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    let weekly = scheduler::unsubscribe_token(&secret, alice_id, "weekly");
    let res = app
        .raw(
            Method::POST,
            &format!("/api/v1/unsubscribe?token={weekly}"),
            Some("stale"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["unsubscribed"], json!([]), "nothing was weekly");
}

/// Notification rows written before the typed core (with an excerpt stored in them)
/// still read, and what they stored of a reply is not trusted over its current state.
async fn rows_written_before_the_typed_core_still_read(backend: Backend) {
    let f = fixture(backend).await;
    let app = &f.app;
    let (alice_id, alice, _) = f.person("Alice").await;
    let (_, bob, _) = f.person("Bob").await;
    let (_, moderator) = app.user_with_roles("Moder", &["moderator"]).await;
    let root = f.comment(&alice, json!({"body": "Root."})).await;
    let reply = f
        .comment(&bob, json!({"body": "Now hidden.", "parent_id": root}))
        .await;
    moderate(&f, &moderator, reply, "hide").await;
    let rows = vec![
        ("reply", format!(r#"{{"title":"Old","comment_id":{reply},"parent_id":{root},"consultation_id":{},"session_id":null,"excerpt":"STORED EXCERPT","url":"/x"}}"#, f.consultation)),
        ("closing_soon", r#"{"consultation_id":1,"title":"Old closing","closes_at":"2030-01-01T00:00:00Z","url":"/consultations/x"}"#.to_owned()),
        ("session_starting", r#"{"session_id":1,"event_id":1,"title":"Old session","starts_at":"2030-01-01T00:00:00Z","local_starts_at":"2030-01-01T09:00:00+09:00","timezone":"Asia/Tokyo","url":"/sessions/1"}"#.to_owned()),
        ("review", r#"{"title":"Old review","comment_id":1,"status":"incorporated","incorporated_in":[{"version":"rev1","number":"3"}],"url":"/x"}"#.to_owned()),
        ("reply", "not json at all".to_owned()),
    ];
    app.db()
        .run(move |conn| {
            use diesel::prelude::*;
            use indaba::db::schema::notifications as n;
            for (i, (kind, data)) in rows.into_iter().enumerate() {
                diesel::insert_into(n::table)
                    .values((
                        n::user_id.eq(alice_id),
                        n::kind.eq(kind),
                        n::dedupe_key.eq(format!("old:{i}")),
                        n::data.eq(data),
                        n::frequency.eq("off"),
                        n::created_at.eq(indaba::db::now()),
                        n::emailed_at.eq(Some(indaba::db::now())),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let list = app.get("/api/v1/me/notifications", Some(&alice)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(!list.text.contains("STORED EXCERPT"), "{}", list.text);
    let titles: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["data"]["title"].as_str())
        .collect();
    for title in ["Old", "Old closing", "Old session", "Old review"] {
        assert!(titles.contains(&title), "{title}: {}", list.text);
    }
    let old_reply = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["data"]["title"] == "Old")
        .unwrap();
    assert_eq!(old_reply["data"]["url"], format!("/comments/{reply}"));
    let closing = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "closing_soon")
        .unwrap();
    assert_eq!(closing["data"]["closes_at"], "2030-01-01T00:00:00Z");
    // The unreadable row is left out (and logged), not a 500; it still counts as unread.
    let shown = list.body["items"].as_array().unwrap().len() as i64;
    assert_eq!(list.body["unread_count"], shown + 1, "{}", list.text);
}
