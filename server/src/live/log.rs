//! Reading the durable event log, and turning events into frames once for everyone.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use bytestring::ByteString;
use diesel::prelude::*;

use super::wire;
use crate::db::schema::{channel_seqs, comments, live_events};
use crate::db::DbConn;
use crate::error::ApiResult;

#[derive(Queryable, Clone, Debug)]
pub struct LoggedEvent {
    pub seq: i64,
    pub kind: String,
    pub audience: String,
    pub subject_id: Option<i64>,
    pub data: String,
}

/// Events of a channel after `since`, in order.
pub fn after(
    conn: &mut DbConn,
    channel: &str,
    since: i64,
    limit: i64,
) -> ApiResult<Vec<LoggedEvent>> {
    Ok(live_events::table
        .filter(live_events::channel.eq(channel))
        .filter(live_events::seq.gt(since))
        .order(live_events::seq.asc())
        .limit(limit)
        .select((
            live_events::seq,
            live_events::kind,
            live_events::audience,
            live_events::subject_id,
            live_events::data,
        ))
        .load(conn)?)
}

/// The last sequence number handed out on a channel.
pub fn head(conn: &mut DbConn, channel: &str) -> ApiResult<i64> {
    Ok(channel_seqs::table
        .find(channel)
        .select(channel_seqs::last_seq)
        .first::<i64>(conn)
        .optional()?
        .unwrap_or(0))
}

/// Subjects (comments) of a channel that only privileged listeners may see now.
pub fn hidden_subjects(conn: &mut DbConn, channel: &str) -> ApiResult<HashSet<i64>> {
    let id_of = |prefix: &str| {
        channel
            .strip_prefix(prefix)
            .and_then(|id| id.parse::<i64>().ok())
    };
    let hidden = comments::table
        .filter(comments::status.ne("visible"))
        .select(comments::id);
    let ids: Vec<i64> = if let Some(id) = id_of("consultation:") {
        hidden.filter(comments::consultation_id.eq(id)).load(conn)?
    } else if let Some(id) = id_of("session:") {
        hidden.filter(comments::session_id.eq(id)).load(conn)?
    } else {
        vec![]
    };
    Ok(ids.into_iter().collect())
}

/// One event as sent: the full form, and the form for the public (None when the public
/// may not see it at all).
#[derive(Clone, Debug)]
pub struct Encoded {
    pub seq: i64,
    pub private: Arc<str>,
    pub public: Option<Arc<str>>,
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

pub fn encode(e: &LoggedEvent, hidden: &HashSet<i64>) -> Encoded {
    let private: Arc<str> = format!(
        r#"{{"seq":{},"type":{},"data":{}}}"#,
        e.seq,
        json_string(&e.kind),
        e.data
    )
    .into();
    let public = if e.audience != "public" {
        None
    } else if e.subject_id.is_some_and(|s| hidden.contains(&s)) && e.kind != "comment.hidden" {
        // A hidden comment's earlier texts never reach those who may not see it; the
        // sequence stays whole for them with a notice in its place.
        let id = e.subject_id.unwrap_or_default();
        Some(
            format!(
                r#"{{"seq":{},"type":"comment.hidden","data":{{"comment_id":{id}}}}}"#,
                e.seq
            )
            .into(),
        )
    } else {
        Some(private.clone())
    };
    Encoded {
        seq: e.seq,
        private,
        public,
    }
}

/// A batch of consecutive events, serialised once per audience as the WebSocket frame
/// that carries it.
#[derive(Debug)]
pub struct Frame {
    pub first: i64,
    pub last: i64,
    pub events: Vec<Encoded>,
    wire_private: Bytes,
    /// None when nothing in the batch is for the public.
    wire_public: Option<Bytes>,
}

/// Joins events into one text frame: an object for one event, an array for several.
pub fn join<'a>(parts: impl Iterator<Item = &'a str>) -> Option<ByteString> {
    let parts: Vec<&str> = parts.collect();
    match parts.len() {
        0 => None,
        1 => Some(ByteString::from(parts[0].to_owned())),
        _ => Some(ByteString::from(format!("[{}]", parts.join(",")))),
    }
}

impl Frame {
    pub fn new(events: Vec<Encoded>) -> Option<Frame> {
        let mut frame = Frame {
            first: events.first()?.seq,
            last: events.last()?.seq,
            events,
            wire_private: Bytes::new(),
            wire_public: None,
        };
        let all = frame.first - 1;
        frame.wire_private = wire::text(&frame.text_for(true, all)?);
        frame.wire_public = frame.text_for(false, all).map(|t| wire::text(&t));
        Some(frame)
    }

    /// The WebSocket frame for a listener that has seen everything up to `after`: the
    /// shared one, unless the listener already has part of the batch.
    pub fn wire_for(&self, privileged: bool, after: i64) -> Option<Bytes> {
        if after < self.first {
            return if privileged {
                Some(self.wire_private.clone())
            } else {
                self.wire_public.clone()
            };
        }
        self.text_for(privileged, after).map(|t| wire::text(&t))
    }

    /// The text for a listener that has seen everything up to `after`.
    pub fn text_for(&self, privileged: bool, after: i64) -> Option<ByteString> {
        let rest = self.events.iter().filter(|e| e.seq > after);
        if privileged {
            join(rest.map(|e| &*e.private))
        } else {
            join(rest.filter_map(|e| e.public.as_deref()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, kind: &str, audience: &str, subject: Option<i64>) -> LoggedEvent {
        LoggedEvent {
            seq,
            kind: kind.into(),
            audience: audience.into(),
            subject_id: subject,
            data: r#"{"body":"secret"}"#.into(),
        }
    }

    #[test]
    fn hidden_and_moderator_events_stay_private() {
        let hidden: HashSet<i64> = [7].into();
        let events: Vec<Encoded> = vec![
            encode(&event(1, "comment.created", "public", Some(6)), &hidden),
            encode(&event(2, "comment.created", "public", Some(7)), &hidden),
            encode(&event(3, "comment.flagged", "moderators", Some(6)), &hidden),
        ];
        let frame = Frame::new(events).unwrap();
        let public = frame.text_for(false, 0).unwrap();
        assert!(public.starts_with('[') && public.matches("\"seq\"").count() == 2);
        assert_eq!(public.matches("secret").count(), 1);
        assert!(public.contains(r#""type":"comment.hidden","data":{"comment_id":7}"#));
        assert_eq!(
            frame.text_for(true, 0).unwrap().matches("secret").count(),
            3
        );
        let tail = frame.text_for(true, 2).unwrap();
        assert!(tail.starts_with("{\"seq\":3"));
        assert!(frame.text_for(false, 2).is_none());
    }
}
