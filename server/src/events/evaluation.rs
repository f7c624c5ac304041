//! MAG evaluation: an event's panel of evaluators, its rubric, proposals assigned to
//! evaluators balanced across stakeholder groups and regions and never to someone of the
//! proposer's or a speaker's organisation, recusal, blind evaluation, and a ranking by
//! scores normalised per evaluator (a strict evaluator's 3 and a generous one's 4 can
//! mean the same). The assignment and the normalisation are pure functions, tested
//! below; the rest reads and writes rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::db::schema::{
    evaluation_assignments as ea, evaluation_settings, evaluations, panel_members, proposals,
    rubric_criteria, users,
};
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::text;

// ---- inputs ------------------------------------------------------------------------

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// What evaluators read (1 to 200 characters).
    #[serde(alias = "label")]
    pub name: String,
    /// How evaluations name it: 1 to 40 of `a-z`, `0-9`, `_` and `-`; made from the name
    /// when absent.
    pub key: Option<String>,
    /// 1 to 10.
    pub weight: i32,
}

/// `PUT /events/{id}/evaluation`: the whole set-up, replaced.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupInput {
    /// The evaluators' account ids (at most 200).
    pub panel: Vec<i64>,
    /// 1 to 20 criteria, each scored 1 to 5.
    pub criteria: Vec<CriterionInput>,
    /// Evaluators per proposal, 1 to 10 (default 3).
    #[serde(alias = "evaluators_per_proposal")]
    pub per_proposal: Option<i32>,
    /// Proposer and speakers hidden from evaluators.
    #[serde(default)]
    pub blind: bool,
}

/// `PUT /events/{id}/panel`: the panel alone, replaced.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelInput {
    /// At most 200.
    pub members: Vec<MemberInput>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub user_id: i64,
}

/// `PUT /events/{id}/rubric`: the rubric and its rules, the panel kept.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricInput {
    /// 1 to 20 criteria, each scored 1 to 5.
    pub criteria: Vec<CriterionInput>,
    /// Evaluators per proposal, 1 to 10 (default 3).
    #[serde(alias = "per_proposal")]
    pub evaluators_per_proposal: Option<i32>,
    /// Proposer and speakers hidden from evaluators.
    #[serde(default)]
    pub blind: bool,
}

/// A rubric criterion, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    pub weight: i32,
}

/// The rubric and its rules, parsed.
pub struct Rubric {
    pub criteria: Vec<Criterion>,
    pub per_proposal: i32,
    pub blind: bool,
}

pub struct Setup {
    pub panel: Vec<i64>,
    pub rubric: Rubric,
}

/// A key made of a criterion's name: `Relevance to the theme` → `relevance_to_the_theme`.
fn key_of(name: &str) -> String {
    let mut key = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            key.push(ch);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    key.trim_end_matches('_').chars().take(40).collect()
}

fn valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn panel(errors: &mut FieldErrors, field: &str, mut ids: Vec<i64>) -> Vec<i64> {
    if ids.len() > 200 {
        errors.insert(field.into(), "at most 200 evaluators".into());
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn rubric(
    errors: &mut FieldErrors,
    criteria_in: Vec<CriterionInput>,
    per_proposal: Option<i32>,
    per_field: &str,
    blind: bool,
) -> Rubric {
    if criteria_in.is_empty() || criteria_in.len() > 20 {
        errors.insert("criteria".into(), "1 to 20 criteria".into());
    }
    let mut criteria: Vec<Criterion> = vec![];
    for (n, c) in criteria_in.iter().enumerate() {
        let name = text(errors, &format!("criteria[{n}].name"), &c.name, 1, 200);
        if !(1..=10).contains(&c.weight) {
            errors.insert(
                format!("criteria[{n}].weight"),
                "must be from 1 to 10".into(),
            );
        }
        let key = match &c.key {
            Some(k) => k.trim().to_owned(),
            None => name.as_deref().map(key_of).unwrap_or_default(),
        };
        // A name of no Latin letters or digits gets its position.
        let key = match (&c.key, key.is_empty()) {
            (None, true) => format!("c{}", n + 1),
            _ => key,
        };
        if !valid_key(&key) {
            errors.insert(
                format!("criteria[{n}].key"),
                "1 to 40 of a-z, 0-9, _ and -".into(),
            );
        } else if criteria.iter().any(|c| c.key == key) {
            errors.insert(
                format!("criteria[{n}].key"),
                "two criteria have this key".into(),
            );
        }
        if let Some(name) = name {
            criteria.push(Criterion {
                key,
                name,
                weight: c.weight,
            });
        }
    }
    let per_proposal = per_proposal.unwrap_or(3);
    if !(1..=10).contains(&per_proposal) {
        errors.insert(per_field.into(), "must be from 1 to 10".into());
    }
    Rubric {
        criteria,
        per_proposal,
        blind,
    }
}

impl TryFrom<SetupInput> for Setup {
    type Error = ApiError;
    fn try_from(i: SetupInput) -> ApiResult<Setup> {
        let mut errors = FieldErrors::new();
        let panel = panel(&mut errors, "panel", i.panel);
        let rubric = rubric(
            &mut errors,
            i.criteria,
            i.per_proposal,
            "per_proposal",
            i.blind,
        );
        match errors.is_empty() {
            true => Ok(Setup { panel, rubric }),
            false => Err(ApiError::validation(errors)),
        }
    }
}

impl TryFrom<PanelInput> for Vec<i64> {
    type Error = ApiError;
    fn try_from(i: PanelInput) -> ApiResult<Vec<i64>> {
        let mut errors = FieldErrors::new();
        let ids = i.members.into_iter().map(|m| m.user_id).collect();
        let panel = panel(&mut errors, "members", ids);
        match errors.is_empty() {
            true => Ok(panel),
            false => Err(ApiError::validation(errors)),
        }
    }
}

impl TryFrom<RubricInput> for Rubric {
    type Error = ApiError;
    fn try_from(i: RubricInput) -> ApiResult<Rubric> {
        let mut errors = FieldErrors::new();
        let per = i.evaluators_per_proposal;
        let rubric = rubric(
            &mut errors,
            i.criteria,
            per,
            "evaluators_per_proposal",
            i.blind,
        );
        match errors.is_empty() {
            true => Ok(rubric),
            false => Err(ApiError::validation(errors)),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    pub criterion_id: i64,
    /// 1 to 5.
    pub score: i32,
}

/// Scores as a list by criterion id, or as an object by criterion key.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ScoresInput {
    /// `[{criterion_id, score}]`
    List(Vec<ScoreInput>),
    /// `{"relevance": 4, "diversity": 5}`
    ByKey(BTreeMap<String, i32>),
}

/// `PUT /proposals/{id}/evaluation`: a score for every criterion, and a comment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationInput {
    pub scores: ScoresInput,
    #[serde(default)]
    pub comment: String,
}

/// How a score names its criterion.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CriterionRef {
    Id(i64),
    Key(String),
}

impl std::fmt::Display for CriterionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CriterionRef::Id(id) => write!(f, "{id}"),
            CriterionRef::Key(key) => f.write_str(key),
        }
    }
}

pub struct Evaluation {
    pub scores: BTreeMap<CriterionRef, i32>,
    pub comment: String,
}

impl Evaluation {
    /// The scores by criterion id: a criterion not of this rubric (422), or one left
    /// unscored (422), is named.
    pub fn resolve(&self, criteria: &[CriterionView]) -> ApiResult<BTreeMap<i64, i32>> {
        let mut scores = BTreeMap::new();
        let mut unknown = vec![];
        for (by, score) in &self.scores {
            let found = criteria.iter().find(|c| match by {
                CriterionRef::Id(id) => c.id == *id,
                CriterionRef::Key(key) => &c.key == key,
            });
            match found {
                Some(c) => {
                    scores.insert(c.id, *score);
                }
                None => unknown.push(by.to_string()),
            }
        }
        if !unknown.is_empty() {
            return Err(ApiError::field(
                "scores",
                format!("no such criterion: {}", unknown.join(", ")),
            ));
        }
        let missing: Vec<&str> = criteria
            .iter()
            .filter(|c| !scores.contains_key(&c.id))
            .map(|c| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::field(
                "scores",
                format!("score every criterion; missing: {}", missing.join(", ")),
            ));
        }
        Ok(scores)
    }
}

impl TryFrom<EvaluationInput> for Evaluation {
    type Error = ApiError;
    fn try_from(i: EvaluationInput) -> ApiResult<Evaluation> {
        let mut errors = FieldErrors::new();
        let named: Vec<(String, CriterionRef, i32)> = match i.scores {
            ScoresInput::List(list) => list
                .into_iter()
                .enumerate()
                .map(|(n, s)| {
                    (
                        format!("scores[{n}]"),
                        CriterionRef::Id(s.criterion_id),
                        s.score,
                    )
                })
                .collect(),
            ScoresInput::ByKey(map) => map
                .into_iter()
                .map(|(k, score)| (format!("scores.{k}"), CriterionRef::Key(k), score))
                .collect(),
        };
        let mut scores = BTreeMap::new();
        for (field, by, score) in named {
            if !(1..=5).contains(&score) {
                errors.insert(format!("{field}.score"), "must be from 1 to 5".into());
            }
            if scores.insert(by, score).is_some() {
                errors.insert(format!("{field}.criterion_id"), "scored twice".into());
            }
        }
        let comment = text(&mut errors, "comment", &i.comment, 0, 5000);
        match comment {
            Some(comment) if errors.is_empty() => Ok(Evaluation { scores, comment }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `POST /proposals/{id}/recusal`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalInput {
    /// Why (a conflict of interest): 1 to 1,000 characters, seen by the organisers.
    pub reason: String,
}

// ---- views -------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CriterionView {
    pub id: i64,
    /// How evaluations may name it: `{"scores": {"<key>": 4}}`.
    pub key: String,
    pub name: String,
    pub weight: i32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvaluatorView {
    pub user_id: i64,
    pub display_name: String,
    pub stakeholder_group: String,
    pub region: Option<String>,
    /// Proposals assigned and not recused from.
    pub assigned: usize,
    pub done: usize,
    pub recused: usize,
}

/// An event's evaluation as its organisers see it: set-up and progress per evaluator.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SetupView {
    pub event_id: i64,
    pub per_proposal: i32,
    pub blind: bool,
    pub criteria: Vec<CriterionView>,
    pub panel: Vec<EvaluatorView>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Assigned {
    /// Assignments made now.
    pub assigned: usize,
    /// Proposals that could not get as many evaluators as asked (too few without a
    /// conflict of interest).
    pub short: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RankedView {
    pub proposal_id: i64,
    pub title: String,
    pub evaluations: usize,
    /// The mean of the evaluators' weighted scores (1 to 5); null while unevaluated.
    pub mean_weighted: Option<f64>,
    /// The mean of the evaluators' scores, each normalised by that evaluator's own mean
    /// and spread: 0 is an average proposal for its evaluators.
    pub normalised: Option<f64>,
}

// ---- pure parts ----------------------------------------------------------------------

/// An evaluator as the assignment sees them.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub group: String,
    pub region: String,
    /// Lower case, trimmed; empty when none given.
    pub organization: String,
    pub email: String,
    pub load: usize,
}

/// A proposal to give evaluators.
#[derive(Debug, Clone)]
pub struct Need {
    pub proposal_id: i64,
    pub proposer_id: i64,
    /// The proposer's and the speakers' organisations, lower case.
    pub organizations: HashSet<String>,
    /// The speakers' addresses, lower case.
    pub emails: HashSet<String>,
    /// Its evaluators now (not recused).
    pub current: Vec<i64>,
    /// Never again: those who recused.
    pub excluded: HashSet<i64>,
}

impl Need {
    pub fn conflicts(&self, c: &Candidate) -> bool {
        c.id == self.proposer_id
            || self.excluded.contains(&c.id)
            || (!c.organization.is_empty() && self.organizations.contains(&c.organization))
            || self.emails.contains(&c.email)
    }
}

/// Gives each proposal evaluators until it has `n`: never one with a conflict, each time
/// the one who adds a stakeholder group, then a region, its evaluators lack, the least
/// loaded first. Answers the new pairs, and the proposals left short.
pub fn assign(
    candidates: &mut [Candidate],
    needs: &[Need],
    n: usize,
) -> (Vec<(i64, i64)>, Vec<i64>) {
    let mut pairs = vec![];
    let mut short = vec![];
    for need in needs {
        let mut chosen: Vec<usize> = need
            .current
            .iter()
            .filter_map(|id| candidates.iter().position(|c| c.id == *id))
            .collect();
        let mut have = need.current.len();
        while have < n {
            let groups: HashSet<&str> = chosen
                .iter()
                .map(|&i| candidates[i].group.as_str())
                .collect();
            let regions: HashSet<&str> = chosen
                .iter()
                .map(|&i| candidates[i].region.as_str())
                .collect();
            let best = candidates
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    !chosen.contains(i) && !need.current.contains(&c.id) && !need.conflicts(c)
                })
                .min_by_key(|(_, c)| {
                    (
                        groups.contains(c.group.as_str()),
                        regions.contains(c.region.as_str()),
                        c.load,
                        c.id,
                    )
                })
                .map(|(i, _)| i);
            let Some(i) = best else {
                short.push(need.proposal_id);
                break;
            };
            candidates[i].load += 1;
            chosen.push(i);
            pairs.push((need.proposal_id, candidates[i].id));
            have += 1;
        }
    }
    (pairs, short)
}

/// The weighted score of one evaluation: Σ weight × score / Σ weight.
pub fn weighted(scores: &BTreeMap<i64, i32>, criteria: &[CriterionView]) -> f64 {
    let total: i32 = criteria.iter().map(|c| c.weight).sum();
    let sum: i32 = criteria
        .iter()
        .map(|c| c.weight * scores.get(&c.id).copied().unwrap_or(0))
        .sum();
    if total == 0 {
        0.0
    } else {
        f64::from(sum) / f64::from(total)
    }
}

/// Each evaluation's score normalised by its evaluator: (score − their mean) / their
/// standard deviation (or just − their mean when they gave one score, or all alike).
/// Input and output: (proposal, evaluator, weighted).
pub fn normalise(rows: &[(i64, i64, f64)]) -> Vec<(i64, f64)> {
    let mut by: HashMap<i64, Vec<f64>> = HashMap::new();
    for (_, e, w) in rows {
        by.entry(*e).or_default().push(*w);
    }
    let stats: HashMap<i64, (f64, f64)> = by
        .into_iter()
        .map(|(e, ws)| {
            let n = ws.len() as f64;
            let mean = ws.iter().sum::<f64>() / n;
            let var = ws.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / n;
            (e, (mean, var.sqrt()))
        })
        .collect();
    rows.iter()
        .map(|(p, e, w)| {
            let (mean, sd) = stats.get(e).copied().unwrap_or((0.0, 0.0));
            let z = if sd > 1e-9 { (w - mean) / sd } else { w - mean };
            (*p, z)
        })
        .collect()
}

// ---- rows ---------------------------------------------------------------------------

pub fn criteria(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<CriterionView>> {
    let rows: Vec<(i64, String, String, i32)> = rubric_criteria::table
        .filter(rubric_criteria::event_id.eq(event_id))
        .order(rubric_criteria::position)
        .select((
            rubric_criteria::id,
            rubric_criteria::key,
            rubric_criteria::name,
            rubric_criteria::weight,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, key, name, weight)| CriterionView {
            id,
            key,
            name,
            weight,
        })
        .collect())
}

/// The rubric and its rules as they stand (the defaults before any set-up).
pub fn rubric_of(conn: &mut DbConn, event_id: i64) -> ApiResult<Rubric> {
    let (per_proposal, blind) = settings(conn, event_id)?;
    let criteria = criteria(conn, event_id)?
        .into_iter()
        .map(|c| Criterion {
            key: c.key,
            name: c.name,
            weight: c.weight,
        })
        .collect();
    Ok(Rubric {
        criteria,
        per_proposal,
        blind,
    })
}

/// (evaluators per proposal, blind); the defaults before any set-up.
pub fn settings(conn: &mut DbConn, event_id: i64) -> ApiResult<(i32, bool)> {
    Ok(evaluation_settings::table
        .find(event_id)
        .select((
            evaluation_settings::per_proposal,
            evaluation_settings::blind,
        ))
        .first(conn)
        .optional()?
        .unwrap_or((3, false)))
}

pub fn panel_of(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<i64>> {
    Ok(panel_members::table
        .filter(panel_members::event_id.eq(event_id))
        .select(panel_members::user_id)
        .order(panel_members::user_id)
        .load(conn)?)
}

fn evaluated_in(conn: &mut DbConn, event_id: i64) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        evaluations::table
            .inner_join(proposals::table.on(proposals::id.eq(evaluations::proposal_id)))
            .filter(proposals::event_id.eq(event_id)),
    ))
    .get_result(conn)?)
}

/// Replaces the panel: an id that is no account, or an erased one, is 422.
pub fn replace_panel(conn: &mut DbConn, event_id: i64, panel: &[i64]) -> ApiResult<()> {
    let known = crate::accounts::store::live_accounts(conn, panel)?;
    ApiError::unless_all_found("panel", "account", panel, |id| known.contains(&id))?;
    diesel::delete(panel_members::table.filter(panel_members::event_id.eq(event_id)))
        .execute(conn)?;
    for user_id in panel {
        diesel::insert_into(panel_members::table)
            .values((
                panel_members::event_id.eq(event_id),
                panel_members::user_id.eq(user_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the rubric and its rules. The criteria cannot change once evaluations use
/// them (409).
pub fn replace_rubric(conn: &mut DbConn, event_id: i64, r: &Rubric) -> ApiResult<()> {
    let current = rubric_of(conn, event_id)?;
    if current.criteria != r.criteria {
        if evaluated_in(conn, event_id)? {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "evaluations already use this rubric: it can no longer change",
            ));
        }
        diesel::delete(rubric_criteria::table.filter(rubric_criteria::event_id.eq(event_id)))
            .execute(conn)?;
        for (position, c) in r.criteria.iter().enumerate() {
            diesel::insert_into(rubric_criteria::table)
                .values((
                    rubric_criteria::event_id.eq(event_id),
                    rubric_criteria::position.eq(position as i32),
                    rubric_criteria::key.eq(&c.key),
                    rubric_criteria::name.eq(&c.name),
                    rubric_criteria::weight.eq(c.weight),
                ))
                .execute(conn)?;
        }
    }
    diesel::delete(evaluation_settings::table.find(event_id)).execute(conn)?;
    diesel::insert_into(evaluation_settings::table)
        .values((
            evaluation_settings::event_id.eq(event_id),
            evaluation_settings::per_proposal.eq(r.per_proposal),
            evaluation_settings::blind.eq(r.blind),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn on_panel(conn: &mut DbConn, event_id: i64, user_id: i64) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        panel_members::table
            .filter(panel_members::event_id.eq(event_id))
            .filter(panel_members::user_id.eq(user_id)),
    ))
    .get_result(conn)?)
}

/// The panel as candidates: group, region, organisation and address from the accounts;
/// load is their current assignments in the event.
pub fn candidates(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<Candidate>> {
    type Row = (i64, String, Option<String>, Option<String>, String);
    let rows: Vec<Row> = panel_members::table
        .inner_join(users::table)
        .filter(panel_members::event_id.eq(event_id))
        .filter(users::erased_at.is_null())
        .order(users::id)
        .select((
            users::id,
            users::stakeholder_group,
            users::region,
            users::organization,
            users::email,
        ))
        .load(conn)?;
    let loads = assignment_counts(conn, event_id)?;
    Ok(rows
        .into_iter()
        .map(|(id, group, region, org, email)| Candidate {
            id,
            group,
            region: region.unwrap_or_default(),
            organization: org.unwrap_or_default().trim().to_lowercase(),
            email: email.trim().to_lowercase(),
            load: loads.get(&id).map_or(0, |c| c.0),
        })
        .collect())
}

/// Per evaluator of the event: (assigned and not recused, done, recused).
pub fn assignment_counts(
    conn: &mut DbConn,
    event_id: i64,
) -> ApiResult<HashMap<i64, (usize, usize, usize)>> {
    let rows: Vec<(i64, i64, Option<NaiveDateTime>)> = ea::table
        .inner_join(proposals::table.on(proposals::id.eq(ea::proposal_id)))
        .filter(proposals::event_id.eq(event_id))
        .select((ea::proposal_id, ea::evaluator_id, ea::recused_at))
        .load(conn)?;
    let done: HashSet<(i64, i64)> = evaluations::table
        .inner_join(proposals::table.on(proposals::id.eq(evaluations::proposal_id)))
        .filter(proposals::event_id.eq(event_id))
        .select((evaluations::proposal_id, evaluations::evaluator_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let mut counts: HashMap<i64, (usize, usize, usize)> = HashMap::new();
    for (p, e, recused) in rows {
        let c = counts.entry(e).or_default();
        match recused {
            Some(_) => c.2 += 1,
            None => {
                c.0 += 1;
                if done.contains(&(p, e)) {
                    c.1 += 1;
                }
            }
        }
    }
    Ok(counts)
}

/// A proposal's evaluators: (not recused, recused).
pub fn evaluators_of(conn: &mut DbConn, proposal_id: i64) -> ApiResult<(Vec<i64>, HashSet<i64>)> {
    let rows: Vec<(i64, Option<NaiveDateTime>)> = ea::table
        .filter(ea::proposal_id.eq(proposal_id))
        .select((ea::evaluator_id, ea::recused_at))
        .load(conn)?;
    let current = rows.iter().filter(|r| r.1.is_none()).map(|r| r.0).collect();
    let recused = rows.iter().filter(|r| r.1.is_some()).map(|r| r.0).collect();
    Ok((current, recused))
}

pub fn add_assignments(conn: &mut DbConn, pairs: &[(i64, i64)]) -> ApiResult<()> {
    let t = now();
    for (proposal_id, evaluator_id) in pairs {
        diesel::insert_into(ea::table)
            .values((
                ea::proposal_id.eq(proposal_id),
                ea::evaluator_id.eq(evaluator_id),
                ea::assigned_at.eq(t),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether `user_id` is assigned the proposal and has not recused.
pub fn is_assigned(conn: &mut DbConn, proposal_id: i64, user_id: i64) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        ea::table
            .filter(ea::proposal_id.eq(proposal_id))
            .filter(ea::evaluator_id.eq(user_id))
            .filter(ea::recused_at.is_null()),
    ))
    .get_result(conn)?)
}

pub fn recuse(conn: &mut DbConn, proposal_id: i64, user_id: i64, reason: &str) -> ApiResult<()> {
    diesel::update(
        ea::table
            .filter(ea::proposal_id.eq(proposal_id))
            .filter(ea::evaluator_id.eq(user_id)),
    )
    .set((
        ea::recused_at.eq(Some(now())),
        ea::recusal_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    // A recused evaluator's evaluation, if any, no longer counts.
    diesel::delete(
        evaluations::table
            .filter(evaluations::proposal_id.eq(proposal_id))
            .filter(evaluations::evaluator_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(())
}

pub fn save(
    conn: &mut DbConn,
    proposal_id: i64,
    user_id: i64,
    scores: &BTreeMap<i64, i32>,
    weighted: f64,
    comment: &str,
) -> ApiResult<()> {
    let stored = serde_json::to_string(scores).map_err(ApiError::internal)?;
    diesel::delete(
        evaluations::table
            .filter(evaluations::proposal_id.eq(proposal_id))
            .filter(evaluations::evaluator_id.eq(user_id)),
    )
    .execute(conn)?;
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::proposal_id.eq(proposal_id),
            evaluations::evaluator_id.eq(user_id),
            evaluations::scores.eq(stored),
            evaluations::weighted.eq(weighted),
            evaluations::comment.eq(comment),
            evaluations::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The caller's own evaluation of a proposal: scores by criterion, and comment.
pub fn own(
    conn: &mut DbConn,
    proposal_id: i64,
    user_id: i64,
) -> ApiResult<Option<(BTreeMap<i64, i32>, String)>> {
    let row: Option<(String, String)> = evaluations::table
        .filter(evaluations::proposal_id.eq(proposal_id))
        .filter(evaluations::evaluator_id.eq(user_id))
        .select((evaluations::scores, evaluations::comment))
        .first(conn)
        .optional()?;
    Ok(row.map(|(scores, comment)| (serde_json::from_str(&scores).unwrap_or_default(), comment)))
}

/// Every evaluation in the event: (proposal, evaluator, weighted).
pub fn weighted_scores(conn: &mut DbConn, event_id: i64) -> ApiResult<Vec<(i64, i64, f64)>> {
    Ok(evaluations::table
        .inner_join(proposals::table.on(proposals::id.eq(evaluations::proposal_id)))
        .filter(proposals::event_id.eq(event_id))
        .order((evaluations::proposal_id, evaluations::evaluator_id))
        .select((
            evaluations::proposal_id,
            evaluations::evaluator_id,
            evaluations::weighted,
        ))
        .load(conn)?)
}

/// The proposals assigned to `user_id` (not recused), in the order of their ids.
pub fn assigned_to(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<i64>> {
    Ok(ea::table
        .filter(ea::evaluator_id.eq(user_id))
        .filter(ea::recused_at.is_null())
        .order(ea::proposal_id)
        .select(ea::proposal_id)
        .load(conn)?)
}

/// Erasure: off every panel and every assignment; evaluations keep their scores (the
/// ranking stays true), not their words.
pub fn erase(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    diesel::delete(panel_members::table.filter(panel_members::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(ea::table.filter(ea::evaluator_id.eq(user_id))).execute(conn)?;
    diesel::update(evaluations::table.filter(evaluations::evaluator_id.eq(user_id)))
        .set(evaluations::comment.eq(""))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, group: &str, region: &str, org: &str) -> Candidate {
        Candidate {
            id,
            group: group.into(),
            region: region.into(),
            organization: org.into(),
            email: format!("e{id}@x.org"),
            load: 0,
        }
    }

    fn need(id: i64, orgs: &[&str]) -> Need {
        Need {
            proposal_id: id,
            proposer_id: 100 + id,
            organizations: orgs.iter().map(|o| o.to_string()).collect(),
            emails: HashSet::new(),
            current: vec![],
            excluded: HashSet::new(),
        }
    }

    #[test]
    fn assignment_balances_groups_and_regions_and_avoids_conflicts() {
        let mut panel = vec![
            candidate(1, "government", "african", "gov a"),
            candidate(2, "government", "african", "gov b"),
            candidate(3, "civil_society", "african", "ngo"),
            candidate(4, "academia", "western_european_others", "uni"),
            candidate(5, "civil_society", "asia_pacific", "ngo2"),
        ];
        let needs = vec![need(1, &["ngo"]), need(2, &[]), need(3, &[])];
        let (pairs, short) = assign(&mut panel, &needs, 3);
        assert!(short.is_empty());
        let of = |p: i64| -> Vec<i64> { pairs.iter().filter(|x| x.0 == p).map(|x| x.1).collect() };
        // Three groups for the first, never the NGO's own evaluator.
        assert!(!of(1).contains(&3), "{pairs:?}");
        let groups: HashSet<&str> = of(1)
            .iter()
            .map(|id| panel[*id as usize - 1].group.as_str())
            .collect();
        assert_eq!(groups.len(), 3, "{pairs:?}");
        // Load spreads, after diversity: everyone evaluates, nobody carries much more.
        let loads: Vec<usize> = panel.iter().map(|c| c.load).collect();
        assert!(loads.iter().all(|l| *l >= 1), "{loads:?}");
        let spread = loads.iter().max().unwrap() - loads.iter().min().unwrap();
        assert!(spread <= 2, "{loads:?}");
    }

    #[test]
    fn too_few_without_conflict_leaves_the_proposal_short() {
        let mut panel = vec![
            candidate(1, "government", "african", "same"),
            candidate(2, "academia", "african", "other"),
        ];
        let mut n = need(1, &["same"]);
        n.excluded.insert(2);
        let (pairs, short) = assign(&mut panel, &[n], 2);
        assert!(pairs.is_empty());
        assert_eq!(short, vec![1]);
    }

    #[test]
    fn criterion_keys_are_made_from_labels() {
        assert_eq!(key_of("Relevance to the theme"), "relevance_to_the_theme");
        assert_eq!(key_of("  Speaker diversity!  "), "speaker_diversity");
        assert_eq!(key_of("Pertinence (é)"), "pertinence");
        assert_eq!(key_of("相关性"), "");
        assert!(valid_key("a-b_1") && !valid_key("Bad Key") && !valid_key(""));
    }

    #[test]
    fn scores_are_weighted_and_normalised_per_evaluator() {
        let criteria = vec![
            CriterionView {
                id: 1,
                key: "relevance".into(),
                name: "Relevance".into(),
                weight: 3,
            },
            CriterionView {
                id: 2,
                key: "diversity".into(),
                name: "Diversity".into(),
                weight: 1,
            },
        ];
        let scores: BTreeMap<i64, i32> = [(1, 5), (2, 1)].into_iter().collect();
        assert!((weighted(&scores, &criteria) - 4.0).abs() < 1e-9);
        // A strict evaluator (7) and a generous one (8) rank A over B alike.
        let rows = vec![(1, 7, 3.0), (2, 7, 2.0), (1, 8, 5.0), (2, 8, 4.0)];
        let z = normalise(&rows);
        assert!(
            z[0].1 > 0.0 && z[1].1 < 0.0 && (z[0].1 - z[2].1).abs() < 1e-9,
            "{z:?}"
        );
    }
}
