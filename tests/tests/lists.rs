//! Every list pages one way: `limit` 1–200 and a `cursor` that works only on the list
//! that gave it out; an unknown filter value is a 422 naming the filter, never an empty
//! page that looks like "nothing matched".

use awc::http::{Method, StatusCode};
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    every_list_honours_limit_and_its_own_cursor,
    a_list_computed_whole_pages_through_everything,
    unknown_filter_values_are_named
);

struct Fixture {
    app: TestApp,
    /// Organiser, moderator and administrator: every list answers them.
    staff: String,
    consultation: i64,
    event: i64,
    session: i64,
    body: i64,
}

/// Two open consultations with comments, a published event with five scheduled
/// sessions, a follow and a bookmark.
async fn fixture(backend: Backend) -> Fixture {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (_, staff) = app
        .user_with_roles("Staff", &["organizer", "moderator", "admin"])
        .await;
    open_consultation(&app, &staff).await;
    let consultation = open_consultation(&app, &staff).await;
    for i in 0..3 {
        let res = app
            .post(
                &format!("/api/v1/consultations/{consultation}/comments"),
                Some(&staff),
                &json!({"body": format!("Comment number {i}."), "language": "en"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let res = app
        .post(
            "/api/v1/events",
            Some(&staff),
            &json!({"slug": "igf-lists", "name": "IGF", "theme": "Lists", "venue": "Riyadh",
                    "timezone": "Asia/Riyadh", "starts_on": "2026-12-14", "ends_on": "2026-12-18",
                    "subthemes": ["Innovation", "Governance"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let event = res.body["id"].as_i64().unwrap();
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{event}"),
            Some(&staff),
            &json!({"published": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            &format!("/api/v1/events/{event}/rooms"),
            Some(&staff),
            &json!({"name": "Plenary", "capacity": 500}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let rows: Vec<Value> = (0..5)
        .map(|i| {
            json!({"title": format!("Session {i}"), "type": "workshop", "subtheme": "Governance",
                   "format": "in_person", "room": "Plenary",
                   "starts_at": format!("2026-12-15T0{i}:00:00Z"), "ends_at": format!("2026-12-15T0{i}:45:00Z"),
                   "speakers": [{"name": format!("Speaker {i}"), "stakeholder_group": "academia", "country": "SA", "gender": "female"}]})
        })
        .collect();
    let res = app
        .post(
            &format!("/api/v1/events/{event}/agenda/import"),
            Some(&staff),
            &json!({ "rows": rows }),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let agenda = app
        .get(&format!("/api/v1/events/{event}/agenda"), None)
        .await;
    let session = agenda.body["items"][0]["id"].as_i64().unwrap();
    for (path, body) in [
        (
            "/api/v1/follows".to_owned(),
            json!({"target_type": "consultation", "target_id": consultation}),
        ),
        (format!("/api/v1/sessions/{session}/bookmark"), json!({})),
    ] {
        let res = app.post(&path, Some(&staff), &body).await;
        assert!(res.status.is_success(), "{path}: {}", res.text);
    }
    // A body with a member, for its list of members.
    let res = app
        .post(
            "/api/v1/bodies",
            Some(&staff),
            &json!({"name": "Lists IGF", "kind": "nri"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let body = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/bodies/{body}/members"),
            Some(&staff),
            &json!({}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    Fixture {
        app,
        staff,
        consultation,
        event,
        session,
        body,
    }
}

impl Fixture {
    /// A documented path with its placeholders filled in.
    fn concrete(&self, path: &str) -> String {
        let id = if path.starts_with("/api/v1/consultations/") {
            self.consultation
        } else if path.starts_with("/api/v1/bodies/") {
            self.body
        } else if path.starts_with("/api/v1/events/") {
            self.event
        } else {
            self.session
        };
        path.replace("{id}", &id.to_string())
    }
}

/// The schema a `$ref` points to.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => schema,
    }
}

/// Every GET whose answer is a page (`items` and `next_cursor`), read from the
/// OpenAPI document so that a list added later is checked too.
fn lists(doc: &Value) -> Vec<(String, Vec<String>, String)> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        let schema = resolve(
            doc,
            &get["responses"]["200"]["content"]["application/json"]["schema"],
        );
        let props = &schema["properties"];
        if props["items"].is_object() && props["next_cursor"].is_object() {
            let params = get["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            // Required parameters (`q` of `/people`) get a value, then `&`.
            let required: String = get["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| format!("{}=ab&", p["name"].as_str().unwrap()))
                .collect();
            out.push((path.clone(), params, required));
        }
    }
    out
}

async fn every_list_honours_limit_and_its_own_cursor(backend: Backend) {
    let f = fixture(backend).await;
    let doc = f.app.get("/api/v1/openapi.json", None).await.body;
    let lists = lists(&doc);
    assert!(lists.len() >= 16, "{lists:?}");
    for must in [
        "/api/v1/events/{id}/agenda",
        "/api/v1/events/{id}/proposals",
        "/api/v1/events/{id}/sessions",
        "/api/v1/me/follows",
        "/api/v1/me/agenda",
        "/api/v1/consultations/{id}/versions",
        "/api/v1/search",
    ] {
        assert!(lists.iter().any(|(p, _, _)| p == must), "{must} is no list");
    }
    // A cursor from the list of consultations: no other list takes it.
    let first = f.app.get("/api/v1/consultations?limit=1", None).await;
    let foreign = first.body["next_cursor"].as_str().unwrap().to_owned();
    for (path, params, required) in &lists {
        assert!(
            params.iter().any(|p| p == "limit") && params.iter().any(|p| p == "cursor"),
            "{path} documents no limit and cursor: {params:?}"
        );
        let base = format!("{}?{required}", f.concrete(path));
        let res = f.app.get(&format!("{base}limit=1"), Some(&f.staff)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
        assert!(
            res.body["items"].as_array().unwrap().len() <= 1,
            "{path} ignores limit"
        );
        for bad in ["0", "201", "-3", "many"] {
            let res = f
                .app
                .get(&format!("{base}limit={bad}"), Some(&f.staff))
                .await;
            assert_eq!(
                (res.status, res.code()),
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_query"),
                "{path}?limit={bad}: {}",
                res.text
            );
            assert!(res.field("limit").is_some(), "{path}: {}", res.text);
        }
        let mut cursors = vec!["bm90LWEtY3Vyc29y".to_owned(), "%%%".to_owned()];
        if path != "/api/v1/consultations" {
            cursors.push(foreign.clone());
        }
        for cursor in cursors {
            let res = f
                .app
                .get(&format!("{base}cursor={cursor}"), Some(&f.staff))
                .await;
            assert_eq!(
                res.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}?cursor={cursor}: {}",
                res.text
            );
            assert!(res.field("cursor").is_some(), "{path}: {}", res.text);
        }
    }
    // The list's own cursor leads on.
    let next = f
        .app
        .get(&format!("/api/v1/consultations?cursor={foreign}"), None)
        .await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.text);
    assert_ne!(next.body["items"][0]["id"], first.body["items"][0]["id"]);
    // A cursor of one consultation's comments does not page another's.
    let comments = format!("/api/v1/consultations/{}/comments", f.consultation);
    let page = f.app.get(&format!("{comments}?limit=1"), None).await;
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let other = f.consultation - 1;
    let res = f
        .app
        .get(
            &format!("/api/v1/consultations/{other}/comments?cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("cursor").unwrap().contains("another list"));
}

/// The agenda is computed whole (it is sorted and filtered in the zone asked for), yet
/// pages like every list: page by page, the same sessions in the same order.
async fn a_list_computed_whole_pages_through_everything(backend: Backend) {
    let f = fixture(backend).await;
    let agenda = format!("/api/v1/events/{}/agenda", f.event);
    let whole = f.app.get(&format!("{agenda}?limit=200"), None).await;
    let ids = |res: &Response| -> Vec<i64> {
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect()
    };
    let all = ids(&whole);
    assert_eq!(all.len(), 5);
    assert_eq!(whole.body["next_cursor"], Value::Null);
    let mut seen = Vec::new();
    let mut url = format!("{agenda}?limit=2");
    let mut pages = 0;
    loop {
        let res = f.app.get(&url, None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        seen.extend(ids(&res));
        pages += 1;
        match res.body["next_cursor"].as_str() {
            Some(c) => url = format!("{agenda}?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!((seen, pages), (all, 3));
    // A cursor of the agenda with one filter is not one of another filter's.
    let first = f.app.get(&format!("{agenda}?limit=2"), None).await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let res = f
        .app
        .get(
            &format!("{agenda}?limit=2&type=workshop&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("cursor").is_some(), "{}", res.text);
}

async fn unknown_filter_values_are_named(backend: Backend) {
    let f = fixture(backend).await;
    let c = f.consultation;
    let e = f.event;
    let s = f.session;
    for (url, field) in [
        (
            "/api/v1/search?stakeholder_group=aliens".to_owned(),
            "stakeholder_group",
        ),
        ("/api/v1/search?type=spaceship".to_owned(), "type"),
        ("/api/v1/search?region=mars".to_owned(), "region"),
        ("/api/v1/search?country=ZZ".to_owned(), "country"),
        ("/api/v1/search?language=klingon".to_owned(), "language"),
        ("/api/v1/search?kind=poem".to_owned(), "kind"),
        ("/api/v1/search?event_id=999999".to_owned(), "event_id"),
        ("/api/v1/search?sort=loudest".to_owned(), "sort"),
        (
            format!("/api/v1/consultations/{c}/search?country=XX"),
            "country",
        ),
        (
            format!("/api/v1/consultations/{c}/search?paragraph_key=nope"),
            "paragraph_key",
        ),
        (
            format!("/api/v1/consultations/{c}/search?review_status=done"),
            "review_status",
        ),
        (
            format!("/api/v1/consultations/{c}/comments?paragraph_key=nope"),
            "paragraph_key",
        ),
        (
            format!("/api/v1/consultations/{c}/comments?parent_id=999999"),
            "parent_id",
        ),
        (
            format!("/api/v1/consultations/{c}/comments?since_id=soon"),
            "since_id",
        ),
        (
            format!("/api/v1/events/{e}/agenda?subtheme=Astrology"),
            "subtheme",
        ),
        (format!("/api/v1/events/{e}/agenda?type=keynote"), "type"),
        (
            format!("/api/v1/events/{e}/agenda?format=telepathy"),
            "format",
        ),
        (format!("/api/v1/events/{e}/agenda?day=2026-13-01"), "day"),
        (format!("/api/v1/events/{e}/agenda?tz=Mars/Olympus"), "tz"),
        (
            format!("/api/v1/sessions/{s}/comments?kind=amendment"),
            "kind",
        ),
        (
            format!("/api/v1/sessions/{s}/comments?sort=loudest"),
            "sort",
        ),
        ("/api/v1/me/notifications?unread=maybe".to_owned(), "unread"),
        ("/api/v1/me/agenda?tz=Nowhere".to_owned(), "tz"),
    ] {
        let res = f.app.get(&url, Some(&f.staff)).await;
        assert_eq!(
            (res.status, res.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_query"),
            "{url}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{url}: {}", res.text);
    }
    // Known values still filter: the subtheme the sessions have, a real paragraph.
    for url in [
        format!("/api/v1/events/{e}/agenda?subtheme=Governance"),
        format!("/api/v1/events/{e}/agenda?subtheme=Innovation"),
        "/api/v1/search?country=ke&language=EN".to_owned(),
    ] {
        let res = f.app.get(&url, Some(&f.staff)).await;
        assert_eq!(res.status, StatusCode::OK, "{url}: {}", res.text);
    }
    let text = f.app.get(&format!("/api/v1/consultations/{c}"), None).await;
    let key = text.body["version"]["paragraphs"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    for url in [
        format!("/api/v1/consultations/{c}/comments?paragraph_key={key}"),
        format!("/api/v1/consultations/{c}/search?paragraph_key={key}"),
    ] {
        let res = f.app.get(&url, None).await;
        assert_eq!(res.status, StatusCode::OK, "{url}: {}", res.text);
    }
}
