//! What the review endpoints answer, for the consultation's co-facilitators and
//! organisers. People appear here by id only while their account exists: after
//! erasure a reviewer or assignee is `null`.

use std::collections::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::store::{self, ReviewRow, ReviewStatus, Snapshot};
use crate::consultations::view::Person;
use crate::db::{DbConn, Timestamp};
use crate::error::ApiResult;

/// An input's review; an input nobody reviewed is `new`.
#[derive(Serialize, JsonSchema, Clone, Debug)]
#[schemars(rename = "InputReview")]
pub struct ReviewView {
    pub status: ReviewStatus,
    /// Lower-cased, at most 20.
    pub tags: Vec<String>,
    /// A co-facilitator of the consultation (null once their account is erased).
    pub assignee_id: Option<i64>,
    pub note: String,
    /// Who changed it last (null once their account is erased).
    pub reviewed_by: Option<i64>,
    pub updated_at: Option<Timestamp>,
}

impl ReviewView {
    /// The review of an input from its row (none: `new`), people erased since left out.
    pub fn of(row: Option<&ReviewRow>, erased: &HashSet<i64>) -> ReviewView {
        ReviewView::from_snapshot(Snapshot::of(row), erased)
    }

    fn from_snapshot(s: Snapshot, erased: &HashSet<i64>) -> ReviewView {
        let person = |id: Option<i64>| id.filter(|id| !erased.contains(id));
        ReviewView {
            status: s.status,
            tags: s.tags,
            assignee_id: person(s.assignee_id),
            note: s.note,
            reviewed_by: person(s.reviewed_by),
            updated_at: s.updated_at.as_deref().and_then(parse_time).map(Timestamp),
        }
    }
}

fn parse_time(raw: &str) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.naive_utc())
}

/// The people a set of review rows names.
fn people(rows: &[&ReviewRow]) -> Vec<i64> {
    rows.iter()
        .flat_map(|r| [r.assignee_id, r.reviewed_by])
        .flatten()
        .collect()
}

/// The reviews of these inputs, by input id (every id has one: `new` if none is stored).
pub fn reviews(conn: &mut DbConn, comment_ids: &[i64]) -> ApiResult<HashMap<i64, ReviewView>> {
    let rows = store::many(conn, comment_ids)?;
    let erased = store::erased(conn, &people(&rows.values().collect::<Vec<_>>()))?;
    Ok(comment_ids
        .iter()
        .map(|id| (*id, ReviewView::of(rows.get(id), &erased)))
        .collect())
}

/// One input's review, read again after a change.
pub fn review(conn: &mut DbConn, row: &ReviewRow) -> ApiResult<ReviewView> {
    let erased = store::erased(conn, &people(&[row]))?;
    Ok(ReviewView::of(Some(row), &erased))
}

/// An input and its review.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct ReviewedInput {
    pub comment_id: i64,
    pub review: ReviewView,
}

/// What a change to a selection did, input by input.
#[derive(Serialize, JsonSchema, Debug)]
pub struct BulkResult {
    pub items: Vec<ReviewedInput>,
}

/// One change to an input's review.
#[derive(Serialize, JsonSchema, Debug)]
#[schemars(rename = "InputReviewChange")]
pub struct HistoryEntry {
    /// Who made it (null once their account is erased).
    pub by: Option<Person>,
    pub before: ReviewView,
    pub after: ReviewView,
    pub at: Timestamp,
}

/// Every change to an input's review, oldest first.
#[derive(Serialize, JsonSchema, Debug)]
#[schemars(rename = "InputReviewHistory")]
pub struct History {
    pub comment_id: i64,
    pub items: Vec<HistoryEntry>,
}

pub fn history(conn: &mut DbConn, comment_id: i64) -> ApiResult<History> {
    let rows = store::history(conn, comment_id)?;
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| {
            [
                r.user_id,
                r.before.assignee_id,
                r.before.reviewed_by,
                r.after.assignee_id,
                r.after.reviewed_by,
            ]
        })
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let erased = store::erased(conn, &ids)?;
    let names = store::names(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|r| HistoryEntry {
            by: r.user_id.filter(|id| !erased.contains(id)).and_then(|id| {
                names.get(&id).map(|name| Person {
                    id,
                    display_name: name.clone(),
                })
            }),
            before: ReviewView::from_snapshot(r.before, &erased),
            after: ReviewView::from_snapshot(r.after, &erased),
            at: Timestamp(r.created_at),
        })
        .collect();
    Ok(History { comment_id, items })
}

/// A cluster of near-identical inputs (a campaign).
#[derive(Serialize, JsonSchema, Debug)]
pub struct Cluster {
    pub size: usize,
    /// The cluster's first input.
    pub representative_id: i64,
    /// The first 200 characters of its text.
    pub representative_excerpt: Option<String>,
    /// Ascending.
    pub member_ids: Vec<i64>,
}
