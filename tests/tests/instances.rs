//! Two `indaba` processes on one PostgreSQL database: events posted through one reach
//! WebSocket listeners on the other, in order and complete (LISTEN/NOTIFY).

use std::time::Duration;

use awc::http::{Method, StatusCode};
use futures_util::StreamExt;
use indaba_tests::*;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

#[actix_web::test]
async fn comments_posted_on_one_instance_reach_listeners_on_the_other() {
    let Some(Backend::Postgres(admin)) = Backend::postgres() else {
        return;
    };
    let db = PgDatabase::create(&admin);
    indaba_cli(&db.url, &["migrate"]);
    indaba_cli(
        &db.url,
        &[
            "user",
            "create",
            "--email",
            "org@example.org",
            "--name",
            "Org",
            "--stakeholder-group",
            "government",
            "--password",
            PASSWORD,
            "--role",
            "organizer",
        ],
    );
    indaba_cli(
        &db.url,
        &[
            "user",
            "create",
            "--email",
            "author@example.org",
            "--name",
            "Author",
            "--stakeholder-group",
            "academia",
            "--password",
            PASSWORD,
        ],
    );
    let env = [
        ("INDABA_DATABASE_URL", db.url.as_str()),
        ("INDABA_RATE_LIMITS", "off"),
    ];
    let a = Instance::start(&env).await;
    let b = Instance::start(&env).await;
    let (ca, cb) = (a.client(), b.client());

    let organizer = ca.login("org@example.org").await;
    let author = ca.login("author@example.org").await;
    let res = ca
        .send(
            Method::POST,
            "/api/v1/consultations",
            Some(&organizer),
            Some(&json!({"slug": "across", "title": "Across", "language": "en"})),
        )
        .await;
    let id = res.body["id"].as_i64().unwrap();
    ca.send(
        Method::POST,
        &format!("/api/v1/consultations/{id}/versions"),
        Some(&organizer),
        Some(&json!({"label": "v1", "source": SMALL_DRAFT})),
    )
    .await;
    let res = ca
        .send(
            Method::PATCH,
            &format!("/api/v1/consultations/{id}"),
            Some(&organizer),
            Some(&json!({"status": "open"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);

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
