//! The ceiling: a bare tokio-tungstenite broadcast server, one frame per message.
//! `bare_broadcast <addr> <messages per second> [frame bytes]`; messages carry `seq` and
//! a send timestamp like Indaba's events, padded to the size given (300 bytes by
//! default; liveload passes the size of the events Indaba sent in the same run).
//!
//! The fan-out is `indaba_tests::fan_out`: each message its own frame, whatever is
//! waiting written in one go.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    indaba_tests::fan_out::serve(listener, tx).await;
}
