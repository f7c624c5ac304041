//! The bare fan-out the load tools measure Indaba against (`bare_broadcast`,
//! `bare_live`): tokio-tungstenite, a task per listener, every message its own frame.
//!
//! Each connection writes whatever is already waiting in one go (feed, then flush once):
//! what any careful bare server does, and the fairest ceiling to measure against, since
//! a write per frame per socket is what costs (about 10 µs each here).

use futures_util::SinkExt;
use tokio::net::TcpListener;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Accepts WebSocket listeners on `listener` and sends each of them what `tx` carries.
pub async fn serve(listener: TcpListener, tx: broadcast::Sender<Message>) {
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
