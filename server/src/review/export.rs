//! Every contribution of a consultation with its author's group and region, its
//! paragraph and its review, for co-facilitators' own tools. Each contribution is shown
//! through the same [`CommentView`] as on every other surface, for the reader the policy
//! chose: an anonymous author stays anonymous, a hidden contribution is left out (both
//! only reach moderators, whose look at an anonymous author is audited), and an erased
//! author reads "withdrawn participant", without id, organisation or country.

use std::collections::HashMap;

use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use super::store::ReviewStatus;
use super::view::{self as review_view, ReviewView};
use crate::accounts::types::{Region, StakeholderGroup};
use crate::consultations::comments::view as comment_view;
use crate::consultations::comments::{CommentRow, CommentView};
use crate::consultations::types::{CommentKind, Visibility};
use crate::db::schema::{comments, users};
use crate::db::{DbConn, Timestamp};
use crate::error::ApiResult;
use crate::policy::audit::Surface;
use crate::policy::Reader;

/// One contribution in the export.
#[derive(Serialize, JsonSchema, Debug)]
#[schemars(rename = "InputsExportRow")]
pub struct ExportRow {
    pub id: i64,
    pub created_at: Timestamp,
    pub kind: CommentKind,
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    /// The version of the text it was written on.
    pub version: Option<String>,
    pub language: String,
    /// `hidden` only in a moderator's export.
    pub visibility: Visibility,
    pub body: String,
    pub proposed_text: Option<String>,
    pub on_behalf_of: Option<String>,
    pub anonymous: bool,
    /// Null for an anonymous contribution (but in a moderator's export) and an erased
    /// author.
    pub author_id: Option<i64>,
    /// The author's name; `anonymous` or `withdrawn participant` when it is not shown.
    pub author_name: String,
    pub organization: Option<String>,
    pub stakeholder_group: Option<StakeholderGroup>,
    pub region: Option<Region>,
    /// Only where the author is named.
    pub country: Option<String>,
    pub endorsement_count: i32,
    pub review_status: ReviewStatus,
    pub tags: Vec<String>,
    pub assignee_id: Option<i64>,
    pub review_note: String,
}

/// The JSON export.
#[derive(Serialize, JsonSchema, Debug)]
#[schemars(rename = "InputsExport")]
pub struct Export {
    pub items: Vec<ExportRow>,
    pub total: usize,
}

/// Rendered this many at a time (bounded IN lists).
const CHUNK: usize = 2000;

/// Every contribution of the consultation `reader` may see, oldest first.
pub fn rows(conn: &mut DbConn, consultation_id: i64, reader: &Reader) -> ApiResult<Vec<ExportRow>> {
    let all: Vec<CommentRow> = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.ne(Visibility::Withdrawn.as_str()))
        .order(comments::id)
        .select(CommentRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(all.len());
    for chunk in all.chunks(CHUNK) {
        let views = comment_view::render(conn, chunk, reader, Surface::Export)?;
        let named: Vec<i64> = views.iter().filter_map(|v| v.author.id()).collect();
        let countries = countries(conn, &named)?;
        let ids: Vec<i64> = views.iter().map(|v| v.id).collect();
        let mut reviews = review_view::reviews(conn, &ids)?;
        for v in views {
            let review = reviews.remove(&v.id);
            out.push(row(v, review, &countries));
        }
    }
    Ok(out)
}

fn countries(conn: &mut DbConn, user_ids: &[i64]) -> ApiResult<HashMap<i64, String>> {
    let mut ids = user_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::country.is_not_null())
        .select((users::id, users::country.assume_not_null()))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

fn row(v: CommentView, review: Option<ReviewView>, countries: &HashMap<i64, String>) -> ExportRow {
    let author_id = v.author.id();
    let (status, tags, assignee_id, note) = match review {
        Some(r) => (r.status, r.tags, r.assignee_id, r.note),
        None => (ReviewStatus::New, Vec::new(), None, String::new()),
    };
    ExportRow {
        id: v.id,
        created_at: v.created_at,
        kind: v.kind,
        paragraph_key: v.paragraph_key,
        parent_id: v.parent_id,
        version: v.version,
        language: v.language,
        visibility: v.status,
        body: v.body,
        proposed_text: v.proposed_text,
        on_behalf_of: v.on_behalf_of,
        anonymous: v.anonymous,
        author_id,
        author_name: v.author.display_name().to_owned(),
        organization: v.author.organization().map(str::to_owned),
        stakeholder_group: v.author.stakeholder_group(),
        region: v.author.region(),
        country: author_id.and_then(|id| countries.get(&id).cloned()),
        endorsement_count: v.endorsement_count,
        review_status: status,
        tags,
        assignee_id,
        review_note: note,
    }
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

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl ExportRow {
    /// The CSV cells, in the order of [`COLUMNS`].
    fn cells(&self) -> [String; 23] {
        [
            self.id.to_string(),
            crate::db::rfc3339(self.created_at.0),
            self.kind.to_string(),
            opt(&self.paragraph_key),
            opt(&self.parent_id),
            opt(&self.version),
            self.language.clone(),
            self.visibility.to_string(),
            self.body.clone(),
            opt(&self.proposed_text),
            opt(&self.on_behalf_of),
            self.anonymous.to_string(),
            opt(&self.author_id),
            self.author_name.clone(),
            opt(&self.organization),
            opt(&self.stakeholder_group),
            opt(&self.region),
            opt(&self.country),
            self.endorsement_count.to_string(),
            self.review_status.to_string(),
            self.tags.join("; "),
            opt(&self.assignee_id),
            self.review_note.clone(),
        ]
    }
}

pub fn csv(rows: &[ExportRow]) -> ApiResult<String> {
    crate::http::csv::document(&COLUMNS, rows.iter().map(|r| r.cells()))
}
