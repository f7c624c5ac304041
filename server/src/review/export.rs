//! Every contribution of a consultation with its author's group, region and country,
//! its paragraph, and its review, for co-facilitators' own tools.

use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::{json, Value};

use super::store as review;
use crate::consultations::comments::CommentRow;
use crate::consultations::types::Visibility;
use crate::db::schema::{comments, users};
use crate::db::{rfc3339, DbConn};
use crate::error::{ApiError, ApiResult};

type Author = (
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

pub fn rows(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Vec<Value>> {
    let rows: Vec<CommentRow> = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.ne(Visibility::Withdrawn.as_str()))
        .order(comments::id)
        .select(CommentRow::as_select())
        .load(conn)?;
    let mut author_ids: Vec<i64> = rows.iter().map(|r| r.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let mut authors: HashMap<i64, Author> = HashMap::new();
    for chunk in author_ids.chunks(5000) {
        let found: Vec<Author> = users::table
            .filter(users::id.eq_any(chunk))
            .select((
                users::id,
                users::display_name,
                users::organization,
                users::stakeholder_group,
                users::region,
                users::country,
            ))
            .load(conn)?;
        authors.extend(found.into_iter().map(|a| (a.0, a)));
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let reviews = review::many(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|r| {
            let a = authors.get(&r.author_id);
            let rv = reviews.get(&r.id);
            json!({
                "id": r.id,
                "created_at": rfc3339(r.created_at),
                "kind": r.kind,
                "paragraph_key": r.paragraph_key,
                "parent_id": r.parent_id,
                "version": r.version_label,
                "language": r.language,
                "visibility": r.status,
                "body": r.body,
                "proposed_text": r.proposed_text,
                "on_behalf_of": r.on_behalf_of,
                "anonymous": r.anonymous,
                "author_id": r.author_id,
                "author_name": a.map(|a| a.1.clone()),
                "organization": a.and_then(|a| a.2.clone()),
                "stakeholder_group": a.map(|a| a.3.clone()),
                "region": a.and_then(|a| a.4.clone()),
                "country": a.and_then(|a| a.5.clone()),
                "endorsement_count": r.endorsement_count,
                "review_status": rv.map_or("new", |v| v.status.as_str()),
                "tags": rv.map(|v| v.tags()).unwrap_or_default(),
                "assignee_id": rv.and_then(|v| v.assignee_id),
                "review_note": rv.map(|v| v.note.clone()).unwrap_or_default(),
            })
        })
        .collect())
}

const COLUMNS: [&str; 23] = [
    "id",
    "created_at",
    "kind",
    "paragraph_key",
    "parent_id",
    "version",
    "language",
    "visibility",
    "body",
    "proposed_text",
    "on_behalf_of",
    "anonymous",
    "author_id",
    "author_name",
    "organization",
    "stakeholder_group",
    "region",
    "country",
    "endorsement_count",
    "review_status",
    "tags",
    "assignee_id",
    "review_note",
];

/// A cell as text. Text that a spreadsheet would run as a formula (=, +, -, @, tab,
/// carriage return first) gets a leading apostrophe: exports open in Excel.
fn cell(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

pub fn csv(rows: &[Value]) -> ApiResult<String> {
    let columns = &COLUMNS;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns).map_err(ApiError::internal)?;
    for r in rows {
        w.write_record(columns.iter().map(|c| cell(&r[*c])))
            .map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_lists_joined() {
        assert_eq!(cell(&json!("=HYPERLINK(\"x\")")), "'=HYPERLINK(\"x\")");
        assert_eq!(cell(&json!(["a", "b"])), "a; b");
        assert_eq!(cell(&json!(-3)), "'-3");
        assert_eq!(cell(&json!("plain")), "plain");
    }
}
