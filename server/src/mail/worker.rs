//! Drains the outbox. Rows are claimed with a lease, so several instances can run a
//! worker each without sending a message twice; a crash mid-send lets the lease lapse
//! and another attempt happen later.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tokio::sync::{watch, Notify};

use super::transport::{Envelope, Mailer};
use crate::config::MailTransport;
use crate::db::schema::mail_outbox as mo;
use crate::db::{now, Db};
use crate::error::ApiResult;

const BATCH: i64 = 20;
const LEASE_SECONDS: i64 = 120;
pub const MAX_ATTEMPTS: i32 = 10;

#[derive(Queryable)]
struct Due {
    id: i64,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i32,
    unsubscribe_url: Option<String>,
    created_at: NaiveDateTime,
}

impl Due {
    /// The same for every attempt at this row (see [`Envelope::message_id`]); the time
    /// it was queued keeps ids apart across databases (a restored backup, a staging copy).
    fn message_id(&self) -> String {
        format!(
            "{}.{}.outbox",
            self.id,
            self.created_at.and_utc().timestamp_micros()
        )
    }
}

/// Backoff after the n-th failed attempt: 30 s, 1 min, 2 min … at most one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::from_secs((30u64 << exp).min(3600))
}

/// Writes go through `tx_blocking`: on SQLite it takes the one writer's lock, and a write
/// outside it could make another transaction fail with SQLITE_BUSY_SNAPSHOT.
fn claim(db: &Db) -> ApiResult<Vec<Due>> {
    db.tx_blocking(|tx| claim_in(tx))
}

fn claim_in(conn: &mut crate::db::DbConn) -> ApiResult<Vec<Due>> {
    let t = now();
    let candidates: Vec<i64> = mo::table
        .filter(mo::sent_at.is_null())
        .filter(mo::failed_at.is_null())
        .filter(mo::next_attempt_at.le(t))
        .filter(mo::claimed_until.is_null().or(mo::claimed_until.lt(t)))
        .order(mo::id)
        .select(mo::id)
        .limit(BATCH)
        .load(conn)?;
    let lease: NaiveDateTime = t + chrono::Duration::seconds(LEASE_SECONDS);
    let mut claimed = Vec::new();
    for id in candidates {
        let taken = diesel::update(
            mo::table
                .filter(mo::id.eq(id))
                .filter(mo::sent_at.is_null())
                .filter(mo::claimed_until.is_null().or(mo::claimed_until.lt(t))),
        )
        .set(mo::claimed_until.eq(lease))
        .execute(conn)?;
        if taken == 1 {
            claimed.push(id);
        }
    }
    Ok(mo::table
        .filter(mo::id.eq_any(&claimed))
        .select((
            mo::id,
            mo::recipient,
            mo::subject,
            mo::body_text,
            mo::body_html,
            mo::attempts,
            mo::unsubscribe_url,
            mo::created_at,
        ))
        .load(conn)?)
}

fn record(db: &Db, due: &Due, result: Result<(), String>) -> ApiResult<()> {
    db.tx_blocking(|conn| record_in(conn, due, result))
}

fn record_in(conn: &mut crate::db::DbConn, due: &Due, result: Result<(), String>) -> ApiResult<()> {
    let (id, attempts) = (due.id, due.attempts);
    let t = now();
    match result {
        Ok(()) => {
            // Once delivered, what a mail said is its recipient's: the outbox keeps its
            // kind, subject and times, not its body (no one-time link, no one's words).
            diesel::update(mo::table.find(id))
                .set((
                    mo::sent_at.eq(t),
                    mo::attempts.eq(attempts + 1),
                    mo::claimed_until.eq(None::<NaiveDateTime>),
                    mo::body_text.eq(""),
                    mo::body_html.eq(""),
                ))
                .execute(conn)?;
        }
        Err(error) => {
            let attempts = attempts + 1;
            let failed = (attempts >= MAX_ATTEMPTS).then_some(t);
            let next = t + chrono::Duration::from_std(backoff(attempts))
                .unwrap_or_else(|_| chrono::Duration::hours(1));
            tracing::warn!(mail_id = id, attempts, error = %error, gave_up = failed.is_some(), "mail not sent");
            diesel::update(mo::table.find(id))
                .set((
                    mo::attempts.eq(attempts),
                    mo::last_error.eq(Some(error)),
                    mo::next_attempt_at.eq(next),
                    mo::failed_at.eq(failed),
                    mo::claimed_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
            if failed.is_some() {
                // Given up: what it said (a one-time link, others' words) is kept no
                // longer than a delivered mail's is.
                diesel::update(mo::table.find(id))
                    .set((mo::body_text.eq(""), mo::body_html.eq("")))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Sends what is due now; returns how many messages were attempted.
pub async fn drain_once(db: &Db, mailer: &Mailer) -> ApiResult<usize> {
    let db2 = db.clone();
    let due = actix_web::web::block(move || claim(&db2)).await??;
    let n = due.len();
    for m in due {
        let message_id = m.message_id();
        let result = mailer
            .send(Envelope {
                to: &m.recipient,
                subject: &m.subject,
                text: &m.body_text,
                html: &m.body_html,
                unsubscribe: m.unsubscribe_url.as_deref(),
                message_id: Some(&message_id),
            })
            .await;
        if result.is_ok() {
            tracing::info!(mail_id = m.id, "mail sent");
        }
        let db2 = db.clone();
        actix_web::web::block(move || record(&db2, &m, result)).await??;
    }
    Ok(n)
}

/// Starts the worker on a thread with a one-thread tokio runtime of its own, and returns
/// a future that ends when the worker has stopped.
///
/// Why not a task on the server's runtime: lettre's SMTP pool spawns a task whenever a
/// pooled connection or the pool itself is dropped. Dropped while actix tears its local
/// task set down (outside any tokio context), that spawn panics, and a panic in a
/// destructor aborts the process. On a runtime of its own the worker's futures are
/// only ever dropped inside that runtime.
pub fn spawn(
    db: Db,
    transport: &MailTransport,
    from: &str,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
) -> Result<impl std::future::Future<Output = ()>, String> {
    let (transport, from) = (transport.clone(), from.to_owned());
    // The runtime and the transport are made on the worker's thread: the pool spawns its
    // housekeeping task when it is built, and a runtime may not be dropped (on an error)
    // inside the server's async context. Start-up waits for the answer, so a bad setting
    // still stops it with a one-line reason.
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Result<(), String>>(1);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("indaba-mail".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("mail worker: {e}")));
                    return;
                }
            };
            let mailer = {
                let _context = runtime.enter();
                Mailer::new(&transport, &from)
            };
            match mailer {
                Ok(mailer) => {
                    let _ = ready_tx.send(Ok(()));
                    runtime.block_on(run(db, mailer, wake, stop));
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
            // Whatever lettre leaves to do when its pool goes is done before we say so.
            drop(runtime);
            let _ = done_tx.send(());
        })
        .map_err(|e| format!("mail worker: {e}"))?;
    ready_rx
        .recv()
        .map_err(|_| "mail worker: the thread ended before it started".to_owned())??;
    Ok(async move {
        let _ = done_rx.await;
    })
}

/// Runs until `stop` turns true: wakes when mail is queued, and every few seconds for retries.
async fn run(db: Db, mailer: Mailer, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    // Said once at start, in words an operator can act on; each failed send is logged too.
    // An SMTP server that does not answer can take lettre a minute to give up on: a stop
    // meanwhile is not kept waiting.
    tokio::select! {
        checked = mailer.check() => {
            if let Err(error) = checked {
                tracing::warn!(%error, "the mail server does not answer: mail waits in the outbox and is retried with backoff");
            }
        }
        _ = stop.changed() => return,
    }
    loop {
        let sent = match drain_once(&db, &mailer).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "mail worker");
                0
            }
        };
        if *stop.borrow() {
            return;
        }
        if sent as i64 == BATCH {
            continue;
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff(1).as_secs(), 30);
        assert_eq!(super::backoff(2).as_secs(), 60);
        assert_eq!(super::backoff(20).as_secs(), 3600);
    }
}
