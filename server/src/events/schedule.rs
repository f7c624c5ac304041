//! Sessions: slots without clashes, times in any zone, the agenda.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::store::{EventRow, RoomRow};
use super::types::parse_date;
use crate::db::schema::{rooms, session_people, sessions};
use crate::db::Tx;
use crate::db::{now, rfc3339, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::outbox::{self, Audience};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    pub event_id: i64,
    pub proposal_id: Option<i64>,
    pub title: String,
    pub session_type: String,
    pub subtheme: String,
    pub format: String,
    pub description: String,
    pub speakers: String,
    pub moderator_name: String,
    pub rapporteur_name: String,
    pub room_id: Option<i64>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub ical_sequence: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn get(conn: &mut DbConn, id: i64) -> ApiResult<SessionRow> {
    sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("session"))
}

/// A session and its event as the caller may see them: sessions of unpublished events
/// exist only for organisers (404 for everyone else).
pub fn visible(
    conn: &mut DbConn,
    id: i64,
    user: Option<&crate::accounts::auth::AuthUser>,
) -> ApiResult<(SessionRow, EventRow)> {
    let s = get(conn, id)?;
    let event = super::store::resolve_for(conn, &s.event_id.to_string(), user)
        .map_err(|_| ApiError::not_found("session"))?;
    Ok((s, event))
}

/// RFC 3339 with the zone's offset at that instant (daylight saving included).
pub fn local(t: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    tz.from_utc_datetime(&t)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub fn view(s: &SessionRow, rooms: &HashMap<i64, RoomRow>, tz: chrono_tz::Tz) -> Value {
    let room = s.room_id.and_then(|r| rooms.get(&r));
    json!({
        "id": s.id,
        "event_id": s.event_id,
        "proposal_id": s.proposal_id,
        "title": s.title,
        "type": s.session_type,
        "subtheme": s.subtheme,
        "format": s.format,
        "description": s.description,
        "speakers": serde_json::from_str::<Value>(&s.speakers).unwrap_or(Value::Null),
        "moderator_name": s.moderator_name,
        "rapporteur_name": s.rapporteur_name,
        "room": room.map(super::store::room_view),
        "starts_at": s.starts_at.map(rfc3339),
        "ends_at": s.ends_at.map(rfc3339),
        "timezone": tz.name(),
        "local_starts_at": s.starts_at.map(|t| local(t, tz)),
        "local_ends_at": s.ends_at.map(|t| local(t, tz)),
        "sequence": s.ical_sequence,
    })
}

pub fn rooms_by_id(conn: &mut DbConn, event_id: i64) -> ApiResult<HashMap<i64, RoomRow>> {
    Ok(super::store::rooms_of(conn, event_id)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// A session that overlaps: id, title, start and end.
type Clash = (i64, String, Option<NaiveDateTime>, Option<NaiveDateTime>);

/// Puts a session in a room at a time, refusing clashes: the room used twice at once, or
/// a speaker or the moderator in two sessions at once.
pub fn set_slot(
    tx: &mut Tx,
    s: &SessionRow,
    event: &EventRow,
    room_id: i64,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
) -> ApiResult<SessionRow> {
    let room: Option<i64> = rooms::table
        .filter(rooms::id.eq(room_id))
        .filter(rooms::event_id.eq(event.id))
        .select(rooms::id)
        .first(tx.conn())
        .optional()?;
    if room.is_none() {
        return Err(ApiError::field("room_id", "no such room in this event"));
    }
    if ends <= starts {
        return Err(ApiError::field("ends_at", "must be after starts_at"));
    }
    let tz = event.tz();
    let first = parse_date(&event.starts_on).map_err(ApiError::internal)?;
    let last = parse_date(&event.ends_on).map_err(ApiError::internal)?;
    let (local_start, local_end) = (
        tz.from_utc_datetime(&starts).date_naive(),
        tz.from_utc_datetime(&ends).date_naive(),
    );
    if local_start < first || local_end > last {
        return Err(ApiError::field(
            "starts_at",
            format!(
                "the slot must fall within the event's days, {} to {} ({})",
                event.starts_on, event.ends_on, event.timezone
            ),
        ));
    }

    let overlapping = sessions::table
        .filter(sessions::event_id.eq(event.id))
        .filter(sessions::id.ne(s.id))
        .filter(sessions::starts_at.lt(ends))
        .filter(sessions::ends_at.gt(starts));
    let same_room: Vec<Clash> = overlapping
        .filter(sessions::room_id.eq(room_id))
        .select((
            sessions::id,
            sessions::title,
            sessions::starts_at,
            sessions::ends_at,
        ))
        .load(tx.conn())?;
    let people: Vec<String> = session_people::table
        .filter(session_people::session_id.eq(s.id))
        .select(session_people::person)
        .load(tx.conn())?;
    let same_people: Vec<(Clash, String)> = overlapping
        .inner_join(session_people::table)
        .filter(session_people::person.eq_any(&people))
        .select((
            (
                sessions::id,
                sessions::title,
                sessions::starts_at,
                sessions::ends_at,
            ),
            session_people::display_name,
        ))
        .load(tx.conn())?;
    if !same_room.is_empty() || !same_people.is_empty() {
        let mut conflicts: Vec<Value> = same_room
            .iter()
            .map(|(id, title, a, b)| json!({"session_id": id, "title": title, "starts_at": a.map(rfc3339), "ends_at": b.map(rfc3339), "reason": "room"}))
            .collect();
        conflicts.extend(same_people.iter().map(|((id, title, a, b), who)| {
            json!({"session_id": id, "title": title, "starts_at": a.map(rfc3339), "ends_at": b.map(rfc3339), "reason": "person", "person": who})
        }));
        let names: Vec<String> = conflicts
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    c["session_id"],
                    c["reason"].as_str().unwrap_or("")
                )
            })
            .collect();
        let mut e = ApiError::new(
            ErrorCode::ScheduleConflict,
            format!("the slot clashes with sessions {}", names.join(", ")),
        );
        e.details = Some(json!({ "conflicts": conflicts }));
        return Err(e);
    }
    diesel::update(sessions::table.find(s.id))
        .set((
            sessions::room_id.eq(Some(room_id)),
            sessions::starts_at.eq(Some(starts)),
            sessions::ends_at.eq(Some(ends)),
            sessions::ical_sequence.eq(s.ical_sequence + 1),
            sessions::updated_at.eq(now()),
        ))
        .execute(tx.conn())?;
    let updated = get(tx, s.id)?;
    let data = view(&updated, &rooms_by_id(tx, event.id)?, tz);
    outbox::append_live_event(
        tx,
        &outbox::session_channel(s.id),
        "session.updated",
        Audience::Public,
        Some(s.id),
        &data,
    )?;
    Ok(updated)
}

/// Every scheduled session of an event, in time order.
pub fn scheduled(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::event_id.eq(event_id))
        .filter(sessions::starts_at.is_not_null())
        .order((sessions::starts_at.asc(), sessions::id.asc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// Every session of an event, scheduled or not: the unscheduled (just accepted) last.
pub fn all(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<SessionRow>> {
    let mut rows: Vec<SessionRow> = sessions::table
        .filter(sessions::event_id.eq(event_id))
        .order(sessions::id.asc())
        .select(SessionRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|s| (s.starts_at.is_none(), s.starts_at, s.id));
    Ok(rows)
}

pub struct AgendaFilter {
    pub day: Option<chrono::NaiveDate>,
    pub session_type: Option<String>,
    pub subtheme: Option<String>,
    pub format: Option<String>,
    pub q: Option<String>,
}

/// Scheduled sessions in time order, filtered; `day` is a date in `tz`.
pub fn agenda(
    conn: &mut DbConn,
    event: &EventRow,
    f: &AgendaFilter,
    tz: chrono_tz::Tz,
) -> ApiResult<Vec<Value>> {
    let mut q = sessions::table
        .filter(sessions::event_id.eq(event.id))
        .filter(sessions::starts_at.is_not_null())
        .order((sessions::starts_at.asc(), sessions::id.asc()))
        .select(SessionRow::as_select())
        .into_boxed();
    if let Some(t) = &f.session_type {
        q = q.filter(sessions::session_type.eq(t.clone()));
    }
    if let Some(s) = &f.subtheme {
        q = q.filter(sessions::subtheme.eq(s.clone()));
    }
    if let Some(fm) = &f.format {
        q = q.filter(sessions::format.eq(fm.clone()));
    }
    let rows: Vec<SessionRow> = q.load(conn)?;
    let rooms = rooms_by_id(conn, event.id)?;
    let needle = f.q.as_ref().map(|q| q.to_lowercase());
    Ok(rows
        .iter()
        .filter(|s| {
            f.day.is_none_or(|d| {
                s.starts_at
                    .is_some_and(|t| tz.from_utc_datetime(&t).date_naive() == d)
            })
        })
        .filter(|s| {
            needle.as_ref().is_none_or(|n| {
                s.title.to_lowercase().contains(n)
                    || s.description.to_lowercase().contains(n)
                    || s.speakers.to_lowercase().contains(n)
            })
        })
        .map(|s| view(s, &rooms, tz))
        .collect())
}
