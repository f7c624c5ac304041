//! How consultations and their versions are shown. Nothing here differs by audience
//! (drafts are refused earlier, by the policy); contributions have their own views.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::importer::Footnote;
use super::keys::{DiffStatus, ParagraphDiff};
use super::store::{self, ConsultationRow, ParagraphRow, VersionRow};
use super::types::Status;
use crate::db::{now, DbConn, Timestamp};
use crate::error::ApiResult;

/// A co-facilitator, by name.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct Person {
    pub id: i64,
    pub display_name: String,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct ConsultationView {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    /// BCP 47: the language of the draft.
    pub language: String,
    pub status: Status,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    /// Open, and within its opening times, now.
    pub accepting_contributions: bool,
    pub cofacilitators: Vec<Person>,
    /// The label of the current version.
    pub current_version: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A consultation with its current text and the comment count of each paragraph.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct ConsultationDetail {
    #[serde(flatten)]
    pub consultation: ConsultationView,
    pub version: Option<VersionView>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct VersionView {
    pub label: String,
    pub position: i32,
    /// `text`, `markdown` or `paragraphs` (drafted on the platform).
    pub source_format: String,
    pub created_at: Timestamp,
    pub footnotes: Vec<Footnote>,
    /// Keys of the previous version that this one no longer has.
    pub removed_keys: Vec<String>,
    pub paragraphs: Vec<ParagraphView>,
    /// Comments on no paragraph (with the counts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub general_comment_count: Option<i64>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct ParagraphView {
    /// Names this paragraph in this version (to follow it); `key` names it across versions.
    pub id: i64,
    pub key: String,
    /// As displayed: `12`, `12(a)`.
    pub number: String,
    pub parent_key: Option<String>,
    pub section: String,
    pub section_path: Vec<String>,
    pub text: String,
    pub footnote_refs: Vec<u32>,
    /// The inputs that informed this paragraph.
    pub informed_by: Vec<i64>,
    /// Visible comments on it (on the current version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment_count: Option<i64>,
}

/// A version in the list of versions.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct VersionSummary {
    pub label: String,
    pub position: i32,
    pub source_format: String,
    pub created_at: Timestamp,
    pub current: bool,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct DiffSummary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

#[derive(Serialize, JsonSchema)]
pub struct DiffView {
    pub from: String,
    pub to: String,
    pub summary: DiffSummary,
    pub paragraphs: Vec<ParagraphDiff>,
}

pub fn consultation(conn: &mut DbConn, row: &ConsultationRow) -> ApiResult<ConsultationView> {
    let cofacilitators = store::cofacilitators(conn, row.id)?
        .into_iter()
        .map(|p| Person {
            id: p.id,
            display_name: p.display_name,
        })
        .collect();
    let current_version = match row.current_version_id {
        Some(v) => Some(store::version_label(conn, v)?),
        None => None,
    };
    Ok(ConsultationView {
        id: row.id,
        slug: row.slug.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        language: row.language.clone(),
        status: row.status(),
        opens_at: row.opens_at.map(Timestamp),
        closes_at: row.closes_at.map(Timestamp),
        accepting_contributions: row.accepts_contributions(now()),
        cofacilitators,
        current_version,
        created_at: Timestamp(row.created_at),
        updated_at: Timestamp(row.updated_at),
    })
}

fn paragraph(p: &ParagraphRow, counts: Option<&HashMap<String, i64>>) -> ParagraphView {
    ParagraphView {
        id: p.id,
        key: p.key.clone(),
        number: p.number.clone(),
        parent_key: p.parent_key.clone(),
        section: p.section.clone(),
        section_path: serde_json::from_str(&p.section_path).unwrap_or_default(),
        text: p.text.clone(),
        footnote_refs: serde_json::from_str(&p.footnote_refs).unwrap_or_default(),
        informed_by: p.informed_by(),
        comment_count: counts.map(|c| c.get(&p.key).copied().unwrap_or(0)),
    }
}

/// A version with its paragraphs; with the comment counts of the current text.
pub fn version(
    conn: &mut DbConn,
    version: &VersionRow,
    with_counts: bool,
) -> ApiResult<VersionView> {
    let rows = store::version_paragraphs(conn, version.id)?;
    let counts = if with_counts {
        Some(store::comment_counts(conn, version.consultation_id)?)
    } else {
        None
    };
    Ok(VersionView {
        label: version.label.clone(),
        position: version.position,
        source_format: version.source_format.clone(),
        created_at: Timestamp(version.created_at),
        footnotes: serde_json::from_str(&version.footnotes).unwrap_or_default(),
        removed_keys: serde_json::from_str(&version.removed_keys).unwrap_or_default(),
        paragraphs: rows.iter().map(|p| paragraph(p, counts.as_ref())).collect(),
        general_comment_count: counts.map(|c| c.get("").copied().unwrap_or(0)),
    })
}

pub fn summary(v: &VersionRow, current: Option<i64>) -> VersionSummary {
    VersionSummary {
        label: v.label.clone(),
        position: v.position,
        source_format: v.source_format.clone(),
        created_at: Timestamp(v.created_at),
        current: Some(v.id) == current,
    }
}

pub fn diff(from: &str, to: &str, paragraphs: Vec<ParagraphDiff>) -> DiffView {
    let count = |s: DiffStatus| paragraphs.iter().filter(|p| p.status == s).count();
    DiffView {
        from: from.to_owned(),
        to: to.to_owned(),
        summary: DiffSummary {
            added: count(DiffStatus::Added),
            removed: count(DiffStatus::Removed),
            changed: count(DiffStatus::Changed),
            unchanged: count(DiffStatus::Unchanged),
        },
        paragraphs,
    }
}

impl ParagraphView {
    /// The number to show, if the paragraph has one.
    pub fn shown_number(&self) -> Option<&String> {
        (!self.number.is_empty()).then_some(&self.number)
    }
}
