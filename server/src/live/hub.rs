//! The hub: one publisher per channel reads new events from the log and fans each batch
//! out to every listener of this instance, serialised once. Publishers run on a runtime
//! of their own so that thousands of sockets on the HTTP workers cannot starve them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{broadcast, watch, Notify};

use super::log::{self, Frame};
use crate::config::LiveSettings;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// What a channel sends to its listeners.
#[derive(Debug)]
pub enum Message {
    Events(Frame),
    /// Ephemeral, outside the log: `seq` is null. As a WebSocket frame.
    Presence(Bytes),
}

/// A message as the channel's ring holds it: numbered in the order sent.
#[derive(Clone)]
pub struct Sent {
    pub n: u64,
    pub message: Arc<Message>,
}

pub struct Channel {
    pub name: String,
    /// Sent to only through `Channel::send`, by the channel's publisher.
    tx: broadcast::Sender<Sent>,
    /// The number of the last message sent. Raised before the message enters the ring,
    /// so a listener that has taken this number has nothing waiting.
    sent: AtomicU64,
    wake: Notify,
    /// The last sequence number published on this instance.
    pub published: AtomicI64,
    listeners: AtomicUsize,
}

impl Channel {
    /// The number of the last message sent (0 before the first).
    ///
    /// A listener checks it before it looks into the ring: taking from an empty ring
    /// locks the ring's tail, one lock for every listener on both workers, and at
    /// 10,000 listeners polled 20 times a second that lock moved between the cores
    /// (docs/performance.md).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Acquire)
    }

    /// A receiver of every message sent from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Sent> {
        self.tx.subscribe()
    }

    /// Puts a message in the ring for every listener. Only the publisher sends, so the
    /// ring holds the messages in the order of their numbers.
    fn send(&self, message: Message) {
        let n = self.sent.fetch_add(1, Ordering::AcqRel) + 1;
        let _ = self.tx.send(Sent {
            n,
            message: Arc::new(message),
        });
    }

    pub fn listeners(&self) -> usize {
        self.listeners.load(Ordering::Relaxed)
    }

    /// Counts a listener for as long as the guard lives.
    pub fn join(self: &Arc<Self>) -> ListenerGuard {
        self.listeners.fetch_add(1, Ordering::Relaxed);
        ListenerGuard(self.clone())
    }
}

pub struct ListenerGuard(Arc<Channel>);

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        self.0.listeners.fetch_sub(1, Ordering::Relaxed);
    }
}

pub struct Hub {
    db: Db,
    pub settings: LiveSettings,
    channels: Mutex<HashMap<String, Arc<Channel>>>,
    runtime: tokio::runtime::Handle,
    shutdown_tx: watch::Sender<bool>,
}

impl Hub {
    pub fn start(db: Db, settings: LiveSettings) -> Result<Arc<Hub>, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("indaba-live")
            .build()
            .map_err(|e| format!("cannot start the live runtime: {e}"))?;
        let handle = runtime.handle().clone();
        let (shutdown_tx, mut shutdown_rx) = watch::channel(false);
        std::thread::Builder::new()
            .name("indaba-live".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while shutdown_rx.changed().await.is_ok() && !*shutdown_rx.borrow() {}
                })
            })
            .map_err(|e| format!("cannot start the live thread: {e}"))?;
        let hub = Arc::new(Hub {
            db: db.clone(),
            settings,
            channels: Mutex::new(HashMap::new()),
            runtime: handle,
            shutdown_tx,
        });
        let weak: Weak<Hub> = Arc::downgrade(&hub);
        db.set_commit_hook(Box::new(move |channels| {
            if let Some(hub) = weak.upgrade() {
                hub.poke(&channels);
            }
        }));
        Ok(hub)
    }

    /// New events were committed on these channels (here, or on another instance).
    pub fn poke(&self, channels: &[String]) {
        let map = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        for name in channels {
            if let Some(c) = map.get(name) {
                c.wake.notify_one();
            }
        }
    }

    /// Wakes every publisher (after a lost LISTEN connection, say).
    pub fn poke_all(&self) {
        for c in self
            .channels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
        {
            c.wake.notify_one();
        }
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown_tx.subscribe()
    }

    /// Tells every connection to close (1001) and stops the publishers.
    pub fn shutdown(&self) {
        let _ = self.shutdown_tx.send(true);
    }

    /// (channels open on this instance, listeners on them), for /metrics.
    pub fn counts(&self) -> (usize, usize) {
        let map = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        (map.len(), map.values().map(|c| c.listeners()).sum())
    }

    /// The channel's hub on this instance, started on first use.
    pub async fn channel(self: &Arc<Self>, name: &str) -> ApiResult<Arc<Channel>> {
        if let Some(c) = self
            .channels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
        {
            return Ok(c.clone());
        }
        let n = name.to_owned();
        let head = self.db.run(move |conn| log::head(conn, &n)).await?;
        let mut map = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = map.get(name) {
            return Ok(c.clone());
        }
        let (tx, _) = broadcast::channel(self.settings.buffer);
        let channel = Arc::new(Channel {
            name: name.to_owned(),
            tx,
            sent: AtomicU64::new(0),
            wake: Notify::new(),
            published: AtomicI64::new(head),
            listeners: AtomicUsize::new(0),
        });
        map.insert(name.to_owned(), channel.clone());
        drop(map);
        self.runtime.spawn(publish(self.clone(), channel.clone()));
        Ok(channel)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// The publisher of one channel: wakes on commits (and every second as a safety net) and
/// sends what is new as one frame, at most one frame per coalescing window. The first
/// events after a quiet spell go out at once; under a stream of events each frame holds
/// what arrived within the window. (Listeners batch again on their side: one that is
/// behind takes every frame waiting for it in one write.)
async fn publish(hub: Arc<Hub>, channel: Arc<Channel>) {
    let mut shutdown = hub.shutdown_signal();
    let coalesce = Duration::from_millis(hub.settings.coalesce_ms);
    let mut last_presence = usize::MAX;
    let mut presence_tick = tokio::time::interval(Duration::from_secs(2));
    let mut last_frame: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = channel.wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = presence_tick.tick() => {
                let n = channel.listeners();
                if n != last_presence {
                    last_presence = n;
                    let text = format!(r#"{{"seq":null,"type":"presence","data":{{"channel":{},"listeners":{n}}}}}"#,
                        serde_json::to_string(&channel.name).unwrap_or_default());
                    channel.send(Message::Presence(super::wire::text(&text)));
                }
                continue;
            }
            _ = shutdown.changed() => return,
        }
        if let Some(due) = last_frame.map(|t| t + coalesce) {
            if due > tokio::time::Instant::now() {
                tokio::time::sleep_until(due).await;
            }
        }
        loop {
            let since = channel.published.load(Ordering::Acquire);
            let db = hub.db.clone();
            let name = channel.name.clone();
            // Rendered from the current rows: a hide or an erasure committed before this
            // read is already in what listeners get.
            let fetched = tokio::task::spawn_blocking(move || -> ApiResult<_> {
                let mut conn = db.get()?;
                let events = log::after(&mut conn, &name, since, 2000)?;
                let last = events.last().map(|e| e.seq);
                let encoded = super::render::render(&mut conn, &events)?;
                Ok((encoded, last))
            })
            .await
            .map_err(ApiError::internal);
            let (encoded, last) = match fetched.and_then(|r| r) {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(channel = %channel.name, error = %e.message, "live publisher could not read the log");
                    break;
                }
            };
            let Some(last) = last else {
                break;
            };
            let count = encoded.len();
            if let Some(frame) = Frame::new(encoded) {
                channel.send(Message::Events(frame));
                last_frame = Some(tokio::time::Instant::now());
            }
            channel.published.store(last, Ordering::Release);
            if count < 2000 {
                break;
            }
        }
    }
}
