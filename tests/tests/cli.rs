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

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let mut env = env.clone();
    env.push(("INDABA_BIND", &bind));
    let mut child = indaba(&dir, &env)
        .args(["serve", "--demo"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = awc::Client::default();
    let base = format!("http://{bind}");
    let mut up = false;
    for _ in 0..100 {
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
    for request in in_flight {
        let (status, _) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK);
    }
    let mut exited = None;
    for _ in 0..100 {
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
