//! The WebSocket endpoint: replay from the log after `since`, then live frames, with
//! heartbeats, a bounded buffer and clear close codes.
//!
//! A listener is the body of the 101 response ([`LiveBody`]), polled by actix-http's
//! connection task itself: no task of its own, no channel between it and the socket.
//! It reads the client's frames from the request payload, takes what the channel
//! published from its broadcast receiver, and hands the frames the publisher encoded
//! once for everyone (a copy each, see `Frame::wire_for`) to actix-http, which writes
//! them as the socket takes them. At 10,000 listeners this halves the tasks polled per
//! frame, and no listener encodes a frame again (each did before).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_http::ws::{CloseCode, OpCode, Parser};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::{dev, web, HttpRequest, HttpResponse};
use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::TryRecvError};

use super::hub::{Channel, Hub, ListenerGuard, Message};
use super::log::{self, Encoded};
use super::relay::Relay;
use super::{resolve, wire, LiveQuery, Subject};
use crate::error::{ApiError, ApiResult};
use crate::http::respond::Upgrade;
use crate::policy::guards::live::{Listener, OwnListener};
use crate::policy::Actor;
use crate::state::State;

/// Client frames allowed per 10 seconds before the connection is closed.
const FLOOD_LIMIT: u32 = 100;
/// The largest frame a client may send.
const MAX_CLIENT_FRAME: usize = 64 * 1024;
const REPLAY_BATCH: i64 = 500;
/// How much a connection gathers in its write buffer before writing it to the socket.
/// actix-http appends a body's chunks to the buffer while it holds less than this, and
/// a buffer keeps whatever size it grew to: with actix-http's 32 KiB, each listener's
/// grew to 64 KiB, and the server took 590–690 MB at 10,000 listeners. Less than 12 KiB
/// costs more writes than the memory it saves (docs/performance.md).
pub const WRITE_LIMIT: usize = 12 * 1024;
/// The largest chunk a listener hands actix-http at once, so that its write buffer stays
/// within `WRITE_LIMIT + MAX_CHUNK` = 16 KiB. Frames holding several events, and replays,
/// are bigger: whole, each one grew every listener's buffer to 32 KiB or more.
const MAX_CHUNK: usize = 4 * 1024;
const SHUTTING_DOWN: &str = "the server is shutting down: reconnect with since";
/// The close code of a listener whose session ended (token expired, privilege
/// withdrawn): reconnect with a fresh token (the pages' script does, with the cookie).
pub const SESSION_ENDED: u16 = 4001;

pub async fn consultation(
    who: Listener,
    req: HttpRequest,
    body: web::Payload,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Upgrade> {
    upgrade(
        who.0,
        req,
        body,
        state,
        Subject::Consultation,
        &path,
        &query,
    )
    .await
}

pub async fn session(
    who: Listener,
    req: HttpRequest,
    body: web::Payload,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Upgrade> {
    upgrade(who.0, req, body, state, Subject::Session, &path, &query).await
}

pub async fn me(
    who: OwnListener,
    req: HttpRequest,
    body: web::Payload,
    state: State,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Upgrade> {
    let actor = Actor::User(who.0);
    upgrade(actor, req, body, state, Subject::User, "", &query).await
}

async fn upgrade(
    actor: Actor,
    req: HttpRequest,
    body: web::Payload,
    state: State,
    subject: Subject,
    id: &str,
    query: &LiveQuery,
) -> ApiResult<Upgrade> {
    let target = resolve(actor, &state, subject, id, query).await?;
    let channel = state.hub.channel(&target.channel).await?;
    let mut response = actix_http::ws::handshake(req.head())
        .map_err(|e| ApiError::bad_request(format!("expected a WebSocket upgrade: {e}")))?;
    let listener = LiveBody::new(&state.hub, channel, body.into_inner(), &target);
    let response = response
        .message_body(BoxBody::new(listener))
        .map_err(ApiError::internal)?;
    Ok(Upgrade(HttpResponse::from(response)))
}

type Fetch = Pin<Box<dyn Future<Output = ApiResult<Vec<Encoded>>>>>;

/// Filling a gap from the log: everything after the listener's `last`, up to `until`.
struct Replay {
    until: Option<i64>,
    fetch: Fetch,
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

/// One listener. Its buffer is the channel's ring of `INDABA_LIVE_BUFFER` frames: one
/// that falls further behind is closed with 1013 and the seq to resume from.
pub struct LiveBody {
    hub: Arc<Hub>,
    channel: Arc<Channel>,
    relay: Rc<Relay>,
    /// The relay round this listener is registered for.
    round: u64,
    rx: broadcast::Receiver<Arc<Message>>,
    privileged: bool,
    /// The last seq handed to the socket.
    last: i64,
    /// A published frame waiting for the replay of the gap before it.
    held: Option<Arc<Message>>,
    replay: Option<Replay>,
    /// The client's side: raw bytes from the socket, parsed here into frames.
    incoming: dev::Payload,
    read_buf: BytesMut,
    ping: tokio::time::Interval,
    timeout: Duration,
    last_heard: Instant,
    flood: Flood,
    /// Frames ready for the socket, in order.
    out: VecDeque<Bytes>,
    /// No more frames after `out`: the body ends once it is written.
    ended: bool,
    /// When the token the listener came with ends.
    expires: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A privileged listener's user, whose roles are read again every
    /// `INDABA_LIVE_RECHECK_SECONDS`.
    recheck: Option<Recheck>,
    _guard: ListenerGuard,
}

struct Recheck {
    user_id: i64,
    every: tokio::time::Interval,
    pending: Option<Pin<Box<dyn Future<Output = bool>>>>,
}

impl LiveBody {
    fn new(
        hub: &Arc<Hub>,
        channel: Arc<Channel>,
        incoming: dev::Payload,
        target: &super::Target,
    ) -> LiveBody {
        let (privileged, start_after, wants_replay) =
            (target.privileged, target.start_after, target.replay);
        let expires = target.expires_at.map(|at| {
            let left = at.saturating_sub(chrono::Utc::now().timestamp()).max(0) as u64;
            Box::pin(tokio::time::sleep(Duration::from_secs(left)))
        });
        let recheck = target.user_id.filter(|_| privileged).map(|user_id| {
            // A privilege withdrawn ends on its open sockets within this time.
            let period = Duration::from_secs(hub.settings.recheck_seconds);
            let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            Recheck {
                user_id,
                every,
                pending: None,
            }
        });
        let settings = hub.settings;
        // Subscribe before reading the log: whatever is published meanwhile is kept, and
        // what the replay already sent is skipped by its seq.
        let rx = channel.tx.subscribe();
        let period = Duration::from_secs(settings.ping_seconds);
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut body = LiveBody {
            hub: hub.clone(),
            relay: Relay::on_this_worker(hub, &channel),
            round: u64::MAX,
            rx,
            _guard: channel.join(),
            channel,
            privileged,
            last: start_after,
            held: None,
            replay: None,
            incoming,
            read_buf: BytesMut::new(),
            ping,
            timeout: Duration::from_secs(settings.timeout_seconds),
            last_heard: Instant::now(),
            flood: Flood {
                window: Instant::now(),
                received: 0,
            },
            out: VecDeque::new(),
            ended: false,
            expires,
            recheck,
        };
        if wants_replay {
            body.start_replay(None);
        }
        body
    }

    /// Sends a close frame after everything already queued, and ends.
    fn close(&mut self, code: CloseCode, reason: &str) {
        if !self.ended {
            self.out.push_back(wire::close(code, reason));
            self.ended = true;
            self.held = None;
            self.replay = None;
        }
    }

    fn start_replay(&mut self, until: Option<i64>) {
        let (db, name, since) = (self.hub.db().clone(), self.channel.name.clone(), self.last);
        self.replay = Some(Replay {
            until,
            fetch: Box::pin(async move {
                db.run(move |conn| {
                    let events = log::after(conn, &name, since, REPLAY_BATCH)?;
                    super::render::render(conn, &events)
                })
                .await
            }),
        });
    }

    /// Reads and answers the client's frames. Returns when the socket has nothing more.
    fn read_client(&mut self, cx: &mut Context<'_>) {
        loop {
            match Parser::parse(&mut self.read_buf, true, MAX_CLIENT_FRAME) {
                Ok(Some((_, op, payload))) => {
                    self.on_client_frame(op, payload);
                    if self.ended {
                        return;
                    }
                    continue;
                }
                Ok(None) => {}
                // RFC 6455, 7.4.1: 1009 for a message too big to process.
                Err(actix_http::ws::ProtocolError::Overflow) => {
                    return self.close(CloseCode::Size, "a client frame is over 64 KiB")
                }
                Err(_) => return self.close(CloseCode::Protocol, "malformed frame"),
            }
            match Pin::new(&mut self.incoming).poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => self.read_buf.extend_from_slice(&bytes),
                // The client is gone: nothing more can reach it.
                Poll::Ready(Some(Err(_))) | Poll::Ready(None) => {
                    self.ended = true;
                    self.out.clear();
                    return;
                }
                Poll::Pending => return,
            }
        }
    }

    fn on_client_frame(&mut self, op: OpCode, payload: Option<BytesMut>) {
        self.last_heard = Instant::now();
        match op {
            OpCode::Pong => return,
            // The client closes: answer in kind and end.
            OpCode::Close => return self.close(CloseCode::Normal, ""),
            _ => {}
        }
        if self.flood.exceeded() {
            return self.close(CloseCode::Policy, "too many messages from the client");
        }
        // Text and binary frames carry nothing we act on: they are ignored, but count
        // as signs of life and against the flood limit.
        if op == OpCode::Ping {
            self.out
                .push_back(wire::pong(payload.as_deref().unwrap_or_default()));
        }
    }

    /// Ends the listener when its token expires, or when its privileges were withdrawn.
    fn check_session(&mut self, cx: &mut Context<'_>) {
        if let Some(expires) = self.expires.as_mut() {
            if expires.as_mut().poll(cx).is_ready() {
                return self.close(
                    CloseCode::Other(SESSION_ENDED),
                    "the access token expired: reconnect with a fresh one and since",
                );
            }
        }
        let db = self.hub.db().clone();
        let Some(r) = self.recheck.as_mut() else {
            return;
        };
        if r.pending.is_none() && r.every.poll_tick(cx).is_ready() {
            let user_id = r.user_id;
            r.pending = Some(Box::pin(async move {
                super::still_privileged(&db, user_id).await
            }));
        }
        if let Some(pending) = r.pending.as_mut() {
            if let Poll::Ready(still) = pending.as_mut().poll(cx) {
                r.pending = None;
                if !still {
                    return self.close(
                        CloseCode::Other(SESSION_ENDED),
                        "your moderator privileges were withdrawn: reconnect",
                    );
                }
                // Register the timer's next tick.
                let _ = r.every.poll_tick(cx);
            }
        }
    }

    fn heartbeat(&mut self, cx: &mut Context<'_>) {
        if self.ping.poll_tick(cx).is_ready() {
            if self.last_heard.elapsed() > self.timeout {
                return self.close(CloseCode::Policy, "no answer to pings");
            }
            self.out.push_back(wire::ping());
            // Register the timer's next tick.
            let _ = self.ping.poll_tick(cx);
        }
    }

    /// Queues what the log returns for the gap, batch after batch; false while the
    /// replay waits for the log.
    fn continue_replay(&mut self, cx: &mut Context<'_>) -> bool {
        while let Some(replay) = self.replay.as_mut() {
            let events = match replay.fetch.as_mut().poll(cx) {
                Poll::Pending => return false,
                Poll::Ready(Ok(events)) => events,
                Poll::Ready(Err(_)) => {
                    let reason = format!(
                        "the log could not be read: reconnect with since={}",
                        self.last
                    );
                    self.close(CloseCode::Error, &reason);
                    return true;
                }
            };
            let until = replay.until;
            let fetched = events.len() as i64;
            let events: Vec<_> = events
                .into_iter()
                .filter(|e| until.is_none_or(|u| e.seq <= u))
                .collect();
            let end = events.last().map(|e| e.seq);
            if let Some(end) = end {
                let frame = log::Frame::new(events);
                if let Some(wire) = frame.and_then(|f| f.wire_for(self.privileged, self.last)) {
                    self.out.push_back(wire);
                }
                self.last = end;
            }
            let done =
                fetched < REPLAY_BATCH || end.is_none() || until.is_some_and(|u| self.last >= u);
            if done {
                self.replay = None;
                if let Some(message) = self.held.take() {
                    // The log has given what it holds before this frame: a gap it could
                    // not fill is not asked for again.
                    self.deliver(&message, false);
                }
            } else {
                self.start_replay(until);
            }
        }
        true
    }

    /// Queues one published message, first replaying from the log whatever lies between
    /// what this listener has and the frame (after a replay, or frames it skipped).
    fn deliver(&mut self, message: &Arc<Message>, fill_gaps: bool) {
        match &**message {
            Message::Presence(wire) => self.out.push_back(wire.clone()),
            Message::Events(frame) => {
                if frame.last <= self.last {
                    return;
                }
                if fill_gaps && frame.first > self.last + 1 {
                    self.held = Some(message.clone());
                    return self.start_replay(Some(frame.first - 1));
                }
                if let Some(wire) = frame.wire_for(self.privileged, self.last) {
                    self.out.push_back(wire);
                }
                self.last = frame.last;
            }
        }
    }

    /// Takes everything the channel published since the last poll.
    fn take_published(&mut self) {
        while self.replay.is_none() && !self.ended {
            match self.rx.try_recv() {
                Ok(message) => self.deliver(&message, true),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Lagged(_)) => {
                    let reason = format!("too slow to keep up: reconnect with since={}", self.last);
                    self.close(CloseCode::Again, &reason);
                }
                Err(TryRecvError::Closed) => self.close(CloseCode::Away, "channel closed"),
            }
        }
    }
}

impl MessageBody for LiveBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.out.is_empty() && !this.ended {
            if this.relay.stopping() {
                this.close(CloseCode::Away, SHUTTING_DOWN);
            }
            this.read_client(cx);
            if !this.ended {
                this.check_session(cx);
            }
            if !this.ended {
                this.heartbeat(cx);
            }
            // A frame after a gap starts a replay, which is polled at once.
            while !this.ended && this.continue_replay(cx) {
                this.take_published();
                if this.replay.is_none() {
                    break;
                }
            }
            // Woken at the next publication, whatever else it waits for.
            this.relay.register(&mut this.round, cx.waker());
        }
        match this.out.pop_front() {
            Some(mut frame) if frame.len() > MAX_CHUNK => {
                let chunk = frame.split_to(MAX_CHUNK);
                this.out.push_front(frame);
                Poll::Ready(Some(Ok(chunk)))
            }
            Some(frame) => Poll::Ready(Some(Ok(frame))),
            None if this.ended => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}
