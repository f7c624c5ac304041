//! Sessions: slots without clashes, times in any zone, the agenda.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeZone};
use diesel::prelude::*;

use super::store::{EventRow, RoomRow};
use super::types::{parse_date, SessionFormat, SessionType, Speaker};
use super::view::{ClashReason, Conflict, SessionView};
use crate::db::schema::{rooms, session_people, sessions};
use crate::db::Tx;
use crate::db::{now, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::outbox;
use crate::policy::{Actor, EventAccess, SpeakerAudience};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    pub event_id: i64,
    pub proposal_id: Option<i64>,
    pub title: String,
    #[diesel(deserialize_as = String)]
    pub session_type: SessionType,
    pub subtheme: String,
    #[diesel(deserialize_as = String)]
    pub format: SessionFormat,
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

impl SessionRow {
    pub fn speakers(&self) -> Vec<Speaker> {
        Speaker::list(&self.speakers)
    }
}

pub fn get(conn: &mut DbConn, id: i64) -> ApiResult<SessionRow> {
    sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("session"))
}

/// A session and its event as `actor` may know them: sessions of unpublished events
/// exist only for organisers (404 for everyone else).
pub fn visible_to(conn: &mut DbConn, id: i64, actor: &Actor) -> ApiResult<(SessionRow, EventRow)> {
    let s = get(conn, id)?;
    let event = super::store::resolve(conn, &s.event_id.to_string())?;
    if !EventAccess::of(actor).may_see(event.published) {
        return Err(ApiError::not_found("session"));
    }
    Ok((s, event))
}

/// A session as the public sees it now (speakers without e-mail or gender), for the
/// live channel; `None` when the session is gone.
pub fn public_view(conn: &mut DbConn, session_id: i64) -> ApiResult<Option<SessionView>> {
    let s = match get(conn, session_id) {
        Ok(s) => s,
        Err(e) if e.code == crate::error::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let event = super::store::resolve(conn, &s.event_id.to_string())?;
    let rooms = rooms_by_id(conn, event.id)?;
    Ok(Some(SessionView::of(
        &s,
        &rooms,
        event.tz(),
        SpeakerAudience::Public,
    )))
}

/// RFC 3339 with the zone's offset at that instant (daylight saving included).
pub fn local(t: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    super::view::LocalTime::at(t, tz).iso()
}

/// What every change to an event's schedule changes: its sessions (how many, the latest
/// change, the sum of their calendar sequences), its rooms and the event itself. The
/// agenda kept in memory is good while this is the same.
pub fn fingerprint(conn: &mut DbConn, event: &EventRow) -> ApiResult<String> {
    use diesel::dsl::{count_star, max, sum};
    let (n, latest, sequences): (i64, Option<NaiveDateTime>, Option<i64>) = sessions::table
        .filter(sessions::event_id.eq(event.id))
        .select((
            count_star(),
            max(sessions::updated_at),
            sum(sessions::ical_sequence),
        ))
        .first(conn)?;
    let (rooms, last_room): (i64, Option<i64>) = rooms::table
        .filter(rooms::event_id.eq(event.id))
        .select((count_star(), max(rooms::id)))
        .first(conn)?;
    Ok(format!(
        "{n}:{latest:?}:{sequences:?}:{rooms}:{last_room:?}:{}",
        event.updated_at
    ))
}

pub fn rooms_by_id(conn: &mut DbConn, event_id: i64) -> ApiResult<HashMap<i64, RoomRow>> {
    Ok(super::store::rooms_of(conn, event_id)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// A session that overlaps: id, title, start and end.
type Clash = (i64, String, Option<NaiveDateTime>, Option<NaiveDateTime>);

/// A slot: a room of the event from one instant to another (UTC).
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub room_id: i64,
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
}

/// Puts a session in a room at a time, refusing clashes: the room used twice at once, or
/// a speaker or the moderator in two sessions at once (409 `schedule_conflict` with the
/// clashing sessions in `details.conflicts`).
pub fn set_slot(
    tx: &mut Tx,
    s: &SessionRow,
    event: &EventRow,
    room_id: i64,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
) -> ApiResult<SessionRow> {
    let slot = Slot {
        room_id,
        starts,
        ends,
    };
    let conflicts = clashes(tx, s, event, slot)?;
    if !conflicts.is_empty() {
        return Err(conflict_error(&conflicts));
    }
    place(tx, s, slot)
}

/// The refusal of a slot that clashes with `conflicts`.
pub fn conflict_error(conflicts: &[Conflict]) -> ApiError {
    let names: Vec<String> = conflicts
        .iter()
        .map(|c| {
            let reason = match c.reason {
                ClashReason::Room => "room",
                ClashReason::Person => "person",
            };
            format!("{} ({reason})", c.session_id)
        })
        .collect();
    let mut e = ApiError::new(
        ErrorCode::ScheduleConflict,
        format!("the slot clashes with sessions {}", names.join(", ")),
    );
    e.details = serde_json::to_value(ConflictDetails { conflicts }).ok();
    e
}

/// The sessions a slot would clash with; a slot that is wrong in itself (no such room,
/// backwards, outside the event's days) is refused with the field at fault (422).
pub fn clashes(
    conn: &mut DbConn,
    s: &SessionRow,
    event: &EventRow,
    slot: Slot,
) -> ApiResult<Vec<Conflict>> {
    let Slot {
        room_id,
        starts,
        ends,
    } = slot;
    let room: Option<i64> = rooms::table
        .filter(rooms::id.eq(room_id))
        .filter(rooms::event_id.eq(event.id))
        .select(rooms::id)
        .first(conn)
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
        .load(conn)?;
    let people: Vec<String> = session_people::table
        .filter(session_people::session_id.eq(s.id))
        .select(session_people::person)
        .load(conn)?;
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
        .load(conn)?;
    let conflict = |(id, title, a, b): &Clash, reason, person| Conflict {
        session_id: *id,
        title: title.clone(),
        starts_at: a.map(Timestamp),
        ends_at: b.map(Timestamp),
        reason,
        person,
    };
    let mut conflicts: Vec<Conflict> = same_room
        .iter()
        .map(|c| conflict(c, ClashReason::Room, None))
        .collect();
    conflicts.extend(
        same_people
            .iter()
            .map(|(c, who)| conflict(c, ClashReason::Person, Some(who.clone()))),
    );
    Ok(conflicts)
}

/// Writes a slot checked by [`clashes`], raises the calendar sequence and tells the
/// session's live channel.
pub fn place(tx: &mut Tx, s: &SessionRow, slot: Slot) -> ApiResult<SessionRow> {
    let Slot {
        room_id,
        starts,
        ends,
    } = slot;
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
    tx.live(
        &outbox::session_channel(s.id),
        crate::outbox::Change::SessionUpdated { session_id: s.id },
    );
    Ok(updated)
}

/// Takes a session out of the schedule (its calendar's sequence moves on, so calendar
/// clients drop it); 409 `already_in_state` when it was not scheduled.
pub fn unplace(tx: &mut Tx, s: &SessionRow) -> ApiResult<SessionRow> {
    if s.starts_at.is_none() {
        return Err(ApiError::new(
            ErrorCode::AlreadyInState,
            "this session is not scheduled",
        ));
    }
    diesel::update(sessions::table.find(s.id))
        .set((
            sessions::room_id.eq(None::<i64>),
            sessions::starts_at.eq(None::<NaiveDateTime>),
            sessions::ends_at.eq(None::<NaiveDateTime>),
            sessions::ical_sequence.eq(s.ical_sequence + 1),
            sessions::updated_at.eq(now()),
        ))
        .execute(tx.conn())?;
    tx.live(
        &outbox::session_channel(s.id),
        crate::outbox::Change::SessionUpdated { session_id: s.id },
    );
    get(tx, s.id)
}

/// `error.details` of a schedule conflict: `{conflicts: [...]}`.
#[derive(serde::Serialize)]
struct ConflictDetails<'a> {
    conflicts: &'a [Conflict],
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

/// Which scheduled sessions an agenda shows; `day` is a date in the agenda's zone.
#[derive(Debug, Default)]
pub struct AgendaFilter {
    pub day: Option<chrono::NaiveDate>,
    pub session_type: Option<SessionType>,
    pub subtheme: Option<String>,
    pub format: Option<SessionFormat>,
    /// Words to find in titles, descriptions and speakers' names (nothing else).
    pub q: Option<String>,
}

impl AgendaFilter {
    /// Whether `s` matches the search words: its title, description or a speaker's name.
    /// Nothing else of the speakers (e-mail, organisation…) is searched.
    pub fn finds(&self, s: &SessionRow) -> bool {
        let Some(needle) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return true;
        };
        let needle = needle.to_lowercase();
        s.title.to_lowercase().contains(&needle)
            || s.description.to_lowercase().contains(&needle)
            || s.speakers()
                .iter()
                .any(|p| p.name.to_lowercase().contains(&needle))
    }
}

/// Whether a session of the event has this subtheme (imported agendas bring their own).
pub fn has_subtheme(conn: &mut DbConn, event_id: i64, subtheme: &str) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        sessions::table
            .filter(sessions::event_id.eq(event_id))
            .filter(sessions::subtheme.eq(subtheme)),
    ))
    .get_result(conn)?)
}

/// Scheduled sessions in time order, filtered; `day` is a date in `tz`.
pub fn agenda(
    conn: &mut DbConn,
    event: &EventRow,
    f: &AgendaFilter,
    tz: chrono_tz::Tz,
) -> ApiResult<Vec<SessionRow>> {
    let mut q = sessions::table
        .filter(sessions::event_id.eq(event.id))
        .filter(sessions::starts_at.is_not_null())
        .order((sessions::starts_at.asc(), sessions::id.asc()))
        .select(SessionRow::as_select())
        .into_boxed();
    if let Some(t) = f.session_type {
        q = q.filter(sessions::session_type.eq(t.as_str()));
    }
    if let Some(s) = &f.subtheme {
        q = q.filter(sessions::subtheme.eq(s.clone()));
    }
    if let Some(fm) = f.format {
        q = q.filter(sessions::format.eq(fm.as_str()));
    }
    let rows: Vec<SessionRow> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|s| {
            f.day.is_none_or(|d| {
                s.starts_at
                    .is_some_and(|t| tz.from_utc_datetime(&t).date_naive() == d)
            })
        })
        .filter(|s| f.finds(s))
        .collect())
}
