//! Review records: what co-facilitators decided about each contribution.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::accounts::types::string_enum;
use crate::db::schema::{comment_reviews, review_log};
use crate::db::Tx;
use crate::db::{now, rfc3339, DbConn};
use crate::error::ApiResult;
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
    pub status: String,
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

/// The review as co-facilitators see it; a contribution nobody reviewed is `new`.
pub fn view(row: Option<&ReviewRow>) -> Value {
    match row {
        None => {
            json!({"status": "new", "tags": [], "assignee_id": null, "note": "", "reviewed_by": null, "updated_at": null})
        }
        Some(r) => json!({
            "status": r.status,
            "tags": r.tags(),
            "assignee_id": r.assignee_id,
            "note": r.note,
            "reviewed_by": r.reviewed_by,
            "updated_at": rfc3339(r.updated_at),
        }),
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

/// A change to a review; `None` leaves a field as it is.
#[derive(Default)]
pub struct Change {
    pub status: Option<ReviewStatus>,
    pub tags: Option<Vec<String>>,
    pub assignee_id: Option<Option<i64>>,
    pub note: Option<String>,
}

/// Applies a change and queues reindexing (status and tags are search facets).
pub fn apply(tx: &mut Tx, comment_id: i64, c: Change, by: i64) -> ApiResult<ReviewRow> {
    let current = get(tx, comment_id)?;
    let status = c
        .status
        .map(|s| s.as_str().to_owned())
        .or_else(|| current.as_ref().map(|r| r.status.clone()))
        .unwrap_or_else(|| ReviewStatus::New.as_str().to_owned());
    let tags = match c.tags {
        Some(t) => serde_json::to_string(&t).unwrap_or_else(|_| "[]".into()),
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
        comment_reviews::status.eq(&status),
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
    outbox::queue_search_job(tx, "comment", comment_id, "upsert")?;
    let after = get(tx, comment_id)?;
    diesel::insert_into(review_log::table)
        .values((
            review_log::comment_id.eq(comment_id),
            review_log::user_id.eq(Some(by)),
            review_log::before.eq(view(current.as_ref()).to_string()),
            review_log::after.eq(view(after.as_ref()).to_string()),
            review_log::created_at.eq(now()),
        ))
        .execute(tx.conn())?;
    let before = current.as_ref().map_or("new", |r| r.status.as_str());
    if before != status {
        let comment = crate::consultations::comments::get(tx, comment_id)?;
        crate::notifications::hooks::reviewed(tx, &comment, &status, by)?;
    }
    after.ok_or_else(|| crate::error::ApiError::internal("review vanished"))
}

/// Every change to a contribution's review, oldest first, with who made it.
pub fn history(conn: &mut DbConn, comment_id: i64) -> ApiResult<Vec<Value>> {
    use crate::db::schema::users;
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
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.0).collect();
    let names: std::collections::HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(by, before, after, at)| {
            json!({
                "by": by.map(|id| json!({"id": id, "display_name": names.get(&id)})),
                "before": serde_json::from_str::<Value>(&before).unwrap_or(Value::Null),
                "after": serde_json::from_str::<Value>(&after).unwrap_or(Value::Null),
                "at": rfc3339(at),
            })
        })
        .collect())
}
