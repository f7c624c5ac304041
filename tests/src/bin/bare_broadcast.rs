//! The ceiling: a bare tokio-tungstenite broadcast server, one frame per message.
//! `bare_broadcast <addr> <messages per second> [frame bytes]`; messages carry `seq` and
//! a send timestamp like Indaba's events, padded to the size given (300 bytes by
//! default; liveload passes the size of the events Indaba sent in the same run).
//!
//! Each connection forwards every message as its own frame, but writes whatever is
//! already waiting in one go (feed, then flush once): what any careful bare server does,
//! and the fairest ceiling to measure against, since a write per frame per socket is what
//! costs (about 10 µs each here).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::SinkExt;
use tokio::net::TcpListener;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let rate: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let frame_bytes: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(300);
    let listener = TcpListener::bind(&addr).await.expect("bind");
    let (tx, _) = broadcast::channel::<Message>(1024);
    let sender = tx.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
        let mut seq: u64 = 0;
        loop {
            tick.tick().await;
            // Wait for the first listener before producing.
            if sender.receiver_count() == 0 && seq == 0 {
                continue;
            }
            seq += 1;
            let ts = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_micros())
                .unwrap_or(0);
            let mut text =
                format!(r#"{{"seq":{seq},"type":"comment.created","data":{{"body":"ts={ts} "#);
            let pad = frame_bytes.saturating_sub(text.len() + 3);
            text.extend(std::iter::repeat_n('x', pad));
            text.push_str(r#""}}"#);
            let _ = sender.send(Message::Text(text.into()));
        }
    });
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut rx = tx.subscribe();
        tokio::spawn(async move {
            let config = WebSocketConfig::default().read_buffer_size(4096);
            let Ok(mut ws) =
                tokio_tungstenite::accept_async_with_config(stream, Some(config)).await
            else {
                return;
            };
            loop {
                let first = match rx.recv().await {
                    Ok(msg) => msg,
                    // Fallen behind: skip what was lost and go on, as a bare server would.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                };
                if ws.feed(first).await.is_err() {
                    return;
                }
                loop {
                    match rx.try_recv() {
                        Ok(msg) => {
                            if ws.feed(msg).await.is_err() {
                                return;
                            }
                        }
                        Err(TryRecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    }
                }
                if ws.flush().await.is_err() {
                    return;
                }
            }
        });
    }
}
