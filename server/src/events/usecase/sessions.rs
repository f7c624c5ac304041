//! Sessions and the agenda: slots without clashes, times in any zone, calendars and the
//! CSV, and the agenda import.

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::events::command::{Agenda, ImportRows};
use crate::events::schedule::{self, Slot};
use crate::events::view::{AgendaView, Conflict, Imported, SessionView};
use crate::events::{ical, import};
use crate::policy::guards::events::{EventOrganizer, EventReader, SessionOrganizer, SessionReader};
use crate::policy::SpeakerAudience;

use super::Export;

/// A session, with times in the event's zone or in `tz`.
pub async fn get(
    db: &Db,
    reader: &SessionReader,
    tz: Option<chrono_tz::Tz>,
) -> ApiResult<SessionView> {
    let (session, event) = (reader.session.clone(), reader.event.clone());
    let audience = reader.speakers();
    let rooms = db
        .run(move |conn| schedule::rooms_by_id(conn, event.id))
        .await?;
    let tz = tz.unwrap_or_else(|| reader.event.tz());
    Ok(SessionView::of(&session, &rooms, tz, audience))
}

/// What became of a slot: taken, or refused for the sessions it clashes with.
pub enum Scheduled {
    Done(Box<SessionView>),
    Clash(Vec<Conflict>),
}

/// Puts the session in a room at a time, unless that clashes with other sessions (the
/// room, a speaker or the moderator taken at once): then nothing changes and the
/// clashing sessions are named.
pub async fn schedule(db: &Db, org: &SessionOrganizer, slot: Slot) -> ApiResult<Scheduled> {
    let (id, event) = (org.session.id, org.event.clone());
    db.tx(move |tx| {
        let s = schedule::get(tx, id)?;
        let conflicts = schedule::clashes(tx, &s, &event, slot)?;
        if !conflicts.is_empty() {
            return Ok(Scheduled::Clash(conflicts));
        }
        let updated = schedule::place(tx, &s, slot)?;
        let rooms = schedule::rooms_by_id(tx, event.id)?;
        Ok(Scheduled::Done(Box::new(SessionView::of(
            &updated,
            &rooms,
            event.tz(),
            SpeakerAudience::Organizer,
        ))))
    })
    .await
}

/// Takes a session out of the schedule (back among the unscheduled).
pub async fn unschedule(db: &Db, org: &SessionOrganizer) -> ApiResult<SessionView> {
    let (id, event) = (org.session.id, org.event.clone());
    db.tx(move |tx| {
        let s = schedule::get(tx, id)?;
        let updated = schedule::unplace(tx, &s)?;
        let rooms = schedule::rooms_by_id(tx, event.id)?;
        Ok(SessionView::of(
            &updated,
            &rooms,
            event.tz(),
            SpeakerAudience::Organizer,
        ))
    })
    .await
}

/// [`schedule`], a clash refused as 409 `schedule_conflict` naming the sessions.
pub async fn set_slot(db: &Db, org: &SessionOrganizer, slot: Slot) -> ApiResult<SessionView> {
    match schedule(db, org, slot).await? {
        Scheduled::Done(view) => Ok(*view),
        Scheduled::Clash(conflicts) => Err(schedule::conflict_error(&conflicts)),
    }
}

/// The version of an event's schedule (read before its agenda is, so that an agenda
/// kept under it is never older than it).
pub async fn agenda_version(db: &Db, event: &crate::events::store::EventRow) -> ApiResult<String> {
    let event = event.clone();
    db.run(move |conn| schedule::fingerprint(conn, &event))
        .await
}

/// The event's scheduled sessions, filtered, in one zone.
pub async fn agenda(db: &Db, reader: &EventReader, req: Agenda) -> ApiResult<AgendaView> {
    let event = reader.event.clone();
    let audience = reader.speakers();
    let tz = req.tz.unwrap_or_else(|| event.tz());
    db.run(move |conn| {
        if let Some(s) = &req.filter.subtheme {
            // An unknown value is a mistake to name, not an empty agenda.
            if !event.subthemes().contains(s) && !schedule::has_subtheme(conn, event.id, s)? {
                return Err(ApiError::query(
                    "subtheme",
                    "is not a subtheme of this event",
                ));
            }
        }
        let rows = schedule::agenda(conn, &event, &req.filter, tz)?;
        let rooms = schedule::rooms_by_id(conn, event.id)?;
        Ok(AgendaView {
            event_id: event.id,
            timezone: tz.name().to_owned(),
            items: rows
                .iter()
                .map(|s| SessionView::of(s, &rooms, tz, audience))
                .collect(),
            next_cursor: None,
        })
    })
    .await
}

/// Every session of the event for its organisers, scheduled or not (the unscheduled
/// last).
pub async fn all(
    db: &Db,
    org: &EventOrganizer,
    tz: Option<chrono_tz::Tz>,
) -> ApiResult<AgendaView> {
    let event = org.event.clone();
    let tz = tz.unwrap_or_else(|| event.tz());
    db.run(move |conn| {
        let rooms = schedule::rooms_by_id(conn, event.id)?;
        Ok(AgendaView {
            event_id: event.id,
            timezone: tz.name().to_owned(),
            items: schedule::all(conn, event.id)?
                .iter()
                .map(|s| SessionView::of(s, &rooms, tz, SpeakerAudience::Organizer))
                .collect(),
            next_cursor: None,
        })
    })
    .await
}

/// The agenda as an iCalendar file.
pub async fn agenda_calendar(db: &Db, reader: &EventReader, public_url: &str) -> ApiResult<Export> {
    let event = reader.event.clone();
    let public_url = public_url.to_owned();
    db.run(move |conn| {
        let sessions = schedule::scheduled(conn, event.id)?;
        let rooms = schedule::rooms_by_id(conn, event.id)?;
        Ok(Export {
            filename: format!("{}.ics", event.slug),
            body: ical::calendar(&event, &sessions, &rooms, &public_url),
        })
    })
    .await
}

/// One scheduled session as an iCalendar file (an unscheduled one has none: 404).
pub async fn session_calendar(
    db: &Db,
    reader: &SessionReader,
    public_url: &str,
) -> ApiResult<Export> {
    let (session, event) = (reader.session.clone(), reader.event.clone());
    if session.starts_at.is_none() {
        return Err(ApiError::not_found("scheduled session"));
    }
    let public_url = public_url.to_owned();
    db.run(move |conn| {
        let rooms = schedule::rooms_by_id(conn, event.id)?;
        Ok(Export {
            filename: format!("session-{}.ics", session.id),
            body: ical::calendar(&event, std::slice::from_ref(&session), &rooms, &public_url),
        })
    })
    .await
}

/// The scheduled sessions as CSV, with local times in the event's zone or `tz`. Speakers
/// appear as the public sees them.
pub async fn agenda_csv(
    db: &Db,
    reader: &EventReader,
    tz: Option<chrono_tz::Tz>,
) -> ApiResult<Export> {
    let event = reader.event.clone();
    let tz = tz.unwrap_or_else(|| event.tz());
    db.run(move |conn| {
        let sessions = schedule::scheduled(conn, event.id)?;
        let rooms = schedule::rooms_by_id(conn, event.id)?;
        Ok(Export {
            filename: format!("{}-agenda.csv", event.slug),
            body: import::export_csv(&sessions, &rooms, tz)?,
        })
    })
    .await
}

/// Imports scheduled sessions, all or nothing.
pub async fn import(db: &Db, org: &EventOrganizer, rows: ImportRows) -> ApiResult<Imported> {
    let event_id = org.event.id.to_string();
    let ids = db
        .tx(move |tx| {
            let event = crate::events::store::resolve(tx, &event_id)?;
            import::import(tx, &event, rows.0)
        })
        .await?;
    Ok(Imported {
        imported: ids.len(),
        session_ids: ids,
    })
}
