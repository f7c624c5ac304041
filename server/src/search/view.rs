//! What the searches answer. A contribution is the same [`CommentView`] every surface
//! shows, rendered for the caller; the consultation's reviewers also get its `review`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::consultations::comments::CommentView;
use crate::events::view::ReportView;
use crate::review::view::ReviewView;

/// A page of results, with counts among all the matches.
#[derive(Serialize, JsonSchema, Debug)]
pub struct SearchResults<T> {
    pub items: Vec<T>,
    /// Every match (not just this page).
    pub total: usize,
    /// Facet → value → matches.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// Give it as `?cursor=` for the next page; null on the last.
    pub next_cursor: Option<String>,
    /// Found only by tolerating a typo (one letter off) in the words of the query.
    pub approximate: bool,
    pub took_ms: u64,
}

#[derive(Serialize, JsonSchema, Debug, Clone, Copy)]
pub enum CommentType {
    #[serde(rename = "comment")]
    Comment,
}

#[derive(Serialize, JsonSchema, Debug, Clone, Copy)]
pub enum ReportType {
    #[serde(rename = "session_report")]
    SessionReport,
}

/// A contribution found.
#[derive(Serialize, JsonSchema, Debug)]
pub struct CommentHit {
    #[serde(rename = "type")]
    pub kind: CommentType,
    pub comment: HitComment,
    /// HTML-escaped text with `<mark>` around the matches.
    pub highlight: String,
}

/// The contribution as the caller may see it, and its review for those who review it.
#[derive(Serialize, JsonSchema, Debug)]
pub struct HitComment {
    #[serde(flatten)]
    pub view: CommentView,
    /// Only for the consultation's co-facilitators and organisers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewView>,
}

/// A session report found (on `/search`).
#[derive(Serialize, JsonSchema, Debug)]
pub struct ReportHit {
    #[serde(rename = "type")]
    pub kind: ReportType,
    pub report: SearchedReport,
    /// HTML-escaped text with `<mark>` around the matches.
    pub highlight: String,
}

/// A report with the session and event it belongs to.
#[derive(Serialize, JsonSchema, Debug)]
pub struct SearchedReport {
    #[serde(flatten)]
    pub report: ReportView,
    pub title: String,
    pub subtheme: String,
    pub event_id: i64,
    pub event_slug: String,
}

/// A result of `/search`: a contribution or a session report.
#[derive(Serialize, JsonSchema, Debug)]
#[serde(untagged)]
pub enum PlatformHit {
    Comment(Box<CommentHit>),
    SessionReport(ReportHit),
}
