//! The WebSocket endpoint: replay from the log after `since`, then live frames, with
//! heartbeats, a bounded buffer and clear close codes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, CloseReason, Message as WsMessage, MessageStream, Session};
use bytestring::ByteString;
use futures_util::StreamExt;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

use super::hub::{Channel, Hub, Message};
use super::log::{self, Frame};
use super::{resolve, LiveQuery, Subject};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};

/// Client frames allowed per 10 seconds before the connection is closed.
const FLOOD_LIMIT: u32 = 100;
const REPLAY_BATCH: i64 = 500;
/// Close reasons said in more than one place.
const SHUTTING_DOWN: &str = "the server is shutting down: reconnect with since";
const FLOODED: &str = "too many messages from the client";

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

/// Why a connection ended, for the debug log.
type Ended = Result<(), &'static str>;

/// One listener: a single task owns the socket's sending half and reads the client's
/// frames, so each frame costs one task poll and one socket write, with nothing copied
/// per listener. Whatever the channel published meanwhile is taken in the same poll and
/// handed to actix-ws together, which writes it to the socket in one go: under load a
/// listener's writes per second fall to what the machine can do, and nothing is lost.
/// The listener's buffer is the channel's ring of `INDABA_LIVE_BUFFER` frames: a
/// listener that falls further behind is closed with 1013 and the seq to resume from.
struct Listener {
    session: Session,
    privileged: bool,
    /// The last seq handed to the socket.
    last: i64,
    /// How long one write may wait for a client that does not read.
    patience: Duration,
}

impl Listener {
    async fn send(&mut self, text: ByteString, last: i64) -> Ended {
        match tokio::time::timeout(self.patience, self.session.text(text)).await {
            Ok(Ok(())) => {
                self.last = self.last.max(last);
                Ok(())
            }
            // Gone, or stuck for longer than our patience: nothing more can reach it.
            _ => Err("client gone"),
        }
    }

    async fn control(&mut self, out: Control) -> Ended {
        let sent = match out {
            Control::Ping => {
                tokio::time::timeout(self.patience, self.session.ping(b"indaba")).await
            }
            Control::Pong(bytes) => {
                tokio::time::timeout(self.patience, self.session.pong(&bytes)).await
            }
        };
        match sent {
            Ok(Ok(())) => Ok(()),
            _ => Err("client gone"),
        }
    }

    /// Sends a close frame (after everything already handed over) and ends.
    async fn close(self, code: CloseCode, reason: &str) -> Ended {
        // A client that reads nothing cannot receive the close frame either: do not wait long.
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            self.session.close(Some(CloseReason {
                code,
                description: Some(reason.to_owned()),
            })),
        )
        .await;
        Err("closed by the server")
    }

    async fn lagged(self) -> Ended {
        let reason = format!("too slow to keep up: reconnect with since={}", self.last);
        self.close(CloseCode::Again, &reason).await
    }

    /// Sends one published message, first replaying from the log whatever lies between
    /// what this listener has and the frame (after a replay, or a frame it skipped).
    async fn deliver(&mut self, hub: &Hub, channel: &Channel, message: &Message) -> Ended {
        match message {
            Message::Presence(text) => self.send(text.clone(), self.last).await,
            Message::Events(frame) => {
                if frame.last <= self.last {
                    return Ok(());
                }
                if frame.first > self.last + 1 {
                    self.replay(hub, channel, Some(frame.first - 1)).await?;
                }
                if let Some(text) = frame.text_for(self.privileged, self.last) {
                    self.send(text, frame.last).await?;
                }
                self.last = self.last.max(frame.last);
                Ok(())
            }
        }
    }

    /// Sends `first` and everything already published after it, in one go.
    async fn drain(
        &mut self,
        hub: &Hub,
        channel: &Channel,
        rx: &mut broadcast::Receiver<Arc<Message>>,
        first: Result<Arc<Message>, RecvError>,
    ) -> Result<Drained, &'static str> {
        let mut next = first;
        loop {
            match next {
                Ok(message) => self.deliver(hub, channel, &message).await?,
                Err(RecvError::Lagged(_)) => return Ok(Drained::Lagged),
                Err(RecvError::Closed) => return Ok(Drained::Closed),
            }
            next = match rx.try_recv() {
                Ok(message) => Ok(message),
                Err(TryRecvError::Empty) => return Ok(Drained::Caught),
                Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
                Err(TryRecvError::Closed) => Err(RecvError::Closed),
            };
        }
    }

    /// Sends what the log holds after `last` (up to `until` when given).
    async fn replay(&mut self, hub: &Hub, channel: &Channel, until: Option<i64>) -> Ended {
        loop {
            let (db, name, since) = (hub.db().clone(), channel.name.clone(), self.last);
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
            if let Some(frame) =
                Frame::new(events.iter().map(|e| log::encode(e, &hidden)).collect())
            {
                if let Some(text) = frame.text_for(self.privileged, self.last) {
                    self.send(text, end).await?;
                }
            }
            self.last = end;
            if (events.len() as i64) < REPLAY_BATCH || until.is_some_and(|u| end >= u) {
                return Ok(());
            }
        }
    }
}

/// Where a listener stands after taking what the channel had for it.
enum Drained {
    /// Everything published so far is handed to the socket.
    Caught,
    /// It fell a whole ring behind.
    Lagged,
    /// The channel is gone.
    Closed,
}

enum Control {
    Ping,
    Pong(bytes::Bytes),
}

/// Client frames counted against [`FLOOD_LIMIT`] per ten seconds: pings as well as text
/// and binary frames, since each one costs the server an answer or a parse.
struct Flood {
    window: Instant,
    received: u32,
}

impl Flood {
    /// Counts one frame; true when the client has sent too many.
    fn exceeded(&mut self) -> bool {
        if self.window.elapsed() > Duration::from_secs(10) {
            self.window = Instant::now();
            self.received = 0;
        }
        self.received += 1;
        self.received > FLOOD_LIMIT
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
) -> Ended {
    let _listener = channel.join();
    let settings = hub.settings;
    let timeout = Duration::from_secs(settings.timeout_seconds);
    let mut me = Listener {
        session,
        privileged,
        last: start_after,
        patience: timeout,
    };
    // Subscribe before reading the log: whatever is published meanwhile is kept, and
    // what the replay already sent is skipped by its seq.
    let mut rx = channel.tx.subscribe();
    let mut shutdown = hub.shutdown_signal();
    if wants_replay {
        me.replay(hub, channel, None).await?;
    }
    let mut ping = tokio::time::interval(Duration::from_secs(settings.ping_seconds));
    ping.tick().await;
    let mut last_heard = Instant::now();
    let mut flood = Flood {
        window: Instant::now(),
        received: 0,
    };
    // Made once: a fresh `changed()` each turn would register with the shutdown signal
    // again, under its lock, for every listener on every frame.
    let stopping = shutdown.changed();
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            biased;
            _ = &mut stopping => {
                return me.close(CloseCode::Away, SHUTTING_DOWN).await;
            }
            message = rx.recv() => {
                // A listener that reads slowly can spend long in here: a stop meanwhile
                // still closes it with 1001 at once.
                let drained = tokio::select! {
                    biased;
                    _ = &mut stopping => None,
                    drained = me.drain(hub, channel, &mut rx, message) => Some(drained?),
                };
                match drained {
                    None => return me.close(CloseCode::Away, SHUTTING_DOWN).await,
                    Some(Drained::Caught) => {}
                    Some(Drained::Lagged) => return me.lagged().await,
                    Some(Drained::Closed) => return me.close(CloseCode::Away, "channel closed").await,
                }
            }
            item = stream.next() => match item {
                Some(Ok(WsMessage::Ping(bytes))) => {
                    last_heard = Instant::now();
                    if flood.exceeded() {
                        return me.close(CloseCode::Policy, FLOODED).await;
                    }
                    me.control(Control::Pong(bytes)).await?;
                }
                Some(Ok(WsMessage::Pong(_))) => last_heard = Instant::now(),
                Some(Ok(WsMessage::Close(_))) | None => return Ok(()),
                Some(Err(_)) => return me.close(CloseCode::Protocol, "malformed frame").await,
                Some(Ok(_)) => {
                    // Text and binary frames carry nothing we act on: they are ignored,
                    // but count as signs of life and against the flood limit.
                    last_heard = Instant::now();
                    if flood.exceeded() {
                        return me.close(CloseCode::Policy, FLOODED).await;
                    }
                }
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > timeout {
                    return me.close(CloseCode::Policy, "no answer to pings").await;
                }
                me.control(Control::Ping).await?;
            }
        }
    }
}
