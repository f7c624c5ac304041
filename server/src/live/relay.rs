//! Wake-ups for the listeners of one HTTP worker. Each worker runs its tasks on a tokio
//! `LocalSet`, which puts a task woken from another thread at the back of one shared
//! queue, and that queue also carries the worker's socket readiness and its finished
//! database work. If the live thread woke 5,000 listeners directly, a POST arriving
//! next would wait behind all of them, and so would every comment's delivery.
//!
//! So one relay task per worker and channel takes the wake-up from the live thread and
//! wakes its listeners from the worker itself. Those land on the local queue, and the
//! shared queue is served first every 31 tasks: a POST gets through during a fan-out.

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

    fn wake_all(&self) {
        self.round.set(self.round.get().wrapping_add(1));
        let wakers = std::mem::take(&mut *self.wakers.borrow_mut());
        for w in wakers {
            w.wake();
        }
    }
}

async fn run(
    relay: Weak<Relay>,
    channel: Arc<Channel>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    // The relay only needs to know that something was published; listeners take the
    // messages from their own receivers.
    let mut rx = channel.tx.subscribe();
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
        relay.wake_all();
        if stop {
            return;
        }
    }
}
