//! Review records: what co-facilitators decided about each contribution. Rows in, rows
//! out; the views and who may see them are elsewhere (`view`, `policy`).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::types::string_enum;
use crate::db::schema::{comment_reviews, review_log, users};
use crate::db::Tx;
use crate::db::{now, rfc3339, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::outbox;

string_enum!(ReviewStatus {
    New => "new",
    Read => "read",
    Incorporated => "incorporated",
    PartiallyIncorporated => "partially_incorporated",
    NotIncorporated => "not_incorporated",
    OutOfScope => "out_of_scope",
});

pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 50;
pub const MAX_NOTE_CHARS: usize = 4000;

/// A tag: trimmed, lower-cased, 1 to 50 characters, no control characters.
pub fn parse_tag(raw: &str) -> Result<String, String> {
    let tag = raw.trim().to_lowercase();
    if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
        return Err(format!("each tag has 1 to {MAX_TAG_CHARS} characters"));
    }
    if tag.chars().any(char::is_control) {
        return Err("tags may not hold control characters".into());
    }
    Ok(tag)
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = comment_reviews)]
pub struct ReviewRow {
    pub comment_id: i64,
    #[diesel(deserialize_as = String)]
    pub status: ReviewStatus,
    pub tags: String,
    pub assignee_id: Option<i64>,
    pub note: String,
    pub reviewed_by: Option<i64>,
    pub updated_at: NaiveDateTime,
}

impl ReviewRow {
    pub fn tags(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }
}

/// A review as the history keeps it (`review_log.before` and `after`, as JSON text); a
/// contribution nobody reviewed is `new`.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Snapshot {
    pub status: ReviewStatus,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub reviewed_by: Option<i64>,
    /// RFC 3339.
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl Snapshot {
    pub fn of(row: Option<&ReviewRow>) -> Snapshot {
        match row {
            None => Snapshot {
                status: ReviewStatus::New,
                tags: Vec::new(),
                assignee_id: None,
                note: String::new(),
                reviewed_by: None,
                updated_at: None,
            },
            Some(r) => Snapshot {
                status: r.status,
                tags: r.tags(),
                assignee_id: r.assignee_id,
                note: r.note.clone(),
                reviewed_by: r.reviewed_by,
                updated_at: Some(rfc3339(r.updated_at)),
            },
        }
    }

    fn stored(&self) -> ApiResult<String> {
        serde_json::to_string(self).map_err(ApiError::internal)
    }

    fn read(raw: &str) -> ApiResult<Snapshot> {
        serde_json::from_str(raw)
            .map_err(|e| ApiError::internal(format!("review history row: {e}")))
    }
}

pub fn get(conn: &mut DbConn, comment_id: i64) -> ApiResult<Option<ReviewRow>> {
    Ok(comment_reviews::table
        .find(comment_id)
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn many(conn: &mut DbConn, comment_ids: &[i64]) -> ApiResult<HashMap<i64, ReviewRow>> {
    let mut out = HashMap::new();
    // Bounded IN lists: SQLite allows 32,766 parameters, PostgreSQL 65,535.
    for chunk in comment_ids.chunks(5000) {
        let rows: Vec<ReviewRow> = comment_reviews::table
            .filter(comment_reviews::comment_id.eq_any(chunk))
            .select(ReviewRow::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(|r| (r.comment_id, r)));
    }
    Ok(out)
}

/// Which of these accounts were erased (their ids are no longer shown anywhere).
pub fn erased(conn: &mut DbConn, user_ids: &[i64]) -> ApiResult<HashSet<i64>> {
    let mut ids = user_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashSet::new();
    for chunk in ids.chunks(5000) {
        let found: Vec<i64> = users::table
            .filter(users::id.eq_any(chunk))
            .filter(users::erased_at.is_not_null())
            .select(users::id)
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

/// A change to a review; `None` leaves a field as it is.
#[derive(Default, Debug, Clone)]
pub struct Change {
    pub status: Option<ReviewStatus>,
    pub tags: Option<Vec<String>>,
    pub assignee_id: Option<Option<i64>>,
    pub note: Option<String>,
}

/// Applies a change and queues reindexing (status and tags are search facets); the
/// change goes into the input's history, and its author hears of a new status.
pub fn apply(tx: &mut Tx, comment_id: i64, c: Change, by: i64) -> ApiResult<ReviewRow> {
    let current = get(tx, comment_id)?;
    let before_status = current.as_ref().map_or(ReviewStatus::New, |r| r.status);
    let status = c.status.unwrap_or(before_status);
    let tags = match c.tags {
        Some(t) => serde_json::to_string(&t).map_err(ApiError::internal)?,
        None => current
            .as_ref()
            .map_or_else(|| "[]".to_owned(), |r| r.tags.clone()),
    };
    let assignee = match c.assignee_id {
        Some(a) => a,
        None => current.as_ref().and_then(|r| r.assignee_id),
    };
    let note = c
        .note
        .or_else(|| current.as_ref().map(|r| r.note.clone()))
        .unwrap_or_default();
    let fields = (
        comment_reviews::status.eq(status.as_str()),
        comment_reviews::tags.eq(&tags),
        comment_reviews::assignee_id.eq(assignee),
        comment_reviews::note.eq(&note),
        comment_reviews::reviewed_by.eq(Some(by)),
        comment_reviews::updated_at.eq(now()),
    );
    // Two reviewers at once on an input nobody reviewed: the second one updates.
    let inserted = current.is_none()
        && crate::db::insert_once(tx, |c| {
            diesel::insert_into(comment_reviews::table)
                .values((comment_reviews::comment_id.eq(comment_id), fields))
                .execute(c)
        })?;
    if !inserted {
        diesel::update(comment_reviews::table.find(comment_id))
            .set(fields)
            .execute(tx.conn())?;
    }
    outbox::queue_search_job(tx, "comment", comment_id, "upsert");
    let after = get(tx, comment_id)?;
    diesel::insert_into(review_log::table)
        .values((
            review_log::comment_id.eq(comment_id),
            review_log::user_id.eq(Some(by)),
            review_log::before.eq(Snapshot::of(current.as_ref()).stored()?),
            review_log::after.eq(Snapshot::of(after.as_ref()).stored()?),
            review_log::created_at.eq(now()),
        ))
        .execute(tx.conn())?;
    if before_status != status {
        let comment = crate::consultations::comments::get(tx, comment_id)?;
        crate::notifications::hooks::reviewed(tx, &comment, status.as_str(), by)?;
    }
    after.ok_or_else(|| ApiError::internal("review vanished"))
}

/// One change in an input's history, as stored.
pub struct LogRow {
    pub user_id: Option<i64>,
    pub before: Snapshot,
    pub after: Snapshot,
    pub created_at: NaiveDateTime,
}

/// Every change to a contribution's review, oldest first.
pub fn history(conn: &mut DbConn, comment_id: i64) -> ApiResult<Vec<LogRow>> {
    let rows: Vec<(Option<i64>, String, String, NaiveDateTime)> = review_log::table
        .filter(review_log::comment_id.eq(comment_id))
        .order(review_log::id.asc())
        .select((
            review_log::user_id,
            review_log::before,
            review_log::after,
            review_log::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(user_id, before, after, created_at)| {
            Ok(LogRow {
                user_id,
                before: Snapshot::read(&before)?,
                after: Snapshot::read(&after)?,
                created_at,
            })
        })
        .collect()
}

/// Display names of these accounts (for the history's "by").
pub fn names(conn: &mut DbConn, user_ids: &[i64]) -> ApiResult<HashMap<i64, String>> {
    Ok(users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// What the review feature holds of one reviewer, for their personal-data export: the
/// changes they made, each with the note as they left it.
#[derive(Serialize, schemars::JsonSchema, Debug)]
pub struct ReviewRecord {
    pub comment_id: i64,
    pub status: ReviewStatus,
    pub note: String,
    pub created_at: crate::db::Timestamp,
}

pub fn written_by(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<ReviewRecord>> {
    let rows: Vec<(i64, String, NaiveDateTime)> = review_log::table
        .filter(review_log::user_id.eq(user_id))
        .order(review_log::id.asc())
        .select((
            review_log::comment_id,
            review_log::after,
            review_log::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(comment_id, after, at)| {
            let after = Snapshot::read(&after)?;
            Ok(ReviewRecord {
                comment_id,
                status: after.status,
                note: after.note,
                created_at: crate::db::Timestamp(at),
            })
        })
        .collect()
}

/// Erasure of a reviewer: the history keeps what changed, no longer by whom; the notes
/// they wrote go wherever they were copied (the current review and every later
/// snapshot); nobody is assigned to or named as the reviewer of an input as them.
pub fn erase(tx: &mut Tx, user_id: i64) -> ApiResult<()> {
    // The notes they wrote: those their changes brought in.
    let theirs: Vec<(i64, String, String)> = review_log::table
        .filter(review_log::user_id.eq(user_id))
        .select((
            review_log::comment_id,
            review_log::before,
            review_log::after,
        ))
        .load(tx.conn())?;
    let mut written: HashMap<i64, HashSet<String>> = HashMap::new();
    for (comment_id, before, after) in &theirs {
        let (before, after) = (Snapshot::read(before)?, Snapshot::read(after)?);
        if !after.note.is_empty() && after.note != before.note {
            written.entry(*comment_id).or_default().insert(after.note);
        }
    }
    let scrub = |s: &mut Snapshot, comment_id: i64| {
        if written
            .get(&comment_id)
            .is_some_and(|notes| notes.contains(&s.note))
        {
            s.note.clear();
        }
        if s.assignee_id == Some(user_id) {
            s.assignee_id = None;
        }
        if s.reviewed_by == Some(user_id) {
            s.reviewed_by = None;
        }
    };
    // Every history row that may name them or hold their notes: their own, those of the
    // inputs they wrote notes on, and those whose snapshots hold their id.
    // Snapshots are serde JSON: an id is `"assignee_id":7,` (or `…:7}` last).
    let named = |field: &str, end: char| format!("%\"{field}\":{user_id}{end}%");
    let (a1, a2) = (named("assignee_id", ','), named("assignee_id", '}'));
    let (r1, r2) = (named("reviewed_by", ','), named("reviewed_by", '}'));
    let noted: Vec<i64> = written.keys().copied().collect();
    let rows: Vec<(i64, i64, Option<i64>, String, String)> = review_log::table
        .filter(
            review_log::user_id
                .eq(user_id)
                .or(review_log::comment_id.eq_any(&noted))
                .or(review_log::before.like(&a1))
                .or(review_log::before.like(&a2))
                .or(review_log::before.like(&r1))
                .or(review_log::before.like(&r2))
                .or(review_log::after.like(&a1))
                .or(review_log::after.like(&a2))
                .or(review_log::after.like(&r1))
                .or(review_log::after.like(&r2)),
        )
        .select((
            review_log::id,
            review_log::comment_id,
            review_log::user_id,
            review_log::before,
            review_log::after,
        ))
        .load(tx.conn())?;
    for (id, comment_id, by, before, after) in rows {
        let (mut b, mut a) = (Snapshot::read(&before)?, Snapshot::read(&after)?);
        scrub(&mut b, comment_id);
        scrub(&mut a, comment_id);
        let by = by.filter(|by| *by != user_id);
        diesel::update(review_log::table.find(id))
            .set((
                review_log::user_id.eq(by),
                review_log::before.eq(b.stored()?),
                review_log::after.eq(a.stored()?),
            ))
            .execute(tx.conn())?;
    }
    let current: Vec<ReviewRow> = comment_reviews::table
        .filter(
            comment_reviews::assignee_id
                .eq(user_id)
                .or(comment_reviews::reviewed_by.eq(user_id))
                .or(comment_reviews::comment_id.eq_any(&noted)),
        )
        .select(ReviewRow::as_select())
        .load(tx.conn())?;
    for r in current {
        let mut s = Snapshot::of(Some(&r));
        scrub(&mut s, r.comment_id);
        diesel::update(comment_reviews::table.find(r.comment_id))
            .set((
                comment_reviews::assignee_id.eq(s.assignee_id),
                comment_reviews::reviewed_by.eq(s.reviewed_by),
                comment_reviews::note.eq(s.note),
            ))
            .execute(tx.conn())?;
        outbox::queue_search_job(tx, "comment", r.comment_id, "upsert");
    }
    Ok(())
}
