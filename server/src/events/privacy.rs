//! What the events feature holds about one person: their part of the personal-data
//! export, and their erasure (`accounts::privacy` calls both; the register of every
//! column is `accounts::personal_data`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use super::proposals::ProposalRow;
use super::types::Speaker;
use super::view::ProposalView;
use crate::accounts::privacy::WITHDRAWN;
use crate::db::schema::{
    evaluation_assignments, evaluations, panel_members, proposal_reviews, proposals,
    session_people, session_reports, session_roles, sessions, speaker_confirmations,
    speaker_unavailability, speaking_queue,
};
use crate::db::{now, DbConn, Timestamp, Tx};
use crate::error::ApiResult;
use crate::outbox::{self, Change};
use crate::policy::SpeakerAudience;

/// The events part of `GET /me/export`.
#[derive(Serialize, JsonSchema, Debug)]
pub struct EventsExport {
    /// Session proposals the person made, with the speakers they gave.
    pub proposals: Vec<ProposalView>,
    /// Reviews the person wrote of others' proposals.
    pub proposal_reviews: Vec<ProposalReviewRecord>,
    /// Places the person took in sessions' speaking queues.
    pub speaking_queue: Vec<QueueRecord>,
    /// Sessions that list the person's address among their speakers.
    pub speaker_of_session_ids: Vec<i64>,
    /// Proposals, theirs or others', that give the person's address for a speaker.
    pub speaker_in_proposal_ids: Vec<i64>,
    /// Sessions whose report the person filed.
    pub reports_filed_session_ids: Vec<i64>,
    /// Their answers, as a speaker asked to confirm, by proposal.
    pub speaker_answers: Vec<SpeakerAnswerRecord>,
    /// Times they were said to be unavailable to speak.
    pub unavailable: Vec<UnavailableRecord>,
    /// Sessions they run: as moderator or rapporteur.
    pub session_roles: Vec<SessionRoleRecord>,
    /// Events whose evaluation panel they sit on.
    pub evaluation_panel_event_ids: Vec<i64>,
    /// Proposals given to them to evaluate, and those they stepped back from.
    pub evaluation_assignments: Vec<AssignmentRecord>,
    /// Their evaluations: scores by criterion, and comment.
    pub evaluations: Vec<EvaluationRecord>,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct SpeakerAnswerRecord {
    pub proposal_id: i64,
    pub answer: String,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct UnavailableRecord {
    pub event_id: i64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct SessionRoleRecord {
    pub session_id: i64,
    pub role: String,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct AssignmentRecord {
    pub proposal_id: i64,
    pub recusal_reason: Option<String>,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct EvaluationRecord {
    pub proposal_id: i64,
    /// Criterion id → score (1 to 5), as stored.
    pub scores: String,
    pub comment: String,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct ProposalReviewRecord {
    pub proposal_id: i64,
    pub score: i32,
    pub comment: String,
    pub created_at: Timestamp,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct QueueRecord {
    pub session_id: i64,
    pub mode: String,
    pub joined_at: Timestamp,
    pub called_at: Option<Timestamp>,
    pub left_at: Option<Timestamp>,
}

diesel::define_sql_function!(fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// How a session or proposal names a speaker with this address.
fn person(email: &str) -> String {
    super::types::person_key(Some(email), "")
}

fn lists(speakers: &[Speaker], email: &str) -> bool {
    speakers.iter().any(|s| {
        s.email
            .as_deref()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case(email.trim()))
    })
}

pub fn export(conn: &mut DbConn, user_id: i64, email: &str) -> ApiResult<EventsExport> {
    let own: Vec<ProposalRow> = proposals::table
        .filter(proposals::proposer_id.eq(user_id))
        .order(proposals::id)
        .select(ProposalRow::as_select())
        .load(conn)?;
    let reviews: Vec<(i64, i32, String, NaiveDateTime)> = proposal_reviews::table
        .filter(proposal_reviews::reviewer_id.eq(user_id))
        .order(proposal_reviews::id)
        .select((
            proposal_reviews::proposal_id,
            proposal_reviews::score,
            proposal_reviews::comment,
            proposal_reviews::created_at,
        ))
        .load(conn)?;
    type Place = (
        i64,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    );
    let places: Vec<Place> = speaking_queue::table
        .filter(speaking_queue::user_id.eq(user_id))
        .order(speaking_queue::id)
        .select((
            speaking_queue::session_id,
            speaking_queue::mode,
            speaking_queue::joined_at,
            speaking_queue::called_at,
            speaking_queue::left_at,
        ))
        .load(conn)?;
    let speaker_of: Vec<i64> = session_people::table
        .filter(session_people::person.eq(person(email)))
        .order(session_people::session_id)
        .select(session_people::session_id)
        .load(conn)?;
    let pattern = format!("%{}%", email.trim().to_lowercase());
    let named: Vec<(i64, String)> = proposals::table
        .filter(lower(proposals::speakers).like(&pattern))
        .order(proposals::id)
        .select((proposals::id, proposals::speakers))
        .load(conn)?;
    let speaker_in: Vec<i64> = named
        .into_iter()
        .filter(|(_, stored)| lists(&Speaker::list(stored), email))
        .map(|(id, _)| id)
        .collect();
    let filed: Vec<i64> = session_reports::table
        .filter(session_reports::filed_by.eq(user_id))
        .order(session_reports::session_id)
        .select(session_reports::session_id)
        .load(conn)?;
    let ids: Vec<i64> = own.iter().map(|p| p.id).collect();
    let mut answers = super::confirmations::answers_of(conn, &ids)?;
    Ok(EventsExport {
        proposals: own
            .iter()
            .map(|p| {
                let a = answers.remove(&p.id).unwrap_or_default();
                ProposalView::of(p, SpeakerAudience::Proposer, None, &a)
            })
            .collect(),
        proposal_reviews: reviews
            .into_iter()
            .map(|(proposal_id, score, comment, at)| ProposalReviewRecord {
                proposal_id,
                score,
                comment,
                created_at: Timestamp(at),
            })
            .collect(),
        speaking_queue: places
            .into_iter()
            .map(|(session_id, mode, joined, called, left)| QueueRecord {
                session_id,
                mode,
                joined_at: Timestamp(joined),
                called_at: called.map(Timestamp),
                left_at: left.map(Timestamp),
            })
            .collect(),
        speaker_of_session_ids: speaker_of,
        speaker_in_proposal_ids: speaker_in,
        reports_filed_session_ids: filed,
        speaker_answers: speaker_confirmations::table
            .filter(speaker_confirmations::email.eq(email.trim().to_lowercase()))
            .order(speaker_confirmations::proposal_id)
            .select((
                speaker_confirmations::proposal_id,
                speaker_confirmations::answer,
            ))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(proposal_id, answer)| SpeakerAnswerRecord {
                proposal_id,
                answer,
            })
            .collect(),
        unavailable: speaker_unavailability::table
            .filter(speaker_unavailability::person.eq(person(email)))
            .order(speaker_unavailability::id)
            .select((
                speaker_unavailability::event_id,
                speaker_unavailability::starts_at,
                speaker_unavailability::ends_at,
            ))
            .load::<(i64, NaiveDateTime, NaiveDateTime)>(conn)?
            .into_iter()
            .map(|(event_id, a, b)| UnavailableRecord {
                event_id,
                starts_at: Timestamp(a),
                ends_at: Timestamp(b),
            })
            .collect(),
        session_roles: session_roles::table
            .filter(session_roles::user_id.eq(user_id))
            .order((session_roles::session_id, session_roles::role))
            .select((session_roles::session_id, session_roles::role))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(session_id, role)| SessionRoleRecord { session_id, role })
            .collect(),
        evaluation_panel_event_ids: panel_members::table
            .filter(panel_members::user_id.eq(user_id))
            .order(panel_members::event_id)
            .select(panel_members::event_id)
            .load(conn)?,
        evaluation_assignments: evaluation_assignments::table
            .filter(evaluation_assignments::evaluator_id.eq(user_id))
            .order(evaluation_assignments::proposal_id)
            .select((
                evaluation_assignments::proposal_id,
                evaluation_assignments::recusal_reason,
            ))
            .load::<(i64, Option<String>)>(conn)?
            .into_iter()
            .map(|(proposal_id, recusal_reason)| AssignmentRecord {
                proposal_id,
                recusal_reason,
            })
            .collect(),
        evaluations: evaluations::table
            .filter(evaluations::evaluator_id.eq(user_id))
            .order(evaluations::proposal_id)
            .select((
                evaluations::proposal_id,
                evaluations::scores,
                evaluations::comment,
            ))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(proposal_id, scores, comment)| EvaluationRecord {
                proposal_id,
                scores,
                comment,
            })
            .collect(),
    })
}

/// Erasure. Proposals that never became sessions go, with their reviews; those that did
/// are the event's programme and stay with the account anonymised. Reviews the person
/// wrote keep their score (the ranking stays true), not their words. Their places in
/// speaking queues go (a queue they wait in is announced again). Wherever their address
/// names a speaker, in a proposal or a session, that speaker becomes a withdrawn
/// participant of the same group and region, with nothing else of them.
pub fn erase(tx: &mut Tx, user_id: i64, email: &str) -> ApiResult<()> {
    let undecided: Vec<i64> = proposals::table
        .filter(proposals::proposer_id.eq(user_id))
        .filter(proposals::session_id.is_null())
        .select(proposals::id)
        .load(tx.conn())?;
    diesel::delete(
        proposal_reviews::table.filter(proposal_reviews::proposal_id.eq_any(&undecided)),
    )
    .execute(tx.conn())?;
    diesel::delete(
        speaker_confirmations::table.filter(speaker_confirmations::proposal_id.eq_any(&undecided)),
    )
    .execute(tx.conn())?;
    diesel::delete(proposals::table.filter(proposals::id.eq_any(&undecided))).execute(tx.conn())?;
    // Nothing asks their address to confirm anything any more.
    super::confirmations::erase(tx.conn(), email)?;
    super::planning::erase(tx.conn(), email)?;
    diesel::update(proposal_reviews::table.filter(proposal_reviews::reviewer_id.eq(user_id)))
        .set(proposal_reviews::comment.eq(""))
        .execute(tx.conn())?;

    let waiting: Vec<i64> = speaking_queue::table
        .filter(speaking_queue::user_id.eq(user_id))
        .filter(speaking_queue::left_at.is_null())
        .select(speaking_queue::session_id)
        .distinct()
        .load(tx.conn())?;
    diesel::delete(speaking_queue::table.filter(speaking_queue::user_id.eq(user_id)))
        .execute(tx.conn())?;
    for session_id in waiting {
        tx.live(
            &outbox::session_channel(session_id),
            Change::QueueUpdated { session_id },
        );
    }

    // The address is found in the stored JSON first (`_` and `%` in it only widen the
    // match), then matched exactly, speaker by speaker.
    let pattern = format!("%{}%", email.trim().to_lowercase());
    let named: Vec<(i64, String)> = proposals::table
        .filter(lower(proposals::speakers).like(&pattern))
        .select((proposals::id, proposals::speakers))
        .load(tx.conn())?;
    for (id, stored) in named {
        if let Some(speakers) = without(&stored, email) {
            diesel::update(proposals::table.find(id))
                .set((
                    proposals::speakers.eq(speakers),
                    proposals::updated_at.eq(now()),
                ))
                .execute(tx.conn())?;
        }
    }
    let named: Vec<(i64, String)> = sessions::table
        .filter(lower(sessions::speakers).like(&pattern))
        .select((sessions::id, sessions::speakers))
        .load(tx.conn())?;
    for (id, stored) in named {
        if let Some(speakers) = without(&stored, email) {
            diesel::update(sessions::table.find(id))
                .set((
                    sessions::speakers.eq(speakers),
                    sessions::ical_sequence.eq(sessions::ical_sequence + 1),
                    sessions::updated_at.eq(now()),
                ))
                .execute(tx.conn())?;
            tx.live(
                &outbox::session_channel(id),
                Change::SessionUpdated { session_id: id },
            );
            outbox::queue_search_job(tx, "session_report", id, "upsert");
        }
    }
    diesel::delete(session_people::table.filter(session_people::person.eq(person(email))))
        .execute(tx.conn())?;
    Ok(())
}

/// The stored speakers with the one at `email` withdrawn; `None` when none has it.
fn without(stored: &str, email: &str) -> Option<String> {
    let mut speakers = Speaker::list(stored);
    if !lists(&speakers, email) {
        return None;
    }
    for s in &mut speakers {
        if s.email
            .as_deref()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case(email.trim()))
        {
            s.name = WITHDRAWN.to_owned();
            s.email = None;
            s.organization = String::new();
            s.country = String::new();
            s.gender = None;
        }
    }
    Some(Speaker::store(&speakers))
}
