//! Long-polling for clients that cannot hold a WebSocket open.

use std::time::Duration;

use actix_web::web;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use super::hub::Message;
use super::log;
use super::{resolve, LiveQuery, Subject};
use crate::error::ApiResult;
use crate::http::respond::Private;
use crate::policy::guards::live::{Listener, OwnListener};
use crate::policy::Actor;
use crate::state::State;

const MAX_ITEMS: i64 = 500;

pub async fn consultation_events(
    who: Listener,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Private<LiveEvents>> {
    events(who.0, state, Subject::Consultation, &path, &query).await
}

pub async fn session_events(
    who: Listener,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Private<LiveEvents>> {
    events(who.0, state, Subject::Session, &path, &query).await
}

pub async fn me_events(
    who: OwnListener,
    state: State,
    query: crate::http::Query<LiveQuery>,
) -> ApiResult<Private<LiveEvents>> {
    events(Actor::User(who.0), state, Subject::User, "", &query).await
}

/// What a long-poll answers.
#[derive(Serialize, JsonSchema)]
pub struct LiveEvents {
    pub items: Vec<LiveEvent>,
    /// Give it as `?since=` next time.
    pub next_since: i64,
}

/// One event, as a WebSocket frame carries it: `{seq, type, data}`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct LiveEvent(Value);

impl JsonSchema for LiveEvent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LiveEvent".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "required": ["seq", "type", "data"],
            "properties": {
                "seq": {"type": "integer"},
                "type": {"type": "string", "description": "comment.created, comment.updated, comment.hidden, comment.withdrawn, comment.endorsed, comment.flagged (moderators), question.upvoted, version.created, session.updated, segments.updated, queue.updated, report.filed, notification.created, notification.read"},
                "data": {"type": "object"}
            }
        })
    }
}

async fn events(
    actor: Actor,
    state: State,
    subject: Subject,
    id: &str,
    query: &LiveQuery,
) -> ApiResult<Private<LiveEvents>> {
    let target = resolve(actor, &state, subject, id, query).await?;
    let since = query.since.unwrap_or(0);
    let wait = query.wait.unwrap_or(0);
    let channel = state.hub.channel(&target.channel).await?;
    // Subscribed before the first read: an event committed in between still wakes us.
    let mut rx = channel.subscribe();
    let fetch = |since: i64| {
        let (db, name) = (state.db.clone(), target.channel.clone());
        async move {
            db.run(move |conn| {
                let events = log::after(conn, &name, since, MAX_ITEMS)?;
                let last = events.last().map(|e| e.seq);
                Ok((super::render::render(conn, &events)?, last))
            })
            .await
        }
    };
    let (mut events, mut last) = fetch(since).await?;
    if events.is_empty() && wait > 0 {
        let _ = tokio::time::timeout(Duration::from_secs(wait), async {
            loop {
                match rx.recv().await {
                    Ok(sent) => {
                        if let Message::Events(frame) = &*sent.message {
                            if frame.last > since {
                                return;
                            }
                        }
                    }
                    Err(RecvError::Lagged(_)) => return,
                    Err(RecvError::Closed) => return,
                }
            }
        })
        .await;
        (events, last) = fetch(since).await?;
    }
    let next_since = last.unwrap_or(since);
    let items: Vec<LiveEvent> = events
        .into_iter()
        .filter_map(|e| {
            if target.privileged {
                Some(e.private)
            } else {
                e.public
            }
        })
        .filter_map(|text| serde_json::from_str(&text).ok())
        .map(LiveEvent)
        .collect();
    Ok(Private(LiveEvents { items, next_since }))
}
