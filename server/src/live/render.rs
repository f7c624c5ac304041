//! Turning logged events into what each audience receives. The log keeps ids and the
//! change (`outbox::Change`); names, organisations, texts and visibility are read here,
//! from the current rows, through the same views as the REST resources. An event is
//! rendered once per audience (the public, the moderators) for every listener.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::log::{Encoded, LoggedEvent};
use crate::consultations::comments::store::{self, CommentRow};
use crate::consultations::comments::view::{self, Author, CommentView};
use crate::consultations::types::Visibility;
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::outbox::Change;
use crate::policy::{Lens, Reader};

/// What the current rows say, loaded once for a batch of events.
struct Rows {
    comments: HashMap<i64, CommentRow>,
    authors: HashMap<i64, Author>,
    represented: crate::delegations::store::Representations,
    flag_reasons: HashMap<i64, String>,
    log_reasons: HashMap<i64, String>,
    /// Speaking queues as they are now, by session.
    queues: HashMap<i64, Value>,
    /// Sessions as the public sees them now, by id.
    sessions: HashMap<i64, Value>,
}

impl Rows {
    fn load(conn: &mut DbConn, changes: &[Option<Change>]) -> ApiResult<Rows> {
        let mut comment_ids = Vec::new();
        let mut flag_ids = Vec::new();
        let mut log_ids = Vec::new();
        let mut queues = HashMap::new();
        let mut sessions = HashMap::new();
        for change in changes.iter().flatten() {
            comment_ids.extend(change.comment_id());
            match change {
                Change::CommentFlagged { flag_id, .. } => flag_ids.push(*flag_id),
                Change::CommentHidden { log_id, .. } => log_ids.push(*log_id),
                Change::QueueUpdated { session_id } if !queues.contains_key(session_id) => {
                    let queue = crate::events::floor::queue_view(conn, *session_id)?;
                    queues.insert(*session_id, to_value(&queue));
                }
                Change::SessionUpdated { session_id } if !sessions.contains_key(session_id) => {
                    if let Some(view) = crate::events::schedule::public_view(conn, *session_id)? {
                        sessions.insert(*session_id, to_value(&view));
                    }
                }
                _ => {}
            }
        }
        comment_ids.sort_unstable();
        comment_ids.dedup();
        let comments: HashMap<i64, CommentRow> = if comment_ids.is_empty() {
            HashMap::new()
        } else {
            store::by_ids(conn, &comment_ids)?
                .into_iter()
                .map(|c| (c.id, c))
                .collect()
        };
        let author_ids: Vec<i64> = comments.values().map(|c| c.author_id).collect();
        let rows: Vec<CommentRow> = comments.values().cloned().collect();
        let represented = view::represented(conn, &rows)?;
        let authors = if author_ids.is_empty() {
            HashMap::new()
        } else {
            view::authors(conn, &author_ids)?
        };
        let flag_reasons = if flag_ids.is_empty() {
            HashMap::new()
        } else {
            store::flag_reasons(conn, &flag_ids)?
        };
        let log_reasons = if log_ids.is_empty() {
            HashMap::new()
        } else {
            store::log_reasons(conn, &log_ids)?
        };
        Ok(Rows {
            comments,
            authors,
            represented,
            flag_reasons,
            log_reasons,
            queues,
            sessions,
        })
    }

    /// The contribution as `reader` sees it now: its view, or why it is not shown.
    fn comment(&self, id: i64, reader: &Reader) -> Shown {
        let Some(c) = self.comments.get(&id) else {
            return Shown::Gone;
        };
        match reader.lens(c.author_id, c.status) {
            Some(lens) => {
                let lens = if lens == Lens::Moderator {
                    Lens::ModeratorStream
                } else {
                    lens
                };
                let speaks_for = self.represented.get(c.speaks_for());
                let mut v = view::view_with(c, self.authors.get(&c.author_id), speaks_for, lens);
                // Only the author edits, and has it from the POST's answer.
                v.editable_until = None;
                Shown::View(Box::new(v))
            }
            None if c.status == Visibility::Hidden => Shown::Hidden,
            None => Shown::Gone,
        }
    }
}

enum Shown {
    View(Box<CommentView>),
    Hidden,
    /// Withdrawn by its author (or no longer there).
    Gone,
}

/// The event's `type` and `data` for one audience; `None` when it may not see it.
fn for_audience(
    e: &LoggedEvent,
    change: Option<&Change>,
    rows: &Rows,
    reader: &Reader,
) -> Option<(String, Value)> {
    let Some(change) = change else {
        // Events that name nobody are sent as they were written.
        let public = e.audience == "public";
        return (public || reader.moderator).then(|| {
            (
                e.kind.clone(),
                serde_json::from_str(&e.data).unwrap_or(Value::Null),
            )
        });
    };
    let notice = |kind: &str, id: i64| Some((kind.to_owned(), json!({ "comment_id": id })));
    let instead = |id: i64| match rows.comment(id, reader) {
        Shown::Hidden => notice("comment.hidden", id),
        _ => notice("comment.withdrawn", id),
    };
    match change {
        Change::CommentCreated { comment_id } | Change::CommentUpdated { comment_id } => {
            match rows.comment(*comment_id, reader) {
                Shown::View(v) => Some((e.kind.clone(), to_value(&*v))),
                _ => instead(*comment_id),
            }
        }
        Change::CommentEndorsed {
            comment_id,
            endorsement_count,
        } => match rows.comment(*comment_id, reader) {
            Shown::View(_) => Some((
                e.kind.clone(),
                json!({"comment_id": comment_id, "endorsement_count": endorsement_count}),
            )),
            _ => instead(*comment_id),
        },
        Change::QuestionUpvoted {
            comment_id,
            upvote_count,
        } => match rows.comment(*comment_id, reader) {
            Shown::View(_) => Some((
                e.kind.clone(),
                json!({"comment_id": comment_id, "upvote_count": upvote_count}),
            )),
            _ => instead(*comment_id),
        },
        Change::CommentFlagged {
            comment_id,
            flag_id,
        } => {
            if !reader.moderator {
                return None;
            }
            let mut data = json!({ "comment_id": comment_id });
            if let Some(reason) = rows.flag_reasons.get(flag_id) {
                data["reason"] = json!(reason);
            }
            Some((e.kind.clone(), data))
        }
        Change::CommentHidden { comment_id, log_id } => {
            // The reason is the public log's.
            let mut data = json!({ "comment_id": comment_id });
            if let Some(reason) = rows.log_reasons.get(log_id) {
                data["reason"] = json!(reason);
            }
            Some((e.kind.clone(), data))
        }
        Change::CommentWithdrawn { comment_id } => notice("comment.withdrawn", *comment_id),
        Change::QueueUpdated { session_id } => rows
            .queues
            .get(session_id)
            .map(|q| (e.kind.clone(), q.clone())),
        Change::SessionUpdated { session_id } => rows
            .sessions
            .get(session_id)
            .map(|v| (e.kind.clone(), v.clone())),
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    without_nulls(serde_json::to_value(v).unwrap_or(Value::Null))
}

/// Null members are left out at every depth: each event goes to every listener of its
/// channel, so its bytes are multiplied by thousands (a new comment's nulls were a fifth
/// of its frame). Clients read a missing member as null.
pub fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

fn encode(seq: i64, kind: &str, data: &Value) -> Arc<str> {
    let kind = serde_json::to_string(kind).unwrap_or_else(|_| "\"\"".into());
    format!(r#"{{"seq":{seq},"type":{kind},"data":{data}}}"#).into()
}

/// Renders events for the two audiences a channel has: moderators (`private`) and
/// everyone else (`public`, `None` where the public may not see the event).
pub fn render(conn: &mut DbConn, events: &[LoggedEvent]) -> ApiResult<Vec<Encoded>> {
    let changes: Vec<Option<Change>> = events
        .iter()
        .map(|e| Change::parse(&e.kind, &e.data))
        .collect();
    let rows = Rows::load(conn, &changes)?;
    Ok(events
        .iter()
        .zip(&changes)
        .map(|(e, change)| {
            let moderators = for_audience(e, change.as_ref(), &rows, &Reader::MODERATORS);
            let public = for_audience(e, change.as_ref(), &rows, &Reader::PUBLIC);
            let private = match &moderators {
                Some((kind, data)) => encode(e.seq, kind, data),
                // Nothing for anyone: the sequence stays whole with a notice.
                None => encode(e.seq, "comment.withdrawn", &json!({})),
            };
            let public = match (&public, &moderators) {
                (Some(p), Some(m)) if p == m => Some(private.clone()),
                (Some((kind, data)), _) => Some(encode(e.seq, kind, data)),
                (None, _) => None,
            };
            Encoded {
                seq: e.seq,
                private,
                public,
            }
        })
        .collect())
}
