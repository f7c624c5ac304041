//! One draft in up to six languages. A version's text in another language than the
//! consultation's own is imported like any draft (pasted or from a file), then aligned to
//! the original by paragraph numbers: each translated paragraph takes the key of the
//! original paragraph of the same number, so comments attach to the paragraph, never to a
//! language copy of it. A translation that does not align is refused with the paragraphs
//! that do not, and the preview names them before anything is saved.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use super::importer::Footnote;
use super::store::{DraftParagraph, ParagraphRow};
use crate::db::schema::{paragraph_translations, version_translations};
use crate::db::{now, DbConn, Tx};
use crate::error::{ApiError, ApiResult};

/// A version is readable in at most this many languages, its own included.
pub const MAX_LANGUAGES: usize = 6;

/// How the refusals of a translation begin (the pages say them in the reader's language).
pub const MISALIGNED: &str = "does not align with the original by paragraph numbers";
pub const NO_VERSION: &str = "there is no version ";
pub const TOO_MANY_LANGUAGES: &str = "a text is read in at most ";

/// A paragraph of the original text that the translation has no paragraph for, or a
/// paragraph of the translation that has none in the original.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
pub struct Unaligned {
    /// Its number; empty for an unnumbered paragraph.
    pub number: String,
    /// Its first words, to find it.
    pub text: String,
}

/// How a translation lines up with the original.
#[derive(Serialize, JsonSchema, Clone, Debug, Default)]
pub struct AlignmentReport {
    /// The language of the original text.
    pub original_language: String,
    /// Paragraphs of the translation with a paragraph of the same number in the original.
    pub aligned: usize,
    /// Paragraphs of the original with none in the translation.
    pub missing: Vec<Unaligned>,
    /// Paragraphs of the translation with none in the original.
    pub extra: Vec<Unaligned>,
}

impl AlignmentReport {
    pub fn is_whole(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty()
    }

    /// The refusal of a translation that does not align, in words.
    pub fn problem(&self) -> String {
        let list = |xs: &[Unaligned]| {
            let mut shown: Vec<String> = xs
                .iter()
                .take(10)
                .map(|u| {
                    if u.number.is_empty() {
                        format!("the unnumbered paragraph \u{201c}{}\u{201d}", u.text)
                    } else {
                        u.number.clone()
                    }
                })
                .collect();
            if xs.len() > 10 {
                shown.push(format!("and {} more", xs.len() - 10));
            }
            shown.join(", ")
        };
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!(
                "paragraphs of the original missing from the translation: {}",
                list(&self.missing)
            ));
        }
        if !self.extra.is_empty() {
            parts.push(format!(
                "paragraphs of the translation that the original does not have: {}",
                list(&self.extra)
            ));
        }
        format!(
            "{MISALIGNED} ({}); preview it to see each one",
            parts.join("; ")
        )
    }
}

/// A translated paragraph under the key of the original one.
pub struct AlignedParagraph {
    pub key: String,
    pub number: String,
    pub parent_number: Option<String>,
    pub section_path: Vec<String>,
    pub text: String,
    pub footnote_refs: Vec<u32>,
}

pub struct Alignment {
    /// In the order of the original.
    pub paragraphs: Vec<AlignedParagraph>,
    pub report: AlignmentReport,
}

/// Where a paragraph sits for alignment: numbered ones by their number, unnumbered ones
/// by the numbered paragraph before them and their place after it (an introduction's
/// first, second… paragraph; the closing lines after paragraph 30), so that a split
/// paragraph at the start cannot shift one at the end.
fn slots<'a>(numbers: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut after = "";
    let mut unnumbered = 0;
    numbers
        .map(|n| {
            if n.is_empty() {
                unnumbered += 1;
                format!("\u{b6}{after}:{unnumbered}")
            } else {
                after = n;
                unnumbered = 0;
                n.to_owned()
            }
        })
        .collect()
}

fn first_words(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('\u{2026}');
    }
    out
}

/// Lines the translated paragraphs up with the original's by number.
pub fn align(original: &[ParagraphRow], draft: Vec<DraftParagraph>, language: &str) -> Alignment {
    let original_slots = slots(original.iter().map(|p| p.number.as_str()));
    let draft_slots = slots(draft.iter().map(|p| p.number.as_str()));
    let mut given: HashMap<String, DraftParagraph> = HashMap::with_capacity(draft.len());
    let mut extra = Vec::new();
    let known: std::collections::HashSet<&str> =
        original_slots.iter().map(String::as_str).collect();
    for (slot, p) in draft_slots.into_iter().zip(draft) {
        // A number given twice (an annex numbered from 1 again) aligns once: the second
        // is extra, never a silent replacement of the first.
        if known.contains(slot.as_str()) && !given.contains_key(&slot) {
            given.insert(slot, p);
        } else {
            extra.push(Unaligned {
                number: p.number.clone(),
                text: first_words(&p.text),
            });
        }
    }
    let mut paragraphs = Vec::with_capacity(original.len());
    let mut missing = Vec::new();
    for (slot, o) in original_slots.iter().zip(original) {
        match given.remove(slot) {
            Some(p) => paragraphs.push(AlignedParagraph {
                key: o.key.clone(),
                number: o.number.clone(),
                parent_number: p.parent_number,
                section_path: p.section_path,
                text: p.text,
                footnote_refs: p.footnote_refs,
            }),
            None => missing.push(Unaligned {
                number: o.number.clone(),
                text: first_words(&o.text),
            }),
        }
    }
    let report = AlignmentReport {
        original_language: language.to_owned(),
        aligned: paragraphs.len(),
        missing,
        extra,
    };
    Alignment { paragraphs, report }
}

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = version_translations)]
pub struct TranslationRow {
    pub version_id: i64,
    pub language: String,
    pub source_format: String,
    pub footnotes: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// The languages a version has been translated into, in alphabetical order.
pub fn languages(conn: &mut DbConn, version_id: i64) -> ApiResult<Vec<String>> {
    Ok(version_translations::table
        .filter(version_translations::version_id.eq(version_id))
        .select(version_translations::language)
        .order(version_translations::language)
        .load(conn)?)
}

pub fn find(
    conn: &mut DbConn,
    version_id: i64,
    language: &str,
) -> ApiResult<Option<TranslationRow>> {
    Ok(version_translations::table
        .filter(version_translations::version_id.eq(version_id))
        .filter(version_translations::language.eq(language))
        .select(TranslationRow::as_select())
        .first(conn)
        .optional()?)
}

/// The first of `wanted` that the version can be read in (`None`: its original).
pub fn first_available(
    conn: &mut DbConn,
    version: &super::store::VersionRow,
    original: &str,
    wanted: &[String],
) -> ApiResult<Option<String>> {
    let have = languages(conn, version.id)?;
    for w in wanted {
        if same_language(w, original) {
            return Ok(None);
        }
        if let Some(found) = matching(&have, w) {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// A language tag's primary subtag: `fr-CA` is French, `zh-Hans` Chinese.
pub fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// Whether two tags name the same language (their primary subtags agree).
pub fn same_language(a: &str, b: &str) -> bool {
    primary(a).eq_ignore_ascii_case(primary(b))
}

/// The tag among `have` for `wanted`: the same tag, else one of the same language.
pub fn matching(have: &[String], wanted: &str) -> Option<String> {
    have.iter()
        .find(|h| *h == wanted)
        .or_else(|| have.iter().find(|h| same_language(h, wanted)))
        .cloned()
}

/// The tag a translation into `language` is stored under: an earlier text of the same
/// language keeps its tag (and is replaced), else `language`, if the version has room
/// for one more (422 naming the languages it has).
pub fn slot_for(have: &[String], original: &str, language: &str) -> ApiResult<String> {
    if let Some(existing) = matching(have, language) {
        return Ok(existing);
    }
    let others = have.iter().filter(|l| !same_language(l, original)).count();
    if others + 2 > MAX_LANGUAGES {
        return Err(ApiError::field(
            "language",
            format!(
                "{TOO_MANY_LANGUAGES}{MAX_LANGUAGES} languages: this version has {original} and {}",
                have.join(", ")
            ),
        ));
    }
    Ok(language.to_owned())
}

/// A translated paragraph as stored: its section path, text and note markers, by the
/// original's key.
pub struct TranslatedParagraph {
    pub section_path: Vec<String>,
    pub text: String,
    pub footnote_refs: Vec<u32>,
}

/// One language's paragraphs of a version, by key.
pub fn paragraphs(
    conn: &mut DbConn,
    version_id: i64,
    language: &str,
) -> ApiResult<HashMap<String, TranslatedParagraph>> {
    let rows: Vec<(String, String, String, String)> = paragraph_translations::table
        .filter(paragraph_translations::version_id.eq(version_id))
        .filter(paragraph_translations::language.eq(language))
        .select((
            paragraph_translations::paragraph_key,
            paragraph_translations::section_path,
            paragraph_translations::text,
            paragraph_translations::footnote_refs,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(key, path, text, refs)| {
            let paragraph = TranslatedParagraph {
                section_path: serde_json::from_str(&path).unwrap_or_default(),
                text,
                footnote_refs: serde_json::from_str(&refs).unwrap_or_default(),
            };
            (key, paragraph)
        })
        .collect())
}

/// Every translated text of a version: key → language → text.
pub fn all_texts(
    conn: &mut DbConn,
    version_id: i64,
) -> ApiResult<HashMap<String, BTreeMap<String, String>>> {
    let rows: Vec<(String, String, String)> = paragraph_translations::table
        .filter(paragraph_translations::version_id.eq(version_id))
        .select((
            paragraph_translations::paragraph_key,
            paragraph_translations::language,
            paragraph_translations::text,
        ))
        .load(conn)?;
    let mut out: HashMap<String, BTreeMap<String, String>> = HashMap::new();
    for (key, language, text) in rows {
        out.entry(key).or_default().insert(language, text);
    }
    Ok(out)
}

/// A translation ready to be written.
pub struct NewTranslation {
    pub version_id: i64,
    /// The consultation's own language (the original's).
    pub original: String,
    pub language: String,
    pub source_format: String,
    pub footnotes: Vec<Footnote>,
    pub created_by: Option<i64>,
    pub paragraphs: Vec<AlignedParagraph>,
}

/// Writes a version's text in one language, replacing an earlier import of it (a
/// corrected translation), in one transaction that only writes.
pub fn replace(tx: &mut Tx, new: &NewTranslation) -> ApiResult<()> {
    // Counted again here: two imports of new languages at once cannot make a seventh.
    let have = languages(tx, new.version_id)?;
    let tag = slot_for(&have, &new.original, &new.language)?;
    let (v, lang) = (new.version_id, tag.as_str());
    diesel::delete(
        paragraph_translations::table
            .filter(paragraph_translations::version_id.eq(v))
            .filter(paragraph_translations::language.eq(lang)),
    )
    .execute(tx.conn())?;
    diesel::delete(
        version_translations::table
            .filter(version_translations::version_id.eq(v))
            .filter(version_translations::language.eq(lang)),
    )
    .execute(tx.conn())?;
    let footnotes = serde_json::to_string(&new.footnotes)
        .map_err(|e| ApiError::internal(format!("footnotes: {e}")))?;
    diesel::insert_into(version_translations::table)
        .values((
            version_translations::version_id.eq(v),
            version_translations::language.eq(lang),
            version_translations::source_format.eq(&new.source_format),
            version_translations::footnotes.eq(footnotes),
            version_translations::created_by.eq(new.created_by),
            version_translations::created_at.eq(now()),
        ))
        .execute(tx.conn())?;
    // Six values a row, 500 rows a statement: well under SQLite's limit of bound
    // parameters. The two-backend connection has no multi-row INSERT; each backend's has.
    for chunk in new.paragraphs.chunks(500) {
        let values = || -> Vec<_> {
            chunk
                .iter()
                .map(|p| {
                    (
                        paragraph_translations::version_id.eq(v),
                        paragraph_translations::language.eq(lang),
                        paragraph_translations::paragraph_key.eq(&p.key),
                        paragraph_translations::section_path
                            .eq(serde_json::to_string(&p.section_path)
                                .unwrap_or_else(|_| "[]".into())),
                        paragraph_translations::text.eq(&p.text),
                        paragraph_translations::footnote_refs
                            .eq(serde_json::to_string(&p.footnote_refs)
                                .unwrap_or_else(|_| "[]".into())),
                    )
                })
                .collect()
        };
        match tx.conn() {
            DbConn::Sqlite(c) => diesel::insert_into(paragraph_translations::table)
                .values(values())
                .execute(c)?,
            DbConn::Postgres(c) => diesel::insert_into(paragraph_translations::table)
                .values(values())
                .execute(c)?,
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original(numbers: &[&str]) -> Vec<ParagraphRow> {
        numbers
            .iter()
            .enumerate()
            .map(|(i, n)| ParagraphRow {
                id: i as i64,
                version_id: 1,
                key: format!("k{i}"),
                number: (*n).to_owned(),
                parent_key: None,
                section: String::new(),
                section_path: "[]".into(),
                position: i as i32,
                text: format!("original {i}"),
                footnote_refs: "[]".into(),
                informed_by: "[]".into(),
            })
            .collect()
    }

    fn draft(numbers: &[&str]) -> Vec<DraftParagraph> {
        numbers
            .iter()
            .map(|n| DraftParagraph {
                key: None,
                number: (*n).to_owned(),
                parent_number: None,
                section_path: vec!["Préambule".into()],
                text: format!("traduction {n}"),
                footnote_refs: vec![],
                informed_by: vec![],
            })
            .collect()
    }

    #[test]
    fn a_whole_translation_takes_the_original_keys() {
        let a = align(
            &original(&["", "1", "2", "2(a)"]),
            draft(&["", "1", "2", "2(a)"]),
            "en",
        );
        assert!(a.report.is_whole());
        let keys: Vec<&str> = a.paragraphs.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["k0", "k1", "k2", "k3"]);
        assert_eq!(a.paragraphs[3].text, "traduction 2(a)");
        assert_eq!(a.report.aligned, 4);
    }

    #[test]
    fn missing_and_extra_paragraphs_are_named() {
        let a = align(&original(&["1", "2", "3"]), draft(&["1", "3", "4"]), "en");
        assert!(!a.report.is_whole());
        assert_eq!(a.report.missing.len(), 1);
        assert_eq!(a.report.missing[0].number, "2");
        assert_eq!(a.report.extra[0].number, "4");
        let problem = a.report.problem();
        assert!(
            problem.contains("missing from the translation: 2"),
            "{problem}"
        );
        assert!(problem.contains("does not have: 4"), "{problem}");
    }

    #[test]
    fn unnumbered_paragraphs_align_by_their_place() {
        let a = align(&original(&["", "", "1"]), draft(&["", "1"]), "en");
        assert_eq!(a.report.missing.len(), 1);
        assert_eq!(a.report.missing[0].number, "");
        assert!(a.report.problem().contains("unnumbered paragraph"));
        // An introduction split in two and closing lines merged into one: the counts
        // match, the places do not.
        let a = align(
            &original(&["", "1", "", ""]),
            draft(&["", "", "1", ""]),
            "en",
        );
        assert!(!a.report.is_whole());
        assert_eq!(a.report.missing.len(), 1);
        assert_eq!(a.report.extra.len(), 1);
    }

    #[test]
    fn a_number_given_twice_is_extra_not_a_replacement() {
        let a = align(&original(&["1", "2"]), draft(&["1", "2", "1"]), "en");
        assert_eq!(a.report.extra.len(), 1);
        assert_eq!(a.report.extra[0].number, "1");
        assert_eq!(a.paragraphs[0].text, "traduction 1");
        assert!(!a.report.is_whole());
    }
}
