//! The WebSocket endpoint: replay from the log after `since`, then live frames, with
//! heartbeats, a bounded buffer and clear close codes.
//!
//! The handler authorises and resolves the stream like any endpoint, and answers 101
//! with the listener ([`Connection`]) in the response's extensions. actix-http does not
//! write that answer: every upgrade request goes to `live::handover`, which writes the
//! 101 itself and then drives the listener on the socket, inside the connection's own
//! task. The listener copies the frames the publisher encoded into a buffer of its own
//! (see `Frame::write_for`), every frame waiting for it in one buffer, and writes that
//! straight to the socket, as a bare server would: no task of its own, no channel
//! between it and the socket, and none of actix-http's per-frame work (its body types,
//! its write buffer of 12–16 KiB per connection, kept for the connection's life).

use std::cell::RefCell;
use std::future::Future;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_http::ws::{CloseCode, OpCode, Parser};
use actix_web::body::BoxBody;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::broadcast::{self, error::TryRecvError};

use super::hub::{Channel, Hub, ListenerGuard, Message, Sent};
use super::log::{self, Encoded};
use super::relay::Relay;
use super::{resolve, wire, LiveQuery, Subject};
use crate::error::{ApiError, ApiResult};
use crate::http::respond::Upgrade;
use crate::policy::guards::live::{Listener, OwnListener};
use crate::policy::Actor;
use crate::state::State;

/// The room a listener's buffer is made with when something is to be sent: a few
/// frames' worth, so that taking several waiting frames does not grow it piecemeal.
const OUT_START: usize = 4096;
/// A listener takes no more frames from the ring while this much waits for its socket:
/// what it has not taken stays in the ring, shared, rather than copied into a buffer of
/// its own. At 300 comments a second without the coalescing window, listeners that had
/// fallen behind took the whole ring each, and the server grew to 803 MB.
const OUT_LIMIT: usize = 16 * 1024;
/// Client frames allowed per 10 seconds before the connection is closed.
const FLOOD_LIMIT: u32 = 100;
/// The largest frame a client may send.
const MAX_CLIENT_FRAME: usize = 64 * 1024;
const REPLAY_BATCH: i64 = 500;
const SHUTTING_DOWN: &str = "the server is shutting down: reconnect with since";
/// The close code of a listener whose session ended (token expired, privilege
/// withdrawn): reconnect with a fresh token (the pages' script does, with the cookie).
pub const SESSION_ENDED: u16 = 4001;

pub async fn consultation(
    who: Listener,
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Upgrade> {
    upgrade(who.0, req, state, Subject::Consultation, &path, &query).await
}

pub async fn session(
    who: Listener,
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Upgrade> {
    upgrade(who.0, req, state, Subject::Session, &path, &query).await
}

pub async fn me(
    who: OwnListener,
    req: HttpRequest,
    state: State,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Upgrade> {
    let actor = Actor::User(who.0);
    upgrade(actor, req, state, Subject::User, "", &query).await
}

async fn upgrade(
    actor: Actor,
    req: HttpRequest,
    state: State,
    subject: Subject,
    id: &str,
    query: &LiveQuery,
) -> ApiResult<Upgrade> {
    if !req.extensions().contains::<super::handover::HandedOver>() {
        return Err(ApiError::bad_request(
            "expected a WebSocket upgrade: Upgrade: websocket, without a body",
        ));
    }
    let target = resolve(actor, &state, subject, id, query).await?;
    let channel = state.hub.channel(&target.channel).await?;
    let mut response = actix_http::ws::handshake(req.head())
        .map_err(|e| ApiError::bad_request(format!("expected a WebSocket upgrade: {e}")))?;
    let listener = Connection::new(&state.hub, channel, &target);
    let response = response
        .message_body(BoxBody::new(()))
        .map_err(ApiError::internal)?;
    let mut response = HttpResponse::from(response);
    response
        .extensions_mut()
        .insert(Handover(RefCell::new(Some(listener))));
    Ok(Upgrade(response))
}

/// The listener of a 101 answer, for `live::handover` to take with the socket.
pub struct Handover(RefCell<Option<Connection>>);

impl Handover {
    pub fn take(&self) -> Option<Connection> {
        self.0.borrow_mut().take()
    }
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
pub struct Connection {
    hub: Arc<Hub>,
    channel: Arc<Channel>,
    relay: Rc<Relay>,
    /// The relay round this listener is registered for.
    round: u64,
    rx: broadcast::Receiver<Sent>,
    /// The number of the last message taken from `rx` (see [`Channel::sent`]).
    taken: u64,
    privileged: bool,
    /// The last seq handed to the socket.
    last: i64,
    /// A published frame waiting for the replay of the gap before it.
    held: Option<Arc<Message>>,
    replay: Option<Replay>,
    /// The client's side: raw bytes from the socket, parsed here into frames.
    read_buf: BytesMut,
    ping: tokio::time::Interval,
    timeout: Duration,
    last_heard: Instant,
    flood: Flood,
    /// Frames ready for the socket, in order, as bytes: what the listener took (up to
    /// [`OUT_LIMIT`]) goes in one write. Let go of once written, so that a listener at
    /// rest holds no buffer.
    out: BytesMut,
    /// No more frames after `out`: the socket closes once they are written.
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

impl Connection {
    fn new(hub: &Arc<Hub>, channel: Arc<Channel>, target: &super::Target) -> Connection {
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
        let rx = channel.subscribe();
        let period = Duration::from_secs(settings.ping_seconds);
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut body = Connection {
            hub: hub.clone(),
            relay: Relay::on_this_worker(hub, &channel),
            round: u64::MAX,
            rx,
            taken: 0,
            _guard: channel.join(),
            channel,
            privileged,
            last: start_after,
            held: None,
            replay: None,
            read_buf: BytesMut::new(),
            ping,
            timeout: Duration::from_secs(settings.timeout_seconds),
            last_heard: Instant::now(),
            flood: Flood {
                window: Instant::now(),
                received: 0,
            },
            out: BytesMut::new(),
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
            self.out.extend_from_slice(&wire::close(code, reason));
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

    /// Bytes from the client's side of the socket, parsed at the next poll.
    pub fn received(&mut self, bytes: &[u8]) {
        self.read_buf.extend_from_slice(bytes);
    }

    /// Reads and answers the client's frames. Returns when the socket has nothing more.
    fn read_client<T: AsyncRead + Unpin>(&mut self, io: &mut T, cx: &mut Context<'_>) {
        // Not zeroed first: the read fills what it reports.
        let mut chunk = [MaybeUninit::<u8>::uninit(); 1024];
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
            let mut buf = ReadBuf::uninit(&mut chunk);
            match Pin::new(&mut *io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    self.read_buf.extend_from_slice(buf.filled())
                }
                // The client is gone: nothing more can reach it.
                Poll::Ready(_) => return self.gone(),
                Poll::Pending => return,
            }
        }
    }

    fn gone(&mut self) {
        self.ended = true;
        self.out = BytesMut::new();
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
                .extend_from_slice(&wire::pong(payload.as_deref().unwrap_or_default()));
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
        let Some(r) = self.recheck.as_mut() else {
            return;
        };
        if r.pending.is_none() && r.every.poll_tick(cx).is_ready() {
            // Cloned only here: a clone at every poll moved the handle's count between
            // the cores at every wake-up of every listener.
            let (db, user_id) = (self.hub.db().clone(), r.user_id);
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
            self.out.extend_from_slice(&wire::ping());
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
                if let Some(frame) = log::Frame::new(events) {
                    frame.write_for(self.privileged, self.last, &mut self.out);
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
            Message::Presence(wire) => self.out.extend_from_slice(wire),
            Message::Events(frame) => {
                if frame.last <= self.last {
                    return;
                }
                if fill_gaps && frame.first > self.last + 1 {
                    self.held = Some(message.clone());
                    return self.start_replay(Some(frame.first - 1));
                }
                // Room for a few frames, even when a ping or a presence frame came first.
                if self.out.capacity() < OUT_START {
                    self.out.reserve(OUT_START - self.out.len());
                }
                frame.write_for(self.privileged, self.last, &mut self.out);
                self.last = frame.last;
            }
        }
    }

    /// Takes what the channel published since the last poll, up to [`OUT_LIMIT`] bytes
    /// waiting for the socket.
    fn take_published(&mut self) {
        while self.replay.is_none() && !self.ended && self.out.len() < OUT_LIMIT {
            if self.channel.sent() == self.taken {
                return;
            }
            match self.rx.try_recv() {
                Ok(sent) => {
                    self.taken = sent.n;
                    self.deliver(&sent.message, true);
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Lagged(_)) => {
                    let reason = format!("too slow to keep up: reconnect with since={}", self.last);
                    self.close(CloseCode::Again, &reason);
                }
                Err(TryRecvError::Closed) => self.close(CloseCode::Away, "channel closed"),
            }
        }
    }

    /// Runs the listener on its socket until either side ends it: reads and answers the
    /// client, takes what was published, and writes it as the socket takes it. Ready
    /// once it has ended; the caller then closes the socket.
    pub fn drive<T>(&mut self, io: &mut T, cx: &mut Context<'_>) -> Poll<()>
    where
        T: AsyncRead + AsyncWrite + Unpin,
    {
        loop {
            if self.out.is_empty() {
                if self.ended {
                    return Poll::Ready(());
                }
                self.refill(io, cx);
                if self.out.is_empty() {
                    return match self.ended {
                        true => Poll::Ready(()),
                        false => Poll::Pending,
                    };
                }
            }
            match Pin::new(&mut *io).poll_write(cx, &self.out) {
                Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => {
                    self.gone();
                    return Poll::Ready(());
                }
                Poll::Ready(Ok(written)) if written < self.out.len() => self.out.advance(written),
                Poll::Ready(Ok(_)) => self.out = BytesMut::new(),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Queues what there is to send: answers to the client, heartbeats and closes, the
    /// replay and what was published. Registered to be woken at the next publication.
    fn refill<T: AsyncRead + Unpin>(&mut self, io: &mut T, cx: &mut Context<'_>) {
        if self.relay.stopping() {
            self.close(CloseCode::Away, SHUTTING_DOWN);
        }
        // Once closing, the client's frames go unanswered: nothing may follow the close.
        if !self.ended {
            self.read_client(io, cx);
        }
        if !self.ended {
            self.check_session(cx);
        }
        if !self.ended {
            self.heartbeat(cx);
        }
        // A frame after a gap starts a replay, which is polled at once.
        while !self.ended && self.continue_replay(cx) {
            self.take_published();
            if self.replay.is_none() {
                break;
            }
        }
        // Woken at the next publication, whatever else it waits for.
        self.relay.register(&mut self.round, cx.waker());
    }
}
