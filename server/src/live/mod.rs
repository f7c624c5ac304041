//! Live streams: WebSocket and long-polling over the durable event log.
//!
//! Writes append events to `live_events` in their transaction (see `outbox`). After the
//! commit, this instance's hub is poked (and other instances through PostgreSQL NOTIFY);
//! the channel's publisher reads what is new and sends it to every listener as one
//! frame. A listener that comes with `since` first gets the log after it.

pub mod handover;
pub mod hub;
pub mod log;
pub mod pg;
pub mod poll;
pub mod relay;
pub mod render;
pub mod wire;
pub mod ws;

use serde::Deserialize;

use crate::accounts::auth::AuthUser;
use crate::consultations::comments::usecase::session_visible;
use crate::endpoint;
use crate::error::{ApiError, ApiResult};
use crate::http::Endpoint;
use crate::policy::guards::consultation_for;
use crate::policy::guards::live::{Listener, OwnListener};
use crate::policy::Actor;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/live/consultations/{id}", Listener, "WebSocket: the consultation's events as {seq, type, data} frames; ?since= replays, ?access_token= authenticates", ws::consultation),
        endpoint!(GET "/live/consultations/{id}/events", Listener, "Long-polling: events after ?since=, waiting up to ?wait= seconds (at most 60)", poll::consultation_events),
        endpoint!(GET r"/live/sessions/{id:\d+}", Listener, "WebSocket: the session's events (as for consultations)", ws::session),
        endpoint!(GET r"/live/sessions/{id:\d+}/events", Listener, "Long-polling on a session's events", poll::session_events),
        endpoint!(GET "/live/me", OwnListener, "WebSocket: your own events (notification.created with the unread count)", ws::me),
        endpoint!(GET "/live/me/events", OwnListener, "Long-polling on your own events", poll::me_events),
    ]
}

/// `?since=&wait=&access_token=`
#[derive(Deserialize, schemars::JsonSchema)]
pub struct LiveQuery {
    /// Replay every event after this seq first (0 for the whole log).
    pub since: Option<i64>,
    /// Long-polling: seconds to wait for an event (0 to 60).
    pub wait: Option<u64>,
    /// The access token, for clients that cannot set the header.
    pub access_token: Option<String>,
}

pub struct Target {
    pub channel: String,
    /// Receives the moderators' rendering (hidden contributions, flags).
    pub privileged: bool,
    /// The last seq the listener has: `since`, or the head when it came without one.
    pub start_after: i64,
    pub replay: bool,
    /// The token's user, whose privileges are checked again while the socket is open.
    pub user_id: Option<i64>,
    /// When the token ends (Unix seconds): the socket is closed then (4001).
    pub expires_at: Option<i64>,
}

/// What a listener listens to.
#[derive(Clone, Copy)]
pub enum Subject {
    Consultation,
    Session,
    /// The caller's own channel.
    User,
}

/// Checks everything before the upgrade: the token (401), the channel (404), `since`
/// and `wait` (422).
pub async fn resolve(
    actor: Actor,
    state: &AppState,
    subject: Subject,
    id: &str,
    q: &LiveQuery,
) -> ApiResult<Target> {
    let user: Option<AuthUser> = actor.user().cloned();
    if q.wait.is_some_and(|w| w > 60) {
        return Err(ApiError::query("wait", "must be from 0 to 60 seconds"));
    }
    if q.since.is_some_and(|s| s < 0) {
        return Err(ApiError::query("since", "must not be negative"));
    }
    let key = id.to_owned();
    let since = q.since;
    let (channel, privileged, head) = state
        .db
        .run(move |conn| {
            let (channel, privileged) = match subject {
                Subject::Consultation => {
                    let (row, access) = consultation_for(conn, &actor, &key)?;
                    (
                        crate::outbox::consultation_channel(row.id),
                        access.reader().moderator,
                    )
                }
                Subject::Session => {
                    let id: i64 = key.parse().map_err(|_| ApiError::not_found("session"))?;
                    session_visible(conn, &actor, id)?;
                    (crate::outbox::session_channel(id), actor.is_moderator())
                }
                Subject::User => {
                    let user = actor.user().ok_or_else(|| {
                        ApiError::new(
                            crate::error::ErrorCode::Unauthenticated,
                            "your own channel needs a token",
                        )
                    })?;
                    (crate::outbox::user_channel(user.id), false)
                }
            };
            let head = log::head(conn, &channel)?;
            Ok((channel, privileged, head))
        })
        .await?;
    if let Some(s) = since {
        if s > head {
            return Err(ApiError::query(
                "since",
                format!("is beyond the last event ({head})"),
            ));
        }
    }
    Ok(Target {
        channel,
        privileged,
        start_after: since.unwrap_or(head),
        replay: since.is_some(),
        user_id: user.as_ref().map(|u| u.id),
        expires_at: user.as_ref().map(|u| u.expires_at),
    })
}

/// Whether `user_id` may still receive the moderators' rendering: checked from the
/// database while a privileged socket stays open.
pub async fn still_privileged(db: &crate::db::Db, user_id: i64) -> bool {
    // A database that cannot answer ends the privilege too (the listener reconnects).
    db.run(move |conn| crate::policy::is_moderator_now(conn, user_id))
        .await
        .unwrap_or(false)
}
