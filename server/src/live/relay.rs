//! Wake-ups for the listeners of one HTTP worker, paced. A worker runs its tasks on a
//! tokio `LocalSet` in order of waking, and its sockets' readiness is queued there too.
//! Had 5,000 listeners been woken at once for a frame, a POST arriving just after would
//! wait behind all their socket writes (50–100 ms on this machine), and again after its
//! database work: comments were answered in 160–290 ms at 10,000 listeners.
//!
//! So one relay task per worker and channel takes the publication and wakes its
//! listeners a batch at a time, yielding between batches: whatever else the worker has
//! (a request, its database result, a client's pong) waits behind one batch at most.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::Waker;

use tokio::sync::broadcast::error::RecvError;

use super::hub::{Channel, Hub};

thread_local! {
    static RELAYS: RefCell<HashMap<String, Weak<Relay>>> = RefCell::new(HashMap::new());
}

pub struct Relay {
    wakers: RefCell<Vec<Waker>>,
    /// Bumped at every wake-up, so a listener registers once per publication.
    round: Cell<u64>,
    stopping: Cell<bool>,
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
            });
            relays.retain(|_, r| r.strong_count() > 0);
            relays.insert(channel.name.clone(), Rc::downgrade(&relay));
            actix_web::rt::spawn(run(
                Rc::downgrade(&relay),
                channel.clone(),
                hub.shutdown_signal(),
            ));
            relay
        })
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

async fn run(
    relay: Weak<Relay>,
    channel: Arc<Channel>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    // The relay only needs to know that something was published; listeners take the
    // messages from their own receivers.
    let mut rx = channel.subscribe();
    loop {
        let stop = tokio::select! {
            received = rx.recv() => matches!(received, Err(RecvError::Closed)),
            changed = shutdown.changed() => changed.is_err() || *shutdown.borrow(),
        };
        let Some(relay) = relay.upgrade() else {
            return;
        };
        if stop {
            relay.stopping.set(true);
        }
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
