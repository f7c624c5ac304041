//! How consultations and their versions are shown. Nothing here differs by audience
//! (drafts are refused earlier, by the policy); contributions have their own views.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Serialize;

use super::importer::Footnote;
use super::keys::{DiffStatus, ParagraphDiff};
use super::phases::{self, Phase};
use super::store::{self, ConsultationRow, ParagraphRow, VersionRow};
use super::translation::{self, AlignmentReport};
use super::types::{Participation, Status};
use crate::db::{now, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode};

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
    /// IANA: the zone its dates are told in (a silence's deadline).
    pub timezone: String,
    pub status: Status,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    /// Open, within its opening times, and in a phase that takes inputs, now.
    pub accepting_contributions: bool,
    /// Its phase on the way to an adopted text (`null` until the co-facilitators set
    /// one), and since when.
    pub phase: Option<Phase>,
    pub phase_since: Option<Timestamp>,
    /// Who may post inputs and endorse them.
    pub participation: Participation,
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
    /// BCP 47: the language the paragraphs below are in.
    pub language: String,
    /// Every language this version can be read in, its original first.
    pub languages: Vec<String>,
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
    /// Its text in every language of the version, the original's included
    /// (`?languages=all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<BTreeMap<String, String>>,
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
    let phase = phases::current(conn, row.id)?;
    Ok(ConsultationView {
        id: row.id,
        slug: row.slug.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        language: row.language.clone(),
        timezone: row.tz().name().to_owned(),
        status: row.status(),
        opens_at: row.opens_at.map(Timestamp),
        closes_at: row.closes_at.map(Timestamp),
        accepting_contributions: row.accepts_contributions(now())
            && phase.is_none_or(|c| c.phase.takes_inputs()),
        phase: phase.map(|c| c.phase),
        phase_since: phase.map(|c| Timestamp(c.since)),
        participation: row.participation(),
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
        translations: None,
    }
}

/// Which language a version is read in.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    /// BCP 47; `None` for the original.
    pub language: Option<String>,
    /// Each paragraph with its text in every language.
    pub all_languages: bool,
}

/// A version with its paragraphs, in its original language; with the comment counts of
/// the current text.
pub fn version(
    conn: &mut DbConn,
    version: &VersionRow,
    with_counts: bool,
) -> ApiResult<VersionView> {
    version_in(conn, version, with_counts, &Reading::default())
}

/// A version in the language asked for (404 when it has no text in it).
pub fn version_in(
    conn: &mut DbConn,
    version: &VersionRow,
    with_counts: bool,
    reading: &Reading,
) -> ApiResult<VersionView> {
    let original = store::consultation_language(conn, version.consultation_id)?;
    let mut languages = vec![original.clone()];
    languages.extend(
        translation::languages(conn, version.id)?
            .into_iter()
            .filter(|l| *l != original),
    );
    let rows = store::version_paragraphs(conn, version.id)?;
    let counts = if with_counts {
        Some(store::comment_counts(conn, version.consultation_id)?)
    } else {
        None
    };
    let mut paragraphs: Vec<ParagraphView> =
        rows.iter().map(|p| paragraph(p, counts.as_ref())).collect();
    let mut footnotes: Vec<Footnote> = serde_json::from_str(&version.footnotes).unwrap_or_default();
    let asked = reading
        .language
        .as_deref()
        .filter(|l| !translation::same_language(l, &original));
    let language = match asked {
        Some(asked) => {
            let found = translation::matching(&languages[1..], asked);
            let Some(t) = found
                .as_deref()
                .map(|l| translation::find(conn, version.id, l))
                .transpose()?
                .flatten()
            else {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!(
                        "version {:?} has no text in {asked}: it has {}",
                        version.label,
                        languages.join(", ")
                    ),
                ));
            };
            let mut texts = translation::paragraphs(conn, version.id, &t.language)?;
            for p in &mut paragraphs {
                if let Some(t) = texts.remove(&p.key) {
                    p.section = t.section_path.last().cloned().unwrap_or_default();
                    p.section_path = t.section_path;
                    p.text = t.text;
                    p.footnote_refs = t.footnote_refs;
                }
            }
            footnotes = serde_json::from_str(&t.footnotes).unwrap_or_default();
            t.language
        }
        None => original.clone(),
    };
    if reading.all_languages {
        let mut all = translation::all_texts(conn, version.id)?;
        for (p, row) in paragraphs.iter_mut().zip(&rows) {
            let mut texts = all.remove(&p.key).unwrap_or_default();
            texts.insert(original.clone(), row.text.clone());
            p.translations = Some(texts);
        }
    }
    Ok(VersionView {
        label: version.label.clone(),
        position: version.position,
        language,
        languages,
        source_format: version.source_format.clone(),
        created_at: Timestamp(version.created_at),
        footnotes,
        removed_keys: serde_json::from_str(&version.removed_keys).unwrap_or_default(),
        paragraphs,
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

/// What becomes of a paragraph's key in a new version.
#[derive(Serialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum KeyFate {
    /// It continues the current version's paragraph of the same number: comments stay.
    Kept,
    /// It continues a paragraph that had another number: comments follow it.
    Moved,
    /// A new paragraph, with a fresh key.
    New,
}

/// A version as it would be stored, shown before it is: what the importer read and which
/// paragraphs carry over (`?preview=true`; nothing is saved).
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct VersionPreview {
    pub label: String,
    /// BCP 47: the language of the text previewed.
    pub language: String,
    /// For a translation: how it lines up with the original, paragraph by paragraph
    /// number; it can be published only when nothing is missing or extra.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: Option<AlignmentReport>,
    /// `text`, `markdown` or `paragraphs`.
    pub source_format: String,
    /// The headings read, in order, by depth (1 = chapter): lines taken as headings and
    /// not as paragraphs, such as a sub-heading that restarts its numbering at "1.".
    pub headings: Vec<PreviewHeading>,
    pub paragraphs: Vec<PreviewParagraph>,
    pub footnotes: Vec<Footnote>,
    /// Paragraphs of the current version that this one does not continue.
    pub removed: Vec<RemovedParagraph>,
    pub counts: PreviewCounts,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct PreviewHeading {
    pub level: usize,
    pub text: String,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct PreviewParagraph {
    pub number: String,
    /// The number of the paragraph a lettered item belongs to.
    pub parent_number: Option<String>,
    pub section: String,
    pub text: String,
    pub footnote_refs: Vec<u32>,
    pub key: String,
    pub fate: KeyFate,
    /// Its number in the current version, when it was `moved`.
    pub previous_number: Option<String>,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct RemovedParagraph {
    pub key: String,
    pub number: String,
    pub text: String,
}

#[derive(Serialize, JsonSchema, Clone, Copy, Debug, Default)]
pub struct PreviewCounts {
    pub paragraphs: usize,
    pub kept: usize,
    pub moved: usize,
    pub new: usize,
    pub removed: usize,
    pub footnotes: usize,
}

/// The preview of a planned version against the text it continues.
pub fn preview(
    plan: &store::VersionPlan,
    base: &store::VersionBase,
    language: &str,
) -> VersionPreview {
    let before: HashMap<&str, &ParagraphRow> = base
        .paragraphs
        .iter()
        .map(|p| (p.key.as_str(), p))
        .collect();
    let headings = headings_of(plan.keyed().map(|(p, _, _)| p.section_path.as_slice()));
    let mut counts = PreviewCounts::default();
    let mut paragraphs = Vec::new();
    for (p, key, fresh) in plan.keyed() {
        let previous = before.get(key).map(|r| r.number.clone());
        let fate = match (&previous, fresh) {
            (_, true) | (None, _) => KeyFate::New,
            (Some(n), false) if *n == p.number => KeyFate::Kept,
            (Some(_), false) => KeyFate::Moved,
        };
        match fate {
            KeyFate::Kept => counts.kept += 1,
            KeyFate::Moved => counts.moved += 1,
            KeyFate::New => counts.new += 1,
        }
        paragraphs.push(PreviewParagraph {
            number: p.number.clone(),
            parent_number: p.parent_number.clone(),
            section: p.section_path.last().cloned().unwrap_or_default(),
            text: p.text.clone(),
            footnote_refs: p.footnote_refs.clone(),
            key: key.to_owned(),
            fate,
            previous_number: previous.filter(|_| fate == KeyFate::Moved),
        });
    }
    let removed: Vec<RemovedParagraph> = plan
        .removed()
        .iter()
        .filter_map(|k| before.get(k.as_str()))
        .map(|r| RemovedParagraph {
            key: r.key.clone(),
            number: r.number.clone(),
            text: r.text.clone(),
        })
        .collect();
    counts.paragraphs = paragraphs.len();
    counts.removed = removed.len();
    counts.footnotes = plan.footnotes().len();
    VersionPreview {
        label: plan.label().to_owned(),
        language: language.to_owned(),
        alignment: None,
        source_format: plan.format().to_owned(),
        headings,
        paragraphs,
        footnotes: plan.footnotes().to_vec(),
        removed,
        counts,
    }
}

/// The headings of a text, in order, from its paragraphs' section paths: a heading is
/// listed where the path first differs from the previous paragraph's.
fn headings_of<'a>(paths: impl Iterator<Item = &'a [String]>) -> Vec<PreviewHeading> {
    let mut headings = Vec::new();
    let mut path: &[String] = &[];
    for next in paths {
        let same = path.iter().zip(next).take_while(|(a, b)| a == b).count();
        for (depth, text) in next.iter().enumerate().skip(same) {
            headings.push(PreviewHeading {
                level: depth + 1,
                text: text.clone(),
            });
        }
        path = next;
    }
    headings
}

/// The preview of a translation: its paragraphs under the keys of the original's, and
/// the report of those that do not align.
pub fn translation_preview(
    label: &str,
    source_format: &str,
    language: &str,
    alignment: &translation::Alignment,
    footnotes: &[Footnote],
) -> VersionPreview {
    let headings = headings_of(
        alignment
            .paragraphs
            .iter()
            .map(|p| p.section_path.as_slice()),
    );
    let paragraphs: Vec<PreviewParagraph> = alignment
        .paragraphs
        .iter()
        .map(|p| PreviewParagraph {
            number: p.number.clone(),
            parent_number: p.parent_number.clone(),
            section: p.section_path.last().cloned().unwrap_or_default(),
            text: p.text.clone(),
            footnote_refs: p.footnote_refs.clone(),
            key: p.key.clone(),
            fate: KeyFate::Kept,
            previous_number: None,
        })
        .collect();
    VersionPreview {
        label: label.to_owned(),
        language: language.to_owned(),
        alignment: Some(alignment.report.clone()),
        source_format: source_format.to_owned(),
        headings,
        counts: PreviewCounts {
            paragraphs: paragraphs.len(),
            kept: paragraphs.len(),
            footnotes: footnotes.len(),
            ..PreviewCounts::default()
        },
        paragraphs,
        footnotes: footnotes.to_vec(),
        removed: vec![],
    }
}
