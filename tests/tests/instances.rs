//! Two `indaba` processes on one PostgreSQL database: events posted through one reach
//! WebSocket listeners on the other, in order and complete (LISTEN/NOTIFY); and the same
//! behind nginx (Debian's package, with deploy/nginx.loopback.conf), with one instance
//! killed halfway: no accepted comment is lost, and listeners resume with `since`.

use std::time::Duration;

use awc::http::{Method, StatusCode};
use futures_util::StreamExt;
use indaba_tests::*;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

#[actix_web::test]
#[ignore = "needs PostgreSQL: INDABA_TEST_POSTGRES_URL (tests/run runs it when set)"]
async fn comments_posted_on_one_instance_reach_listeners_on_the_other() {
    let admin = Backend::postgres_admin_url();
    let db = PgDatabase::create(&admin);
    indaba_cli(&db.url, &["migrate"]);
    create_user(&db.url, "org@example.org", Some("organizer"));
    create_user(&db.url, "author@example.org", None);
    let env = [
        ("INDABA_DATABASE_URL", db.url.as_str()),
        ("INDABA_RATE_LIMITS", "off"),
    ];
    let a = Instance::start(&env).await;
    let b = Instance::start(&env).await;
    let (ca, cb) = (a.client(), b.client());

    let organizer = ca.login("org@example.org").await;
    let author = ca.login("author@example.org").await;
    let id = open_through(&ca, &organizer, "across").await;

    // A token issued by A is good on B: the instances share the secret.
    assert_eq!(
        cb.send(Method::GET, "/api/v1/me", Some(&author), None)
            .await
            .status,
        StatusCode::OK
    );
    let (mut on_b, _) = tokio_tungstenite::connect_async(format!(
        "ws://{}/api/v1/live/consultations/{id}?since=0",
        b.addr
    ))
    .await
    .unwrap();
    let (mut on_a, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/api/v1/live/consultations/{id}", a.addr))
            .await
            .unwrap();

    const N: i64 = 100;
    for i in 0..N {
        let res = ca
            .send(
                Method::POST,
                &format!("/api/v1/consultations/{id}/comments"),
                Some(&author),
                Some(&json!({"body": format!("Across {i}")})),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    assert_eq!(
        collect(&mut on_b, N + 1).await,
        (1..=N + 1).collect::<Vec<_>>(),
        "B saw every event once, in order"
    );
    assert_eq!(
        collect(&mut on_a, N + 1).await,
        (2..=N + 1).collect::<Vec<_>>(),
        "A, joined live after the version, too"
    );
    drop((a, b));
}

/// An account suspended through one instance is shut out of the other within seconds
/// (each reads the suspended accounts every 3 s), though its access token is a signature
/// both check without the database.
#[actix_web::test]
#[ignore = "needs PostgreSQL: INDABA_TEST_POSTGRES_URL (tests/run runs it when set)"]
async fn a_suspension_through_one_instance_shuts_out_the_other() {
    let admin = Backend::postgres_admin_url();
    let db = PgDatabase::create(&admin);
    indaba_cli(&db.url, &["migrate"]);
    create_user(&db.url, "admin@example.org", Some("admin"));
    create_user(&db.url, "member@example.org", None);
    let env = [
        ("INDABA_DATABASE_URL", db.url.as_str()),
        ("INDABA_RATE_LIMITS", "off"),
    ];
    let a = Instance::start(&env).await;
    let b = Instance::start(&env).await;
    let (ca, cb) = (a.client(), b.client());
    let admin_token = ca.login("admin@example.org").await;
    let member = cb.login("member@example.org").await;
    let me = cb
        .send(Method::GET, "/api/v1/me", Some(&member), None)
        .await;
    assert_eq!(me.status, StatusCode::OK);
    let id = me.body["user"]["id"].as_i64().unwrap();
    let res = ca
        .send(
            Method::POST,
            &format!("/api/v1/admin/users/{id}/suspend"),
            Some(&admin_token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // On A at once; on B within ten seconds (three are expected).
    let on_a = ca
        .send(Method::GET, "/api/v1/me", Some(&member), None)
        .await;
    assert_eq!(on_a.code(), "account_suspended");
    let mut refused = false;
    for _ in 0..50 {
        let on_b = cb
            .send(Method::GET, "/api/v1/me", Some(&member), None)
            .await;
        if on_b.status == StatusCode::FORBIDDEN {
            assert_eq!(on_b.code(), "account_suspended");
            refused = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        refused,
        "B still accepted the suspended account's token after 10 s"
    );
    drop((a, b));
}

/// Creates a verified account with the CLI, as an operator does before starting instances.
fn create_user(database_url: &str, email: &str, role: Option<&str>) {
    let mut args = vec![
        "user",
        "create",
        "--email",
        email,
        "--name",
        email,
        "--stakeholder-group",
        "academia",
        "--password",
        PASSWORD,
    ];
    if let Some(role) = role {
        args.extend(["--role", role]);
    }
    indaba_cli(database_url, &args);
}

/// Creates and opens a consultation on SMALL_DRAFT through `client`; returns its id.
async fn open_through(client: &Remote, organizer: &str, slug: &str) -> i64 {
    let res = client
        .send(
            Method::POST,
            "/api/v1/consultations",
            Some(organizer),
            Some(&json!({"slug": slug, "title": slug, "language": "en"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/consultations/{id}");
    let version = json!({"label": "v1", "source": SMALL_DRAFT});
    let res = client
        .send(
            Method::POST,
            &format!("{path}/versions"),
            Some(organizer),
            Some(&version),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let open = json!({"status": "open"});
    let res = client
        .send(Method::PATCH, &path, Some(organizer), Some(&open))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    id
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn collect(ws: &mut Ws, until: i64) -> Vec<i64> {
    let mut seqs = Vec::new();
    while seqs.last().copied().unwrap_or(0) < until {
        let msg = tokio::time::timeout(Duration::from_secs(15), ws.next())
            .await
            .expect("events in time")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = msg {
            seqs.extend(frame_events(&text).iter().filter_map(|e| e["seq"].as_i64()));
        }
    }
    seqs
}

/// nginx on loopback in front of `upstreams`, from deploy/nginx.loopback.conf with its
/// ports and paths moved into `dir` (the test that needs it runs only where nginx is).
fn start_nginx(
    dir: &TempDir,
    upstreams: [std::net::SocketAddr; 2],
) -> Option<(std::process::Child, u16)> {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("this test needs nginx (apt-get install nginx-light)");
    let port = free_port();
    let conf = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/nginx.loopback.conf"
    ))
    .unwrap()
    .replace("127.0.0.1:18080", &format!("127.0.0.1:{port}"))
    .replace("127.0.0.1:18081", &upstreams[0].to_string())
    .replace("127.0.0.1:18082", &upstreams[1].to_string())
    .replace("/tmp/indaba-nginx", &dir.0.join("nginx").to_string_lossy());
    let path = dir.0.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = std::process::Command::new(nginx)
        .arg("-c")
        .arg(&path)
        .arg("-p")
        .arg(&dir.0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("nginx starts");
    Some((child, port))
}

/// A listener that resumes through `resume_url` with `since` whenever its connection
/// drops, until it has seen `until` (read once posting is over). Returns every seq seen
/// and the comment ids of `comment.created` events.
async fn resilient_listener(
    first_url: String,
    resume_url: String,
    until: std::sync::Arc<std::sync::atomic::AtomicI64>,
) -> (Vec<i64>, Vec<i64>, usize) {
    use std::sync::atomic::Ordering;
    let (mut seqs, mut comments, mut reconnects) = (Vec::<i64>::new(), Vec::new(), 0);
    let mut url = first_url;
    loop {
        let since = seqs.last().copied().unwrap_or(0);
        let target = until.load(Ordering::SeqCst);
        if target > 0 && since >= target {
            return (seqs, comments, reconnects);
        }
        let Ok((mut ws, _)) =
            tokio_tungstenite::connect_async(format!("{url}?since={since}")).await
        else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            url = resume_url.clone();
            reconnects += 1;
            continue;
        };
        loop {
            let target = until.load(Ordering::SeqCst);
            if target > 0 && seqs.last().copied().unwrap_or(0) >= target {
                return (seqs, comments, reconnects);
            }
            match tokio::time::timeout(Duration::from_millis(500), ws.next()).await {
                Err(_) => continue,
                Ok(Some(Ok(Message::Text(text)))) => {
                    for e in frame_events(&text) {
                        let Some(seq) = e["seq"].as_i64() else {
                            continue;
                        };
                        seqs.push(seq);
                        if e["type"] == "comment.created" {
                            comments.push(e["data"]["id"].as_i64().unwrap());
                        }
                    }
                }
                Ok(Some(Ok(_))) => {}
                // Closed (1001 on shutdown, or the process died): resume through nginx.
                Ok(Some(Err(_)) | None) => {
                    url = resume_url.clone();
                    reconnects += 1;
                    break;
                }
            }
        }
    }
}

#[actix_web::test]
#[ignore = "needs PostgreSQL and nginx (tests/run runs it when both are there)"]
async fn behind_nginx_killing_an_instance_loses_nothing() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let admin = Backend::postgres_admin_url();
    let db = PgDatabase::create(&admin);
    indaba_cli(&db.url, &["migrate"]);
    create_user(&db.url, "org@example.org", Some("organizer"));
    create_user(&db.url, "author@example.org", None);
    let env = [
        ("INDABA_DATABASE_URL", db.url.as_str()),
        ("INDABA_RATE_LIMITS", "off"),
        ("INDABA_TRUST_PROXY", "on"),
    ];
    let a = Instance::start(&env).await;
    let mut b = Instance::start(&env).await;
    let dir = TempDir::new();
    let Some((mut nginx, port)) = start_nginx(&dir, [a.addr, b.addr]) else {
        return;
    };
    let front = Remote::new(&format!("http://127.0.0.1:{port}"));
    let mut up = false;
    for _ in 0..600 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            up = front.send(Method::GET, "/readyz", None, None).await.status == StatusCode::OK;
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "nginx did not come up");

    let organizer = front.login("org@example.org").await;
    let author = front.login("author@example.org").await;
    let id = open_through(&front, &organizer, "through-nginx").await;

    // Listeners directly on each instance and one through nginx; all resume through nginx.
    let live = format!("/api/v1/live/consultations/{id}");
    let through = format!("ws://127.0.0.1:{port}{live}");
    let until = std::sync::Arc::new(AtomicI64::new(0));
    let listeners: Vec<_> = [
        format!("ws://{}{live}", a.addr),
        format!("ws://{}{live}", b.addr),
        through.clone(),
    ]
    .into_iter()
    .map(|first| actix_web::rt::spawn(resilient_listener(first, through.clone(), until.clone())))
    .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Post through nginx; kill B halfway. A request that fails (B died under it) is
    // retried: only a 201 counts as accepted.
    const N: usize = 120;
    let mut accepted = Vec::new();
    let mut retried = 0;
    for i in 0..N {
        if i == N / 2 {
            b.kill();
        }
        loop {
            let res = front
                .send(
                    Method::POST,
                    &format!("/api/v1/consultations/{id}/comments"),
                    Some(&author),
                    Some(&json!({"body": format!("Comment {i} through nginx")})),
                )
                .await;
            if res.status == StatusCode::CREATED {
                accepted.push(res.body["id"].as_i64().unwrap());
                break;
            }
            assert!(res.status.is_server_error(), "{}: {}", res.status, res.text);
            retried += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // The truth: the event log as A serves it.
    let log = a
        .client()
        .send(Method::GET, &format!("{live}/events?since=0"), None, None)
        .await;
    let all: Vec<i64> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    let head = *all.last().unwrap();
    assert_eq!(all, (1..=head).collect::<Vec<_>>());
    until.store(head, Ordering::SeqCst);

    for (name, listener) in ["on A", "on B", "through nginx"].into_iter().zip(listeners) {
        let (seqs, comments, reconnects) = tokio::time::timeout(Duration::from_secs(30), listener)
            .await
            .unwrap_or_else(|_| panic!("listener {name} did not catch up"))
            .unwrap();
        assert_eq!(
            seqs,
            (1..=head).collect::<Vec<_>>(),
            "listener {name}: every event once, in order"
        );
        for c in &accepted {
            assert!(
                comments.contains(c),
                "listener {name} missed accepted comment {c}"
            );
        }
        if name == "on B" {
            assert!(reconnects >= 1, "the listener on B had to resume elsewhere");
        }
    }
    eprintln!(
        "{} comments accepted, {retried} requests retried after B was killed",
        accepted.len()
    );
    let _ = nginx.kill();
    let _ = nginx.wait();
}
