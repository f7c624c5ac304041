//! Proposals for sessions, their reviews, ranking and decisions.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::store::EventRow;
use super::types::{ProposalStatus, Rules, SessionFormat, SessionType, Speaker};
use super::view::ReviewView;
use crate::db::schema::{proposal_reviews, proposals, session_people, sessions, users};
use crate::db::Tx;
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = proposals)]
pub struct ProposalRow {
    pub id: i64,
    pub event_id: i64,
    pub proposer_id: i64,
    pub title: String,
    #[diesel(deserialize_as = String)]
    pub session_type: SessionType,
    pub subtheme: String,
    #[diesel(deserialize_as = String)]
    pub format: SessionFormat,
    pub description: String,
    pub policy_questions: String,
    pub speakers: String,
    pub moderator_name: String,
    pub rapporteur_name: String,
    #[diesel(deserialize_as = String)]
    pub status: ProposalStatus,
    pub decision_note: Option<String>,
    pub session_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The proposal a merged one joined.
    pub merged_into: Option<i64>,
}

impl ProposalRow {
    pub fn speakers(&self) -> Vec<Speaker> {
        Speaker::list(&self.speakers)
    }
}

pub struct NewProposal {
    pub title: String,
    pub session_type: SessionType,
    pub subtheme: String,
    pub format: SessionFormat,
    pub description: String,
    pub policy_questions: Vec<String>,
    pub speakers: Vec<Speaker>,
    pub moderator_name: String,
    pub rapporteur_name: String,
}

/// Every rule the proposal breaks, as field → reason.
/// The rules `p` breaks; `editing` is the proposal it replaces, which then counts
/// neither as one of the proposer's nor for its speakers.
pub fn broken_rules(
    conn: &mut DbConn,
    event: &EventRow,
    rules: &Rules,
    proposer_id: i64,
    p: &NewProposal,
    editing: Option<i64>,
) -> ApiResult<FieldErrors> {
    let other = editing.unwrap_or(0);
    let mut broken = FieldErrors::new();
    let n = p.speakers.len() as u32;
    if n < rules.min_speakers {
        broken.insert(
            "rules.min_speakers".into(),
            format!(
                "at least {} speakers are needed; {n} given",
                rules.min_speakers
            ),
        );
    }
    let groups: BTreeSet<_> = p.speakers.iter().map(|s| s.stakeholder_group).collect();
    if (groups.len() as u32) < rules.min_stakeholder_groups {
        broken.insert(
            "rules.min_stakeholder_groups".into(),
            format!(
                "speakers from at least {} stakeholder groups are needed; {} given",
                rules.min_stakeholder_groups,
                groups.len()
            ),
        );
    }
    let regions: BTreeSet<_> = p.speakers.iter().map(|s| s.region.as_str()).collect();
    if (regions.len() as u32) < rules.min_regions {
        broken.insert(
            "rules.min_regions".into(),
            format!(
                "speakers from at least {} regions are needed; {} given",
                rules.min_regions,
                regions.len()
            ),
        );
    }
    if rules.require_gender_diversity {
        let genders: BTreeSet<_> = p.speakers.iter().filter_map(|s| s.gender).collect();
        if genders.len() < 2 {
            broken.insert(
                "rules.require_gender_diversity".into(),
                "speakers of at least two genders are needed".into(),
            );
        }
    }
    if let Some(max) = rules.max_proposals_per_proposer {
        let mine: i64 = proposals::table
            .filter(proposals::event_id.eq(event.id))
            .filter(proposals::proposer_id.eq(proposer_id))
            .filter(proposals::id.ne(other))
            .count()
            .get_result(conn)?;
        if mine >= i64::from(max) {
            broken.insert(
                "rules.max_proposals_per_proposer".into(),
                format!("at most {max} proposals per proposer"),
            );
        }
    }
    if let Some(max) = rules.max_sessions_per_speaker {
        // A speaker counts in every proposal of this event that is not rejected.
        let others: Vec<String> = proposals::table
            .filter(proposals::event_id.eq(event.id))
            .filter(proposals::status.ne(ProposalStatus::Rejected.as_str()))
            .filter(proposals::id.ne(other))
            .select(proposals::speakers)
            .load(conn)?;
        let mut counts: HashMap<String, u32> = HashMap::new();
        for list in others {
            for s in Speaker::list(&list) {
                *counts.entry(s.identity()).or_default() += 1;
            }
        }
        let over: Vec<&str> = p
            .speakers
            .iter()
            .filter(|s| counts.get(&s.identity()).copied().unwrap_or(0) >= max)
            .map(|s| s.name.as_str())
            .collect();
        if !over.is_empty() {
            broken.insert(
                "rules.max_sessions_per_speaker".into(),
                format!("already in {max} proposals: {}", over.join(", ")),
            );
        }
    }
    Ok(broken)
}

/// The columns of what a proposer gives, as a proposal is made and as it is edited.
macro_rules! given {
    ($p:expr) => {
        (
            proposals::title.eq(&$p.title),
            proposals::session_type.eq($p.session_type.as_str()),
            proposals::subtheme.eq(&$p.subtheme),
            proposals::format.eq($p.format.as_str()),
            proposals::description.eq(&$p.description),
            proposals::policy_questions
                .eq(serde_json::to_string(&$p.policy_questions).unwrap_or_default()),
            proposals::speakers.eq(Speaker::store(&$p.speakers)),
            proposals::moderator_name.eq(&$p.moderator_name),
            proposals::rapporteur_name.eq(&$p.rapporteur_name),
        )
    };
}

pub fn insert(
    conn: &mut DbConn,
    event_id: i64,
    proposer_id: i64,
    p: &NewProposal,
) -> ApiResult<i64> {
    let t = now();
    Ok(diesel::insert_into(proposals::table)
        .values((
            proposals::event_id.eq(event_id),
            proposals::proposer_id.eq(proposer_id),
            given!(p),
            proposals::status.eq(ProposalStatus::Submitted.as_str()),
            proposals::created_at.eq(t),
            proposals::updated_at.eq(t),
        ))
        .returning(proposals::id)
        .get_result(conn)?)
}

/// Replaces what the proposer gave (the status and reviews stay).
pub fn update(conn: &mut DbConn, id: i64, p: &NewProposal) -> ApiResult<()> {
    diesel::update(proposals::table.find(id))
        .set((given!(p), proposals::updated_at.eq(now())))
        .execute(conn)?;
    Ok(())
}

/// A person's proposals to every event, newest first.
pub fn of_proposer(conn: &mut DbConn, proposer_id: i64) -> ApiResult<Vec<ProposalRow>> {
    Ok(proposals::table
        .filter(proposals::proposer_id.eq(proposer_id))
        .order(proposals::id.desc())
        .select(ProposalRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: i64) -> ApiResult<ProposalRow> {
    proposals::table
        .find(id)
        .select(ProposalRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("proposal"))
}

pub fn review(
    conn: &mut DbConn,
    p: &ProposalRow,
    reviewer_id: i64,
    score: i32,
    comment: &str,
) -> ApiResult<i64> {
    if p.proposer_id == reviewer_id {
        return Err(ApiError::forbidden("you cannot review your own proposal"));
    }
    let already: bool = diesel::select(diesel::dsl::exists(
        proposal_reviews::table
            .filter(proposal_reviews::proposal_id.eq(p.id))
            .filter(proposal_reviews::reviewer_id.eq(reviewer_id)),
    ))
    .get_result(conn)?;
    if already {
        return Err(ApiError::new(
            ErrorCode::AlreadyReviewed,
            "you have already reviewed this proposal",
        ));
    }
    Ok(diesel::insert_into(proposal_reviews::table)
        .values((
            proposal_reviews::proposal_id.eq(p.id),
            proposal_reviews::reviewer_id.eq(reviewer_id),
            proposal_reviews::score.eq(score),
            proposal_reviews::comment.eq(comment),
            proposal_reviews::created_at.eq(now()),
        ))
        .returning(proposal_reviews::id)
        .get_result(conn)?)
}

/// Every proposal of an event, in the order they came.
pub fn of_event(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<ProposalRow>> {
    Ok(proposals::table
        .filter(proposals::event_id.eq(event_id))
        .order(proposals::id)
        .select(ProposalRow::as_select())
        .load(conn)?)
}

/// The reviews of these proposals, by proposal, in the order they were given, with
/// their reviewers' names (organisers read each other's reviews).
pub fn reviews_by_proposal(
    conn: &mut DbConn,
    ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<ReviewView>>> {
    let reviews: Vec<(i64, i64, String, i32, String)> = proposal_reviews::table
        .inner_join(users::table.on(users::id.eq(proposal_reviews::reviewer_id)))
        .filter(proposal_reviews::proposal_id.eq_any(ids))
        .order(proposal_reviews::id)
        .select((
            proposal_reviews::proposal_id,
            proposal_reviews::reviewer_id,
            users::display_name,
            proposal_reviews::score,
            proposal_reviews::comment,
        ))
        .load(conn)?;
    let mut by: HashMap<i64, Vec<ReviewView>> = HashMap::new();
    for (proposal, reviewer_id, reviewer_name, score, comment) in reviews {
        by.entry(proposal).or_default().push(ReviewView {
            reviewer_id,
            reviewer_name,
            score,
            comment,
        });
    }
    Ok(by)
}

pub fn reviews_of(conn: &mut DbConn, proposal_id: i64) -> ApiResult<Vec<ReviewView>> {
    Ok(reviews_by_proposal(conn, &[proposal_id])?
        .remove(&proposal_id)
        .unwrap_or_default())
}

/// What a merge asks: the proposal joined, and whether the speakers come along.
#[derive(Debug, Clone, Copy)]
pub struct Merge {
    pub into: i64,
    pub carry_speakers: bool,
}

/// Merges `p` into another proposal of its event, still open or accepted (422 when it
/// is itself or of another event, 409 when rejected or merged); the speakers it names
/// join the other's (once each), and its session's when accepted.
fn merge(tx: &mut Tx, p: &ProposalRow, m: Merge) -> ApiResult<()> {
    if m.into == p.id {
        return Err(ApiError::field(
            "merged_into",
            "a proposal cannot join itself",
        ));
    }
    let target = get(tx, m.into).map_err(|_| ApiError::field("merged_into", "no such proposal"))?;
    if target.event_id != p.event_id {
        return Err(ApiError::field(
            "merged_into",
            "a proposal of the same event",
        ));
    }
    if matches!(
        target.status,
        ProposalStatus::Rejected | ProposalStatus::Merged
    ) {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "proposal {} is {}: nothing can join it",
                target.id, target.status
            ),
        ));
    }
    if !m.carry_speakers {
        return Ok(());
    }
    let mut speakers = target.speakers();
    let known: BTreeSet<String> = speakers.iter().map(Speaker::identity).collect();
    let joining: Vec<Speaker> = p
        .speakers()
        .into_iter()
        .filter(|s| !known.contains(&s.identity()))
        .collect();
    speakers.extend(joining.iter().cloned());
    diesel::update(proposals::table.find(target.id))
        .set((
            proposals::speakers.eq(Speaker::store(&speakers)),
            proposals::updated_at.eq(now()),
        ))
        .execute(tx.conn())?;
    if let Some(session_id) = target.session_id {
        diesel::update(sessions::table.find(session_id))
            .set((
                sessions::speakers.eq(Speaker::store(&speakers)),
                sessions::updated_at.eq(now()),
            ))
            .execute(tx.conn())?;
        let people: BTreeSet<String> = session_people::table
            .filter(session_people::session_id.eq(session_id))
            .select(session_people::person)
            .load::<String>(tx.conn())?
            .into_iter()
            .collect();
        let new: Vec<Speaker> = joining
            .into_iter()
            .filter(|s| !people.contains(&s.identity()))
            .collect();
        record_people(tx, session_id, &new, "")?;
        tx.live(
            &crate::outbox::session_channel(session_id),
            crate::outbox::Change::SessionUpdated { session_id },
        );
    }
    Ok(())
}

/// Records the decision; an accepted proposal becomes a session (returned). A merge
/// names the proposal joined.
pub fn decide(
    tx: &mut Tx,
    p: &ProposalRow,
    decision: ProposalStatus,
    note: &str,
    merge_with: Option<Merge>,
) -> ApiResult<Option<i64>> {
    if p.status != ProposalStatus::Submitted {
        return Err(ApiError::new(
            ErrorCode::AlreadyDecided,
            format!("this proposal is already {}", p.status),
        ));
    }
    let merged_into = match (decision, merge_with) {
        (ProposalStatus::Merged, Some(m)) => {
            merge(tx, p, m)?;
            Some(m.into)
        }
        (ProposalStatus::Merged, None) => {
            return Err(ApiError::field(
                "merged_into",
                "a merged proposal names the proposal it joins",
            ))
        }
        _ => None,
    };
    let t = now();
    let session_id = if decision == ProposalStatus::Accepted {
        let id: i64 = diesel::insert_into(sessions::table)
            .values((
                sessions::event_id.eq(p.event_id),
                sessions::proposal_id.eq(Some(p.id)),
                sessions::title.eq(&p.title),
                sessions::session_type.eq(p.session_type.as_str()),
                sessions::subtheme.eq(&p.subtheme),
                sessions::format.eq(p.format.as_str()),
                sessions::description.eq(&p.description),
                sessions::speakers.eq(&p.speakers),
                sessions::moderator_name.eq(&p.moderator_name),
                sessions::rapporteur_name.eq(&p.rapporteur_name),
                sessions::created_at.eq(t),
                sessions::updated_at.eq(t),
            ))
            .returning(sessions::id)
            .get_result(tx.conn())?;
        record_people(tx, id, &p.speakers(), &p.moderator_name)?;
        crate::outbox::create_channel(tx, &crate::outbox::session_channel(id))?;
        Some(id)
    } else {
        None
    };
    diesel::update(proposals::table.find(p.id))
        .set((
            proposals::status.eq(decision.as_str()),
            proposals::decision_note.eq(Some(note)),
            proposals::session_id.eq(session_id),
            proposals::merged_into.eq(merged_into),
            proposals::updated_at.eq(t),
        ))
        .execute(tx.conn())?;
    crate::notifications::hooks::proposal_decided(
        tx,
        p.id,
        p.proposer_id,
        &p.title,
        decision.as_str(),
        note,
        session_id,
    )?;
    Ok(session_id)
}

/// The people of a session, for clash detection: speakers and the moderator.
pub fn record_people(
    conn: &mut DbConn,
    session_id: i64,
    speakers: &[Speaker],
    moderator: &str,
) -> ApiResult<()> {
    // A speaker withdrawn by an erasure is no one in particular: two sessions that each
    // had one do not clash.
    let mut people: Vec<(String, String)> = speakers
        .iter()
        .filter(|s| !(s.email.is_none() && s.name == crate::accounts::privacy::WITHDRAWN))
        .map(|s| (s.identity(), s.name.clone()))
        .collect();
    if !moderator.trim().is_empty() {
        let key = super::types::person_key(None, moderator);
        // A moderator named like a speaker with an email is the same person.
        if !speakers
            .iter()
            .any(|s| super::types::person_key(None, &s.name) == key)
        {
            people.push((key, moderator.trim().to_owned()));
        }
    }
    people.sort();
    people.dedup_by(|a, b| a.0 == b.0);
    for (person, name) in people {
        diesel::insert_into(session_people::table)
            .values((
                session_people::session_id.eq(session_id),
                session_people::person.eq(person),
                session_people::display_name.eq(name),
            ))
            .execute(conn)?;
    }
    Ok(())
}
