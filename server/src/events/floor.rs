//! Running a session: its ordered segments, and one speaking queue that people in the
//! room and online join alike.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schedule::SessionRow;
use super::view::{QueueView, SegmentView, SegmentsView, Speaking, Waiting};
use crate::accounts::types::string_enum;
use crate::db::schema::{session_segments, speaking_queue, users};
use crate::db::Tx;
use crate::db::{now, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::outbox::{self, Audience};

string_enum!(SegmentKind {
    Opening => "opening",
    Panel => "panel",
    InteractiveDialogue => "interactive_dialogue",
    Closing => "closing",
    Other => "other",
});

string_enum!(Mode {
    Onsite => "onsite",
    Remote => "remote",
});

/// A segment as planned: checked, ready to store.
#[derive(Debug, Clone)]
pub struct Segment {
    pub kind: SegmentKind,
    pub title: String,
    pub minutes: i32,
}

/// Replaces the segments; when the session is scheduled they must fit its slot.
pub fn set_segments(tx: &mut Tx, s: &SessionRow, segments: &[Segment]) -> ApiResult<SegmentsView> {
    if let (Some(a), Some(b)) = (s.starts_at, s.ends_at) {
        let total: i64 = segments.iter().map(|g| i64::from(g.minutes)).sum();
        let slot = (b - a).num_minutes();
        if total > slot {
            return Err(ApiError::field(
                "segments",
                format!("{total} minutes do not fit the {slot}-minute slot"),
            ));
        }
    }
    diesel::delete(session_segments::table.filter(session_segments::session_id.eq(s.id)))
        .execute(tx.conn())?;
    for (i, g) in segments.iter().enumerate() {
        diesel::insert_into(session_segments::table)
            .values((
                session_segments::session_id.eq(s.id),
                session_segments::position.eq(i as i32),
                session_segments::kind.eq(g.kind.as_str()),
                session_segments::title.eq(&g.title),
                session_segments::minutes.eq(g.minutes),
            ))
            .execute(tx.conn())?;
    }
    let view = segments_view(tx, s)?;
    let data = serde_json::to_value(&view).map_err(ApiError::internal)?;
    outbox::append_live_event(
        tx,
        &outbox::session_channel(s.id),
        "segments.updated",
        Audience::Public,
        None,
        &data,
    );
    Ok(view)
}

/// The segments in order, with their planned start when the session is scheduled.
pub fn segments_view(conn: &mut DbConn, s: &SessionRow) -> ApiResult<SegmentsView> {
    let rows: Vec<(String, String, i32)> = session_segments::table
        .filter(session_segments::session_id.eq(s.id))
        .order(session_segments::position)
        .select((
            session_segments::kind,
            session_segments::title,
            session_segments::minutes,
        ))
        .load(conn)?;
    let mut at = s.starts_at;
    let mut segments = Vec::with_capacity(rows.len());
    for (kind, title, minutes) in rows {
        let starts = at;
        at = at.map(|t| t + chrono::Duration::minutes(i64::from(minutes)));
        segments.push(SegmentView {
            kind: SegmentKind::try_from(kind).map_err(ApiError::internal)?,
            title,
            minutes,
            starts_at: starts.map(Timestamp),
        });
    }
    Ok(SegmentsView {
        session_id: s.id,
        segments,
    })
}

/// A place in the queue: entry, user, name, mode, joined, called, account erased.
type Entry = (
    i64,
    i64,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn entries(conn: &mut DbConn, session_id: i64) -> ApiResult<Vec<Entry>> {
    Ok(speaking_queue::table
        .inner_join(users::table)
        .filter(speaking_queue::session_id.eq(session_id))
        .filter(speaking_queue::left_at.is_null())
        .order(speaking_queue::id)
        .select((
            speaking_queue::id,
            speaking_queue::user_id,
            users::display_name,
            speaking_queue::mode,
            speaking_queue::joined_at,
            speaking_queue::called_at,
            users::erased_at,
        ))
        .load(conn)?)
}

/// Who someone in the queue is, as everyone may know it: an erased account is
/// "withdrawn participant", without its id.
fn person(e: &Entry) -> (Option<i64>, String) {
    match e.6 {
        Some(_) => (None, crate::accounts::privacy::WITHDRAWN.to_owned()),
        None => (Some(e.1), e.2.clone()),
    }
}

/// Who has the floor (the last one called) and who waits, in the order they joined.
pub fn queue_view(conn: &mut DbConn, session_id: i64) -> ApiResult<QueueView> {
    let all = entries(conn, session_id)?;
    let mode = |m: &str| Mode::try_from(m.to_owned()).map_err(ApiError::internal);
    let speaking = match all.iter().filter(|e| e.5.is_some()).max_by_key(|e| e.5) {
        Some(e) => {
            let (user_id, display_name) = person(e);
            Some(Speaking {
                entry_id: e.0,
                user_id,
                display_name,
                mode: mode(&e.3)?,
            })
        }
        None => None,
    };
    let mut waiting = Vec::new();
    for (i, e) in all.iter().filter(|e| e.5.is_none()).enumerate() {
        let (user_id, display_name) = person(e);
        waiting.push(Waiting {
            position: i + 1,
            entry_id: e.0,
            user_id,
            display_name,
            mode: mode(&e.3)?,
            joined_at: Timestamp(e.4),
        });
    }
    Ok(QueueView {
        session_id,
        speaking,
        waiting,
    })
}

fn announce(tx: &mut Tx, session_id: i64) -> ApiResult<QueueView> {
    tx.live(
        &outbox::session_channel(session_id),
        crate::outbox::Change::QueueUpdated { session_id },
    );
    queue_view(tx, session_id)
}

pub fn join(tx: &mut Tx, session_id: i64, user_id: i64, mode: Mode) -> ApiResult<QueueView> {
    if entries(tx, session_id)?
        .iter()
        .any(|e| e.1 == user_id && e.5.is_none())
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "you are already in the queue",
        ));
    }
    diesel::insert_into(speaking_queue::table)
        .values((
            speaking_queue::session_id.eq(session_id),
            speaking_queue::user_id.eq(user_id),
            speaking_queue::mode.eq(mode.as_str()),
            speaking_queue::joined_at.eq(now()),
        ))
        .execute(tx.conn())?;
    announce(tx, session_id)
}

pub fn leave(tx: &mut Tx, session_id: i64, user_id: i64) -> ApiResult<QueueView> {
    let n = diesel::update(
        speaking_queue::table
            .filter(speaking_queue::session_id.eq(session_id))
            .filter(speaking_queue::user_id.eq(user_id))
            .filter(speaking_queue::called_at.is_null())
            .filter(speaking_queue::left_at.is_null()),
    )
    .set(speaking_queue::left_at.eq(Some(now())))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(ApiError::not_found("place in the queue"));
    }
    announce(tx, session_id)
}

/// Gives the floor to whoever joined first.
pub fn call_next(tx: &mut Tx, session_id: i64) -> ApiResult<QueueView> {
    let Some(next) = entries(tx, session_id)?.into_iter().find(|e| e.5.is_none()) else {
        return Err(ApiError::new(ErrorCode::Conflict, "nobody is waiting"));
    };
    diesel::update(speaking_queue::table.find(next.0))
        .set(speaking_queue::called_at.eq(Some(now())))
        .execute(tx.conn())?;
    announce(tx, session_id)
}
