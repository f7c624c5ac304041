//! The silence procedure, on SQLite and PostgreSQL: the co-facilitators put a version
//! under silence until a deadline; delegations break it with public letters naming
//! paragraphs until then and are refused after it (409); the outcome is recorded once
//! (broken: the negotiation resumes; held: the adoption follows, with a UN document
//! symbol); delegates are reminded a day before; and breaks racing the deadline are
//! each either in the outcome or refused, never both.

use std::time::Duration;

use awc::http::{Method, StatusCode};
use indaba::notifications::scheduler;
use indaba_tests::negotiation::{negotiation, Negotiation};
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    silence_is_broken_then_held_and_the_text_adopted,
    a_break_at_the_deadline_is_in_or_out_never_both
);

fn in_seconds(s: f64) -> (String, std::time::Instant) {
    let at = chrono::Utc::now() + chrono::Duration::milliseconds((s * 1000.0) as i64);
    (
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        std::time::Instant::now() + Duration::from_millis((s * 1000.0) as u64),
    )
}

async fn start(app: &TestApp, n: &Negotiation, body: Value) -> Response {
    app.post(&format!("{}/silence", n.path()), Some(&n.organizer), &body)
        .await
}

async fn wait_until(t: std::time::Instant) {
    tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await;
}

async fn silence_is_broken_then_held_and_the_text_adopted(backend: Backend) {
    let app = spawn_app(backend).await;
    let n = negotiation(&app).await;
    let path = n.path();
    let (p1, p3) = (n.keys[0].clone(), n.keys[4].clone());
    let stakeholder = app
        .account("Sam", &[], "civil_society", "IN", None, None)
        .await;

    // Bad starts are named.
    let (soon, _) = in_seconds(2.0);
    let res = app
        .post(
            &format!("{path}/silence"),
            Some(&n.brazil_delegate.token),
            &json!({"version": "zero-draft", "deadline": soon}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    for (body, field) in [
        (json!({"version": "rev9", "deadline": soon}), "version"),
        (
            json!({"version": "zero-draft", "deadline": "2020-01-01T10:00:00Z"}),
            "deadline",
        ),
        (
            json!({"version": "zero-draft", "deadline": "soon"}),
            "deadline",
        ),
        (
            json!({"version": "zero-draft", "deadline": "2030-12-20T18:00", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
    ] {
        let res = start(&app, &n, body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }
    let res = app.get(&format!("{path}/silence"), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);

    // Under silence until a deadline told in New York time.
    // Long enough for the steps below on a loaded machine; each waits for it.
    let (deadline, passes) = in_seconds(7.0);
    let res = start(
        &app,
        &n,
        json!({"version": "zero-draft", "deadline": deadline}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["current"]["state"], "running");
    assert_eq!(res.body["current"]["timezone"], "America/New_York");
    assert!(
        res.body["current"]["deadline_local"]
            .as_str()
            .unwrap()
            .ends_with("(America/New_York)"),
        "{}",
        res.text
    );
    let detail = app.get(&path, None).await;
    assert_eq!(detail.body["phase"], "silence");
    let res = start(
        &app,
        &n,
        json!({"version": "zero-draft", "deadline": deadline}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // Breaks: by delegates, for their delegation, naming paragraphs of the text.
    let breaks = format!("{path}/silence/breaks");
    let letter = |delegation: i64, keys: Value| {
        json!({"delegation_id": delegation, "paragraph_keys": keys,
               "letter": "The delegation of Brazil wishes to break silence on paragraph 3, whose target date it cannot accept."})
    };
    let res = app
        .post(
            &breaks,
            Some(&stakeholder.token),
            &letter(n.brazil, json!([p3])),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .post(
            &breaks,
            Some(&n.brazil_delegate.token),
            &letter(n.brazil, json!(["nope"])),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("paragraph_keys").is_some(), "{}", res.text);
    let res = app
        .post(
            &breaks,
            Some(&n.brazil_delegate.token),
            &letter(n.brazil, json!([])),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .post(
            &breaks,
            Some(&n.brazil_delegate.token),
            &letter(n.brazil, json!([p3, p1])),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["delegation"]["name"], "Brazil");
    let numbers: Vec<&str> = res.body["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 2);
    assert!(
        numbers.contains(&"1") && numbers.contains(&"3"),
        "{numbers:?}"
    );
    // A delegate breaks silence from the page, too.
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&n.kenya_delegate.email, PASSWORD).await;
    let page = web.get(&format!("/consultations/{}", n.slug)).await;
    assert!(
        page.html.contains("is under silence until"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Break silence"), "{}", page.html);
    let csrf = page.hidden("csrf").unwrap();
    let sent = web
        .post(
            &format!("/consultations/{}/silence/breaks", n.slug),
            &[
                ("csrf", &csrf),
                ("delegation_id", &n.kenya.to_string()),
                ("paragraph_keys", &p1),
                ("letter", "Kenya cannot join consensus on paragraph 1."),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let page = web.follow(&sent).await;
    assert!(
        page.html.contains("Letter of Kenya (paragraphs 1)"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("Your letter breaking silence is recorded and public."),
        "{}",
        page.html
    );
    // A stakeholder has no form.
    let public = indaba_tests::web::WebClient::new(&app.base);
    let page = public.get(&format!("/consultations/{}", n.slug)).await;
    assert!(
        !page.html.contains("Break silence</button>"),
        "{}",
        page.html
    );
    // No adoption while it runs.
    let adoption = format!("{path}/adoption");
    let adopt = json!({"symbol": "A/RES/81/1", "adopted_on": "2026-12-21"});
    let res = app.post(&adoption, Some(&n.organizer), &adopt).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // After the deadline: no more breaks; the outcome is broken, the letters public.
    wait_until(passes + Duration::from_millis(100)).await;
    let res = app
        .post(
            &breaks,
            Some(&n.kenya_delegate.token),
            &letter(n.kenya, json!([p1])),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "silence_ended");
    let s = app.get(&format!("{path}/silence"), None).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    assert_eq!(s.body["current"]["state"], "broken");
    assert_eq!(
        s.body["current"]["breaks"][0]["delegation"]["name"],
        "Brazil"
    );
    assert!(s.body["current"]["breaks"][0]["letter"]
        .as_str()
        .unwrap()
        .contains("target date"));
    let detail = app.get(&path, None).await;
    assert_eq!(detail.body["phase"], "negotiation");
    let log = app.get(&format!("{path}/phases"), None).await;
    let last = log.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["phase"], "negotiation");
    assert_eq!(last["set_by"], Value::Null);
    assert_eq!(
        last["note"],
        "Silence on zero-draft broken by Brazil, Kenya"
    );
    let page = public.get(&format!("/consultations/{}", n.slug)).await;
    assert!(
        page.html
            .contains("Silence on zero-draft was broken by Brazil, Kenya."),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("target date it cannot accept"),
        "{}",
        page.html
    );
    let res = app.post(&adoption, Some(&n.organizer), &adopt).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // The consultation's own zone is the deadline's when the call names none; an
    // unknown zone is named.
    for (zone, status) in [
        ("Mars/Olympus", StatusCode::UNPROCESSABLE_ENTITY),
        ("Europe/Zurich", StatusCode::OK),
    ] {
        let res = app
            .send(
                Method::PATCH,
                &path,
                Some(&n.organizer),
                &json!({"timezone": zone}),
            )
            .await;
        assert_eq!(res.status, status, "{zone}: {}", res.text);
    }
    let detail = app.get(&path, None).await;
    assert_eq!(detail.body["timezone"], "Europe/Zurich");

    // Again, and silence holds: delegates are reminded a day before, then it is adopted.
    // The deadline is told in the consultation's zone, Zurich's.
    let (deadline, passes) = in_seconds(2.0);
    let res = start(
        &app,
        &n,
        json!({"version": "zero-draft", "deadline": deadline}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["earlier"][0]["state"], "broken");
    assert_eq!(res.body["current"]["timezone"], "Europe/Zurich");
    let ctx = scheduler::Ctx {
        public_url: app.base.clone(),
        link_secret: indaba::accounts::tokens::Keys::new(SECRET.as_bytes()).link_secret,
    };
    let db = app.db();
    let report = actix_web::web::block(move || scheduler::tick(&db, &ctx, indaba::db::now()))
        .await
        .unwrap()
        .unwrap();
    assert!(report.reminders >= 2, "{}", report.reminders);
    let mine = app
        .get("/api/v1/me/notifications", Some(&n.kenya_delegate.token))
        .await;
    assert!(
        mine.text.contains("silence_deadline") && mine.text.contains("Europe/Zurich"),
        "{}",
        mine.text
    );
    let theirs = app
        .get("/api/v1/me/notifications", Some(&stakeholder.token))
        .await;
    assert!(!theirs.text.contains("silence_deadline"), "{}", theirs.text);
    wait_until(passes + Duration::from_millis(100)).await;
    for (body, field) in [
        (
            json!({"symbol": "a/res/81/1", "adopted_on": "2026-12-21"}),
            "symbol",
        ),
        (
            json!({"symbol": "Resolution 81/1", "adopted_on": "2026-12-21"}),
            "symbol",
        ),
        (
            json!({"symbol": "A/RES/81/1", "adopted_on": "21/12/2026"}),
            "adopted_on",
        ),
    ] {
        let res = app.post(&adoption, Some(&n.organizer), &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }
    let res = app
        .post(&adoption, Some(&n.kenya_delegate.token), &adopt)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app.post(&adoption, Some(&n.organizer), &adopt).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["current"]["state"], "adopted");
    assert_eq!(res.body["current"]["adoption"]["symbol"], "A/RES/81/1");
    let res = app.post(&adoption, Some(&n.organizer), &adopt).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let detail = app.get(&path, None).await;
    assert_eq!(detail.body["phase"], "adopted");
    let page = public.get(&format!("/consultations/{}", n.slug)).await;
    assert!(
        page.html
            .contains("zero-draft was adopted as A/RES/81/1 on 2026-12-21."),
        "{}",
        page.html
    );
    let log = app.get(&format!("{path}/phases"), None).await;
    let last = log.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["note"], "Adopted as A/RES/81/1 on 2026-12-21");
    let _ = Method::GET;
}

async fn a_break_at_the_deadline_is_in_or_out_never_both(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let n = negotiation(&app).await;
    let path = n.path();
    let p1 = n.keys[0].clone();
    let (_, admin) = app.user_with_roles("Admin 2", &["admin"]).await;
    // Twelve more delegations with a delegate each.
    let mut senders = vec![
        (n.brazil, n.brazil_delegate.token.clone()),
        (n.kenya, n.kenya_delegate.token.clone()),
    ];
    for (i, country) in [
        "AR", "CL", "PE", "MX", "GH", "NG", "SN", "EG", "IN", "JP", "FR", "DE",
    ]
    .iter()
    .enumerate()
    {
        let res = app
            .post(
                "/api/v1/delegations",
                Some(&admin),
                &json!({"name": format!("Delegation {i}"), "status": "member", "country": country}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let d = res.body["id"].as_i64().unwrap();
        let who = app
            .account(
                &format!("Delegate {i}"),
                &[],
                "government",
                country,
                None,
                None,
            )
            .await;
        let res = app
            .send(
                Method::PUT,
                &format!("/api/v1/delegations/{d}/delegates"),
                Some(&admin),
                &json!({"user_ids": [who.id]}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        senders.push((d, who.token));
    }
    let (deadline, passes) = in_seconds(2.0);
    let res = start(
        &app,
        &n,
        json!({"version": "zero-draft", "deadline": deadline}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    // Breaks every 10 ms from 70 ms before the deadline, and readers settling it.
    let breaks = format!("{path}/silence/breaks");
    let sends = senders.iter().enumerate().map(|(i, (d, token))| {
        let (app, breaks, p1) = (&app, breaks.clone(), p1.clone());
        async move {
            wait_until(passes - Duration::from_millis(70) + Duration::from_millis(10 * i as u64))
                .await;
            let res = app
                .post(
                    &breaks,
                    Some(token),
                    &json!({"delegation_id": d, "paragraph_keys": [p1], "letter": "We break silence."}),
                )
                .await;
            (*d, res)
        }
    });
    let reads = (0..6).map(|i| {
        let (app, path) = (&app, path.clone());
        async move {
            wait_until(passes - Duration::from_millis(20) + Duration::from_millis(15 * i)).await;
            app.get(&format!("{path}/silence"), None).await.status
        }
    });
    let (sent, read) = futures_util::future::join(
        futures_util::future::join_all(sends),
        futures_util::future::join_all(reads),
    )
    .await;
    assert!(read.iter().all(|s| *s == StatusCode::OK), "{read:?}");
    let s = app.get(&format!("{path}/silence"), None).await;
    let recorded: Vec<i64> = s.body["current"]["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["delegation"]["id"].as_i64().unwrap())
        .collect();
    let mut accepted = 0;
    for (d, res) in &sent {
        match res.status {
            StatusCode::CREATED => {
                accepted += 1;
                assert!(
                    recorded.contains(d),
                    "break of {d} answered 201 but is not in the outcome"
                );
            }
            StatusCode::CONFLICT => {
                assert_eq!(res.code(), "silence_ended", "{}", res.text);
                assert!(!recorded.contains(d), "break of {d} refused but counted");
            }
            other => panic!("{other}: {}", res.text),
        }
    }
    assert_eq!(accepted, recorded.len());
    let expected = if accepted > 0 { "broken" } else { "held" };
    assert_eq!(s.body["current"]["state"], expected, "{}", s.text);
}
