//! The WebSocket endpoint: replay from the log after `since`, then live frames, with
//! heartbeats, a bounded buffer and clear close codes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, CloseReason, Message as WsMessage, MessageStream, Session};
use bytestring::ByteString;
use futures_util::StreamExt;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::hub::{Channel, Hub, Message};
use super::log::{self, Frame};
use super::{resolve, LiveQuery, Subject};
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
    upgrade(req, body, state, Subject::Consultation, &path, &query).await
}

pub async fn session(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LiveQuery>,
) -> ApiResult<HttpResponse> {
    upgrade(req, body, state, Subject::Session, &path, &query).await
}

pub async fn me(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    query: web::Query<LiveQuery>,
) -> ApiResult<HttpResponse> {
    upgrade(req, body, state, Subject::User, "", &query).await
}

async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    subject: Subject,
    id: &str,
    query: &LiveQuery,
) -> ApiResult<HttpResponse> {
    let target = resolve(&req, &state, subject, id, query).await?;
    let channel = state.hub.channel(&target.channel).await?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::bad_request(format!("expected a WebSocket upgrade: {e}")))?;
    let hub = state.hub.clone();
    actix_web::rt::spawn(async move {
        let mut stream = stream.max_frame_size(64 * 1024);
        let outcome = serve(
            &hub,
            &channel,
            session,
            &mut stream,
            target.privileged,
            target.start_after,
            target.replay,
        )
        .await;
        if let Err(reason) = outcome {
            tracing::debug!(channel = %channel.name, reason, "live connection ended");
        }
    });
    Ok(response)
}

/// What the reader hands to the writer.
enum Out {
    /// A frame and the last seq it carries.
    Text(ByteString, i64),
    Pong(bytes::Bytes),
    Ping,
    Close(CloseCode, String),
}

/// The writer owns the socket. Its queue is the listener's bounded buffer: when the
/// reader finds it full, the listener has fallen behind, and the writer closes with
/// 1013 and the seq to resume from, right after what the client already has.
async fn write(
    mut session: Session,
    mut queue: mpsc::Receiver<Out>,
    lagging: Arc<AtomicBool>,
    patience: Duration,
) {
    let mut written: Option<i64> = None;
    let lag_close = |written: Option<i64>| {
        (
            CloseCode::Again,
            format!(
                "too slow to keep up: reconnect with since={}",
                written.unwrap_or(0)
            ),
        )
    };
    while let Some(out) = queue.recv().await {
        if lagging.load(Ordering::Acquire) {
            let (code, reason) = lag_close(written);
            let _ = close(session, code, reason).await;
            return;
        }
        let sent = match out {
            Out::Text(text, last) => {
                let r = tokio::time::timeout(patience, session.text(text)).await;
                if matches!(r, Ok(Ok(()))) {
                    written = Some(last);
                }
                r
            }
            Out::Pong(bytes) => tokio::time::timeout(patience, session.pong(&bytes)).await,
            Out::Ping => tokio::time::timeout(patience, session.ping(b"indaba")).await,
            Out::Close(code, reason) => {
                let _ = close(session, code, reason).await;
                return;
            }
        };
        if !matches!(sent, Ok(Ok(()))) {
            // Gone, or stuck for longer than our patience: nothing more can reach it.
            return;
        }
    }
    if lagging.load(Ordering::Acquire) {
        let (code, reason) = lag_close(written);
        let _ = close(session, code, reason).await;
    }
}

async fn close(session: Session, code: CloseCode, reason: String) -> Result<(), &'static str> {
    // A client that reads nothing cannot receive the close frame either: do not wait long.
    let _ = tokio::time::timeout(
        Duration::from_secs(2),
        session.close(Some(CloseReason {
            code,
            description: Some(reason),
        })),
    )
    .await;
    Err("closed by the server")
}

/// Queues a frame; a full queue means the listener has fallen behind.
fn offer(queue: &mpsc::Sender<Out>, lagging: &AtomicBool, out: Out) -> Result<(), &'static str> {
    match queue.try_send(out) {
        Ok(()) => Ok(()),
        Err(mpsc::error::TrySendError::Full(_)) => {
            lagging.store(true, Ordering::Release);
            Err("listener fell behind")
        }
        Err(mpsc::error::TrySendError::Closed(_)) => Err("client gone"),
    }
}

/// Queues what the log holds after `*last` (up to `until` when given).
async fn replay(
    hub: &Hub,
    channel: &Channel,
    queue: &mpsc::Sender<Out>,
    privileged: bool,
    last: &mut i64,
    until: Option<i64>,
) -> Result<(), &'static str> {
    loop {
        let (db, name, since) = (hub.db().clone(), channel.name.clone(), *last);
        let events = db
            .run(move |conn| log::after(conn, &name, since, REPLAY_BATCH))
            .await
            .map_err(|_| "log unreadable")?;
        let events: Vec<_> = events
            .into_iter()
            .filter(|e| until.is_none_or(|u| e.seq <= u))
            .collect();
        let Some(end) = events.last().map(|e| e.seq) else {
            return Ok(());
        };
        let hidden = channel.hidden();
        if let Some(frame) = Frame::new(events.iter().map(|e| log::encode(e, &hidden)).collect()) {
            if let Some(text) = frame.text_for(privileged, *last) {
                // Replay waits for room rather than counting as lag: it is the client's own request.
                queue
                    .send(Out::Text(text, end))
                    .await
                    .map_err(|_| "client gone")?;
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
    session: Session,
    stream: &mut MessageStream,
    privileged: bool,
    start_after: i64,
    wants_replay: bool,
) -> Result<(), &'static str> {
    let _listener = channel.join();
    let settings = hub.settings;
    let timeout = Duration::from_secs(settings.timeout_seconds);
    let (queue, outgoing) = mpsc::channel(settings.buffer);
    let lagging = Arc::new(AtomicBool::new(false));
    let writer = actix_web::rt::spawn(write(session, outgoing, lagging.clone(), timeout));
    let result = read(
        hub,
        channel,
        &queue,
        &lagging,
        stream,
        privileged,
        start_after,
        wants_replay,
    )
    .await;
    drop(queue);
    let _ = writer.await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn read(
    hub: &Arc<Hub>,
    channel: &Arc<Channel>,
    queue: &mpsc::Sender<Out>,
    lagging: &AtomicBool,
    stream: &mut MessageStream,
    privileged: bool,
    start_after: i64,
    wants_replay: bool,
) -> Result<(), &'static str> {
    // Subscribe before reading the log: whatever is published meanwhile is kept, and
    // what the replay already sent is skipped by its seq.
    let mut rx = channel.tx.subscribe();
    let mut shutdown = hub.shutdown_signal();
    let mut last = start_after;
    if wants_replay {
        replay(hub, channel, queue, privileged, &mut last, None).await?;
    }
    let settings = hub.settings;
    let timeout = Duration::from_secs(settings.timeout_seconds);
    let mut ping = tokio::time::interval(Duration::from_secs(settings.ping_seconds));
    ping.tick().await;
    let mut last_heard = Instant::now();
    let mut window = Instant::now();
    let mut received: u32 = 0;
    let say = |code: CloseCode, reason: &str| {
        let _ = queue.try_send(Out::Close(code, reason.to_owned()));
        Err("closed by the server")
    };
    loop {
        tokio::select! {
            biased;
            _ = shutdown.changed() => {
                return say(CloseCode::Away, "the server is shutting down: reconnect with since");
            }
            message = rx.recv() => match message {
                Ok(message) => match &*message {
                    Message::Presence(text) => offer(queue, lagging, Out::Text(text.clone(), last))?,
                    Message::Events(frame) => {
                        if frame.last <= last {
                            continue;
                        }
                        if frame.first > last + 1 {
                            replay(hub, channel, queue, privileged, &mut last, Some(frame.first - 1)).await?;
                        }
                        if let Some(text) = frame.text_for(privileged, last) {
                            offer(queue, lagging, Out::Text(text, frame.last))?;
                        }
                        last = frame.last;
                    }
                },
                Err(RecvError::Lagged(_)) => {
                    lagging.store(true, Ordering::Release);
                    return Err("listener fell behind");
                }
                Err(RecvError::Closed) => return say(CloseCode::Away, "channel closed"),
            },
            item = stream.next() => match item {
                Some(Ok(WsMessage::Ping(bytes))) => {
                    last_heard = Instant::now();
                    offer(queue, lagging, Out::Pong(bytes))?;
                }
                Some(Ok(WsMessage::Pong(_))) => last_heard = Instant::now(),
                Some(Ok(WsMessage::Close(_))) | None => return Ok(()),
                Some(Err(_)) => return say(CloseCode::Protocol, "malformed frame"),
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
                        return say(CloseCode::Policy, "too many messages from the client");
                    }
                }
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > timeout {
                    return say(CloseCode::Policy, "no answer to pings");
                }
                offer(queue, lagging, Out::Ping)?;
            }
        }
    }
}
