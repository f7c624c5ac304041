//! Live streams with real WebSocket clients (tokio-tungstenite) and long-polling.

use std::time::Duration;

use awc::http::StatusCode;
use futures_util::{SinkExt, StreamExt};
use indaba_tests::*;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

both_backends!(
    websocket_resumes_without_loss_or_duplicates,
    long_polling_resumes_without_loss,
    listeners_see_what_they_may_see,
    bad_requests_are_refused_before_the_upgrade,
    silent_clients_are_dropped_and_floods_stopped,
    slow_clients_are_told_to_resume,
    clients_behind_get_everything_in_order,
    stuck_clients_are_let_go,
    presence_and_shutdown,
    erased_people_leave_every_stream,
    ended_sessions_close_their_sockets,
    writes_committed_together_keep_streams_whole,
    a_write_that_fails_undoes_only_itself_in_its_group,
    follows_given_up_before_they_are_written_are_not_written,
);

fn ws_url(app: &TestApp, path: &str) -> String {
    format!("ws://{}{path}", app.addr)
}

async fn connect(app: &TestApp, path: &str) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(ws_url(app, path))
        .await
        .expect("websocket connects");
    ws
}

/// Posts `n` comments one after another as `token`.
fn post_comments(
    app: &TestApp,
    token: &str,
    consultation: i64,
    n: usize,
) -> actix_web::rt::task::JoinHandle<()> {
    post_sized(app, token, consultation, n, 0)
}

/// Posts `n` comments padded to about `size` characters.
fn post_sized(
    app: &TestApp,
    token: &str,
    consultation: i64,
    n: usize,
    size: usize,
) -> actix_web::rt::task::JoinHandle<()> {
    let client = app.client.clone();
    let url = app.url(&format!("/api/v1/consultations/{consultation}/comments"));
    let token = token.to_owned();
    actix_web::rt::spawn(async move {
        for i in 0..n {
            let res = client
                .post(&url)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .send_json(&json!({"body": format!("Comment number {i}.{}", " padding".repeat(size / 8)), "language": "en"}))
                .await
                .expect("post");
            assert_eq!(res.status(), StatusCode::CREATED);
        }
    })
}

/// A small deterministic generator for "random" moments.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

async fn websocket_resumes_without_loss_or_duplicates(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (author, id) = consultation_with_author(&app).await;
    const N: i64 = 1000;
    let poster = post_comments(&app, &author, id, N as usize);

    let mut seen: Vec<i64> = Vec::new();
    let mut rng = Lcg(42);
    let mut reconnects = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while seen.last().copied().unwrap_or(0) < N + 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stalled at {:?}",
            seen.last()
        );
        let since = seen.last().copied().unwrap_or(0);
        let mut ws = connect(
            &app,
            &format!("/api/v1/live/consultations/{id}?since={since}"),
        )
        .await;
        // Drop the connection after a random number of events.
        let budget = 1 + rng.below(60) as usize;
        let before = seen.len();
        while seen.len() - before < budget {
            let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(20), ws.next()).await
            else {
                break;
            };
            if let Message::Text(text) = msg {
                for event in frame_events(&text) {
                    if let Some(seq) = event["seq"].as_i64() {
                        seen.push(seq);
                    }
                }
            }
            if seen.last().copied().unwrap_or(0) > N {
                break;
            }
        }
        if rng.below(2) == 0 {
            let _ = ws.close(None).await;
        } // else: dropped without a close frame, as a lost network would
        reconnects += 1;
    }
    poster.await.unwrap();
    let expected: Vec<i64> = (1..=N + 1).collect();
    assert_eq!(
        seen, expected,
        "every event once, in order, across {reconnects} reconnections"
    );
    assert!(reconnects > 10);
}

/// Many people post at once, some of them wrongly: the server commits their writes in
/// groups (one transaction for many requests, several groups side by side on
/// PostgreSQL). Each accepted comment is one event, numbered without gap or repeat in
/// the order of commits; a refused one leaves no event.
async fn writes_committed_together_keep_streams_whole(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let mut authors = Vec::new();
    for i in 0..8 {
        authors.push(app.user_with_roles(&format!("Author {i}"), &[]).await.1);
    }
    let url = app.url(&format!("/api/v1/consultations/{id}/comments"));
    let posters = authors.into_iter().enumerate().map(|(a, token)| {
        let (client, url) = (app.client.clone(), url.clone());
        async move {
            let mut accepted = Vec::new();
            for i in 0..30 {
                // Every fifth is on a paragraph that does not exist: refused inside its
                // group, which commits the others.
                let mut body =
                    json!({"body": format!("Author {a}, comment {i}."), "language": "en"});
                if i % 5 == 4 {
                    body["paragraph_key"] = json!("no-such-paragraph");
                }
                let mut res = client
                    .post(&url)
                    .insert_header(("Authorization", format!("Bearer {token}")))
                    .send_json(&body)
                    .await
                    .expect("post");
                let answer: Value = res.json().await.expect("a JSON answer");
                if i % 5 == 4 {
                    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
                } else {
                    assert_eq!(res.status(), StatusCode::CREATED, "{answer}");
                    accepted.push(answer["id"].as_i64().expect("an id"));
                }
            }
            accepted
        }
    });
    let mut accepted: Vec<i64> = futures_util::future::join_all(posters)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(accepted.len(), 8 * 24);
    let last = accepted.len() as i64 + 1;
    let mut ws = connect(&app, &format!("/api/v1/live/consultations/{id}?since=0")).await;
    let events = read_events(&mut ws, last).await;
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=last).collect::<Vec<_>>(),
        "every event once, in order"
    );
    let after = app
        .get(
            &format!("/api/v1/live/consultations/{id}/events?since={last}&wait=1"),
            None,
        )
        .await;
    assert_eq!(after.body["items"], json!([]), "no event beyond the last");
    let mut announced: Vec<i64> = events
        .iter()
        .filter(|e| e["type"] == "comment.created")
        .map(|e| e["data"]["id"].as_i64().unwrap())
        .collect();
    announced.sort();
    accepted.sort();
    assert_eq!(
        announced, accepted,
        "each accepted comment announced once, no other"
    );
}

async fn long_polling_resumes_without_loss(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (author, id) = consultation_with_author(&app).await;
    const N: i64 = 200;
    let poster = post_comments(&app, &author, id, N as usize);
    let mut seen = Vec::new();
    let mut since = 0;
    while since < N + 1 {
        let res = app
            .get(
                &format!("/api/v1/live/consultations/{id}/events?since={since}&wait=10"),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let items = res.body["items"].as_array().unwrap();
        assert!(
            !items.is_empty(),
            "a wait of 10 s with comments arriving returns something"
        );
        for e in items {
            seen.push(e["seq"].as_i64().unwrap());
        }
        since = res.body["next_since"].as_i64().unwrap();
    }
    poster.await.unwrap();
    assert_eq!(seen, (1..=N + 1).collect::<Vec<_>>());
    // Nothing new: an empty answer when the wait runs out.
    let res = app
        .get(
            &format!("/api/v1/live/consultations/{id}/events?since={since}&wait=1"),
            None,
        )
        .await;
    assert_eq!(
        (
            res.body["items"].as_array().unwrap().len(),
            res.body["next_since"].as_i64()
        ),
        (0, Some(since))
    );
}

/// Reads the raw bytes the server sends until it closes, and returns the close frame's
/// code and reason. Raw, because a WebSocket client library would answer the server's
/// pings and close frame on a socket the server has already shut.
async fn close_frame(mut ws: Ws) -> (u16, String) {
    use tokio::io::AsyncReadExt;
    let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = ws.get_mut() else {
        panic!("plain TCP expected")
    };
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), tcp.read_to_end(&mut bytes))
        .await
        .expect("the server closes in time");
    let mut at = 0;
    while at + 2 <= bytes.len() {
        let opcode = bytes[at] & 0x0f;
        let mut len = (bytes[at + 1] & 0x7f) as usize;
        at += 2;
        if len == 126 {
            len = u16::from_be_bytes([bytes[at], bytes[at + 1]]) as usize;
            at += 2;
        } else if len == 127 {
            len = u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
            at += 8;
        }
        let payload = &bytes[at..(at + len).min(bytes.len())];
        if opcode == 0x8 {
            let code = u16::from_be_bytes([payload[0], payload[1]]);
            return (code, String::from_utf8_lossy(&payload[2..]).into_owned());
        }
        at += len;
    }
    panic!("no close frame in {} bytes", bytes.len())
}

async fn read_events(ws: &mut Ws, until_seq: i64) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an event in time")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = msg {
            for e in frame_events(&text) {
                if e["seq"].is_null() {
                    continue;
                }
                let seq = e["seq"].as_i64().unwrap();
                out.push(e);
                if seq >= until_seq {
                    return out;
                }
            }
        }
    }
}

async fn listeners_see_what_they_may_see(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let (_, moderator) = app.user_with_roles("Mod", &["moderator"]).await;
    let (_, alice) = app.user_with_roles("Alice", &[]).await;
    let (_, bob) = app.user_with_roles("Bob", &[]).await;
    let id = open_consultation(&app, &organizer).await;

    let mut public = connect(&app, &format!("/api/v1/live/consultations/{id}")).await;
    let mut private = connect(
        &app,
        &format!("/api/v1/live/consultations/{id}?access_token={moderator}"),
    )
    .await;
    let c = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&alice),
            &json!({"body": "A rude remark."}),
        )
        .await;
    let comment = c.body["id"].as_i64().unwrap();
    // Seen live while it was visible: the comment as the API gives it, less its nulls
    // and the author's edit deadline (every listener receives these bytes).
    let created = read_events(&mut public, 2).await.remove(0);
    assert_eq!(created["type"], "comment.created");
    let data = created["data"].as_object().unwrap();
    assert_eq!(data["id"], c.body["id"]);
    assert_eq!(data["body"], "A rude remark.");
    assert_eq!(
        data["author"]["display_name"],
        c.body["author"]["display_name"]
    );
    assert!(c.body["parent_id"].is_null() && c.body["editable_until"].is_string());
    assert!(!data.contains_key("parent_id") && !data.contains_key("editable_until"));
    assert!(data.values().all(|v| !v.is_null()), "{data:?}");
    assert_eq!(
        read_events(&mut private, 2).await[0]["type"],
        "comment.created"
    );
    app.post(
        &format!("/api/v1/comments/{comment}/flags"),
        Some(&bob),
        &json!({"reason": "rude"}),
    )
    .await;
    app.post(
        &format!("/api/v1/comments/{comment}/moderation"),
        Some(&moderator),
        &json!({"action": "hide", "reason": "Rule 2"}),
    )
    .await;

    // 3 flagged (moderators only), 4 hidden.
    let p: Vec<String> = read_events(&mut public, 4)
        .await
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(p, ["comment.hidden"]);
    let m: Vec<String> = read_events(&mut private, 4)
        .await
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(m, ["comment.flagged", "comment.hidden"]);

    // A late listener replaying from the start never receives the hidden text.
    let mut late = connect(&app, &format!("/api/v1/live/consultations/{id}?since=0")).await;
    let events = read_events(&mut late, 4).await;
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("A rude remark"), "{text}");
    assert_eq!(
        events
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 4]
    );
    assert_eq!(events[1]["type"], "comment.hidden");
    // The moderator replaying sees it.
    let mut m2 = connect(
        &app,
        &format!("/api/v1/live/consultations/{id}?since=0&access_token={moderator}"),
    )
    .await;
    assert!(serde_json::to_string(&read_events(&mut m2, 4).await)
        .unwrap()
        .contains("A rude remark"));
    // Long-polling applies the same rule.
    let res = app
        .get(
            &format!("/api/v1/live/consultations/{id}/events?since=0"),
            None,
        )
        .await;
    assert!(!res.text.contains("A rude remark") && res.body["next_since"] == 4);
    let res = app
        .get(
            &format!("/api/v1/live/consultations/{id}/events?since=0&access_token={moderator}"),
            None,
        )
        .await;
    assert!(res.text.contains("A rude remark"));
}

async fn bad_requests_are_refused_before_the_upgrade(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let attempt = |path: String| {
        let url = ws_url(&app, &path);
        async move {
            match tokio_tungstenite::connect_async(url).await {
                Ok(_) => panic!("{path} upgraded"),
                Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
                    let body: Value =
                        serde_json::from_slice(res.body().as_deref().unwrap_or_default())
                            .unwrap_or_default();
                    (
                        res.status().as_u16(),
                        body["error"]["code"].as_str().unwrap_or("").to_owned(),
                    )
                }
                Err(e) => panic!("{path}: {e}"),
            }
        }
    };
    assert_eq!(
        attempt("/api/v1/live/consultations/999999".into()).await,
        (404, "not_found".into())
    );
    assert_eq!(
        attempt(format!(
            "/api/v1/live/consultations/{id}?access_token=forged"
        ))
        .await,
        (401, "invalid_access_token".into())
    );
    assert_eq!(
        attempt(format!("/api/v1/live/consultations/{id}?since=99")).await,
        (422, "invalid_query".into())
    );
    assert_eq!(
        attempt(format!("/api/v1/live/consultations/{id}?since=abc")).await,
        (422, "invalid_query".into())
    );
    assert_eq!(
        attempt(format!("/api/v1/live/consultations/{id}?since=-1")).await,
        (422, "invalid_query".into())
    );
    let res = app
        .get(
            &format!("/api/v1/live/consultations/{id}/events?wait=3600"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A plain GET without the upgrade is a clear 400, not a crash.
    let res = app
        .get(&format!("/api/v1/live/consultations/{id}"), None)
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // An upgrade asked of an ordinary endpoint gets that endpoint's answer, and the
    // connection ends with it.
    let url = ws_url(&app, &format!("/api/v1/consultations/{id}"));
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status().as_u16(), 200);
            assert_eq!(res.headers()["connection"], "close");
            assert_eq!(res.headers()["content-type"], "application/json");
        }
        Ok(_) => panic!("an ordinary endpoint upgraded"),
        Err(e) => panic!("an ordinary endpoint: {e}"),
    }
}

async fn silent_clients_are_dropped_and_floods_stopped(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options::new()
            .with("INDABA_LIVE_PING_SECONDS", "1")
            .with("INDABA_LIVE_TIMEOUT_SECONDS", "2"),
    )
    .await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    // A client that reads nothing answers no pings.
    let silent = connect(&app, &format!("/api/v1/live/consultations/{id}")).await;
    let (code, reason) = close_frame(silent).await;
    assert_eq!(code, 1008);
    assert!(reason.contains("ping"), "{reason}");

    // Nonsense frames are ignored; a flood of them is stopped.
    let mut noisy = connect(&app, &format!("/api/v1/live/consultations/{id}")).await;
    noisy.send(Message::Text("{not json".into())).await.unwrap();
    noisy
        .send(Message::Binary(vec![0, 1, 2].into()))
        .await
        .unwrap();
    // The server allows 100 frames per 10 s; the 101st closes the connection.
    for _ in 0..99 {
        noisy.send(Message::Text("hello".into())).await.unwrap();
    }
    let (code, reason) = close_frame(noisy).await;
    assert_eq!(code, 1008);
    assert!(reason.contains("too many"), "{reason}");
    // A frame over the limit is closed with 1009 (message too big).
    let mut big = connect(&app, &format!("/api/v1/live/consultations/{id}")).await;
    big.send(Message::Text("x".repeat(70 * 1024).into()))
        .await
        .unwrap();
    let (code, reason) = close_frame(big).await;
    assert_eq!(code, 1009, "{reason}");
    // The server is fine.
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

/// A WebSocket client whose socket receives into 2 KiB: the server's writes fill it fast.
async fn connect_tiny_window(
    app: &TestApp,
    path: &str,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let stream = socket.connect(app.addr).await.unwrap();
    tokio_tungstenite::client_async(ws_url(app, path), stream)
        .await
        .unwrap()
        .0
}

/// A tiny-window client listening from seq 1 on a new consultation, which does not read
/// while `n` inputs of 9,000 bytes are posted to it; and the consultation's id.
async fn behind_by(
    app: &TestApp,
    n: i64,
) -> (
    tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    i64,
) {
    let (author, id) = consultation_with_author(app).await;
    let ws = connect_tiny_window(app, &format!("/api/v1/live/consultations/{id}?since=1")).await;
    post_sized(app, &author, id, n as usize, 9000)
        .await
        .unwrap();
    (ws, id)
}

/// Reads a tiny-window client's frames, adding each event's seq to `seen`, until it has
/// seen `until` (then `None`) or the server closes (then its close frame).
async fn read_seqs(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    seen: &mut Vec<i64>,
    until: Option<i64>,
) -> Option<tokio_tungstenite::tungstenite::protocol::CloseFrame> {
    while until.is_none() || seen.last() != until.as_ref() {
        match tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("frames in time")
        {
            Some(Ok(Message::Text(text))) => {
                seen.extend(frame_events(&text).iter().filter_map(|e| e["seq"].as_i64()))
            }
            Some(Ok(Message::Close(frame))) => return Some(frame.expect("a code")),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected frames, got {other:?}"),
        }
    }
    None
}

async fn slow_clients_are_told_to_resume(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options::new()
            .with("INDABA_RATE_LIMITS", "off")
            .with("INDABA_LIVE_BUFFER", "2")
            .with("INDABA_LIVE_COALESCE_MS", "0")
            .with("INDABA_LIVE_TIMEOUT_SECONDS", "30"),
    )
    .await;
    // Large inputs fill the socket buffers quickly: about 3.6 MB in all.
    const N: i64 = 400;
    let (mut slow, id) = behind_by(&app, N).await;

    let mut seen = Vec::new();
    let close = read_seqs(&mut slow, &mut seen, None)
        .await
        .expect("frames then a close");
    assert_eq!(close.code, CloseCode::Again, "{}", close.reason);
    let since: i64 = close
        .reason
        .rsplit("since=")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // What it last had: the `since` it asked for when the close came before any frame
    // (the events came faster than its first write could go).
    assert_eq!(since, seen.last().copied().unwrap_or(1));
    // It comes back with since and misses nothing.
    let mut back = connect(
        &app,
        &format!("/api/v1/live/consultations/{id}?since={since}"),
    )
    .await;
    let rest = read_events(&mut back, N + 1).await;
    seen.extend(rest.iter().map(|e| e["seq"].as_i64().unwrap()));
    assert_eq!(seen, (2..=N + 1).collect::<Vec<_>>());
}

/// A listener that is behind by more than it takes at once (16 KiB wait for its socket,
/// the rest stays in the ring) gets every event, whole and in order, once it reads.
async fn clients_behind_get_everything_in_order(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options::new()
            .with("INDABA_RATE_LIMITS", "off")
            .with("INDABA_LIVE_COALESCE_MS", "0"),
    )
    .await;
    // About 540 KB of events, far more than the socket buffers hold, while the client
    // does not read; well inside the ring of 256 frames.
    const N: i64 = 60;
    let (mut behind, _) = behind_by(&app, N).await;
    let mut seen = Vec::new();
    let close = read_seqs(&mut behind, &mut seen, Some(N + 1)).await;
    assert!(close.is_none(), "closed before every event: {close:?}");
    assert_eq!(seen, (2..=N + 1).collect::<Vec<_>>());
}

/// An open consultation (opened by an organiser) and a member who can comment on it.
async fn consultation_with_author(app: &TestApp) -> (String, i64) {
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let (_, author) = app.user_with_roles("Author", &[]).await;
    (author, open_consultation(app, &organizer).await)
}

/// The live listeners this instance counts, from /metrics.
async fn listeners_now(app: &TestApp) -> i64 {
    let text = app.metrics().await.text;
    text.lines()
        .find_map(|l| l.strip_prefix("indaba_live_listeners "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the listeners gauge")
}

async fn stuck_clients_are_let_go(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options::new()
            .with("INDABA_RATE_LIMITS", "off")
            .with("INDABA_LIVE_PING_SECONDS", "1")
            .with("INDABA_LIVE_TIMEOUT_SECONDS", "6"),
    )
    .await;
    let (author, id) = consultation_with_author(&app).await;
    // A client that stops reading while its socket is full: the server's writes to it
    // wait for good, and none of its timers can run. It is held open (not dropped) here.
    let stuck = connect_tiny_window(&app, &format!("/api/v1/live/consultations/{id}")).await;
    assert_eq!(listeners_now(&app).await, 1);
    // About 7 MB, more than the kernel buffers on both sides hold, posted within the
    // ping timeout (after which the listener would be closed for not answering, had it
    // not been stuck).
    let posters: Vec<_> = (0..4)
        .map(|_| post_sized(&app, &author, id, 200, 9000))
        .collect();
    for p in posters {
        p.await.unwrap();
    }
    // The kernel gives up on it after the timeout (TCP_USER_TIMEOUT), and the server
    // forgets the listener.
    let mut waited = 0;
    while listeners_now(&app).await != 0 {
        waited += 1;
        assert!(waited < 300, "the stuck listener was never let go");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(stuck);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

async fn presence_and_shutdown(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let mut a = connect(&app, &format!("/api/v1/live/consultations/{id}")).await;
    let _b = connect(&app, &format!("/api/v1/live/consultations/{id}")).await;
    let presence = loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), a.next())
            .await
            .expect("presence in time")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = msg {
            let e = frame_events(&text).remove(0);
            if e["type"] == "presence" && e["data"]["listeners"] == 2 {
                break e;
            }
        }
    };
    assert!(presence["seq"].is_null(), "presence is outside the log");
    app.stop().await;
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), a.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame.expect("a code"),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.code, CloseCode::Away);
}

/// The event log keeps ids: an erasure reaches replay and long-poll at once, and a
/// moderator's stream names nobody who posted anonymously.
async fn erased_people_leave_every_stream(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let (_, moderator) = app.user_with_roles("Mod", &["moderator"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (bob_id, bob) = app.user_with_roles("Bob Erasable", &[]).await;
    let res = app
        .send(
            awc::http::Method::PATCH,
            "/api/v1/me",
            Some(&bob),
            &json!({"organization": "Canary Org Ltd"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let (_, carol) = app.user_with_roles("Carol Hidden-Name", &[]).await;
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&bob),
            &json!({"body": "Bob says something."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&carol),
            &json!({"body": "Carol, anonymously.", "anonymous": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let poll = |token: Option<String>| {
        let app = &app;
        async move {
            let q = token
                .map(|t| format!("&access_token={t}"))
                .unwrap_or_default();
            app.get(
                &format!("/api/v1/live/consultations/{id}/events?since=0{q}"),
                None,
            )
            .await
        }
    };
    let before = poll(None).await;
    assert!(before.text.contains("Bob Erasable") && before.text.contains("Canary Org Ltd"));
    // Moderators' streams keep anonymous authors anonymous (a stream is no audited look).
    let m = poll(Some(moderator.clone())).await;
    assert!(!m.text.contains("Carol Hidden-Name"), "{}", m.text);
    assert!(m.text.contains("Carol, anonymously."));

    let res = app
        .send(
            awc::http::Method::DELETE,
            "/api/v1/me",
            Some(&bob),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    for res in [poll(None).await, poll(Some(moderator.clone())).await] {
        assert!(!res.text.contains("Bob Erasable"), "{}", res.text);
        assert!(!res.text.contains("Canary Org Ltd"), "{}", res.text);
        assert!(
            !res.text.contains(&format!("\"id\":{bob_id},")),
            "{}",
            res.text
        );
        assert!(res.text.contains("withdrawn participant"), "{}", res.text);
        assert!(
            res.text.contains("Bob says something."),
            "contributions stay"
        );
    }
    let mut ws = connect(&app, &format!("/api/v1/live/consultations/{id}?since=0")).await;
    let events = serde_json::to_string(&read_events(&mut ws, 3).await).unwrap();
    assert!(!events.contains("Bob Erasable") && !events.contains("Canary Org Ltd"));
}

/// A token made by hand with the server's key, expiring in `seconds`.
fn token_expiring_in(user_id: i64, roles: &[&str], seconds: i64) -> String {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let key = indaba::crypto::sign(SECRET.as_bytes(), "indaba access tokens v1");
    let now = chrono::Utc::now().timestamp();
    encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": user_id.to_string(), "roles": roles, "ev": true, "iat": now, "exp": now + seconds, "typ": "access"}),
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

/// A socket ends with 4001 when its token expires, and when its moderator loses the role.
async fn ended_sessions_close_their_sockets(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options::new().with("INDABA_LIVE_RECHECK_SECONDS", "1"),
    )
    .await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let (mod_id, moderator) = app.user_with_roles("Mod", &["moderator"]).await;
    let (_, admin) = app.user_with_roles("Admin", &["admin"]).await;
    let id = open_consultation(&app, &organizer).await;

    let short = token_expiring_in(mod_id, &["moderator"], 2);
    let ws = connect(
        &app,
        &format!("/api/v1/live/consultations/{id}?access_token={short}"),
    )
    .await;
    let (code, reason) = close_frame(ws).await;
    assert_eq!(code, 4001, "{reason}");
    assert!(reason.contains("expired"), "{reason}");

    let ws = connect(
        &app,
        &format!("/api/v1/live/consultations/{id}?access_token={moderator}"),
    )
    .await;
    let res = app
        .send(
            awc::http::Method::PUT,
            &format!("/api/v1/admin/users/{mod_id}/roles"),
            Some(&admin),
            &json!({"roles": []}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let (code, reason) = close_frame(ws).await;
    assert_eq!(code, 4001, "{reason}");
    assert!(reason.contains("withdrawn"), "{reason}");

    // A public listener is not closed by either.
    let mut public = connect(&app, &format!("/api/v1/live/consultations/{id}")).await;
    let quiet = tokio::time::timeout(Duration::from_secs(3), public.next()).await;
    assert!(
        !matches!(quiet, Ok(Some(Ok(Message::Close(_))))),
        "{quiet:?}"
    );
}

/// Writes that wrote something and then failed, some on a statement the database refused
/// (which, on PostgreSQL, leaves the group's transaction aborted until rolled back to the
/// job's savepoint, or to the savepoint its run shares with the jobs beside it that can
/// run again), committed in groups with writes that succeed: each failed one undoes only
/// its own rows, and every other one is committed once.
async fn a_write_that_fails_undoes_only_itself_in_its_group(backend: Backend) {
    use diesel::connection::SimpleConnection;
    use indaba::error::{ApiError, ErrorCode};
    use indaba::notifications::{store::Target, types::TargetType};
    let app = spawn_app_with(backend, Options::new()).await;
    let (user, _) = app.user_with_roles("Follower", &[]).await;
    let db = indaba::db::Db::connect(&app.config.database, 4).expect("a second pool");
    const N: i64 = 120;
    // What each write appends to its outbox (a search job, a follow) is written with
    // its group's, and only for the writes that succeed.
    let followed = |i: i64| Target::of(TargetType::Comment, 1_000_000 + i);
    // Half of them as transactions that can run again (`Db::tx_again`), which share a
    // savepoint: when one fails, those beside it are undone and run again.
    let writes = (0..N).map(|i| {
        let db = db.clone();
        async move {
            let write = move |tx: &mut indaba::db::Tx| {
                tx.conn().batch_execute(&format!(
                    "INSERT INTO search_jobs (entity, entity_id, action, created_at) \
                     VALUES ('probe', {i}, 'upsert', CURRENT_TIMESTAMP)"
                ))?;
                indaba::outbox::queue_search_job(tx, "probe", N + i, "upsert");
                tx.follow_all(user, vec![followed(i)]);
                // Read back in the same transaction before it is written.
                let followers = indaba::notifications::store::followers_in(tx, &[followed(i)])?;
                assert!(followers.contains(&user), "its own follow, unwritten");
                match i % 3 {
                    0 => Err(ApiError::new(ErrorCode::Conflict, "refused after writing")),
                    1 => {
                        tx.conn().batch_execute("SELECT * FROM no_such_table")?;
                        Ok(())
                    }
                    _ => Ok(()),
                }
            };
            if (i / 3) % 2 == 0 {
                db.tx(write).await
            } else {
                db.tx_again(write).await
            }
        }
    });
    let results = futures_util::future::join_all(writes).await;
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.is_ok(), i % 3 == 2, "write {i}: {:?}", r.as_ref().err());
    }
    let written: Vec<i64> = db
        .run(|conn| {
            use diesel::prelude::*;
            use indaba::db::schema::search_jobs;
            Ok(search_jobs::table
                .filter(search_jobs::entity.eq("probe"))
                .select(search_jobs::entity_id)
                .order(search_jobs::entity_id)
                .load(conn)?)
        })
        .await
        .expect("the probes read");
    let succeeded: Vec<i64> = (0..N).filter(|i| i % 3 == 2).collect();
    let expected: Vec<i64> = succeeded
        .iter()
        .copied()
        .chain(succeeded.iter().map(|i| N + i))
        .collect();
    assert_eq!(written, expected, "only the writes that succeeded");
    let follows: Vec<i64> = db
        .run(move |conn| {
            use diesel::prelude::*;
            use indaba::db::schema::follows;
            Ok(follows::table
                .filter(follows::user_id.eq(user))
                .filter(follows::target_id.ge(1_000_000))
                .select(follows::target_id - 1_000_000)
                .order(follows::target_id)
                .load(conn)?)
        })
        .await
        .expect("the follows read");
    assert_eq!(
        follows, succeeded,
        "the follows of the writes that succeeded"
    );
}

/// A contribution's follows are written with its transaction's outbox, at its end: an
/// unfollow, or an erasure, later in the same transaction gives them up as it does the
/// written ones (the same holds across the jobs of a group: `outbox.rs`'s unit test).
async fn follows_given_up_before_they_are_written_are_not_written(backend: Backend) {
    use indaba::notifications::{store, store::Target, types::TargetType};
    let app = spawn_app_with(backend, Options::new()).await;
    let (user, _) = app.user_with_roles("Follower", &[]).await;
    let db = indaba::db::Db::connect(&app.config.database, 2).expect("a second pool");
    let thread = |id: i64| Target::of(TargetType::Comment, 2_000_000 + id);
    let written = |db: indaba::db::Db| async move {
        db.run(move |conn| {
            use diesel::prelude::*;
            use indaba::db::schema::follows;
            Ok(follows::table
                .filter(follows::user_id.eq(user))
                .select(follows::target_id - 2_000_000)
                .order(follows::target_id)
                .load::<i64>(conn)?)
        })
        .await
        .expect("the follows read")
    };
    db.tx(move |tx| {
        tx.follow_all(user, vec![thread(1), thread(2)]);
        store::unfollow(tx, user, &thread(1))?;
        Ok(())
    })
    .await
    .expect("followed, then unfollowed one");
    assert_eq!(written(db.clone()).await, [2]);
    db.tx(move |tx| {
        tx.follow_all(user, vec![thread(3)]);
        store::erase(tx, user)?;
        Ok(())
    })
    .await
    .expect("followed, then erased");
    assert_eq!(
        written(db.clone()).await,
        Vec::<i64>::new(),
        "none of an erased person's"
    );
}
