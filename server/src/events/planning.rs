//! What the organisers tell the schedule solver: each session's track, expected audience,
//! need of interpretation and pin; the times speakers cannot speak; and the grid of days
//! and slots to fill. Inputs, their parsing, the rows and the views live here; the
//! algorithm is `solver`, the use cases `usecase::planning`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::schedule::SessionRow;
use super::solver::{FixedSpec, SessionSpec, TimeSlot, Unavailable};
use super::store::EventRow;
use super::types::{parse_date, person_key, SessionFormat};
use crate::consultations::types::parse_time;
use crate::db::schema::{session_people, sessions, speaker_unavailability};
use crate::db::{DbConn, Timestamp};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::input::text;

/// `PUT /sessions/{id}/planning`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanningInput {
    /// Sessions of one track are not run at the same time. Empty: no track.
    #[serde(default)]
    pub track: String,
    /// 1 to 100,000: the session needs a room with at least as many seats.
    pub expected_audience: Option<i32>,
    #[serde(default)]
    pub needs_interpretation: bool,
    /// A pinned session keeps its slot when the schedule is proposed again.
    #[serde(default)]
    pub pinned: bool,
}

/// What the solver knows of a session, as the organisers set it.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Planning {
    pub track: String,
    pub expected_audience: Option<i32>,
    pub needs_interpretation: bool,
    pub pinned: bool,
}

impl TryFrom<PlanningInput> for Planning {
    type Error = ApiError;
    fn try_from(i: PlanningInput) -> ApiResult<Planning> {
        let mut errors = FieldErrors::new();
        let track = text(&mut errors, "track", &i.track, 0, 100);
        if i.expected_audience
            .is_some_and(|a| !(1..=100_000).contains(&a))
        {
            errors.insert(
                "expected_audience".into(),
                "must be from 1 to 100000".into(),
            );
        }
        match track {
            Some(track) if errors.is_empty() => Ok(Planning {
                track,
                expected_audience: i.expected_audience,
                needs_interpretation: i.needs_interpretation,
                pinned: i.pinned,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// A session's planning, with its id.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanningView {
    pub session_id: i64,
    #[serde(flatten)]
    pub planning: Planning,
}

type PlanningColumns = (String, Option<i32>, bool, bool);

pub fn get(conn: &mut DbConn, session_id: i64) -> ApiResult<Planning> {
    let (track, expected_audience, needs_interpretation, pinned): PlanningColumns = sessions::table
        .find(session_id)
        .select((
            sessions::track,
            sessions::expected_audience,
            sessions::needs_interpretation,
            sessions::pinned,
        ))
        .first(conn)?;
    Ok(Planning {
        track,
        expected_audience,
        needs_interpretation,
        pinned,
    })
}

pub fn set(conn: &mut DbConn, session_id: i64, p: &Planning) -> ApiResult<()> {
    diesel::update(sessions::table.find(session_id))
        .set((
            sessions::track.eq(&p.track),
            sessions::expected_audience.eq(p.expected_audience),
            sessions::needs_interpretation.eq(p.needs_interpretation),
            sessions::pinned.eq(p.pinned),
        ))
        .execute(conn)?;
    Ok(())
}

/// One time a speaker cannot speak.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailableInput {
    /// The speaker's e-mail as the proposal gave it, or their name when it gave none.
    pub speaker: String,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339.
    pub ends_at: String,
}

/// `PUT /events/{id}/unavailability`: the whole list, replaced.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailabilityInput {
    /// At most 5,000.
    pub items: Vec<UnavailableInput>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnavailableView {
    pub speaker: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The parsed list: (person key, speaker as given, from, to).
pub struct Unavailability(pub Vec<(String, String, NaiveDateTime, NaiveDateTime)>);

impl TryFrom<UnavailabilityInput> for Unavailability {
    type Error = ApiError;
    fn try_from(i: UnavailabilityInput) -> ApiResult<Unavailability> {
        if i.items.len() > 5_000 {
            return Err(ApiError::field("items", "at most 5000"));
        }
        let mut errors = FieldErrors::new();
        let mut out = vec![];
        for (n, item) in i.items.iter().enumerate() {
            let at = |f: &str| format!("items[{n}].{f}");
            let speaker = text(&mut errors, &at("speaker"), &item.speaker, 1, 320);
            let mut time = |field: &str, raw: &str| {
                parse_time(field, raw)
                    .map_err(|_| {
                        errors.insert(field.to_owned(), "an RFC 3339 date and time".into())
                    })
                    .ok()
            };
            let from = time(&at("starts_at"), &item.starts_at);
            let to = time(&at("ends_at"), &item.ends_at);
            if let (Some(speaker), Some(from), Some(to)) = (speaker, from, to) {
                if to <= from {
                    errors.insert(at("ends_at"), "must be after starts_at".into());
                    continue;
                }
                let key = if speaker.contains('@') {
                    person_key(Some(&speaker), "")
                } else {
                    person_key(None, &speaker)
                };
                out.push((key, speaker, from, to));
            }
        }
        if errors.is_empty() {
            Ok(Unavailability(out))
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

pub fn unavailability(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<UnavailableView>> {
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime)> = speaker_unavailability::table
        .filter(speaker_unavailability::event_id.eq(event_id))
        .order(speaker_unavailability::id)
        .select((
            speaker_unavailability::speaker,
            speaker_unavailability::starts_at,
            speaker_unavailability::ends_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(speaker, a, b)| UnavailableView {
            speaker,
            starts_at: Timestamp(a),
            ends_at: Timestamp(b),
        })
        .collect())
}

pub fn replace_unavailability(
    conn: &mut DbConn,
    event_id: i64,
    list: &Unavailability,
) -> ApiResult<()> {
    diesel::delete(
        speaker_unavailability::table.filter(speaker_unavailability::event_id.eq(event_id)),
    )
    .execute(conn)?;
    for (person, speaker, from, to) in &list.0 {
        diesel::insert_into(speaker_unavailability::table)
            .values((
                speaker_unavailability::event_id.eq(event_id),
                speaker_unavailability::person.eq(person),
                speaker_unavailability::speaker.eq(speaker),
                speaker_unavailability::starts_at.eq(from),
                speaker_unavailability::ends_at.eq(to),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Erasure: the person's unavailable times go.
pub fn erase(conn: &mut DbConn, email: &str) -> ApiResult<()> {
    diesel::delete(
        speaker_unavailability::table
            .filter(speaker_unavailability::person.eq(person_key(Some(email), ""))),
    )
    .execute(conn)?;
    Ok(())
}

/// The grid a proposal fills; the hard constraints (rooms, people, capacity,
/// facilities, pins, unavailable times) are the event's own.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstraintsInput {
    /// The days to fill (`YYYY-MM-DD`, the event's days); all of them when absent.
    pub days: Option<Vec<String>>,
    /// The first slot's start each day, venue time (default `09:00`).
    pub day_starts: Option<String>,
    /// No slot ends after this, venue time (default `18:00`).
    pub day_ends: Option<String>,
    /// 15 to 480 (default 60): every session takes one slot.
    pub slot_minutes: Option<i64>,
    /// 0 to 120 (default 0): a pause between slots.
    pub break_minutes: Option<i64>,
}

/// `POST /events/{id}/schedule/proposal`: the grid's fields either at the top level or
/// in `constraints` (which wins).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalRequestInput {
    pub constraints: Option<ConstraintsInput>,
    /// The days to fill (`YYYY-MM-DD`, the event's days); all of them when absent.
    pub days: Option<Vec<String>>,
    /// The first slot's start each day, venue time (default `09:00`).
    pub day_starts: Option<String>,
    /// No slot ends after this, venue time (default `18:00`).
    pub day_ends: Option<String>,
    /// 15 to 480 (default 60): every session takes one slot.
    pub slot_minutes: Option<i64>,
    /// 0 to 120 (default 0): a pause between slots.
    pub break_minutes: Option<i64>,
    /// `false` (default): sessions already scheduled stay; only the others are placed.
    /// `true`: only pinned sessions stay; every other one is placed again.
    #[serde(default)]
    pub reschedule: bool,
    /// Write the proposal into the schedule (409 when the schedule changed while it was
    /// computed); otherwise it is kept, to apply later by its `id`.
    #[serde(default)]
    pub apply: bool,
    /// `false` (default): when some session can be placed nowhere, 422 names each and
    /// why, and nothing is kept or written. `true`: answer (and apply) the rest.
    #[serde(default)]
    pub partial: bool,
}

/// The grid of slots and what to do with the schedule, parsed.
#[derive(Debug, Clone)]
pub struct ProposalRequest {
    pub days: Option<Vec<NaiveDate>>,
    pub day_starts: NaiveTime,
    pub day_ends: NaiveTime,
    pub slot_minutes: i64,
    pub break_minutes: i64,
    pub reschedule: bool,
    pub apply: bool,
    pub partial: bool,
}

impl TryFrom<ProposalRequestInput> for ProposalRequest {
    type Error = ApiError;
    fn try_from(i: ProposalRequestInput) -> ApiResult<ProposalRequest> {
        let mut errors = FieldErrors::new();
        let c = i.constraints.unwrap_or_default();
        let i = ProposalRequestInput {
            constraints: None,
            days: c.days.or(i.days),
            day_starts: c.day_starts.or(i.day_starts),
            day_ends: c.day_ends.or(i.day_ends),
            slot_minutes: c.slot_minutes.or(i.slot_minutes),
            break_minutes: c.break_minutes.or(i.break_minutes),
            ..i
        };
        let days = i.days.map(|days| {
            days.iter()
                .enumerate()
                .filter_map(|(n, d)| {
                    parse_date(d)
                        .map_err(|e| errors.insert(format!("days[{n}]"), e))
                        .ok()
                })
                .collect::<Vec<_>>()
        });
        let mut clock = |field: &str, raw: Option<&str>, default: &str| {
            NaiveTime::parse_from_str(raw.unwrap_or(default).trim(), "%H:%M")
                .map_err(|_| errors.insert(field.into(), "a time such as 09:00".into()))
                .ok()
        };
        let starts = clock("day_starts", i.day_starts.as_deref(), "09:00");
        let ends = clock("day_ends", i.day_ends.as_deref(), "18:00");
        let slot = i.slot_minutes.unwrap_or(60);
        if !(15..=480).contains(&slot) {
            errors.insert("slot_minutes".into(), "must be from 15 to 480".into());
        }
        let pause = i.break_minutes.unwrap_or(0);
        if !(0..=120).contains(&pause) {
            errors.insert("break_minutes".into(), "must be from 0 to 120".into());
        }
        if let (Some(a), Some(b)) = (starts, ends) {
            if b <= a {
                errors.insert("day_ends".into(), "must be after day_starts".into());
            }
        }
        match (starts, ends) {
            (Some(day_starts), Some(day_ends)) if errors.is_empty() => Ok(ProposalRequest {
                days,
                day_starts,
                day_ends,
                slot_minutes: slot,
                break_minutes: pause,
                reschedule: i.reschedule,
                apply: i.apply,
                partial: i.partial,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

impl ProposalRequest {
    /// The slots of the grid, in UTC, for the event's days asked for; a day not of the
    /// event is refused.
    pub fn slots(&self, event: &EventRow) -> ApiResult<Vec<TimeSlot>> {
        let tz = event.tz();
        let (first, last) = (
            parse_date(&event.starts_on).map_err(ApiError::internal)?,
            parse_date(&event.ends_on).map_err(ApiError::internal)?,
        );
        let all: Vec<NaiveDate> = first
            .iter_days()
            .take_while(|d| *d <= last)
            .take(62)
            .collect();
        let days = match &self.days {
            Some(days) => {
                if let Some(d) = days.iter().find(|d| !all.contains(d)) {
                    return Err(ApiError::field(
                        "days",
                        format!("{d} is not a day of the event ({first} to {last})"),
                    ));
                }
                days.clone()
            }
            None => all,
        };
        let step = chrono::Duration::minutes(self.slot_minutes + self.break_minutes);
        let length = chrono::Duration::minutes(self.slot_minutes);
        let mut slots = vec![];
        for day in days {
            let mut start = day.and_time(self.day_starts);
            let close = day.and_time(self.day_ends);
            while start + length <= close {
                // A local time that does not exist (the hour skipped in spring) is no slot.
                if let (Some(a), Some(b)) = (
                    tz.from_local_datetime(&start).earliest(),
                    tz.from_local_datetime(&(start + length)).earliest(),
                ) {
                    slots.push(TimeSlot {
                        starts: a.naive_utc(),
                        ends: b.naive_utc(),
                    });
                }
                start += step;
            }
        }
        if slots.is_empty() {
            return Err(ApiError::field(
                "slot_minutes",
                "no slot fits in the day window",
            ));
        }
        Ok(slots)
    }
}

/// A session as the solver sees it, with the people `session_people` names.
pub struct Planned {
    pub row: SessionRow,
    pub planning: Planning,
    pub people: Vec<String>,
}

/// Every session of the event with its planning and people.
pub fn sessions_of(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<Planned>> {
    let rows = super::schedule::all(conn, event_id)?;
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let plans: Vec<(i64, String, Option<i32>, bool, bool)> = sessions::table
        .filter(sessions::id.eq_any(&ids))
        .select((
            sessions::id,
            sessions::track,
            sessions::expected_audience,
            sessions::needs_interpretation,
            sessions::pinned,
        ))
        .load(conn)?;
    let mut plans: std::collections::HashMap<i64, Planning> = plans
        .into_iter()
        .map(
            |(id, track, expected_audience, needs_interpretation, pinned)| {
                let p = Planning {
                    track,
                    expected_audience,
                    needs_interpretation,
                    pinned,
                };
                (id, p)
            },
        )
        .collect();
    let people: Vec<(i64, String)> = session_people::table
        .filter(session_people::session_id.eq_any(&ids))
        .select((session_people::session_id, session_people::person))
        .load(conn)?;
    let mut by: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for (id, person) in people {
        by.entry(id).or_default().push(person);
    }
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let planning = plans.remove(&row.id)?;
            let people = by.remove(&row.id).unwrap_or_default();
            Some(Planned {
                row,
                planning,
                people,
            })
        })
        .collect())
}

impl Planned {
    pub fn spec(&self) -> SessionSpec {
        SessionSpec {
            id: self.row.id,
            people: self.people.clone(),
            track: self.planning.track.clone(),
            subtheme: self.row.subtheme.clone(),
            audience: self.planning.expected_audience,
            needs_interpretation: self.planning.needs_interpretation,
            needs_remote: self.row.format != SessionFormat::InPerson,
        }
    }

    pub fn fixed(&self) -> Option<FixedSpec> {
        Some(FixedSpec {
            room_id: self.row.room_id?,
            starts: self.row.starts_at,
            ends: self.row.ends_at,
            people: self.people.clone(),
            track: self.planning.track.clone(),
            subtheme: self.row.subtheme.clone(),
        })
    }
}

pub fn unavailable_specs(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<Unavailable>> {
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime)> = speaker_unavailability::table
        .filter(speaker_unavailability::event_id.eq(event_id))
        .select((
            speaker_unavailability::person,
            speaker_unavailability::starts_at,
            speaker_unavailability::ends_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(person, from, to)| Unavailable { person, from, to })
        .collect())
}

/// A kept proposal: what it was computed from, and whether it was applied.
pub struct KeptProposal {
    pub fingerprint: String,
    pub reschedule: bool,
    pub body: String,
    pub applied: bool,
}

/// How many proposals an event keeps: the older ones are forgotten.
const KEPT_PROPOSALS: i64 = 10;

/// Keeps a proposal to apply later; answers its id.
pub fn keep_proposal(
    conn: &mut DbConn,
    event_id: i64,
    fingerprint: &str,
    reschedule: bool,
    body: &str,
) -> ApiResult<i64> {
    use crate::db::schema::schedule_proposals as sp;
    let id: i64 = diesel::insert_into(sp::table)
        .values((
            sp::event_id.eq(event_id),
            sp::fingerprint.eq(fingerprint),
            sp::reschedule.eq(reschedule),
            sp::body.eq(body),
            sp::created_at.eq(crate::db::now()),
        ))
        .returning(sp::id)
        .get_result(conn)?;
    let oldest_kept: Option<i64> = sp::table
        .filter(sp::event_id.eq(event_id))
        .order(sp::id.desc())
        .offset(KEPT_PROPOSALS - 1)
        .select(sp::id)
        .first(conn)
        .optional()?;
    if let Some(oldest) = oldest_kept {
        diesel::delete(
            sp::table
                .filter(sp::event_id.eq(event_id))
                .filter(sp::id.lt(oldest)),
        )
        .execute(conn)?;
    }
    Ok(id)
}

/// A proposal the event kept (404 when it is another event's, or forgotten).
pub fn kept_proposal(conn: &mut DbConn, event_id: i64, id: i64) -> ApiResult<KeptProposal> {
    use crate::db::schema::schedule_proposals as sp;
    let row: Option<(String, bool, String, Option<NaiveDateTime>)> = sp::table
        .filter(sp::id.eq(id))
        .filter(sp::event_id.eq(event_id))
        .select((sp::fingerprint, sp::reschedule, sp::body, sp::applied_at))
        .first(conn)
        .optional()?;
    let (fingerprint, reschedule, body, applied_at) =
        row.ok_or_else(|| ApiError::not_found("schedule proposal"))?;
    Ok(KeptProposal {
        fingerprint,
        reschedule,
        body,
        applied: applied_at.is_some(),
    })
}

pub fn mark_applied(conn: &mut DbConn, id: i64) -> ApiResult<()> {
    use crate::db::schema::schedule_proposals as sp;
    diesel::update(sp::table.find(id))
        .set(sp::applied_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    Ok(())
}
