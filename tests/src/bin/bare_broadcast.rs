//! The ceiling: a bare tokio-tungstenite broadcast server, one frame per message.
//! `bare_broadcast <addr> <messages per second> <seconds>`; messages carry `seq` and a
//! send timestamp like Indaba's events, padded to about 300 bytes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::SinkExt;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let rate: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let listener = TcpListener::bind(&addr).await.expect("bind");
    let (tx, _) = broadcast::channel::<Message>(1024);
    let sender = tx.clone();
    tokio::spawn(async move {
        // Wait for the first listener before producing.
        let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
        let mut seq: u64 = 0;
        loop {
            tick.tick().await;
            if sender.receiver_count() == 0 && seq == 0 {
                continue;
            }
            seq += 1;
            let ts = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_micros())
                .unwrap_or(0);
            let text = format!(
                r#"{{"seq":{seq},"type":"comment.created","data":{{"body":"ts={ts} {}"}}}}"#,
                "x".repeat(220)
            );
            let _ = sender.send(Message::Text(text.into()));
        }
    });
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let mut rx = tx.subscribe();
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            loop {
                match rx.recv().await {
                    Ok(msg) => {
                        if ws.send(msg).await.is_err() {
                            return;
                        }
                    }
                    // Fallen behind: skip what was lost and go on, as a bare server would.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }
}
