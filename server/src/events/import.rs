//! Agenda export (CSV) and bulk import (CSV or JSON), all or nothing, with every bad row
//! reported.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Deserialize;

use super::proposals::record_people;
use super::schedule::{self, SessionRow};
use super::store::{EventRow, RoomRow};
use super::types::{SessionFormat, SessionType, Speaker, SpeakerInput};
use super::view::{BadRow, SpeakerView};
use crate::db::schema::sessions;
use crate::db::Tx;
use crate::db::{now, rfc3339};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::text;
use crate::policy::SpeakerAudience;

/// One agenda row as given, in JSON or CSV.
#[derive(Deserialize, Debug, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub title: String,
    #[serde(rename = "type")]
    #[schemars(with = "SessionType")]
    pub session_type: String,
    pub subtheme: String,
    #[schemars(with = "SessionFormat")]
    pub format: String,
    #[serde(default)]
    pub description: String,
    /// A room of the event, by name.
    pub room: String,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339.
    pub ends_at: String,
    #[serde(default)]
    pub moderator_name: String,
    #[serde(default)]
    pub rapporteur_name: String,
    #[serde(default)]
    pub speakers: Vec<SpeakerInput>,
}

pub const CSV_HEADER: [&str; 11] = [
    "title",
    "type",
    "subtheme",
    "format",
    "description",
    "room",
    "starts_at",
    "ends_at",
    "moderator_name",
    "rapporteur_name",
    "speakers",
];

/// CSV rows; `speakers` is `name|stakeholder_group|country` entries joined by `;`, each
/// with an optional fourth part, the gender (as the export wrote it before genders were
/// left out of it).
pub fn parse_csv(text: &str) -> Result<Vec<Result<Row, FieldErrors>>, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::field("source", format!("unreadable CSV header: {e}")))?
        .clone();
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let missing: Vec<&str> = CSV_HEADER
        .iter()
        .filter(|h| !index.contains_key(*h) && **h != "speakers" && **h != "description")
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::field(
            "source",
            format!("the CSV header lacks: {}", missing.join(", ")),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(Err(FieldErrors::from([(
                    "row".to_owned(),
                    format!("unreadable: {e}"),
                )])));
                continue;
            }
        };
        let get = |name: &str| {
            index
                .get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .to_owned()
        };
        let mut errors = FieldErrors::new();
        let speakers = get("speakers")
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .enumerate()
            .filter_map(|(n, s)| {
                let parts: Vec<&str> = s.split('|').map(str::trim).collect();
                let (name, group, country, gender) = match parts[..] {
                    [name, group, country] => (name, group, country, ""),
                    [name, group, country, gender] => (name, group, country, gender),
                    _ => {
                        errors.insert(
                            format!("speakers[{n}]"),
                            "must be name|stakeholder_group|country (|gender)".into(),
                        );
                        return None;
                    }
                };
                Some(SpeakerInput {
                    name: name.to_owned(),
                    email: None,
                    organization: String::new(),
                    stakeholder_group: group.to_owned(),
                    country: country.to_owned(),
                    gender: Some(gender.to_owned()).filter(|g| !g.is_empty()),
                })
            })
            .collect();
        let row = Row {
            title: get("title"),
            session_type: get("type"),
            subtheme: get("subtheme"),
            format: get("format"),
            description: get("description"),
            room: get("room"),
            starts_at: get("starts_at"),
            ends_at: get("ends_at"),
            moderator_name: get("moderator_name"),
            rapporteur_name: get("rapporteur_name"),
            speakers,
        };
        rows.push(if errors.is_empty() {
            Ok(row)
        } else {
            Err(errors)
        });
    }
    Ok(rows)
}

/// Imports every row or none: each row becomes a scheduled session, checked like any
/// other (rooms, days, clashes with existing sessions and with earlier rows).
pub fn import(
    tx: &mut Tx,
    event: &EventRow,
    rows: Vec<Result<Row, FieldErrors>>,
) -> ApiResult<Vec<i64>> {
    if rows.is_empty() {
        return Err(ApiError::field("rows", "there is nothing to import"));
    }
    if rows.len() > 5000 {
        return Err(ApiError::field("rows", "at most 5000 rows at once"));
    }
    let rooms: HashMap<String, RoomRow> = super::store::rooms_of(tx, event.id)?
        .into_iter()
        .map(|r| (r.name.to_lowercase(), r))
        .collect();
    let themes = event.subthemes();
    let mut bad: Vec<BadRow> = Vec::new();
    let refuse = |row: usize, errors: FieldErrors| BadRow {
        row,
        errors,
        conflicts: None,
    };
    let mut created = Vec::new();
    for (n, row) in rows.into_iter().enumerate() {
        let number = n + 1;
        let row = match row {
            Ok(r) => r,
            Err(errors) => {
                bad.push(refuse(number, errors));
                continue;
            }
        };
        let mut errors = FieldErrors::new();
        let title = text(&mut errors, "title", &row.title, 1, 300);
        let description = text(&mut errors, "description", &row.description, 0, 10_000);
        let moderator = text(&mut errors, "moderator_name", &row.moderator_name, 0, 200);
        let rapporteur = text(&mut errors, "rapporteur_name", &row.rapporteur_name, 0, 200);
        let session_type = SessionType::parse(row.session_type.trim())
            .ok_or_else(|| {
                errors.insert(
                    "type".into(),
                    format!("must be one of {}", SessionType::expected()),
                )
            })
            .ok();
        let format = SessionFormat::parse(row.format.trim())
            .ok_or_else(|| {
                errors.insert(
                    "format".into(),
                    format!("must be one of {}", SessionFormat::expected()),
                )
            })
            .ok();
        if !themes.is_empty() && !themes.iter().any(|t| t == row.subtheme.trim()) {
            errors.insert(
                "subtheme".into(),
                format!("must be one of: {}", themes.join("; ")),
            );
        }
        let room = rooms.get(&row.room.trim().to_lowercase());
        if room.is_none() {
            errors.insert(
                "room".into(),
                format!("no room named {:?} in this event", row.room),
            );
        }
        let starts = crate::consultations::types::parse_time("starts_at", &row.starts_at)
            .map_err(|e| errors.extend(e.fields.unwrap_or_default()))
            .ok();
        let ends = crate::consultations::types::parse_time("ends_at", &row.ends_at)
            .map_err(|e| errors.extend(e.fields.unwrap_or_default()))
            .ok();
        let speakers: Vec<Option<Speaker>> = row
            .speakers
            .iter()
            .enumerate()
            .map(|(i, s)| s.parse(&format!("speakers[{i}]"), &mut errors))
            .collect();
        let speakers: Option<Vec<Speaker>> = speakers.into_iter().collect();
        let (
            Some(title),
            Some(description),
            Some(moderator),
            Some(rapporteur),
            Some(session_type),
            Some(format),
            Some(room),
            Some(starts),
            Some(ends),
            Some(speakers),
            true,
        ) = (
            title,
            description,
            moderator,
            rapporteur,
            session_type,
            format,
            room,
            starts,
            ends,
            speakers,
            errors.is_empty(),
        )
        else {
            bad.push(refuse(number, errors));
            continue;
        };
        let t = now();
        let id: i64 = diesel::insert_into(sessions::table)
            .values((
                sessions::event_id.eq(event.id),
                sessions::title.eq(&title),
                sessions::session_type.eq(session_type.as_str()),
                sessions::subtheme.eq(row.subtheme.trim()),
                sessions::format.eq(format.as_str()),
                sessions::description.eq(&description),
                sessions::speakers.eq(Speaker::store(&speakers)),
                sessions::moderator_name.eq(&moderator),
                sessions::rapporteur_name.eq(&rapporteur),
                sessions::created_at.eq(t),
                sessions::updated_at.eq(t),
            ))
            .returning(sessions::id)
            .get_result(tx.conn())?;
        record_people(tx, id, &speakers, &moderator)?;
        crate::outbox::create_channel(tx, &crate::outbox::session_channel(id))?;
        let session = schedule::get(tx, id)?;
        let slot = schedule::Slot {
            room_id: room.id,
            starts,
            ends,
        };
        match schedule::clashes(tx, &session, event, slot) {
            Ok(conflicts) if conflicts.is_empty() => {
                schedule::place(tx, &session, slot)?;
                created.push(id);
            }
            Ok(conflicts) => bad.push(BadRow {
                conflicts: Some(conflicts),
                ..refuse(
                    number,
                    FieldErrors::from([(
                        "slot".to_owned(),
                        "clashes with other sessions".to_owned(),
                    )]),
                )
            }),
            Err(e) if e.code.status().is_client_error() => {
                let mut problems = e.fields.clone().unwrap_or_default();
                if problems.is_empty() {
                    problems.insert("slot".into(), e.message.clone());
                }
                bad.push(refuse(number, problems));
            }
            Err(e) => return Err(e),
        }
    }
    if !bad.is_empty() {
        let mut e = ApiError::new(
            ErrorCode::ValidationFailed,
            format!("{} row(s) are wrong: nothing was imported", bad.len()),
        );
        e.details = Some(serde_json::to_value(BadRows { rows: &bad }).map_err(ApiError::internal)?);
        return Err(e);
    }
    Ok(created)
}

/// `error.details` of a refused import.
#[derive(serde::Serialize)]
struct BadRows<'a> {
    rows: &'a [BadRow],
}

/// The scheduled sessions as CSV, times in UTC and in `tz`. Speakers are
/// `name|stakeholder_group|country`: the public's view of them (no e-mail, no gender).
pub fn export_csv(
    sessions: &[SessionRow],
    rooms: &HashMap<i64, RoomRow>,
    tz: chrono_tz::Tz,
) -> ApiResult<String> {
    let header = [
        "id",
        "title",
        "type",
        "subtheme",
        "format",
        "room",
        "starts_at",
        "ends_at",
        "local_starts_at",
        "local_ends_at",
        "moderator_name",
        "rapporteur_name",
        "speakers",
        "remote_link",
    ];
    let mut rows = Vec::with_capacity(sessions.len());
    for s in sessions {
        let room = s.room_id.and_then(|r| rooms.get(&r));
        let speakers = SpeakerView::all(&s.speakers(), SpeakerAudience::Public)
            .iter()
            .map(|p| format!("{}|{}|{}", p.name, p.stakeholder_group, p.country))
            .collect::<Vec<_>>()
            .join("; ");
        rows.push([
            s.id.to_string(),
            s.title.clone(),
            s.session_type.to_string(),
            s.subtheme.clone(),
            s.format.to_string(),
            room.map(|r| r.name.clone()).unwrap_or_default(),
            s.starts_at.map(rfc3339).unwrap_or_default(),
            s.ends_at.map(rfc3339).unwrap_or_default(),
            s.starts_at
                .map(|t| schedule::local(t, tz))
                .unwrap_or_default(),
            s.ends_at
                .map(|t| schedule::local(t, tz))
                .unwrap_or_default(),
            s.moderator_name.clone(),
            s.rapporteur_name.clone(),
            speakers,
            room.and_then(|r| r.remote_link.clone()).unwrap_or_default(),
        ]);
    }
    crate::http::csv::document(&header, rows)
}
