//! What reviewers send, and the commands it is parsed into once. Every field problem is
//! collected into one 422; past `TryFrom`, only domain values travel.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::store::{parse_tag, Change, ReviewStatus, MAX_NOTE_CHARS, MAX_TAGS};
use crate::error::{ApiError, FieldErrors};
use crate::http::input::double_option;

/// A change to one input's review; what is left out stays as it is.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "InputReviewInput")]
pub struct ReviewInput {
    #[schemars(with = "Option<ReviewStatus>")]
    pub status: Option<String>,
    /// The input's tags (replacing them): at most 20, each 1 to 50 characters,
    /// lower-cased.
    pub tags: Option<Vec<String>>,
    /// A co-facilitator of this consultation; null to unassign.
    #[serde(default, deserialize_with = "double_option")]
    pub assignee_id: Option<Option<i64>>,
    /// At most 4,000 characters.
    pub note: Option<String>,
}

/// Tags as given: each parsed, duplicates dropped; a problem is noted under `field`.
fn tags(errors: &mut FieldErrors, field: &str, raw: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in raw {
        match parse_tag(t) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(e) => {
                errors.insert(field.to_owned(), e);
            }
        }
    }
    out
}

fn status(errors: &mut FieldErrors, raw: Option<&str>) -> Option<ReviewStatus> {
    let raw = raw?;
    let parsed = ReviewStatus::parse(raw);
    if parsed.is_none() {
        errors.insert(
            "status".into(),
            format!("must be one of {}", ReviewStatus::expected()),
        );
    }
    parsed
}

impl TryFrom<ReviewInput> for Change {
    type Error = ApiError;

    fn try_from(input: ReviewInput) -> Result<Change, ApiError> {
        let mut errors = FieldErrors::new();
        let status = status(&mut errors, input.status.as_deref());
        let tags = input.tags.map(|raw| {
            if raw.len() > MAX_TAGS {
                errors.insert("tags".into(), format!("at most {MAX_TAGS} tags"));
            }
            tags(&mut errors, "tags", &raw)
        });
        let note = input.note.map(|n| {
            if n.chars().count() > MAX_NOTE_CHARS {
                errors.insert(
                    "note".into(),
                    format!("at most {MAX_NOTE_CHARS} characters"),
                );
            }
            n.trim().to_owned()
        });
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok(Change {
            status,
            tags,
            assignee_id: input.assignee_id,
            note,
        })
    }
}

/// At most this many inputs in one bulk change.
pub const MAX_BULK: usize = 500;

/// One change to a selection of inputs: a status, tags added or removed (each input
/// keeps its other tags).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "BulkReviewInput")]
pub struct BulkInput {
    /// 1 to 500 inputs of this consultation.
    pub comment_ids: Vec<i64>,
    #[schemars(with = "Option<ReviewStatus>")]
    pub status: Option<String>,
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

pub struct BulkCommand {
    /// Ascending, each once.
    pub comment_ids: Vec<i64>,
    pub status: Option<ReviewStatus>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
}

impl TryFrom<BulkInput> for BulkCommand {
    type Error = ApiError;

    fn try_from(i: BulkInput) -> Result<BulkCommand, ApiError> {
        let mut errors = FieldErrors::new();
        if i.comment_ids.is_empty() || i.comment_ids.len() > MAX_BULK {
            errors.insert(
                "comment_ids".into(),
                format!("give from 1 to {MAX_BULK} ids"),
            );
        }
        let status = status(&mut errors, i.status.as_deref());
        let add_tags = tags(&mut errors, "add_tags", &i.add_tags);
        let remove_tags = tags(&mut errors, "remove_tags", &i.remove_tags);
        if status.is_none()
            && add_tags.is_empty()
            && remove_tags.is_empty()
            && !errors.contains_key("status")
        {
            errors.insert(
                "status".into(),
                "give a status or tags to add or remove".into(),
            );
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let mut comment_ids = i.comment_ids;
        comment_ids.sort_unstable();
        comment_ids.dedup();
        Ok(BulkCommand {
            comment_ids,
            status,
            add_tags,
            remove_tags,
        })
    }
}

/// `?min_size=`
#[derive(Deserialize, JsonSchema, Default)]
pub struct DuplicatesQuery {
    /// The smallest cluster to list: 2 (the default) to 10,000.
    pub min_size: Option<usize>,
}

/// The smallest cluster to list.
pub struct MinSize(pub usize);

impl TryFrom<DuplicatesQuery> for MinSize {
    type Error = ApiError;

    fn try_from(q: DuplicatesQuery) -> Result<MinSize, ApiError> {
        let min_size = q.min_size.unwrap_or(2);
        if !(2..=10_000).contains(&min_size) {
            return Err(ApiError::query("min_size", "must be from 2 to 10000"));
        }
        Ok(MinSize(min_size))
    }
}

/// `?format=csv|json`
#[derive(Deserialize, JsonSchema, Default)]
pub struct ExportQuery {
    /// `json` (the default) or `csv`.
    #[schemars(with = "Option<ExportFormat>")]
    pub format: Option<String>,
}

#[derive(Serialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Csv,
}

impl TryFrom<ExportQuery> for ExportFormat {
    type Error = ApiError;

    fn try_from(q: ExportQuery) -> Result<ExportFormat, ApiError> {
        match q.format.as_deref() {
            None | Some("json") => Ok(ExportFormat::Json),
            Some("csv") => Ok(ExportFormat::Csv),
            Some(_) => Err(ApiError::query("format", "must be csv or json")),
        }
    }
}
