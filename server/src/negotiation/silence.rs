//! The silence procedure: the co-facilitators put a version under silence until a
//! deadline; until then a delegation may break it with a letter naming paragraphs;
//! after it, the outcome is recorded once: held (and the text is then adopted, with its
//! document symbol and date) or broken (the negotiation resumes, the letters public).
//!
//! A break and the recording of the outcome both take the silence's row lock (an
//! UPDATE of the row: PostgreSQL's row lock; SQLite has one writer) and read the clock
//! only after it, so a break at the deadline's last instant is either in (written
//! before the outcome, which then counts it) or out (refused 409, the outcome already
//! held or the deadline passed): never both.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::types::string_enum;
use crate::consultations::phases::{self, Phase, PhaseInput};
use crate::consultations::store as consultations;
use crate::db::schema::{delegations, paragraphs, silence_breaks, silences};
use crate::db::{now, Db, DbConn, Timestamp, Tx};
use crate::delegations::types::{DelegationView, SpeaksFor};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::text;
use crate::policy::guards::{consultation_for, ConsultationEditor, Verified};
use crate::policy::Actor;

/// `POST /consultations/{id}/silence`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SilenceInput {
    /// The label of the version put under silence.
    pub version: String,
    /// RFC 3339 with an offset (`2026-12-20T18:00:00-05:00`), or a local time
    /// (`2026-12-20T18:00`) in `timezone`.
    pub deadline: String,
    /// IANA: the zone the deadline is told in; the consultation's own when absent.
    pub timezone: Option<String>,
}

/// `POST /consultations/{id}/silence/breaks`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakInput {
    /// The delegation that breaks silence: the caller must be one of its delegates.
    pub delegation_id: i64,
    /// The paragraphs of the silenced version its objection concerns (1 to 200).
    pub paragraph_keys: Vec<String>,
    /// The letter, made public (up to 20,000 characters).
    pub letter: String,
}

/// `POST /consultations/{id}/adoption`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptionInput {
    /// A UN document symbol: `A/RES/79/1`, `A/79/L.2`, `E/RES/2024/3`.
    pub symbol: String,
    /// `YYYY-MM-DD`.
    pub adopted_on: String,
}

string_enum!(SilenceState {
    Running => "running",
    Held => "held",
    Broken => "broken",
    Adopted => "adopted",
});

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct SilenceView {
    pub id: i64,
    pub version: String,
    /// UTC.
    pub deadline: Timestamp,
    pub timezone: String,
    /// The deadline in `timezone`, with its offset then.
    pub deadline_local: String,
    pub started_at: Timestamp,
    pub state: SilenceState,
    /// When the outcome was recorded (after the deadline).
    pub settled_at: Option<Timestamp>,
    /// The letters that broke it, oldest first: public.
    pub breaks: Vec<BreakView>,
    pub adoption: Option<AdoptionView>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct BreakView {
    pub id: i64,
    pub delegation: DelegationView,
    pub paragraphs: Vec<BrokenParagraph>,
    pub letter: String,
    pub broken_at: Timestamp,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct BrokenParagraph {
    pub key: String,
    pub number: String,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct AdoptionView {
    pub symbol: String,
    pub adopted_on: String,
}

/// The consultation's silence procedures: the latest, and those before it.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct SilenceLog {
    pub current: SilenceView,
    pub earlier: Vec<SilenceView>,
}

/// A UN document symbol: a body (`A`, `E`, `S`, `A/HRC`…) and parts separated by `/`,
/// each starting with a capital or a digit (`A/RES/79/1`, `A/79/L.2/Rev.1`), optionally
/// a year in brackets (`S/RES/2334 (2016)`).
pub fn parse_symbol(raw: &str) -> Result<String, &'static str> {
    const PROBLEM: &str = "must be a UN document symbol such as A/RES/79/1 or A/79/L.2";
    let s = raw.trim();
    let (main, year) = match s.split_once(" (") {
        Some((m, rest)) => (m, Some(rest)),
        None => (s, None),
    };
    if let Some(y) = year {
        let ok = y.len() == 5 && y.ends_with(')') && y[..4].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(PROBLEM);
        }
    }
    let parts: Vec<&str> = main.split('/').collect();
    let body_ok = parts
        .first()
        .is_some_and(|b| (1..=5).contains(&b.len()) && b.bytes().all(|c| c.is_ascii_uppercase()));
    let rest_ok = parts.len() >= 2
        && parts[1..].iter().all(|p| {
            p.bytes()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && p.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
        });
    if s.len() > 60 || !body_ok || !rest_ok {
        return Err(PROBLEM);
    }
    Ok(s.to_owned())
}

/// A deadline as given: with its offset, or local to `tz`; in UTC.
pub fn parse_deadline(raw: &str, tz: chrono_tz::Tz) -> Result<NaiveDateTime, &'static str> {
    const PROBLEM: &str =
        "must be a time such as 2026-12-20T18:00 (in timezone) or 2026-12-20T18:00:00-05:00";
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw.trim()) {
        return Ok(t.naive_utc());
    }
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw.trim(), f).ok())
        .ok_or(PROBLEM)?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
        .ok_or("does not exist in that time zone (a daylight-saving gap)")
}

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = silences)]
struct SilenceRow {
    id: i64,
    consultation_id: i64,
    version_id: i64,
    deadline: NaiveDateTime,
    timezone: String,
    started_at: NaiveDateTime,
    outcome: Option<String>,
    settled_at: Option<NaiveDateTime>,
    symbol: Option<String>,
    adopted_on: Option<String>,
}

impl SilenceRow {
    fn state(&self) -> SilenceState {
        match (self.outcome.as_deref(), &self.symbol) {
            (_, Some(_)) => SilenceState::Adopted,
            (Some("held"), _) => SilenceState::Held,
            (Some(_), _) => SilenceState::Broken,
            (None, _) => SilenceState::Running,
        }
    }

    fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// Running past its deadline: its outcome is due.
    fn due(&self, at: NaiveDateTime) -> bool {
        self.outcome.is_none() && at >= self.deadline
    }
}

fn local(t: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    format!(
        "{} ({})",
        tz.from_utc_datetime(&t).format("%Y-%m-%d %H:%M %:z"),
        tz.name()
    )
}

fn latest(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Option<SilenceRow>> {
    Ok(silences::table
        .filter(silences::consultation_id.eq(consultation_id))
        .order(silences::id.desc())
        .select(SilenceRow::as_select())
        .first(conn)
        .optional()?)
}

/// Takes the row's lock for the rest of the transaction, and reads it again.
fn lock(tx: &mut Tx, id: i64) -> ApiResult<SilenceRow> {
    diesel::update(silences::table.find(id))
        .set(silences::consultation_id.eq(silences::consultation_id))
        .execute(tx.conn())?;
    Ok(silences::table
        .find(id)
        .select(SilenceRow::as_select())
        .first(tx.conn())?)
}

/// Records the outcome of a silence whose deadline has passed (once), under its lock:
/// broken if any letter came, else held. A broken silence sends the consultation back
/// to the negotiation, a logged act of the platform's.
fn settle(tx: &mut Tx, id: i64) -> ApiResult<SilenceRow> {
    let row = lock(tx, id)?;
    let at = now();
    if !row.due(at) {
        return Ok(row);
    }
    let breakers: Vec<String> = silence_breaks::table
        .inner_join(delegations::table)
        .filter(silence_breaks::silence_id.eq(id))
        .order(silence_breaks::id.asc())
        .select(delegations::name)
        .load(tx.conn())?;
    let outcome = if breakers.is_empty() {
        "held"
    } else {
        "broken"
    };
    diesel::update(silences::table.find(id))
        .set((silences::outcome.eq(outcome), silences::settled_at.eq(at)))
        .execute(tx.conn())?;
    let current = phases::current(tx, row.consultation_id)?.map(|c| c.phase);
    if outcome == "broken" && current == Some(Phase::Silence) {
        let label = consultations::version_label(tx, row.version_id)?;
        let mut names = breakers;
        names.dedup();
        phases::set(
            tx,
            row.consultation_id,
            None,
            PhaseInput {
                phase: Phase::Negotiation,
                note: format!("Silence on {label} broken by {}", names.join(", ")),
                stakeholders_comment: true,
            },
        )?;
    }
    lock(tx, id)
}

fn view(conn: &mut DbConn, row: &SilenceRow) -> ApiResult<SilenceView> {
    let label = consultations::version_label(conn, row.version_id)?;
    let numbers: Vec<(String, String)> = paragraphs::table
        .filter(paragraphs::version_id.eq(row.version_id))
        .select((paragraphs::key, paragraphs::number))
        .load(conn)?;
    let rows: Vec<(i64, i64, String, String, NaiveDateTime)> = silence_breaks::table
        .filter(silence_breaks::silence_id.eq(row.id))
        .order(silence_breaks::id.asc())
        .select((
            silence_breaks::id,
            silence_breaks::delegation_id,
            silence_breaks::paragraph_keys,
            silence_breaks::letter,
            silence_breaks::broken_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let delegations = crate::delegations::store::delegations_by_id(conn, &ids)?;
    let mut breaks = Vec::with_capacity(rows.len());
    for (id, delegation, keys, letter, at) in rows {
        let keys: Vec<String> = serde_json::from_str(&keys).unwrap_or_default();
        breaks.push(BreakView {
            id,
            delegation: delegations
                .get(&delegation)
                .cloned()
                .ok_or_else(|| ApiError::not_found("delegation"))?,
            paragraphs: keys
                .into_iter()
                .map(|key| BrokenParagraph {
                    number: numbers
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                    key,
                })
                .collect(),
            letter,
            broken_at: Timestamp(at),
        });
    }
    Ok(SilenceView {
        id: row.id,
        version: label,
        deadline: Timestamp(row.deadline),
        timezone: row.timezone.clone(),
        deadline_local: local(row.deadline, row.tz()),
        started_at: Timestamp(row.started_at),
        state: row.state(),
        settled_at: row.settled_at.map(Timestamp),
        breaks,
        adoption: match (&row.symbol, &row.adopted_on) {
            (Some(symbol), Some(on)) => Some(AdoptionView {
                symbol: symbol.clone(),
                adopted_on: on.clone(),
            }),
            _ => None,
        },
    })
}

fn log(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Option<SilenceLog>> {
    let rows: Vec<SilenceRow> = silences::table
        .filter(silences::consultation_id.eq(consultation_id))
        .order(silences::id.desc())
        .select(SilenceRow::as_select())
        .load(conn)?;
    let mut views = Vec::with_capacity(rows.len());
    for r in &rows {
        views.push(view(conn, r)?);
    }
    let mut views = views.into_iter();
    Ok(views.next().map(|current| SilenceLog {
        current,
        earlier: views.collect(),
    }))
}

fn ended(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::SilenceEnded, message)
}

/// Puts a version under silence: in the negotiation only, one at a time.
pub async fn start(
    db: &Db,
    who: &ConsultationEditor,
    input: SilenceInput,
) -> ApiResult<SilenceLog> {
    let mut errors = FieldErrors::new();
    let tz = match input.timezone.as_deref() {
        Some(z) => z.parse::<chrono_tz::Tz>().map_err(|_| {
            errors.insert(
                "timezone".into(),
                "must be an IANA time zone such as America/New_York".into(),
            );
        }),
        None => Ok(who.consultation.tz()),
    };
    let deadline = match tz {
        Ok(tz) => parse_deadline(&input.deadline, tz)
            .map_err(|e| {
                errors.insert("deadline".into(), e.into());
            })
            .ok()
            .map(|d| (d, tz)),
        Err(()) => None,
    };
    if deadline.is_some_and(|(d, _)| d <= now()) {
        errors.insert("deadline".into(), "must be in the future".into());
    }
    let (Some((deadline, tz)), true) = (deadline, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let (row, by) = (who.consultation.clone(), who.user().id);
    db.tx(move |tx| {
        let phase = phases::current(tx, row.id)?.map(|c| c.phase);
        if phase != Some(Phase::Negotiation) {
            return Err(ApiError::new(
                ErrorCode::InvalidTransition,
                format!(
                    "a silence procedure follows the intergovernmental negotiation; this consultation is in phase {}",
                    phase.map_or("none", |p| p.as_str())
                ),
            ));
        }
        if let Some(running) = latest(tx, row.id)? {
            let running = settle(tx, running.id)?;
            if running.state() == SilenceState::Running {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "a silence procedure runs already",
                ));
            }
        }
        let version = match consultations::find_version(tx, row.id, &input.version) {
            Err(e) if e.code == ErrorCode::NotFound => {
                return Err(ApiError::field("version", "no version with this label"))
            }
            found => found?,
        };
        let started_at = now();
        diesel::insert_into(silences::table)
            .values((
                silences::consultation_id.eq(row.id),
                silences::version_id.eq(version.id),
                silences::deadline.eq(deadline),
                silences::timezone.eq(tz.name()),
                silences::started_by.eq(Some(by)),
                silences::started_at.eq(started_at),
            ))
            .execute(tx.conn())?;
        phases::set(
            tx,
            row.id,
            Some(by),
            PhaseInput {
                phase: Phase::Silence,
                note: format!(
                    "Silence procedure on {} until {}",
                    input.version,
                    local(deadline, tz)
                ),
                stakeholders_comment: true,
            },
        )?;
        log(tx, row.id)?.ok_or_else(|| ApiError::internal("a silence just written is not there"))
    })
    .await
}

/// A delegation breaks silence with a letter; after the deadline, 409 `silence_ended`.
pub async fn break_silence(
    db: &Db,
    who: &Verified,
    consultation: String,
    input: BreakInput,
) -> ApiResult<BreakView> {
    let mut errors = FieldErrors::new();
    let letter = text(&mut errors, "letter", &input.letter, 1, 20_000);
    let mut keys = input.paragraph_keys;
    keys.sort();
    keys.dedup();
    if keys.is_empty() || keys.len() > 200 {
        errors.insert("paragraph_keys".into(), "name 1 to 200 paragraphs".into());
    }
    let (Some(letter), true) = (letter, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let user = who.user().clone();
    db.tx(move |tx| {
        let actor = Actor::User(user.clone());
        let (row, _) = consultation_for(tx, &actor, &consultation)?;
        let delegation =
            crate::policy::may_speak_for(tx, user.id, SpeaksFor::Delegation(input.delegation_id))?;
        let Some(silence) = latest(tx, row.id)? else {
            return Err(ended("no silence procedure runs on this consultation"));
        };
        // The lock first, the clock after it.
        let silence = lock(tx, silence.id)?;
        let at = now();
        if silence.outcome.is_some() || at >= silence.deadline {
            return Err(ended(format!(
                "the silence procedure ended at {}",
                local(silence.deadline, silence.tz())
            )));
        }
        let known: Vec<String> = paragraphs::table
            .filter(paragraphs::version_id.eq(silence.version_id))
            .filter(paragraphs::key.eq_any(&keys))
            .select(paragraphs::key)
            .load(tx.conn())?;
        if let Some(unknown) = keys.iter().find(|k| !known.contains(k)) {
            return Err(ApiError::field(
                "paragraph_keys",
                format!("{unknown} is no paragraph of the version under silence"),
            ));
        }
        let id: i64 = diesel::insert_into(silence_breaks::table)
            .values((
                silence_breaks::silence_id.eq(silence.id),
                silence_breaks::delegation_id.eq(input.delegation_id),
                silence_breaks::paragraph_keys.eq(serde_json::to_string(&keys).unwrap_or_default()),
                silence_breaks::letter.eq(&letter),
                silence_breaks::broken_by.eq(Some(user.id)),
                silence_breaks::broken_at.eq(at),
            ))
            .returning(silence_breaks::id)
            .get_result(tx.conn())?;
        let view = view(tx, &silence)?;
        let mut shown = view
            .breaks
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| ApiError::internal("a break just written is not there"))?;
        if let crate::delegations::types::Represented::Delegation(d) = delegation {
            shown.delegation = d;
        }
        Ok(shown)
    })
    .await
}

/// The silence procedures of a consultation, the outcome of one past its deadline
/// recorded first (404 when there was none).
pub async fn read(db: &Db, actor: Actor, consultation: String) -> ApiResult<SilenceLog> {
    let due = {
        let (actor, consultation) = (actor.clone(), consultation.clone());
        db.run(move |conn| {
            let (row, _) = consultation_for(conn, &actor, &consultation)?;
            Ok(latest(conn, row.id)?.filter(|s| s.due(now())).map(|s| s.id))
        })
        .await?
    };
    if let Some(id) = due {
        db.tx(move |tx| settle(tx, id).map(|_| ())).await?;
    }
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &consultation)?;
        log(conn, row.id)?.ok_or_else(|| ApiError::not_found("silence procedure"))
    })
    .await
}

/// Records the adoption after a held silence, with its symbol and date.
pub async fn adopt(
    db: &Db,
    who: &ConsultationEditor,
    input: AdoptionInput,
) -> ApiResult<SilenceLog> {
    let mut errors = FieldErrors::new();
    let symbol = parse_symbol(&input.symbol)
        .map_err(|e| errors.insert("symbol".into(), e.into()))
        .ok();
    let date = NaiveDate::parse_from_str(input.adopted_on.trim(), "%Y-%m-%d")
        .map_err(|_| {
            errors.insert(
                "adopted_on".into(),
                "must be a date such as 2026-12-20".into(),
            )
        })
        .ok();
    let (Some(symbol), Some(date), true) = (symbol, date, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let (row, by) = (who.consultation.clone(), who.user().id);
    db.tx(move |tx| {
        let Some(silence) = latest(tx, row.id)? else {
            return Err(ended(
                "adoption follows a silence procedure that held: there was none",
            ));
        };
        let silence = settle(tx, silence.id)?;
        match silence.state() {
            SilenceState::Held => {}
            SilenceState::Running => {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!(
                        "the silence procedure runs until {}",
                        local(silence.deadline, silence.tz())
                    ),
                ))
            }
            SilenceState::Broken => {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "the silence was broken: the text is negotiated further",
                ))
            }
            SilenceState::Adopted => {
                return Err(ApiError::new(
                    ErrorCode::AlreadyInState,
                    format!(
                        "adopted already as {}",
                        silence.symbol.clone().unwrap_or_default()
                    ),
                ))
            }
        }
        let on = date.format("%Y-%m-%d").to_string();
        diesel::update(silences::table.find(silence.id))
            .set((
                silences::symbol.eq(&symbol),
                silences::adopted_on.eq(&on),
                silences::adopted_by.eq(Some(by)),
            ))
            .execute(tx.conn())?;
        phases::set(
            tx,
            row.id,
            Some(by),
            PhaseInput {
                phase: Phase::Adopted,
                note: format!("Adopted as {symbol} on {on}"),
                stakeholders_comment: true,
            },
        )?;
        log(tx, row.id)?.ok_or_else(|| ApiError::internal("a silence just written is not there"))
    })
    .await
}

/// Records the outcome of every silence whose deadline has passed (the scheduler's
/// pass, so that the outcome does not wait for a reader); how many.
pub fn settle_due(db: &Db, at: NaiveDateTime) -> ApiResult<usize> {
    let due: Vec<i64> = silences::table
        .filter(silences::outcome.is_null())
        .filter(silences::deadline.le(at))
        .select(silences::id)
        .load(&mut **db.get()?)?;
    for id in &due {
        db.tx_blocking(|tx| settle(tx, *id).map(|_| ()))?;
    }
    Ok(due.len())
}

/// A silence procedure that ran in the past, as the demo data records it.
pub struct PastSilence {
    pub consultation_id: i64,
    pub version_id: i64,
    pub started_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub by: i64,
    /// (delegation, paragraph keys, letter, delegate).
    pub breaks: Vec<(i64, Vec<String>, String, i64)>,
    /// (symbol, date) when it held and the text was adopted.
    pub adoption: Option<(String, String)>,
}

/// Writes a past silence with its letters and outcome (the phases are the caller's).
pub fn record_past(tx: &mut Tx, s: PastSilence) -> ApiResult<()> {
    let outcome = if s.breaks.is_empty() {
        "held"
    } else {
        "broken"
    };
    let zone = crate::consultations::store::resolve(tx, &s.consultation_id.to_string())?.tz();
    let id: i64 = diesel::insert_into(silences::table)
        .values((
            silences::consultation_id.eq(s.consultation_id),
            silences::version_id.eq(s.version_id),
            silences::deadline.eq(s.deadline),
            silences::timezone.eq(zone.name()),
            silences::started_by.eq(Some(s.by)),
            silences::started_at.eq(s.started_at),
            silences::outcome.eq(Some(outcome)),
            silences::settled_at.eq(Some(s.deadline + chrono::Duration::minutes(1))),
            silences::symbol.eq(s.adoption.as_ref().map(|a| a.0.clone())),
            silences::adopted_on.eq(s.adoption.as_ref().map(|a| a.1.clone())),
            silences::adopted_by.eq(s.adoption.as_ref().map(|_| s.by)),
        ))
        .returning(silences::id)
        .get_result(tx.conn())?;
    for (i, (delegation, keys, letter, by)) in s.breaks.into_iter().enumerate() {
        diesel::insert_into(silence_breaks::table)
            .values((
                silence_breaks::silence_id.eq(id),
                silence_breaks::delegation_id.eq(delegation),
                silence_breaks::paragraph_keys.eq(serde_json::to_string(&keys).unwrap_or_default()),
                silence_breaks::letter.eq(letter),
                silence_breaks::broken_by.eq(Some(by)),
                silence_breaks::broken_at.eq(s.deadline - chrono::Duration::hours(6 + i as i64)),
            ))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// Silences ending within `hours` whose delegates were not yet reminded: (id,
/// consultation id, slug, title, version label, deadline, local deadline).
pub type Due = (i64, i64, String, String, String, NaiveDateTime, String);

pub fn ending_soon(conn: &mut DbConn, at: NaiveDateTime, hours: i64) -> ApiResult<Vec<Due>> {
    use crate::db::schema::consultations as c;
    let rows: Vec<(SilenceRow, String, String)> = silences::table
        .inner_join(c::table.on(c::id.eq(silences::consultation_id)))
        .filter(silences::outcome.is_null())
        .filter(silences::reminded_at.is_null())
        .filter(silences::deadline.gt(at))
        .filter(silences::deadline.le(at + chrono::Duration::hours(hours)))
        .select((SilenceRow::as_select(), c::slug, c::title))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (s, slug, title) in rows {
        let label = consultations::version_label(conn, s.version_id)?;
        out.push((
            s.id,
            s.consultation_id,
            slug,
            title,
            label,
            s.deadline,
            local(s.deadline, s.tz()),
        ));
    }
    Ok(out)
}

pub fn mark_reminded(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> ApiResult<()> {
    diesel::update(silences::table.find(id))
        .set(silences::reminded_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_of_the_un_form() {
        for ok in [
            "A/RES/79/1",
            "A/79/L.2",
            "A/79/L.2/Rev.1",
            "E/RES/2024/3",
            "A/HRC/RES/55/1",
            "S/RES/2334 (2016)",
        ] {
            assert_eq!(parse_symbol(ok).as_deref(), Ok(ok), "{ok}");
        }
        for bad in [
            "a/res/79/1",
            "RES79",
            "A//1",
            "A/RES/79/1 x",
            "A/ RES/79",
            "",
            "A",
            "A/RES/79/1 (16)",
            "Resolution 79/1",
        ] {
            assert!(parse_symbol(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deadlines_with_offsets_or_local_to_the_zone() {
        let ny = chrono_tz::America::New_York;
        let at = |s: &str| parse_deadline(s, ny).map(|t| t.to_string());
        assert_eq!(at("2026-12-20T18:00").as_deref(), Ok("2026-12-20 23:00:00"));
        assert_eq!(at("2026-07-20T18:00").as_deref(), Ok("2026-07-20 22:00:00"));
        assert_eq!(
            at("2026-12-20T18:00:00+01:00").as_deref(),
            Ok("2026-12-20 17:00:00")
        );
        assert!(at("tomorrow").is_err());
        assert!(at("2026-03-08T02:30").is_err());
    }
}
