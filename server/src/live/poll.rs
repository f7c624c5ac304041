//! Long-polling for clients that cannot hold a WebSocket open.

use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::hub::Message;
use super::log;
use super::{resolve, LiveQuery, Subject};
use crate::error::ApiResult;
use crate::state::AppState;

const MAX_ITEMS: i64 = 500;

pub async fn consultation_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LiveQuery>,
) -> ApiResult<HttpResponse> {
    events(req, state, Subject::Consultation, &path, &query).await
}

pub async fn session_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LiveQuery>,
) -> ApiResult<HttpResponse> {
    events(req, state, Subject::Session, &path, &query).await
}

pub async fn me_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LiveQuery>,
) -> ApiResult<HttpResponse> {
    events(req, state, Subject::User, "", &query).await
}

async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    subject: Subject,
    id: &str,
    query: &LiveQuery,
) -> ApiResult<HttpResponse> {
    let target = resolve(&req, &state, subject, id, query).await?;
    let since = query.since.unwrap_or(0);
    let wait = query.wait.unwrap_or(0);
    let channel = state.hub.channel(&target.channel).await?;
    // Subscribed before the first read: an event committed in between still wakes us.
    let mut rx = channel.tx.subscribe();
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
                    Ok(m) => {
                        if let Message::Events(frame) = &*m {
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
    let items: Vec<Value> = events
        .into_iter()
        .filter_map(|e| {
            if target.privileged {
                Some(e.private)
            } else {
                e.public
            }
        })
        .filter_map(|text| serde_json::from_str(&text).ok())
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "items": items, "next_since": next_since })))
}
