//! Queries of the compilation: amendments, their dispositions and delegations' support,
//! and paragraph statuses.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::types::{Disposition, ParagraphStatus};
use crate::consultations::comments::CommentRow;
use crate::consultations::types::{CommentKind, Visibility};
use crate::db::schema::{
    amendment_dispositions, comments, document_versions, endorsements, paragraph_statuses,
    paragraphs,
};
use crate::db::{now, DbConn};
use crate::delegations::types::SpeaksFor;
use crate::error::ApiResult;

/// Every visible amendment of a consultation, oldest first.
pub fn amendments(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<CommentRow>> {
    Ok(comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::kind.eq(CommentKind::Amendment.as_str()))
        .filter(comments::status.eq(Visibility::Visible.as_str()))
        .order(comments::id.asc())
        .select(CommentRow::as_select())
        .load(conn)?)
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = amendment_dispositions)]
pub struct DispositionRow {
    pub comment_id: i64,
    #[diesel(deserialize_as = String)]
    pub disposition: Disposition,
    pub merged_into: Option<i64>,
    pub reason: String,
    pub set_by: Option<i64>,
    pub set_at: NaiveDateTime,
}

pub fn dispositions(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, DispositionRow>> {
    Ok(amendment_dispositions::table
        .filter(amendment_dispositions::comment_id.eq_any(ids))
        .select(DispositionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|d| (d.comment_id, d))
        .collect())
}

/// Gives `row`'s disposition to each of `ids` (replacing what they had).
pub fn set_dispositions(conn: &mut DbConn, ids: &[i64], row: &DispositionRow) -> ApiResult<()> {
    diesel::delete(
        amendment_dispositions::table.filter(amendment_dispositions::comment_id.eq_any(ids)),
    )
    .execute(conn)?;
    for id in ids {
        diesel::insert_into(amendment_dispositions::table)
            .values((
                amendment_dispositions::comment_id.eq(id),
                amendment_dispositions::disposition.eq(row.disposition.as_str()),
                amendment_dispositions::merged_into.eq(row.merged_into),
                amendment_dispositions::reason.eq(&row.reason),
                amendment_dispositions::set_by.eq(row.set_by),
                amendment_dispositions::set_at.eq(row.set_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The delegations and groups that endorsed each of these amendments for themselves.
pub fn support(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, Vec<SpeaksFor>>> {
    let rows: Vec<(i64, Option<i64>, Option<i64>)> = endorsements::table
        .filter(endorsements::comment_id.eq_any(ids))
        .filter(
            endorsements::delegation_id
                .is_not_null()
                .or(endorsements::group_id.is_not_null()),
        )
        .order(endorsements::created_at.asc())
        .select((
            endorsements::comment_id,
            endorsements::delegation_id,
            endorsements::group_id,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<SpeaksFor>> = HashMap::new();
    for (c, d, g) in rows {
        if let Some(s) = SpeaksFor::of(d, g) {
            out.entry(c).or_default().push(s);
        }
    }
    Ok(out)
}

pub fn statuses(
    conn: &mut DbConn,
    consultation_id: i64,
) -> ApiResult<HashMap<String, ParagraphStatus>> {
    let rows: Vec<(String, String)> = paragraph_statuses::table
        .filter(paragraph_statuses::consultation_id.eq(consultation_id))
        .select((
            paragraph_statuses::paragraph_key,
            paragraph_statuses::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, s)| ParagraphStatus::parse(&s).map(|s| (k, s)))
        .collect())
}

pub fn set_status(
    conn: &mut DbConn,
    consultation_id: i64,
    key: &str,
    status: ParagraphStatus,
    by: i64,
) -> ApiResult<NaiveDateTime> {
    let at = now();
    diesel::delete(
        paragraph_statuses::table
            .filter(paragraph_statuses::consultation_id.eq(consultation_id))
            .filter(paragraph_statuses::paragraph_key.eq(key)),
    )
    .execute(conn)?;
    diesel::insert_into(paragraph_statuses::table)
        .values((
            paragraph_statuses::consultation_id.eq(consultation_id),
            paragraph_statuses::paragraph_key.eq(key),
            paragraph_statuses::status.eq(status.as_str()),
            paragraph_statuses::set_by.eq(Some(by)),
            paragraph_statuses::set_at.eq(at),
        ))
        .execute(conn)?;
    Ok(at)
}

/// The number a paragraph had in the last version that had it, with that version's
/// label.
pub fn last_number(
    conn: &mut DbConn,
    consultation_id: i64,
    key: &str,
) -> ApiResult<Option<(String, String)>> {
    Ok(paragraphs::table
        .inner_join(document_versions::table)
        .filter(document_versions::consultation_id.eq(consultation_id))
        .filter(paragraphs::key.eq(key))
        .order(document_versions::id.desc())
        .select((paragraphs::number, document_versions::label))
        .first(conn)
        .optional()?)
}
