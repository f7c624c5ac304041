//! The phases of a consultation on its way to an adopted text, as UN outcome texts are
//! made: an open call for inputs, a stakeholder consultation on a draft, the
//! intergovernmental negotiation, the silence procedure, adoption. The co-facilitators
//! move it on; each move is a logged act with its date and author, shown to everyone.
//! Under silence and once adopted, no inputs are taken.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::view::Person;
use crate::accounts::types::string_enum;
use crate::db::schema::{consultation_phases, users};
use crate::db::{now, DbConn, Timestamp, Tx};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::input::text;

string_enum!(Phase {
    Inputs => "inputs",
    Consultation => "consultation",
    Negotiation => "negotiation",
    Silence => "silence",
    Adopted => "adopted",
});

impl Phase {
    /// Forward, skipping phases if need be; back from silence to negotiation when silence
    /// is broken. Adopted is the end.
    pub fn can_follow(self, current: Option<Phase>) -> bool {
        use Phase::*;
        let rank = |p: Phase| Phase::ALL.iter().position(|q| *q == p).unwrap_or(0);
        match current {
            None => true,
            Some(Adopted) => false,
            Some(Silence) if self == Negotiation => true,
            Some(c) => rank(self) > rank(c),
        }
    }

    /// Why `PUT …/phase` may not make this move, when it may not: silence and adoption
    /// are acts of their own (a version and a deadline; a held silence and a symbol),
    /// and a silence ends at its deadline, not by hand.
    pub fn not_by_hand(self, current: Option<Phase>) -> Option<&'static str> {
        match (current, self) {
            (_, Phase::Silence) => Some(
                "a version is put under silence with POST /consultations/{id}/silence, \
                 which names it and the deadline",
            ),
            (_, Phase::Adopted) => Some(
                "adoption is recorded with POST /consultations/{id}/adoption after a \
                 silence that held",
            ),
            (Some(Phase::Silence), _) => Some(
                "a silence procedure ends at its deadline: broken, the negotiation \
                 resumes by itself; held, the adoption is recorded with POST \
                 /consultations/{id}/adoption",
            ),
            _ => None,
        }
    }

    /// Whether inputs (comments, amendments, replies) are taken in this phase.
    pub fn takes_inputs(self) -> bool {
        !matches!(self, Phase::Silence | Phase::Adopted)
    }
}

/// `PUT /consultations/{id}/phase`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseInput {
    pub phase: Phase,
    /// Why, for the record (up to 2,000 characters).
    #[serde(default)]
    pub note: String,
    /// In the intergovernmental negotiation, whether stakeholders may still comment
    /// (default true); amendments are then tabled by delegations only.
    #[serde(default = "yes")]
    pub stakeholders_comment: bool,
}

fn yes() -> bool {
    true
}

/// A phase as the log shows it.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct PhaseView {
    pub phase: Phase,
    pub note: String,
    /// In the negotiation: whether stakeholders may still comment.
    pub stakeholders_comment: bool,
    /// Who moved it on (`null` once their account is erased).
    pub set_by: Option<Person>,
    pub set_at: Timestamp,
}

/// Where a consultation is now.
#[derive(Clone, Copy, Debug)]
pub struct Current {
    pub phase: Phase,
    pub since: NaiveDateTime,
    pub stakeholders_comment: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = consultation_phases)]
struct PhaseRow {
    #[diesel(deserialize_as = String)]
    phase: Phase,
    note: String,
    set_by: Option<i64>,
    set_at: NaiveDateTime,
    stakeholders_comment: bool,
}

/// The current phase, since when, and what it allows; `None` before the first is set.
pub fn current(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Option<Current>> {
    let row: Option<PhaseRow> = consultation_phases::table
        .filter(consultation_phases::consultation_id.eq(consultation_id))
        .order(consultation_phases::id.desc())
        .select(PhaseRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(|r| Current {
        phase: r.phase,
        since: r.set_at,
        stakeholders_comment: r.stakeholders_comment,
    }))
}

/// Every move, oldest first, with who made it.
pub fn log(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<PhaseView>> {
    let rows: Vec<PhaseRow> = consultation_phases::table
        .filter(consultation_phases::consultation_id.eq(consultation_id))
        .order(consultation_phases::id.asc())
        .select(PhaseRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.set_by).collect();
    let names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::erased_at.is_null())
        .select((users::id, users::display_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| PhaseView {
            phase: r.phase,
            note: r.note,
            stakeholders_comment: r.stakeholders_comment,
            set_by: r.set_by.and_then(|id| {
                names
                    .iter()
                    .find(|(n, _)| *n == id)
                    .map(|(id, name)| Person {
                        id: *id,
                        display_name: name.clone(),
                    })
            }),
            set_at: Timestamp(r.set_at),
        })
        .collect())
}

/// Moves the consultation to `phase` (409 `invalid_transition` when it cannot go there
/// from where it is), in the caller's transaction; `by` is `None` when the platform moves
/// it (a silence found broken at its deadline).
pub fn set(
    tx: &mut Tx,
    consultation_id: i64,
    by: Option<i64>,
    input: PhaseInput,
) -> ApiResult<PhaseView> {
    let mut errors = crate::error::FieldErrors::new();
    let note = text(&mut errors, "note", &input.note, 0, 2000).unwrap_or_default();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let current = current(tx, consultation_id)?.map(|c| c.phase);
    if !input.phase.can_follow(current) {
        let from = current.map_or("none", |p| p.as_str());
        return Err(ApiError::new(
            ErrorCode::InvalidTransition,
            format!(
                "a consultation in phase {from} cannot move to {}",
                input.phase
            ),
        ));
    }
    let at = now();
    diesel::insert_into(consultation_phases::table)
        .values((
            consultation_phases::consultation_id.eq(consultation_id),
            consultation_phases::phase.eq(input.phase.as_str()),
            consultation_phases::note.eq(&note),
            consultation_phases::set_by.eq(by),
            consultation_phases::set_at.eq(at),
            consultation_phases::stakeholders_comment
                .eq(input.stakeholders_comment || input.phase != Phase::Negotiation),
        ))
        .execute(tx.conn())?;
    let mut log = log(tx, consultation_id)?;
    log.pop()
        .ok_or_else(|| ApiError::internal("a phase just written is not in the log"))
}

/// Refuses an input when the consultation's phase takes none (409
/// `consultation_closed`, naming the phase); otherwise gives the phase, for the checks
/// that depend on it.
pub fn ensure_takes_inputs(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Option<Current>> {
    takes_inputs(current(conn, consultation_id)?)
}

/// [`ensure_takes_inputs`] for a phase already read.
pub fn takes_inputs(current: Option<Current>) -> ApiResult<Option<Current>> {
    match current {
        Some(c) if !c.phase.takes_inputs() => Err(ApiError::new(
            ErrorCode::ConsultationClosed,
            format!(
                "this consultation is in phase {}: it takes no inputs now",
                c.phase
            ),
        )),
        phase => Ok(phase),
    }
}

#[cfg(test)]
mod tests {
    use super::Phase::*;

    #[test]
    fn phases_move_forward_and_back_only_from_silence() {
        assert!(Inputs.can_follow(None));
        assert!(Negotiation.can_follow(Some(Inputs)));
        assert!(!Consultation.can_follow(Some(Negotiation)));
        assert!(Negotiation.can_follow(Some(Silence)));
        assert!(!Silence.can_follow(Some(Silence)));
        assert!(!Negotiation.can_follow(Some(Adopted)));
        assert!(!Silence.takes_inputs() && !Adopted.takes_inputs());
        assert!(Negotiation.takes_inputs());
    }
}
