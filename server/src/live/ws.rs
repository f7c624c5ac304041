//! The WebSocket endpoint: replay from the log after `since`, then live frames, with
//! heartbeats, a bounded buffer and clear close codes.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, CloseReason, Message as WsMessage, MessageStream, Session};
use futures_util::StreamExt;
use tokio::sync::broadcast::error::RecvError;

use super::hub::{Channel, Hub, Message};
use super::log::{self, Frame};
use super::{resolve, LiveQuery};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};

/// Client frames allowed per 10 seconds before the connection is closed.
const FLOOD_LIMIT: u32 = 100;
const REPLAY_BATCH: i64 = 500;

pub async fn consultation(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LiveQuery>,
) -> ApiResult<HttpResponse> {
    let target = resolve(&req, &state, &path, &query).await?;
    let channel = state.hub.channel(&target.channel).await?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::bad_request(format!("expected a WebSocket upgrade: {e}")))?;
    let hub = state.hub.clone();
    actix_web::rt::spawn(async move {
        let mut stream = stream.max_frame_size(64 * 1024);
        let outcome = serve(&hub, &channel, session, &mut stream, target.privileged, target.start_after, target.replay).await;
        if let Err(reason) = outcome {
            tracing::debug!(channel = %channel.name, reason, "live connection ended");
        }
    });
    Ok(response)
}

struct Counted<'a>(&'a Hub);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn close(session: Session, code: CloseCode, reason: String) -> Result<(), &'static str> {
    let _ = session.close(Some(CloseReason { code, description: Some(reason) })).await;
    Err("closed by the server")
}

/// Sends what the log holds after `*last` (up to `until` when given).
async fn replay(hub: &Hub, channel: &Channel, session: &mut Session, privileged: bool, last: &mut i64, until: Option<i64>) -> Result<(), &'static str> {
    loop {
        let (db, name, since) = (hub.db().clone(), channel.name.clone(), *last);
        let events = db.run(move |conn| log::after(conn, &name, since, REPLAY_BATCH)).await.map_err(|_| "log unreadable")?;
        let events: Vec<_> = events.into_iter().filter(|e| until.is_none_or(|u| e.seq <= u)).collect();
        let Some(end) = events.last().map(|e| e.seq) else { return Ok(()) };
        let hidden = channel.hidden();
        if let Some(frame) = Frame::new(events.iter().map(|e| log::encode(e, &hidden)).collect()) {
            if let Some(text) = frame.text_for(privileged, *last) {
                session.text(text).await.map_err(|_| "client gone")?;
            }
        }
        *last = end;
        if (events.len() as i64) < REPLAY_BATCH || until.is_some_and(|u| end >= u) {
            return Ok(());
        }
    }
}

async fn serve(
    hub: &Arc<Hub>,
    channel: &Arc<Channel>,
    mut session: Session,
    stream: &mut MessageStream,
    privileged: bool,
    start_after: i64,
    wants_replay: bool,
) -> Result<(), &'static str> {
    hub.connections.fetch_add(1, Ordering::Relaxed);
    let _counted = Counted(hub);
    let _listener = channel.join();
    // Subscribe before reading the log: whatever is published meanwhile is kept, and
    // what the replay already sent is skipped by its seq.
    let mut rx = channel.tx.subscribe();
    let mut shutdown = hub.shutdown_signal();
    let mut last = start_after;
    if wants_replay {
        replay(hub, channel, &mut session, privileged, &mut last, None).await?;
    }
    let settings = hub.settings;
    let timeout = Duration::from_secs(settings.timeout_seconds);
    let mut ping = tokio::time::interval(Duration::from_secs(settings.ping_seconds));
    ping.tick().await;
    let mut last_heard = Instant::now();
    let mut window = Instant::now();
    let mut received: u32 = 0;
    loop {
        tokio::select! {
            biased;
            _ = shutdown.changed() => {
                return close(session, CloseCode::Away, "the server is shutting down: reconnect with since".into()).await;
            }
            message = rx.recv() => match message {
                Ok(message) => match &*message {
                    Message::Presence(text) => {
                        session.text(text.clone()).await.map_err(|_| "client gone")?;
                    }
                    Message::Events(frame) => {
                        if frame.last <= last {
                            continue;
                        }
                        if frame.first > last + 1 {
                            replay(hub, channel, &mut session, privileged, &mut last, Some(frame.first - 1)).await?;
                        }
                        if let Some(text) = frame.text_for(privileged, last) {
                            session.text(text).await.map_err(|_| "client gone")?;
                        }
                        last = frame.last;
                    }
                },
                Err(RecvError::Lagged(_)) => {
                    return close(session, CloseCode::Again, format!("too slow to keep up: reconnect with since={last}")).await;
                }
                Err(RecvError::Closed) => {
                    return close(session, CloseCode::Away, "channel closed".into()).await;
                }
            },
            item = stream.next() => match item {
                Some(Ok(WsMessage::Ping(bytes))) => {
                    last_heard = Instant::now();
                    session.pong(&bytes).await.map_err(|_| "client gone")?;
                }
                Some(Ok(WsMessage::Pong(_))) => last_heard = Instant::now(),
                Some(Ok(WsMessage::Close(_))) | None => {
                    let _ = session.close(None).await;
                    return Ok(());
                }
                Some(Err(_)) => {
                    return close(session, CloseCode::Protocol, "malformed frame".into()).await;
                }
                Some(Ok(_)) => {
                    // Text and binary frames carry nothing we act on: they are ignored,
                    // but count as signs of life and against the flood limit.
                    last_heard = Instant::now();
                    if window.elapsed() > Duration::from_secs(10) {
                        window = Instant::now();
                        received = 0;
                    }
                    received += 1;
                    if received > FLOOD_LIMIT {
                        return close(session, CloseCode::Policy, "too many messages from the client".into()).await;
                    }
                }
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > timeout {
                    return close(session, CloseCode::Policy, "no answer to pings".into()).await;
                }
                session.ping(b"indaba").await.map_err(|_| "client gone")?;
            }
        }
    }
}
