//! The simplest program that does a live stream's work: comments posted over HTTP, each
//! written to SQLite and then sent to every WebSocket listener. Beside Indaba and the
//! bare broadcast server in `liveload` (issue 27 item 5): the bare server only sends,
//! while Indaba also takes each comment in, stores it, indexes it and renders it on the
//! same two cores; this program does the first two with the bare server's own fan-out,
//! so it shows what taking comments in costs any program on this machine.
//!
//! Its parts are the bare ones of each half: actix-web (one worker) for `POST /comments`
//! (`{"body": "…"}`, answered 201 with the id), one SQLite connection (WAL,
//! `synchronous = NORMAL`, as Indaba's) that numbers the comments, and the fan-out of
//! `bare_broadcast` (`indaba_tests::fan_out`: tokio-tungstenite, each event its own
//! frame, a listener writes what is waiting in one go). No authentication, validation,
//! search index, views or log: a ceiling, not a rival.
//!
//! `bare_live <http addr> <ws addr> <sqlite file> [frame bytes]`

use std::sync::Mutex;

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

struct Store {
    conn: Mutex<SqliteConnection>,
    tx: broadcast::Sender<Message>,
    frame_bytes: usize,
}

impl Store {
    /// Writes the comment and sends its event, under one lock so that listeners get the
    /// events in the order of their numbers.
    fn comment(&self, body: &str) -> Option<i64> {
        let mut conn = self.conn.lock().ok()?;
        let id = diesel::sql_query(
            "INSERT INTO comments (body, created_at) VALUES (?, datetime('now')) RETURNING id",
        )
        .bind::<Text, _>(body)
        .get_result::<Id>(&mut *conn)
        .ok()?
        .id;
        let escaped = serde_json::to_string(body).ok()?;
        let mut text = format!(
            r#"{{"seq":{id},"type":"comment.created","data":{{"id":{id},"body":{escaped},"pad":""#
        );
        let pad = self.frame_bytes.saturating_sub(text.len() + 3);
        text.extend(std::iter::repeat_n('x', pad));
        text.push_str(r#""}}"#);
        let _ = self.tx.send(Message::Text(text.into()));
        Some(id)
    }
}

async fn post(store: web::Data<Store>, body: web::Bytes) -> HttpResponse {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return HttpResponse::BadRequest().finish();
    };
    let Some(text) = value["body"].as_str().map(str::to_owned) else {
        return HttpResponse::BadRequest().finish();
    };
    match web::block(move || store.comment(&text)).await {
        Ok(Some(id)) => HttpResponse::Created()
            .content_type("application/json")
            .body(format!(r#"{{"id":{id}}}"#)),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

async fn ready() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let (http_addr, ws_addr, file) = (
        arg(1, "127.0.0.1:9002"),
        arg(2, "127.0.0.1:9003"),
        arg(3, "bare_live.sqlite"),
    );
    let frame_bytes: usize = arg(4, "300").parse().unwrap_or(300);
    let mut conn = SqliteConnection::establish(&file).expect("open the SQLite file");
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE IF NOT EXISTS comments (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL);",
    )
    .expect("create the table");
    let (tx, _) = broadcast::channel::<Message>(1024);
    let fan_out = tx.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async move {
                let listener = TcpListener::bind(&ws_addr)
                    .await
                    .expect("bind the WebSocket port");
                indaba_tests::fan_out::serve(listener, fan_out).await
            })
    });
    let store = web::Data::new(Store {
        conn: Mutex::new(conn),
        tx,
        frame_bytes,
    });
    actix_web::rt::System::new().block_on(
        HttpServer::new(move || {
            App::new()
                .app_data(store.clone())
                .app_data(web::PayloadConfig::new(64 * 1024))
                .route("/comments", web::post().to(post))
                .route("/readyz", web::get().to(ready))
        })
        .workers(1)
        .bind(&http_addr)?
        .run(),
    )
}
