//! The simplest program that takes comments into PostgreSQL over HTTP: the ceiling for
//! Indaba's comment ingest on PostgreSQL (issue 27 item 2), measured beside it by
//! `tests/bench/comments_bare.sh`. One route, `POST /comments` (`{"body": "…"}`), and
//! the statements Indaba sends for a comment (those of `tests/bench/pg_comments.sh`: per
//! comment a savepoint, the consultation, co-facilitator, phase and version reads, the
//! insert, its search job, two follows, the author; per transaction the channel's
//! counter, one insert of the live events and the NOTIFY), written by two threads that
//! each commit whatever requests are waiting in one transaction, as Indaba's two lanes
//! do. No authentication, validation, JSON views, search index or live stream.
//!
//! These are the reads and writes Indaba does for a comment, all in the lane as Indaba
//! sent them until 2026-12-06. Indaba now reads first on its pool (the consultation with
//! the co-facilitator check in one statement, the phase, the version, the author) and
//! sends the lane only the savepoint, the three inserts (both follows in one) and the
//! release: ten statements against this program's eleven (the pool's `SELECT 1` on
//! handing out a connection among them). This program is left as it was, so that its
//! figures stay comparable with the earlier ones.
//!
//! `bare_comments <addr> postgres://… <consultation id> <version id> <author id>`

use std::sync::{mpsc, Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::Value;
use tokio::sync::oneshot;

/// At most this many comments in one transaction, as Indaba's group commit.
const MAX_BATCH: usize = 500;
/// A live event's data, of the size Indaba's `comment.created` events have (about 440
/// bytes with their envelope).
const EVENT_DATA: &str = r#"{"id":1,"consultation_id":1,"paragraph_key":null,"parent_id":null,"kind":"comment","body":"A comment of the campaign, about as long as a real one, with a word of its own.","language":"en","author":{"id":2,"display_name":"Load Tester","stakeholder_group":"civil_society","organization":"Load","country":"KE"},"created_at":"2026-12-06T20:00:00Z","endorsements":0}"#;

struct Job {
    body: String,
    answer: oneshot::Sender<Option<i64>>,
}

#[derive(Clone, Copy)]
struct Ids {
    consultation: i64,
    version: i64,
    author: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct LastSeq {
    #[diesel(sql_type = BigInt)]
    last_seq: i64,
}

fn comment(c: &mut PgConnection, ids: Ids, body: &str) -> QueryResult<i64> {
    diesel::sql_query("SAVEPOINT s").execute(c)?;
    diesel::sql_query("SELECT * FROM consultations WHERE id = $1")
        .bind::<BigInt, _>(ids.consultation)
        .execute(c)?;
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM consultation_cofacilitators WHERE consultation_id = $1 AND user_id = $2)")
        .bind::<BigInt, _>(ids.consultation)
        .bind::<BigInt, _>(ids.author)
        .execute(c)?;
    diesel::sql_query("SELECT phase, note, set_by, set_at, stakeholders_comment FROM consultation_phases WHERE consultation_id = $1 ORDER BY id DESC LIMIT 1")
        .bind::<BigInt, _>(ids.consultation)
        .execute(c)?;
    diesel::sql_query("SELECT label FROM document_versions WHERE id = $1 LIMIT 1")
        .bind::<BigInt, _>(ids.version)
        .execute(c)?;
    let id = diesel::sql_query("INSERT INTO comments (consultation_id, author_id, kind, body, anonymous, language, status, version_label, created_at) VALUES ($1, $2, 'comment', $3, false, 'en', 'visible', 'Rev. 1', now()) RETURNING id")
        .bind::<BigInt, _>(ids.consultation)
        .bind::<BigInt, _>(ids.author)
        .bind::<Text, _>(body)
        .get_result::<Id>(c)?
        .id;
    diesel::sql_query("INSERT INTO search_jobs (entity, entity_id, action, created_at) VALUES ('comment', $1, 'upsert', now())")
        .bind::<BigInt, _>(id)
        .execute(c)?;
    diesel::sql_query("INSERT INTO follows (user_id, target_type, target_id, target_key, created_at) VALUES ($1, 'comment', $2, '', now()) ON CONFLICT DO NOTHING")
        .bind::<BigInt, _>(ids.author)
        .bind::<BigInt, _>(id)
        .execute(c)?;
    diesel::sql_query("INSERT INTO follows (user_id, target_type, target_id, target_key, created_at) VALUES ($1, 'consultation', $2, '', now()) ON CONFLICT DO NOTHING")
        .bind::<BigInt, _>(ids.author)
        .bind::<BigInt, _>(ids.consultation)
        .execute(c)?;
    diesel::sql_query("SELECT * FROM users WHERE id = $1")
        .bind::<BigInt, _>(ids.author)
        .execute(c)?;
    diesel::sql_query("RELEASE SAVEPOINT s").execute(c)?;
    Ok(id)
}

fn write(c: &mut PgConnection, ids: Ids, jobs: &[Job]) -> QueryResult<Vec<i64>> {
    c.transaction(|c| {
        let mut made = Vec::with_capacity(jobs.len());
        for job in jobs {
            made.push(comment(c, ids, &job.body)?);
        }
        // As Indaba's outbox: the counter, then the events (here one insert of identical
        // rows of about an event's size), then the NOTIFY.
        let channel = format!("consultation:{}", ids.consultation);
        let n = made.len() as i64;
        let last = diesel::sql_query(
            "UPDATE channel_seqs SET last_seq = last_seq + $2 WHERE channel = $1 RETURNING last_seq",
        )
        .bind::<Text, _>(&channel)
        .bind::<BigInt, _>(n)
        .get_result::<LastSeq>(c)?
        .last_seq;
        diesel::sql_query("INSERT INTO live_events (channel, seq, kind, audience, data, created_at) SELECT $1, $2 + g, 'comment.created', 'public', $4, now() FROM generate_series(1, $3) g")
            .bind::<Text, _>(&channel)
            .bind::<BigInt, _>(last - n)
            .bind::<BigInt, _>(n)
            .bind::<Text, _>(EVENT_DATA)
            .execute(c)?;
        diesel::sql_query("SELECT pg_notify('indaba_live', $1)")
            .bind::<Text, _>(&channel)
            .execute(c)?;
        Ok(made)
    })
}

/// One lane: takes what waits (at most `MAX_BATCH`), writes it in one transaction, answers.
fn lane(mut conn: PgConnection, ids: Ids, queue: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let jobs: Vec<Job> = {
            let Ok(queue) = queue.lock() else { return };
            let Ok(first) = queue.recv() else { return };
            std::iter::once(first)
                .chain(std::iter::from_fn(|| queue.try_recv().ok()).take(MAX_BATCH - 1))
                .collect()
        };
        match write(&mut conn, ids, &jobs) {
            Ok(made) => {
                for (job, id) in jobs.into_iter().zip(made) {
                    let _ = job.answer.send(Some(id));
                }
            }
            Err(_) => {
                for job in jobs {
                    let _ = job.answer.send(None);
                }
            }
        }
    }
}

async fn post(queue: web::Data<mpsc::Sender<Job>>, body: web::Json<Value>) -> HttpResponse {
    let Some(text) = body.get("body").and_then(Value::as_str) else {
        return HttpResponse::BadRequest().finish();
    };
    let (answer, answered) = oneshot::channel();
    let job = Job {
        body: text.to_owned(),
        answer,
    };
    if queue.send(job).is_err() {
        return HttpResponse::ServiceUnavailable().finish();
    }
    match answered.await {
        Ok(Some(id)) => HttpResponse::Created().json(serde_json::json!({ "id": id })),
        _ => HttpResponse::ServiceUnavailable().finish(),
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "bare_comments <addr> postgres://… <consultation id> <version id> <author id>";
    let number = |i: usize| -> i64 { args.get(i).and_then(|s| s.parse().ok()).expect(usage) };
    let addr = args.get(1).expect(usage).clone();
    let url = args.get(2).expect(usage).clone();
    assert!(
        addr.starts_with("127.0.0.1:") && url.contains("@127.0.0.1"),
        "loopback only"
    );
    let ids = Ids {
        consultation: number(3),
        version: number(4),
        author: number(5),
    };
    let (tx, rx) = mpsc::channel();
    let queue = Arc::new(Mutex::new(rx));
    // Connected before serving: a lane that cannot connect stops the program here
    // instead of leaving requests waiting.
    for _ in 0..2 {
        let conn = PgConnection::establish(&url).expect("connect to PostgreSQL");
        let queue = queue.clone();
        std::thread::spawn(move || lane(conn, ids, queue));
    }
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(tx.clone()))
                .route("/comments", web::post().to(post))
        })
        .workers(2)
        .bind(&addr)?
        .run()
        .await
    })
}
