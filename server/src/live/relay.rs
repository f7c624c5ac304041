//! One worker's side of a channel: its own copy of what was published, and wake-ups for
//! its listeners, paced.
//!
//! **A copy per worker.** The relay takes each publication from the channel once and
//! copies its bytes; this worker's listeners read from that copy. When all 10,000
//! listeners shared the publisher's bytes, and each its own receiver of the channel,
//! both workers counted references to the same bytes and the same slot: one cache line
//! bouncing between the cores, 7.6% of the server's time at 10,000 listeners
//! (docs/performance.md). A copy per worker keeps those counts on one core.
//!
//! **Wake-ups, paced.** A worker runs its tasks on a tokio `LocalSet` in order of waking,
//! and its sockets' readiness is queued there too. Had 5,000 listeners been woken at
//! once for a frame, a POST arriving just after would wait behind all their socket
//! writes (50–100 ms on this machine), and again after its database work: comments were
//! answered in 160–290 ms at 10,000 listeners. So the relay wakes its listeners a batch
//! at a time, yielding between batches: whatever else the worker has (a request, its
//! database result, a client's pong) waits behind one batch at most.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::Waker;

use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

use super::hub::{Channel, Hub, Message};

thread_local! {
    static RELAYS: RefCell<HashMap<String, Weak<Relay>>> = RefCell::new(HashMap::new());
}

pub struct Relay {
    wakers: RefCell<Vec<Waker>>,
    /// Bumped at every wake-up, so a listener registers once per publication.
    round: Cell<u64>,
    stopping: Cell<bool>,
    /// The last `capacity` messages this worker received, copied.
    frames: RefCell<VecDeque<Rc<Message>>>,
    /// The position of `frames[0]`. Positions count the messages this relay received; a
    /// listener's cursor is the position of the next one it takes.
    start: Cell<u64>,
    /// `INDABA_LIVE_BUFFER`: a listener further behind is closed with 1013.
    capacity: usize,
}

/// What a listener finds at its cursor.
pub enum Next {
    Message(Rc<Message>),
    /// Nothing new yet.
    Empty,
    /// More than the buffer behind: what it missed is gone from this worker's copy.
    Lagged,
}

impl Relay {
    /// This worker's relay for the channel, started with its first listener here. It
    /// ends at the first publication after its last listener left.
    pub fn on_this_worker(hub: &Arc<Hub>, channel: &Arc<Channel>) -> Rc<Relay> {
        RELAYS.with(|relays| {
            let mut relays = relays.borrow_mut();
            if let Some(relay) = relays.get(&channel.name).and_then(Weak::upgrade) {
                return relay;
            }
            let relay = Rc::new(Relay {
                wakers: RefCell::new(Vec::new()),
                round: Cell::new(0),
                stopping: Cell::new(false),
                frames: RefCell::new(VecDeque::new()),
                start: Cell::new(0),
                capacity: hub.settings.buffer.max(1),
            });
            relays.retain(|_, r| r.strong_count() > 0);
            relays.insert(channel.name.clone(), Rc::downgrade(&relay));
            // Subscribed now, not when the task first runs: whatever is published from
            // here on reaches the listener being set up.
            let rx = channel.tx.subscribe();
            actix_web::rt::spawn(run(Rc::downgrade(&relay), rx, hub.shutdown_signal()));
            relay
        })
    }

    /// The position of the next message: where a new listener starts.
    pub fn head(&self) -> u64 {
        self.start.get() + self.frames.borrow().len() as u64
    }

    /// The message at `cursor`, moving it on.
    pub fn next(&self, cursor: &mut u64) -> Next {
        let Some(offset) = cursor.checked_sub(self.start.get()) else {
            return Next::Lagged;
        };
        let found = usize::try_from(offset)
            .ok()
            .and_then(|i| self.frames.borrow().get(i).cloned());
        match found {
            Some(message) => {
                *cursor += 1;
                Next::Message(message)
            }
            None => Next::Empty,
        }
    }

    /// Wakes `waker` at the next publication (or stop). `round` is the caller's note of
    /// the round it last registered for, so that it is listed once however often it is
    /// polled meanwhile.
    pub fn register(&self, round: &mut u64, waker: &Waker) {
        if *round != self.round.get() {
            *round = self.round.get();
            self.wakers.borrow_mut().push(waker.clone());
        }
    }

    /// The server is shutting down: listeners close with 1001.
    pub fn stopping(&self) -> bool {
        self.stopping.get()
    }

    fn push(&self, message: &Message) {
        let mut frames = self.frames.borrow_mut();
        frames.push_back(Rc::new(message.copied()));
        if frames.len() > self.capacity {
            frames.pop_front();
            self.start.set(self.start.get() + 1);
        }
    }

    /// This worker fell more than the buffer behind the channel, so every listener on it
    /// did: each is closed with 1013 and resumes with `since`, as if it alone had lagged.
    fn lost(&self) {
        let head = self.head();
        self.frames.borrow_mut().clear();
        self.start.set(head + 1);
    }

    /// Starts a round: the listeners registered so far, to be woken. Those that register
    /// from now on wait for the next round.
    fn take_round(&self) -> Vec<Waker> {
        self.round.set(self.round.get().wrapping_add(1));
        std::mem::take(&mut *self.wakers.borrow_mut())
    }
}

/// Listeners woken together before the relay yields to the worker's other tasks: about
/// a millisecond of socket writes.
const BATCH: usize = 64;

enum Received {
    Message(Arc<Message>),
    Lost,
    Stop,
    Nothing,
}

async fn run(
    relay: Weak<Relay>,
    mut rx: broadcast::Receiver<Arc<Message>>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let received = tokio::select! {
            received = rx.recv() => match received {
                Ok(message) => Received::Message(message),
                Err(RecvError::Lagged(_)) => Received::Lost,
                Err(RecvError::Closed) => Received::Stop,
            },
            changed = shutdown.changed() => if changed.is_err() || *shutdown.borrow() {
                Received::Stop
            } else {
                Received::Nothing
            },
        };
        let Some(relay) = relay.upgrade() else {
            return;
        };
        match received {
            Received::Message(message) => {
                relay.push(&message);
                // Whatever else is waiting goes out in the same round.
                loop {
                    match rx.try_recv() {
                        Ok(message) => relay.push(&message),
                        Err(TryRecvError::Lagged(_)) => relay.lost(),
                        Err(_) => break,
                    }
                }
            }
            Received::Lost => relay.lost(),
            Received::Stop => relay.stopping.set(true),
            Received::Nothing => {}
        }
        let stop = relay.stopping();
        let round = relay.take_round();
        drop(relay);
        for batch in round.chunks(BATCH) {
            for w in batch {
                w.wake_by_ref();
            }
            tokio::task::yield_now().await;
        }
        if stop {
            return;
        }
    }
}
