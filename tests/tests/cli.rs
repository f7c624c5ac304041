//! The `indaba` binary: help, configuration errors, migrate, user create/grant, serve
//! with demo data, and a graceful stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

use awc::http::StatusCode;
use indaba_tests::*;
use serde_json::json;

fn indaba(dir: &TempDir, extra: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(indaba_binary());
    cmd.current_dir(&dir.0)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("INDABA_DATA_DIR", dir.0.join("data"))
        .env("INDABA_LOG", "warn");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

fn backend_env(backend: &Backend) -> (Option<PgDatabase>, Vec<(String, String)>) {
    match backend {
        Backend::Sqlite => (None, vec![]),
        Backend::Postgres(admin) => {
            let db = PgDatabase::create(admin);
            let env = vec![("INDABA_DATABASE_URL".to_owned(), db.url.clone())];
            (Some(db), env)
        }
        Backend::Meilisearch(url) => (
            None,
            vec![
                ("INDABA_MEILISEARCH_URL".to_owned(), url.clone()),
                ("INDABA_MEILISEARCH_INDEX".to_owned(), unique("indaba_cli")),
            ],
        ),
    }
}

#[test]
fn help_lists_only_working_commands() {
    let dir = TempDir::new();
    let out = indaba(&dir, &[]).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "seed", "user"] {
        assert!(help.contains(cmd), "{help}");
    }
    let out = indaba(&dir, &[]).args(["user", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("create") && help.contains("grant"));
}

#[test]
fn the_demo_is_refused_on_a_public_address() {
    let dir = TempDir::new();
    let public = [("INDABA_PUBLIC_URL", "https://consult.example.org")];
    for args in [&["seed", "demo"][..], &["serve", "--demo"][..]] {
        let out = indaba(&dir, &public).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("not a loopback address") && err.contains("--i-know-this-is-public"),
            "{err}"
        );
    }
    // Nothing was written for them.
    assert!(!dir.0.join("data").join("indaba.db").exists());
    let out = indaba(&dir, &public)
        .args(["seed", "demo", "--i-know-this-is-public"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_signing_secret_others_can_read_stops_the_server() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new();
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let key = data.join("secret.key");
    std::fs::write(&key, "a-secret-of-more-than-thirty-two-characters").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let port = free_port().to_string();
    let bind = format!("127.0.0.1:{port}");
    let out = indaba(
        &dir,
        &[("INDABA_BIND", &bind), ("INDABA_METRICS_BIND", "off")],
    )
    .arg("serve")
    .output()
    .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("chmod 600"), "{err}");
}

#[test]
fn user_create_reads_the_password_from_standard_input() {
    use std::io::Write;
    let dir = TempDir::new();
    let create = |stdin: &str| {
        let mut child = indaba(&dir, &[])
            .args([
                "user",
                "create",
                "--email",
                "root@example.org",
                "--name",
                "Root",
                "--stakeholder-group",
                "academia",
                "--role",
                "admin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = create("");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input"));
    let out = create("Quartz lantern harbour 9 meridian\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = indaba::db::Db::connect(
        &indaba::config::DatabaseUrl::Sqlite(dir.0.join("data").join("indaba.db")),
        1,
    )
    .unwrap();
    let mut conn = db.get().unwrap();
    let user = indaba::accounts::store::find_by_email(&mut conn, "root@example.org")
        .unwrap()
        .unwrap();
    assert!(indaba::accounts::password::verify(
        "Quartz lantern harbour 9 meridian",
        user.password_hash.as_deref()
    ));
}

#[test]
fn invalid_configuration_stops_with_one_line() {
    let dir = TempDir::new();
    for (k, v) in [
        ("INDABA_BIND", "not-an-address"),
        ("INDABA_RATE_LIMITS", "sometimes"),
        ("INDABA_DATABASE_URL", "mysql://x"),
    ] {
        let out = indaba(&dir, &[(k, v)]).arg("migrate").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(&k["INDABA_".len()..]), "{err}");
    }
    std::fs::write(dir.0.join("indaba.toml"), "bind = 5\n").unwrap();
    let out = indaba(&dir, &[]).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A sender that passes the configuration's first look but that the mailer refuses stops
/// `serve` at start with the reason, not a panic (the mail worker is made on a thread of
/// its own, and its runtime must not be dropped inside the server's).
#[test]
fn a_mail_sender_refused_at_start_stops_serve_with_its_reason() {
    let dir = TempDir::new();
    let out = indaba(
        &dir,
        &[
            ("INDABA_MAIL_FROM", "Indaba <no-reply@example.org"),
            ("INDABA_BIND", "127.0.0.1:0"),
        ],
    )
    .arg("serve")
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("INDABA_MAIL_FROM"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

both_backends!(
    user_create_and_grant_then_serve_with_demo,
    seed_demo_into_an_empty_database
);

async fn user_create_and_grant_then_serve_with_demo(backend: Backend) {
    let dir = TempDir::new();
    let (_pg, env) = backend_env(&backend);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = indaba(&dir, &env).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = indaba(&dir, &env)
        .args([
            "user",
            "create",
            "--email",
            "Root@Example.org",
            "--name",
            "Root",
            "--stakeholder-group",
            "government",
        ])
        .args(["--password", PASSWORD, "--role", "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = indaba(&dir, &env)
        .args([
            "user",
            "create",
            "--email",
            "bad",
            "--name",
            "X",
            "--stakeholder-group",
            "government",
            "--password",
            PASSWORD,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = indaba(&dir, &env)
        .args([
            "user",
            "grant",
            "--email",
            "root@example.org",
            "--role",
            "moderator",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = indaba(&dir, &env)
        .args([
            "user",
            "grant",
            "--email",
            "nobody@example.org",
            "--role",
            "moderator",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut env = env.clone();
    env.push(("INDABA_BIND", &bind));
    // Not the default metrics port: the other backend's run of this test may hold it.
    env.push(("INDABA_METRICS_BIND", "off"));
    let mut child = indaba(&dir, &env)
        .args(["serve", "--demo"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = awc::Client::default();
    let base = format!("http://{bind}");
    let mut up = false;
    for _ in 0..600 {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await {
            up = res.status() == StatusCode::OK;
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "server did not become ready");
    let login = |email: &'static str, password: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let mut res = client
                .post(format!("{base}/api/v1/auth/login"))
                .send_json(&json!({"email": email, "password": password}))
                .await
                .unwrap();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            (res.status(), body)
        }
    };
    let (status, body) = login("root@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["user"]["roles"],
        json!(["participant", "moderator", "admin"])
    );
    assert_eq!(body["user"]["email_verified"], true);
    // The database was not empty, so no demo data was added.
    let (status, _) = login("admin@demo.indaba.example", "indaba-demo-2026").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // SIGTERM: requests in flight finish, then the process exits cleanly.
    let in_flight: Vec<_> = (0..4)
        .map(|_| actix_web::rt::spawn(login("root@example.org", PASSWORD)))
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Each is answered, none dropped. Four sign-ins of one account at once may meet the
    // password throttle on a loaded machine (429 once in CI, cause not yet found): that
    // is an answer too; what this checks is that shutdown lets them finish.
    for request in in_flight {
        let (status, body) = request.await.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}: {body}"
        );
    }
    let mut exited = None;
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = exited.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("server did not stop after SIGTERM")
    });
    assert!(status.success(), "{status}");
}

async fn seed_demo_into_an_empty_database(backend: Backend) {
    let dir = TempDir::new();
    let (_pg, env) = backend_env(&backend);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = indaba(&dir, &env).args(["seed", "demo"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(report.contains("36 account(s) created"), "{report}");
    assert!(report.contains("2 consultation(s) with"), "{report}");
    assert!(report.contains("250 scheduled session(s)"), "{report}");
    let out = indaba(&dir, &env).args(["seed", "demo"]).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        report.contains("0 account(s) created") && report.contains("0 consultation(s)"),
        "{report}"
    );
}

/// `indaba backup` while the server keeps taking comments: the snapshot is consistent
/// (each comment with the outbox rows of its transaction), and a server started on the
/// backup serves every row; PostgreSQL, existing files and unwritable paths are refused.
#[actix_web::test]
async fn backup_while_serving_and_restore() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Options::new().with("INDABA_RATE_LIMITS", "off"),
    )
    .await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let consultation = open_consultation(&app, &organizer).await;
    let (_, alice) = app.member("Alice", &[], "academia", "KE", None).await;
    let path = format!("/api/v1/consultations/{consultation}/comments");
    let writer = {
        let (app_base, token, path) = (app.base.clone(), alice.clone(), path.clone());
        actix_web::rt::spawn(async move {
            let client = awc::Client::default();
            for i in 0..150 {
                let res = client
                    .post(format!("{app_base}{path}"))
                    .bearer_auth(&token)
                    .send_json(&json!({"body": format!("Comment number {i} on connectivity.")}))
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::CREATED);
            }
        })
    };
    let dir = TempDir::new();
    let during = dir.0.join("during.db");
    let data_dir = app.data_dir.to_string_lossy().into_owned();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let backup = |target: &std::path::Path| {
        Command::new(indaba_binary())
            .env_clear()
            .env("INDABA_DATA_DIR", &data_dir)
            .env("INDABA_LOG", "warn")
            .arg("backup")
            .arg(target)
            .output()
            .unwrap()
    };
    let out = backup(&during);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&during).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup holds every account: {mode:o}");
    }
    writer.await.unwrap();

    let count = |db: &indaba::db::Db, sql: &str| {
        let (db, sql) = (db.clone(), sql.to_owned());
        async move {
            db.run(move |conn| {
                use diesel::prelude::*;
                #[derive(QueryableByName)]
                struct N {
                    #[diesel(sql_type = diesel::sql_types::BigInt)]
                    n: i64,
                }
                Ok(diesel::sql_query(&sql).get_result::<N>(conn)?.n)
            })
            .await
            .unwrap()
        }
    };
    let open = |file: &std::path::Path| {
        indaba::db::Db::connect(&indaba::config::DatabaseUrl::Sqlite(file.to_owned()), 1).unwrap()
    };
    let snapshot = open(&during);
    let comments = count(&snapshot, "SELECT count(*) AS n FROM comments").await;
    let jobs = count(
        &snapshot,
        "SELECT count(*) AS n FROM search_jobs WHERE entity = 'comment'",
    )
    .await;
    let events = count(
        &snapshot,
        "SELECT count(*) AS n FROM live_events WHERE kind = 'comment.created'",
    )
    .await;
    assert_eq!(
        (jobs, events),
        (comments, comments),
        "a comment without its outbox rows"
    );

    // After the writes: a backup holds every row of every table.
    let after = dir.0.join("after.db");
    let out = backup(&after);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (live, copy) = (app.db(), open(&after));
    for table in [
        "users",
        "consultations",
        "paragraphs",
        "comments",
        "live_events",
        "search_jobs",
        "mail_outbox",
    ] {
        let sql = format!("SELECT count(*) AS n FROM {table}");
        assert_eq!(
            count(&live, &sql).await,
            count(&copy, &sql).await,
            "{table}"
        );
    }
    assert_eq!(
        count(&copy, "SELECT count(*) AS n FROM comments").await,
        150
    );

    // Restore: a server on the backup serves the comments (and rebuilds its search index).
    let restored = Instance::start(&[("INDABA_DATABASE_URL", after.to_str().unwrap())]).await;
    let res = restored
        .client()
        .send(
            awc::http::Method::GET,
            &format!("{path}?limit=200"),
            None,
            None,
        )
        .await;
    assert_eq!(
        res.body["items"].as_array().unwrap().len(),
        150,
        "{}",
        res.text
    );
    let res = restored
        .client()
        .send(
            awc::http::Method::GET,
            "/api/v1/search?q=connectivity&limit=1",
            None,
            None,
        )
        .await;
    assert_eq!(res.body["total"], 150, "{}", res.text);

    // Refusals: an existing file, a directory that does not exist, PostgreSQL.
    let out = backup(&after);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwrites"));
    let out = backup(&dir.0.join("missing/dir/x.db"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the backup"));
    let out = Command::new(indaba_binary())
        .env_clear()
        .env("INDABA_DATA_DIR", &data_dir)
        .env("INDABA_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .args(["backup", "/tmp/x.db"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}

/// `indaba transfer` moves the demo data from SQLite to PostgreSQL, verified table by
/// table; a server on the target serves the same consultation and finds the same inputs;
/// a second transfer into the filled target is refused unless forced.
#[actix_web::test]
#[ignore = "needs PostgreSQL: INDABA_TEST_POSTGRES_URL (tests/run runs it when set)"]
async fn transfer_moves_the_demo_to_postgres() {
    let admin = Backend::postgres_admin_url();
    let dir = TempDir::new();
    let out = indaba(&dir, &[]).args(["seed", "demo"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let source = format!("sqlite:{}", dir.0.join("data/indaba.db").display());
    let target = PgDatabase::create(&admin);
    let run = |force: bool| {
        let mut cmd = indaba(
            &dir,
            &[("INDABA_DATA_DIR", dir.0.join("target").to_str().unwrap())],
        );
        cmd.args(["transfer", "--from", &source, "--to", &target.url]);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}{report}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows_of = |table: &str| -> i64 {
        report
            .lines()
            .find(|l| l.split_whitespace().next() == Some(table))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {table} in {report}"))
    };
    assert_eq!(rows_of("users"), 36);
    assert_eq!(rows_of("sessions"), 270);
    assert_eq!(rows_of("bodies"), 7);
    assert!(rows_of("igf_messages") > 0);
    assert!(rows_of("comments") > 300);
    assert!(report.contains("search index built"), "{report}");

    // A server on each side answers the same.
    let on_sqlite = Instance::start(&[("INDABA_DATABASE_URL", &source)]).await;
    let on_pg = Instance::start(&[("INDABA_DATABASE_URL", &target.url)]).await;
    for path in [
        "/api/v1/consultations/declaration-digital-cooperation",
        "/api/v1/consultations/declaration-digital-cooperation/comments?limit=200",
        "/api/v1/events/igf-2026-demo/agenda?day=2026-06-23",
    ] {
        let a = on_sqlite
            .client()
            .send(awc::http::Method::GET, path, None, None)
            .await;
        let b = on_pg
            .client()
            .send(awc::http::Method::GET, path, None, None)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert_eq!(a.body, b.body, "{path}");
    }
    let search = "/api/v1/search?q=connectivity&limit=5";
    let a = on_sqlite
        .client()
        .send(awc::http::Method::GET, search, None, None)
        .await;
    let b = on_pg
        .client()
        .send(awc::http::Method::GET, search, None, None)
        .await;
    assert!(a.body["total"].as_u64().unwrap() > 0);
    assert_eq!(a.body["total"], b.body["total"]);
    // New rows on the target get fresh ids (sequences continue after the copied ones).
    let client = on_pg.client();
    let res = client
        .send(
            awc::http::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": "wanjiru@demo.indaba.example", "password": "indaba-demo-2026"})),
        )
        .await;
    let token = token_of(&res, "access_token");
    let res = client
        .send(
            awc::http::Method::POST,
            "/api/v1/consultations/declaration-digital-cooperation/comments",
            Some(&token),
            Some(&json!({"body": "After the move."})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    drop((on_sqlite, on_pg));

    // Into a target that holds data: refused, nothing changed; forced: replaced.
    let out = run(false);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Bad input: a source that does not exist, a target that is not PostgreSQL.
    let out = indaba(&dir, &[])
        .args([
            "transfer",
            "--from",
            "sqlite:/nonexistent/x.db",
            "--to",
            &target.url,
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no SQLite database"));
    let out = indaba(&dir, &[])
        .args([
            "transfer",
            "--from",
            &source,
            "--to",
            "sqlite:/tmp/other.db",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("into PostgreSQL"));
}
