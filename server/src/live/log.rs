//! Reading the durable event log, and turning events into frames once for everyone.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use bytestring::ByteString;
use diesel::prelude::*;

use super::wire;
use crate::db::schema::{channel_seqs, live_events};
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

/// One event as sent (rendered by `live::render`): the moderators' form, and the form
/// for the public (None when the public may not see it at all).
#[derive(Clone, Debug)]
pub struct Encoded {
    pub seq: i64,
    pub private: Arc<str>,
    pub public: Option<Arc<str>>,
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

    /// Appends the WebSocket frame for a listener that has seen everything up to `after`
    /// to that listener's own buffer: a copy of the one encoded for everyone, unless the
    /// listener already has part of the batch. Nothing when none of it is for the listener.
    ///
    /// A copy, not a reference to the shared buffer: with ten thousand listeners on two
    /// cores taking and dropping references to one buffer, its count's cache line moved
    /// between the cores, and events reached the listeners later than they do with a
    /// copy each (docs/performance.md, "Live at 10,000 listeners: the simplest program
    /// that takes comments in, and a copy per listener"). Into one buffer per listener,
    /// not one allocation per frame: a listener that is behind copies the frames waiting
    /// for it, up to 16 KiB, into the buffer it writes from.
    pub fn write_for(&self, privileged: bool, after: i64, out: &mut BytesMut) {
        if after < self.first {
            let shared = if privileged {
                Some(&self.wire_private)
            } else {
                self.wire_public.as_ref()
            };
            if let Some(wire) = shared {
                out.extend_from_slice(wire);
            }
        } else if let Some(text) = self.text_for(privileged, after) {
            wire::text_into(out, &text);
        }
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

    fn encoded(seq: i64, private: &str, public: Option<&str>) -> Encoded {
        Encoded {
            seq,
            private: private.into(),
            public: public.map(Into::into),
        }
    }

    #[test]
    fn frames_join_each_audiences_events() {
        let frame = Frame::new(vec![
            encoded(1, r#"{"seq":1,"p":1}"#, Some(r#"{"seq":1}"#)),
            encoded(2, r#"{"seq":2,"p":2}"#, None),
            encoded(3, r#"{"seq":3,"p":3}"#, Some(r#"{"seq":3}"#)),
        ])
        .unwrap();
        assert_eq!(
            &*frame.text_for(false, 0).unwrap(),
            r#"[{"seq":1},{"seq":3}]"#
        );
        assert_eq!(frame.text_for(true, 0).unwrap().matches("\"p\"").count(), 3);
        assert_eq!(&*frame.text_for(true, 2).unwrap(), r#"{"seq":3,"p":3}"#);
        assert!(frame.text_for(false, 3).is_none());

        // Written for a listener: the shared frame whole, or what it has not seen.
        let mut out = BytesMut::new();
        frame.write_for(true, 0, &mut out);
        assert_eq!(&out[..], &frame.wire_private[..]);
        out.clear();
        frame.write_for(false, 1, &mut out);
        assert_eq!(&out[..], &wire::text(r#"{"seq":3}"#)[..]);
        // Nothing more for a listener that has seen all of it.
        frame.write_for(false, 3, &mut out);
        assert_eq!(&out[..], &wire::text(r#"{"seq":3}"#)[..]);
    }
}
