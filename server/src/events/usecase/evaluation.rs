//! MAG evaluation: the organisers set up the panel and the rubric, assign proposals,
//! follow progress and rank; evaluators read what they were given (blind when the event
//! says so), score it, or recuse themselves (and someone else is given it).

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::Serialize;

use crate::db::{Db, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::evaluation::{
    self as ev, Assigned, CriterionView, Evaluation, EvaluatorView, Need, RankedView, Rubric,
    Setup, SetupView,
};
use crate::events::proposals::{self, ProposalRow};
use crate::events::types::{ProposalStatus, SessionFormat, SessionType};
use crate::events::view::{Diversity, SpeakerView};
use crate::policy::guards::events::EventOrganizer;
use crate::policy::SpeakerAudience;

fn setup_view(conn: &mut DbConn, event_id: i64) -> ApiResult<SetupView> {
    use crate::db::schema::{panel_members, users};
    use diesel::prelude::*;
    let (per_proposal, blind) = ev::settings(conn, event_id)?;
    let counts = ev::assignment_counts(conn, event_id)?;
    let panel: Vec<(i64, String, String, Option<String>)> = panel_members::table
        .inner_join(users::table)
        .filter(panel_members::event_id.eq(event_id))
        .order((users::display_name, users::id))
        .select((
            users::id,
            users::display_name,
            users::stakeholder_group,
            users::region,
        ))
        .load(conn)?;
    Ok(SetupView {
        event_id,
        per_proposal,
        blind,
        criteria: ev::criteria(conn, event_id)?,
        panel: panel
            .into_iter()
            .map(|(user_id, display_name, stakeholder_group, region)| {
                let (assigned, done, recused) = counts.get(&user_id).copied().unwrap_or_default();
                EvaluatorView {
                    user_id,
                    display_name,
                    stakeholder_group,
                    region,
                    assigned,
                    done,
                    recused,
                }
            })
            .collect(),
    })
}

/// The set-up and each evaluator's progress.
pub async fn setup(db: &Db, org: &EventOrganizer) -> ApiResult<SetupView> {
    let event_id = org.event.id;
    db.run(move |conn| setup_view(conn, event_id)).await
}

pub async fn set_up(db: &Db, org: &EventOrganizer, s: Setup) -> ApiResult<SetupView> {
    let event_id = org.event.id;
    db.tx(move |tx| {
        ev::replace_panel(tx, event_id, &s.panel)?;
        ev::replace_rubric(tx, event_id, &s.rubric)?;
        setup_view(tx, event_id)
    })
    .await
}

/// Replaces the panel, the rubric kept.
pub async fn set_panel(db: &Db, org: &EventOrganizer, panel: Vec<i64>) -> ApiResult<SetupView> {
    let event_id = org.event.id;
    db.tx(move |tx| {
        ev::replace_panel(tx, event_id, &panel)?;
        setup_view(tx, event_id)
    })
    .await
}

/// Replaces the rubric and its rules, the panel kept.
pub async fn set_rubric(db: &Db, org: &EventOrganizer, r: Rubric) -> ApiResult<SetupView> {
    let event_id = org.event.id;
    db.tx(move |tx| {
        ev::replace_rubric(tx, event_id, &r)?;
        setup_view(tx, event_id)
    })
    .await
}

/// The accounts of these addresses, for the organisers' page (an address with no
/// account is 422, named).
pub async fn accounts_of(db: &Db, _: &EventOrganizer, emails: Vec<String>) -> ApiResult<Vec<i64>> {
    db.run(move |conn| {
        let mut ids = vec![];
        let mut unknown = vec![];
        for e in emails {
            match crate::accounts::store::find_by_email(conn, &e)? {
                Some(u) => ids.push(u.id),
                None => unknown.push(e),
            }
        }
        if unknown.is_empty() {
            Ok(ids)
        } else {
            Err(ApiError::field(
                "panel",
                format!("no account with the address: {}", unknown.join(", ")),
            ))
        }
    })
    .await
}

/// What a proposal asks of its evaluators: its organisations and speakers' addresses.
fn need(conn: &mut DbConn, p: &ProposalRow) -> ApiResult<Need> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let proposer_org: Option<String> = users::table
        .find(p.proposer_id)
        .select(users::organization)
        .first(conn)?;
    let speakers = p.speakers();
    let mut organizations: HashSet<String> = speakers
        .iter()
        .map(|s| s.organization.trim().to_lowercase())
        .filter(|o| !o.is_empty())
        .collect();
    if let Some(o) = proposer_org
        .map(|o| o.trim().to_lowercase())
        .filter(|o| !o.is_empty())
    {
        organizations.insert(o);
    }
    let (current, excluded) = ev::evaluators_of(conn, p.id)?;
    Ok(Need {
        proposal_id: p.id,
        proposer_id: p.proposer_id,
        organizations,
        emails: speakers
            .iter()
            .filter_map(|s| s.email.as_deref())
            .map(|e| e.trim().to_lowercase())
            .collect(),
        current,
        excluded,
    })
}

/// Gives every submitted proposal of the event its evaluators (those it has stay).
pub async fn assign(db: &Db, org: &EventOrganizer) -> ApiResult<Assigned> {
    let event_id = org.event.id;
    db.tx(move |tx| assign_all(tx, event_id)).await
}

/// Gives every submitted proposal of the event its evaluators (409 without a panel).
pub fn assign_all(conn: &mut DbConn, event_id: i64) -> ApiResult<Assigned> {
    let (n, _) = ev::settings(conn, event_id)?;
    let mut panel = ev::candidates(conn, event_id)?;
    if panel.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the event has no evaluation panel yet",
        ));
    }
    let needs = proposals::of_event(conn, event_id)?
        .iter()
        .filter(|p| p.status == ProposalStatus::Submitted)
        .map(|p| need(conn, p))
        .collect::<ApiResult<Vec<_>>>()?;
    let (pairs, short) = ev::assign(&mut panel, &needs, n as usize);
    ev::add_assignments(conn, &pairs)?;
    Ok(Assigned {
        assigned: pairs.len(),
        short,
    })
}

/// Proposals by their evaluators' normalised scores (unevaluated last).
pub async fn ranking(db: &Db, org: &EventOrganizer) -> ApiResult<Vec<RankedView>> {
    let event_id = org.event.id;
    db.run(move |conn| {
        let rows = ev::weighted_scores(conn, event_id)?;
        let z = ev::normalise(&rows);
        let mut ranked: Vec<RankedView> = proposals::of_event(conn, event_id)?
            .into_iter()
            .map(|p| {
                let ws: Vec<f64> = rows.iter().filter(|r| r.0 == p.id).map(|r| r.2).collect();
                let zs: Vec<f64> = z.iter().filter(|r| r.0 == p.id).map(|r| r.1).collect();
                let mean = |v: &[f64]| {
                    (!v.is_empty()).then(|| {
                        let m = v.iter().sum::<f64>() / v.len() as f64;
                        (m * 1000.0).round() / 1000.0
                    })
                };
                RankedView {
                    proposal_id: p.id,
                    title: p.title,
                    evaluations: ws.len(),
                    mean_weighted: mean(&ws),
                    normalised: mean(&zs),
                }
            })
            .collect();
        ranked.sort_by(|a, b| {
            let key = |r: &RankedView| r.normalised.unwrap_or(f64::NEG_INFINITY);
            key(b)
                .total_cmp(&key(a))
                .then(a.proposal_id.cmp(&b.proposal_id))
        });
        Ok(ranked)
    })
    .await
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScoreView {
    pub criterion_id: i64,
    pub score: i32,
}

/// A proposal as its evaluator reads it. When the event's evaluation is blind, the
/// proposer and the speakers are left out: only their groups and regions stay.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvaluationItem {
    pub proposal_id: i64,
    pub event_id: i64,
    pub title: String,
    #[serde(rename = "type")]
    pub session_type: SessionType,
    pub format: SessionFormat,
    pub subtheme: String,
    pub description: String,
    pub policy_questions: Vec<String>,
    pub blind: bool,
    /// Absent when blind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposer_name: Option<String>,
    /// Absent when blind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speakers: Option<Vec<SpeakerView>>,
    pub diversity: Diversity,
    pub criteria: Vec<CriterionView>,
    /// The caller's scores so far (empty until evaluated).
    pub scores: Vec<ScoreView>,
    pub comment: String,
    pub evaluated: bool,
}

fn item(conn: &mut DbConn, p: &ProposalRow, user_id: i64) -> ApiResult<EvaluationItem> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let (_, blind) = ev::settings(conn, p.event_id)?;
    let proposer_name = match blind {
        true => None,
        false => Some(
            users::table
                .find(p.proposer_id)
                .select(users::display_name)
                .first::<String>(conn)?,
        ),
    };
    let speakers = p.speakers();
    let own = ev::own(conn, p.id, user_id)?;
    Ok(EvaluationItem {
        proposal_id: p.id,
        event_id: p.event_id,
        title: p.title.clone(),
        session_type: p.session_type,
        format: p.format,
        subtheme: p.subtheme.clone(),
        description: p.description.clone(),
        policy_questions: serde_json::from_str(&p.policy_questions).unwrap_or_default(),
        blind,
        proposer_name,
        speakers: (!blind).then(|| SpeakerView::all(&speakers, SpeakerAudience::Public)),
        diversity: Diversity::of(&speakers),
        criteria: ev::criteria(conn, p.event_id)?,
        scores: own
            .as_ref()
            .map(|(s, _)| {
                s.iter()
                    .map(|(c, v)| ScoreView {
                        criterion_id: *c,
                        score: *v,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        comment: own.as_ref().map(|(_, c)| c.clone()).unwrap_or_default(),
        evaluated: own.is_some(),
    })
}

/// The proposals given to the caller to evaluate.
pub async fn mine(db: &Db, user_id: i64) -> ApiResult<Vec<EvaluationItem>> {
    db.run(move |conn| {
        ev::assigned_to(conn, user_id)?
            .into_iter()
            .map(|id| {
                let p = proposals::get(conn, id)?;
                item(conn, &p, user_id)
            })
            .collect()
    })
    .await
}

/// The proposal, if given to the caller (404 otherwise: others' proposals are not
/// theirs to see) and still undecided (409).
fn given(conn: &mut DbConn, proposal_id: i64, user_id: i64) -> ApiResult<ProposalRow> {
    // An unknown proposal is 404; one given to others, 403.
    let p = proposals::get(conn, proposal_id)?;
    if !ev::is_assigned(conn, proposal_id, user_id)? {
        return Err(ApiError::forbidden(
            "this proposal was not given to you to evaluate",
        ));
    }
    if p.status != ProposalStatus::Submitted {
        return Err(ApiError::new(
            ErrorCode::AlreadyDecided,
            "a decision on this proposal has been taken",
        ));
    }
    Ok(p)
}

/// Scores every criterion of the rubric once (again replaces the evaluation).
pub async fn evaluate(
    db: &Db,
    user_id: i64,
    proposal_id: i64,
    e: Evaluation,
) -> ApiResult<EvaluationItem> {
    db.tx(move |tx| {
        let p = given(tx, proposal_id, user_id)?;
        let criteria = ev::criteria(tx, p.event_id)?;
        let scores = e.resolve(&criteria)?;
        ev::save(
            tx,
            p.id,
            user_id,
            &scores,
            ev::weighted(&scores, &criteria),
            &e.comment,
        )?;
        item(tx, &p, user_id)
    })
    .await
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Recused {
    pub proposal_id: i64,
    /// The evaluator given the proposal instead, when one without a conflict was free.
    pub replacement: Option<i64>,
}

/// The caller declares a conflict and steps back; another evaluator is given it.
pub async fn recuse(db: &Db, user_id: i64, proposal_id: i64, reason: String) -> ApiResult<Recused> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::field("reason", "1 to 1000 characters"));
    }
    db.tx(move |tx| {
        let p = given(tx, proposal_id, user_id)?;
        ev::recuse(tx, p.id, user_id, &reason)?;
        let mut panel = ev::candidates(tx, p.event_id)?;
        let (n, _) = ev::settings(tx, p.event_id)?;
        let (pairs, _) = ev::assign(&mut panel, &[need(tx, &p)?], n as usize);
        ev::add_assignments(tx, &pairs)?;
        Ok(Recused {
            proposal_id,
            replacement: pairs.first().map(|x| x.1),
        })
    })
    .await
}
