//! Across instances on PostgreSQL: every commit that appends live events NOTIFYs
//! `indaba_live` with the channel name; each instance LISTENs on a dedicated connection
//! (outside the pool) and wakes its publishers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use super::hub::Hub;

pub fn spawn_listener(url: String, hub: Weak<Hub>, stop: Arc<AtomicBool>) -> Result<(), String> {
    std::thread::Builder::new()
        .name("indaba-pg-listen".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match PgConnection::establish(&url) {
                    Ok(conn) => {
                        if let Err(e) = listen(conn, &hub, &stop) {
                            tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot open the LISTEN connection; retrying")
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
                if hub.upgrade().is_none() {
                    return;
                }
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the LISTEN thread: {e}"))
}

fn listen(mut conn: PgConnection, hub: &Weak<Hub>, stop: &AtomicBool) -> Result<(), String> {
    conn.batch_execute("LISTEN indaba_live")
        .map_err(|e| e.to_string())?;
    tracing::info!("listening for live events from other instances");
    let mut last_check = Instant::now();
    // After a reconnect, wake every channel: notifications sent meanwhile were lost.
    if let Some(hub) = hub.upgrade() {
        hub.poke_all();
    }
    while !stop.load(Ordering::Relaxed) {
        let mut channels = Vec::new();
        for n in conn.notifications_iter() {
            match n {
                Ok(n) => channels.push(n.payload),
                Err(e) => return Err(e.to_string()),
            }
        }
        let Some(hub) = hub.upgrade() else {
            return Ok(());
        };
        if !channels.is_empty() {
            channels.sort();
            channels.dedup();
            hub.poke(&channels);
        }
        drop(hub);
        if last_check.elapsed() > Duration::from_secs(5) {
            conn.batch_execute("SELECT 1").map_err(|e| e.to_string())?;
            last_check = Instant::now();
        }
        // notifications_iter does not block: poll at a pace that adds little latency.
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}
