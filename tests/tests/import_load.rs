//! Issue #22: no single request can stall the site. Importing large versions leaves
//! other requests fast; versions planned against a text that changed meanwhile are
//! planned again; a writer waiting for SQLite holds no pooled connection, and reads never
//! wait for it; a database out of reach is 503 with the site's error page.
//!
//! `timed_*` tests measure latency (the issue asks for it). They measure the *other*
//! requests, never the import, against a bound (1 s) far above what they take on an idle
//! machine (tens of milliseconds), so that a loaded 2-core CI machine still passes.

use std::time::{Duration, Instant};

use awc::http::StatusCode;
use diesel::{Connection, RunQueryDsl};
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    timed_large_imports_leave_other_requests_fast,
    versions_planned_on_an_old_text_are_planned_again,
);

mod sqlite_only {
    #[actix_web::test]
    async fn timed_writers_waiting_for_the_writer_leave_reads_alone() {
        super::timed_writers_waiting_for_the_writer_leave_reads_alone().await
    }
}

mod postgres_only {
    #[actix_web::test]
    #[ignore = "needs PostgreSQL: INDABA_TEST_POSTGRES_URL (tests/run runs it when set)"]
    async fn pages_answer_503_when_the_database_is_out_of_reach() {
        let admin = indaba_tests::Backend::postgres_admin_url();
        super::pages_answer_503_when_the_database_is_out_of_reach(admin).await
    }
}

/// A small deterministic generator (xorshift), so that the texts are the same each run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Paragraphs of 10 to 40 words drawn from our own seed draft, in its proportions.
fn paragraphs(rng: &mut Rng, n: usize) -> Vec<String> {
    let draft = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds/draft.en.md"),
    )
    .expect("seeds/draft.en.md");
    let words: Vec<String> = draft
        .split_whitespace()
        .filter(|w| w.chars().all(char::is_alphabetic))
        .map(str::to_owned)
        .collect();
    (0..n)
        .map(|_| {
            let len = 10 + rng.below(30);
            let text: Vec<&str> = (0..len)
                .map(|_| words[rng.below(words.len())].as_str())
                .collect();
            format!("{}.", text.join(" "))
        })
        .collect()
}

/// The next version: most paragraphs kept, some edited, moved, dropped or new.
fn next_version(rng: &mut Rng, old: &[String]) -> Vec<String> {
    let fresh = paragraphs(rng, old.len() / 10 + 1);
    let mut out: Vec<String> = Vec::new();
    let mut moved: Vec<String> = Vec::new();
    for (n, p) in old.iter().enumerate() {
        match rng.below(20) {
            0..=2 => out.push(format!("{} and notably all", p.trim_end_matches('.'))),
            3 => moved.push(p.clone()),
            4 => {}
            5 => {
                out.push(p.clone());
                out.push(fresh[n % fresh.len()].clone());
            }
            _ => out.push(p.clone()),
        }
    }
    for p in moved {
        let at = rng.below(out.len() + 1);
        out.insert(at, p);
    }
    out.truncate(old.len());
    out
}

/// A UN-style text: 250 numbered paragraphs of 20 (the paragraph and its items (a) to
/// (s)) under a few headings. Paragraph numbers have at most three digits, as the
/// importer reads them.
fn source(paragraphs: &[String]) -> String {
    let mut s = String::from("I. Introduction\n\n");
    for (n, p) in paragraphs.iter().enumerate() {
        if n % 20 == 0 {
            if n > 0 && n % 1000 == 0 {
                s.push_str(&format!("Part {}\n\n", n / 1000 + 1));
            }
            s.push_str(&format!("{}. {p}\n\n", n / 20 + 1));
        } else {
            let letter = char::from(b'a' + (n % 20 - 1) as u8);
            s.push_str(&format!("({letter}) {p}\n\n"));
        }
    }
    s
}

async fn consultation(app: &TestApp, organizer: &str, text: &str) -> (i64, String) {
    open_consultation_from(app, organizer, "v0", text).await
}

/// Latencies of one kind of request.
#[derive(Default)]
struct Timings {
    all: Vec<Duration>,
    failures: Vec<String>,
}

impl Timings {
    fn record(&mut self, started: Instant, ok: bool, what: impl FnOnce() -> String) {
        self.all.push(started.elapsed());
        if !ok {
            self.failures.push(what());
        }
    }

    fn summary(&self) -> String {
        let mut sorted = self.all.clone();
        sorted.sort();
        let at = |q: f64| {
            sorted
                .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
                .map_or(0, |d| d.as_millis())
        };
        format!(
            "{} requests, p50 {} ms, p99 {} ms, max {} ms",
            sorted.len(),
            at(0.5),
            at(0.99),
            sorted.last().map_or(0, |d| d.as_millis())
        )
    }

    fn max(&self) -> Duration {
        self.all.iter().copied().max().unwrap_or_default()
    }
}

/// TIMED (issue #22). An organiser imports 5,000 paragraphs and then 5,000 more over
/// them (keys matched against the first), while another client posts comments (on
/// another consultation and on the one being imported) and reads pages. Every one of
/// those requests answers as it should, within 1 s.
async fn timed_large_imports_leave_other_requests_fast(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let (_, commenter) = app.user_with_roles("Commenter", &[]).await;
    let (other, other_slug) =
        consultation(&app, &organizer, &source(&paragraphs(&mut Rng(3), 20))).await;
    let (big, big_slug) = consultation(&app, &organizer, "1. A first paragraph.\n").await;
    let mut rng = Rng(22);
    let first = paragraphs(&mut rng, 5000);
    let second = next_version(&mut rng, &first);
    let web = WebClient::new(&app.base);

    let importing = std::cell::Cell::new(true);
    let imports = async {
        let mut took = Vec::new();
        for (label, text) in [("v1", &first), ("v2", &second)] {
            let t = Instant::now();
            let res = app
                .post(
                    &format!("/api/v1/consultations/{big}/versions"),
                    Some(&organizer),
                    &json!({"label": label, "source": source(text)}),
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            took.push((label, t.elapsed(), res.body));
        }
        importing.set(false);
        took
    };
    let commenting = async {
        let (mut posts, mut n) = (Timings::default(), 0);
        while importing.get() {
            n += 1;
            let on = if n % 2 == 0 { other } else { big };
            let t = Instant::now();
            let res = app
                .post(
                    &format!("/api/v1/consultations/{on}/comments"),
                    Some(&commenter),
                    &json!({"body": format!("A general remark, number {n}.")}),
                )
                .await;
            posts.record(t, res.status == StatusCode::CREATED, || {
                format!("comment {n}: {} {}", res.status, res.text)
            });
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        posts
    };
    let reading = async {
        let (mut pages, mut api, mut ready) =
            (Timings::default(), Timings::default(), Timings::default());
        while importing.get() {
            let t = Instant::now();
            let page = web.get(&format!("/consultations/{other_slug}")).await;
            pages.record(t, page.status == StatusCode::OK, || {
                format!("page: {}", page.status)
            });
            let t = Instant::now();
            let home = web.get("/").await;
            pages.record(t, home.status == StatusCode::OK, || {
                format!("home: {}", home.status)
            });
            let t = Instant::now();
            let res = app
                .get(&format!("/api/v1/consultations/{other}/comments"), None)
                .await;
            api.record(t, res.status == StatusCode::OK, || {
                format!("comments: {} {}", res.status, res.text)
            });
            let t = Instant::now();
            let res = app.get("/readyz", None).await;
            ready.record(t, res.status == StatusCode::OK, || {
                format!("readyz: {} {}", res.status, res.text)
            });
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (pages, api, ready)
    };
    let (took, posts, (pages, api, ready)) = tokio::join!(imports, commenting, reading);

    for (label, t, _) in &took {
        eprintln!(
            "import {label}: {} ms (not bounded by this test)",
            t.as_millis()
        );
    }
    for (what, t) in [
        ("comment posts", &posts),
        ("pages", &pages),
        ("API reads", &api),
        ("readyz", &ready),
    ] {
        eprintln!("{what} during the imports: {}", t.summary());
        assert!(t.failures.is_empty(), "{what} failed: {:?}", t.failures);
        assert!(
            t.all.len() >= 3,
            "{what}: too few requests overlapped the imports"
        );
        assert!(
            t.max() < Duration::from_secs(1),
            "{what} took up to {} ms during the imports",
            t.max().as_millis()
        );
    }

    // The second version continues the first: most keys kept, every number in order.
    let v1: Vec<Value> = took[0].2["paragraphs"]
        .as_array()
        .expect("paragraphs")
        .clone();
    let v2: Vec<Value> = took[1].2["paragraphs"]
        .as_array()
        .expect("paragraphs")
        .clone();
    assert_eq!(v1.len(), 5000);
    assert_eq!(v2.len(), second.len());
    let old: std::collections::HashSet<&str> =
        v1.iter().filter_map(|p| p["key"].as_str()).collect();
    let kept = v2
        .iter()
        .filter(|p| p["key"].as_str().is_some_and(|k| old.contains(k)))
        .count();
    assert!(
        kept * 10 >= v2.len() * 8,
        "only {kept} of {} keys kept",
        v2.len()
    );
    assert_eq!(
        took[1].2["removed_keys"].as_array().map(Vec::len),
        Some(5000 - kept)
    );
    let res = app
        .get(&format!("/api/v1/consultations/{big_slug}/versions"), None)
        .await;
    assert_eq!(res.body["items"].as_array().map(Vec::len), Some(3));
    app.stop().await;
}

/// A version is planned against the current text outside the transaction. If another
/// version lands between the plan and the write, the write notices and the plan is made
/// again against the newer text.
async fn versions_planned_on_an_old_text_are_planned_again(backend: Backend) {
    use indaba::consultations::store::{self, DraftParagraph, Written};
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let texts = [
        "We commit to connect every school by 2030.",
        "We will protect human rights online and offline.",
        "Data flows should be trusted.",
    ];
    let text = |order: &[usize]| -> String {
        order
            .iter()
            .enumerate()
            .map(|(n, t)| format!("{}. {}\n\n", n + 1, texts[*t]))
            .collect()
    };
    let (id, _) = consultation(&app, &organizer, &text(&[0, 1, 2])).await;
    let db = app.db();
    let draft = |order: &[usize]| -> Vec<DraftParagraph> {
        order
            .iter()
            .enumerate()
            .map(|(n, t)| DraftParagraph {
                key: None,
                number: (n + 1).to_string(),
                parent_number: None,
                section_path: vec![],
                text: texts[*t].to_owned(),
                footnote_refs: vec![],
                informed_by: vec![],
            })
            .collect()
    };

    // Planned against v0; v1 (the first two swapped) lands before it is written.
    let base = db
        .run(move |conn| store::version_base(conn, id))
        .await
        .expect("base");
    let plan =
        store::plan_version(&base, "late", "text", draft(&[2, 1, 0]), vec![], None).expect("plan");
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/versions"),
            Some(&organizer),
            &json!({"label": "v1", "source": text(&[1, 0, 2])}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let written = db
        .tx(move |tx| store::write_version(tx, id, plan))
        .await
        .expect("write");
    let Written::Stale(plan) = written else {
        panic!("a plan made on v0 was written over v1");
    };
    // Planned again, it is written, and keeps v1's keys.
    let base = db
        .run(move |conn| store::version_base(conn, id))
        .await
        .expect("base");
    let (paragraphs, footnotes) = plan.into_draft();
    assert!(
        paragraphs.iter().all(|p| p.key.is_none()),
        "the draft as given"
    );
    let plan =
        store::plan_version(&base, "late", "text", paragraphs, footnotes, None).expect("plan");
    let written = db
        .tx(move |tx| store::write_version(tx, id, plan))
        .await
        .expect("write");
    assert!(matches!(written, Written::Stored(_)));
    let keys = |body: &Value| -> Vec<(String, String)> {
        body["version"]["paragraphs"]
            .as_array()
            .expect("paragraphs")
            .iter()
            .map(|p| {
                (
                    p["text"].as_str().unwrap_or_default().to_owned(),
                    p["key"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let late = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let mut late_keys = keys(&late.body);
    let v1 = res.body["paragraphs"]
        .as_array()
        .expect("paragraphs")
        .iter()
        .map(|p| {
            (
                p["text"].as_str().unwrap_or_default().to_owned(),
                p["key"].as_str().unwrap_or_default().to_owned(),
            )
        });
    let mut v1_keys: Vec<(String, String)> = v1.collect();
    late_keys.sort();
    v1_keys.sort();
    assert_eq!(late_keys, v1_keys, "each text keeps its key");

    // Over the API, imports of one consultation racing each other all land, one after
    // the other, each planned against the one before (five racers: each is planned at
    // most five times).
    let sends = (0..5).map(|n| {
        let body = json!({"label": format!("race-{n}"), "source": text(&[n % 3, (n + 1) % 3, (n + 2) % 3])});
        let (app, organizer) = (&app, &organizer);
        async move {
            app.post(&format!("/api/v1/consultations/{id}/versions"), Some(organizer), &body)
                .await
        }
    });
    for res in futures_util::future::join_all(sends).await {
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let res = app
        .get(&format!("/api/v1/consultations/{id}/versions"), None)
        .await;
    let positions: Vec<i64> = res.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|v| v["position"].as_i64())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6, 7, 8]);
    let detail = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let mut now_keys = keys(&detail.body);
    now_keys.sort();
    assert_eq!(
        now_keys, late_keys,
        "keys follow the texts through every version"
    );
    app.stop().await;
}

/// TIMED (issue #22). Another process holds SQLite's write lock. Meanwhile writers queue
/// for the writer without taking pooled connections (twice as many as the pool holds),
/// reads and pages answer at once, and the writers answer 503 (a form comes back with the
/// site's page) instead of waiting for ever; once the lock goes, writes work again.
async fn timed_writers_waiting_for_the_writer_leave_reads_alone() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Options::new().with("INDABA_RATE_LIMITS", "off"),
    )
    .await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let (email, token, _) = app.verified_user("Ana").await;
    let (id, slug) = consultation(&app, &organizer, "1. A first paragraph.\n").await;
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let page = web.get(&format!("/consultations/{slug}")).await;
    let csrf = page.hidden("csrf").expect("csrf");

    let indaba::config::DatabaseUrl::Sqlite(path) = &app.config.database else {
        panic!("SQLite");
    };
    let mut holder =
        diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("open the file");
    diesel::sql_query("PRAGMA busy_timeout = 10000")
        .execute(&mut holder)
        .expect("pragma");
    diesel::sql_query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .expect("hold the write lock");

    let post = |n: usize| {
        let (app, token) = (&app, &token);
        async move {
            app.post(
                &format!("/api/v1/consultations/{id}/comments"),
                Some(token),
                &json!({"body": format!("Remark {n}, while the database is held.")}),
            )
            .await
        }
    };
    let writers = futures_util::future::join_all((0..8).map(post));
    let form_path = format!("/consultations/{slug}/comments");
    let fields = [
        ("csrf", csrf.as_str()),
        ("kind", "comment"),
        ("body", "Typed while held."),
    ];
    let form = web.post(&form_path, &fields);
    let reads = async {
        // Let the writers queue first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut reads = Timings::default();
        for _ in 0..10 {
            let t = Instant::now();
            let page = web.get(&format!("/consultations/{slug}")).await;
            reads.record(t, page.status == StatusCode::OK, || {
                format!("page: {}", page.status)
            });
            let t = Instant::now();
            let res = app
                .get(&format!("/api/v1/consultations/{id}/comments"), None)
                .await;
            reads.record(t, res.status == StatusCode::OK, || {
                format!("api: {}", res.status)
            });
            let t = Instant::now();
            let res = app.get("/readyz", None).await;
            reads.record(t, res.status == StatusCode::OK, || {
                format!("readyz: {}", res.status)
            });
        }
        reads
    };
    let (written, form, reads) = tokio::join!(writers, form, reads);
    eprintln!("reads while the writer was held: {}", reads.summary());
    assert!(reads.failures.is_empty(), "{:?}", reads.failures);
    assert!(
        reads.max() < Duration::from_secs(1),
        "reads waited for the writer"
    );
    for res in &written {
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.text);
        assert_eq!(res.code(), "service_unavailable");
        assert!(res.header("retry-after").is_some());
    }
    assert_eq!(form.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        form.html
            .contains("The site is busy or cannot reach its database"),
        "{}",
        form.html
    );
    assert!(
        form.html.contains("Typed while held."),
        "the text typed is kept"
    );

    diesel::sql_query("ROLLBACK")
        .execute(&mut holder)
        .expect("release");
    assert_eq!(post(99).await.status, StatusCode::CREATED);
    app.stop().await;
}

/// The database refuses connections: pages answer 503 with the site's error page (in
/// the reader's language), the API 503 `service_unavailable`, `/readyz` 503; once it is
/// back, all answer again.
async fn pages_answer_503_when_the_database_is_out_of_reach(admin: String) {
    let app = spawn_app(Backend::Postgres(admin.clone())).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let (id, slug) = consultation(&app, &organizer, "1. A first paragraph.\n").await;
    let indaba::config::DatabaseUrl::Postgres(url) = &app.config.database else {
        panic!("PostgreSQL");
    };
    let name = url
        .split('?')
        .next()
        .and_then(|u| u.rsplit('/').next())
        .expect("database name")
        .to_owned();
    let mut pg = diesel::PgConnection::establish(&admin).expect("admin connection");
    let set = |pg: &mut diesel::PgConnection, allow: bool| {
        diesel::sql_query(format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allow}"
        ))
        .execute(pg)
        .expect("alter database");
        if !allow {
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(pg)
            .expect("terminate");
        }
    };
    set(&mut pg, false);

    let mut web = WebClient::new(&app.base);
    web.accept_language = Some("fr".into());
    let (page_path, api_path) = (
        format!("/consultations/{slug}"),
        format!("/api/v1/consultations/{id}"),
    );
    let (page, api, ready) = tokio::join!(
        web.get(&page_path),
        app.get(&api_path, None),
        app.get("/readyz", None),
    );
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.html
    );
    assert!(
        page.html.contains("Le site est momentanément indisponible"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("<html"),
        "the site's page: {}",
        page.html
    );
    assert!(page.header("retry-after").is_some());
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{}", api.text);
    assert_eq!(api.code(), "service_unavailable");
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.text
    );

    set(&mut pg, true);
    let page = web.get(&format!("/consultations/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    app.stop().await;
}
