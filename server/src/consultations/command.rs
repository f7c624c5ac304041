//! What clients send about consultations and versions, parsed once into commands.

use schemars::JsonSchema;
use serde::Deserialize;

use super::importer::{self, Footnote, Format};
use super::store::{Changes, DraftParagraph, NewConsultation, DEFAULT_TIMEZONE};
use super::types::{
    parse_label, parse_slug, parse_time, Participation, ParticipationInput, Status,
};
use crate::accounts::types::LanguageTag;
use crate::error::{ApiError, FieldErrors};
use crate::events::types::parse_timezone;
use crate::http::input::{double_option, nullable_time, text};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInput {
    /// 3 to 80 lower-case letters, digits and hyphens.
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// BCP 47: the language of the draft.
    pub language: String,
    /// RFC 3339.
    pub opens_at: Option<String>,
    /// RFC 3339, after `opens_at`.
    pub closes_at: Option<String>,
    /// Who may post inputs and endorse them; anyone with a verified account when absent.
    pub participation: Option<ParticipationInput>,
    /// IANA (`Europe/Geneva`): the zone its dates are told in, a silence's deadline
    /// first of all; `America/New_York` (UN Headquarters) when absent.
    pub timezone: Option<String>,
}

/// A zone as given, naming the field when it is none.
fn zone(errors: &mut FieldErrors, raw: Option<&str>) -> Option<chrono_tz::Tz> {
    raw.and_then(|z| {
        parse_timezone(z)
            .map_err(|e| errors.insert("timezone".into(), e))
            .ok()
    })
}

impl CreateInput {
    /// The consultation to create, by `created_by`; every field problem in one 422.
    pub fn parse(self, created_by: i64) -> Result<NewConsultation, ApiError> {
        let mut errors = FieldErrors::new();
        let slug = parse_slug(&self.slug)
            .map_err(|e| errors.insert("slug".into(), e.into()))
            .ok();
        let title = text(&mut errors, "title", &self.title, 1, 300);
        let description = text(&mut errors, "description", &self.description, 0, 20_000);
        let language = LanguageTag::parse(&self.language)
            .map_err(|e| errors.insert("language".into(), e.into()))
            .ok();
        let mut time = |field: &str, raw: &Option<String>| match raw.as_deref() {
            Some(t) => match parse_time(field, t) {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.extend(e.fields.unwrap_or_default());
                    None
                }
            },
            None => None,
        };
        let opens_at = time("opens_at", &self.opens_at);
        let closes_at = time("closes_at", &self.closes_at);
        if let (Some(o), Some(c)) = (opens_at, closes_at) {
            if o >= c {
                errors.insert("closes_at".into(), "must be after opens_at".into());
            }
        }
        let participation = match self.participation.map(Participation::try_from) {
            None => Participation::Anyone,
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                errors.insert("participation".into(), e.into());
                Participation::Anyone
            }
        };
        let timezone = zone(&mut errors, self.timezone.as_deref()).unwrap_or(DEFAULT_TIMEZONE);
        match (slug, title, description, language) {
            (Some(slug), Some(title), Some(description), Some(language)) if errors.is_empty() => {
                Ok(NewConsultation {
                    slug,
                    title,
                    description,
                    language: language.as_str().to_owned(),
                    opens_at,
                    closes_at,
                    created_by: Some(created_by),
                    participation,
                    timezone,
                })
            }
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// Edit, open, close or move the status; `null` clears a time.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PatchInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub opens_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub closes_at: Option<Option<String>>,
    #[schemars(with = "Option<Status>")]
    pub status: Option<String>,
    /// Who may post inputs and endorse them.
    pub participation: Option<ParticipationInput>,
    /// IANA: the zone its dates are told in.
    pub timezone: Option<String>,
}

impl TryFrom<PatchInput> for Changes {
    type Error = ApiError;

    fn try_from(i: PatchInput) -> Result<Changes, ApiError> {
        let mut errors = FieldErrors::new();
        let mut changes = Changes {
            title: i
                .title
                .as_deref()
                .and_then(|t| text(&mut errors, "title", t, 1, 300)),
            description: i
                .description
                .as_deref()
                .and_then(|t| text(&mut errors, "description", t, 0, 20_000)),
            language: i.language.as_deref().and_then(|l| {
                LanguageTag::parse(l)
                    .map(|l| l.as_str().to_owned())
                    .map_err(|e| errors.insert("language".into(), e.into()))
                    .ok()
            }),
            ..Changes::default()
        };
        if let Some(p) = i.participation {
            match Participation::try_from(p) {
                Ok(p) => changes.participation = Some(p),
                Err(e) => {
                    errors.insert("participation".into(), e.into());
                }
            }
        }
        changes.timezone = zone(&mut errors, i.timezone.as_deref());
        changes.opens_at = nullable_time(&mut errors, "opens_at", &i.opens_at);
        changes.closes_at = nullable_time(&mut errors, "closes_at", &i.closes_at);
        if let Some(s) = &i.status {
            match Status::parse(s) {
                Some(s) => changes.status = Some(s),
                None => {
                    errors.insert(
                        "status".into(),
                        format!("must be one of {}", Status::expected()),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CofacilitatorsInput {
    pub user_ids: Vec<i64>,
}

/// At most this many co-facilitators.
pub const MAX_COFACILITATORS: usize = 100;

/// A paragraph drafted on the platform.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParagraphInput {
    /// The key of the paragraph it continues; absent for a new one (or to let the
    /// server match it by number and text).
    pub key: Option<String>,
    pub number: String,
    pub section: Option<String>,
    pub text: String,
    /// The inputs (comment ids of this consultation) that informed it.
    #[serde(default)]
    pub informed_by: Vec<i64>,
}

/// A new version: an imported text (`source` with `format`), or paragraphs drafted on
/// the platform.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// `zero-draft`, `rev1`…
    pub label: String,
    /// `text` (the default) or `markdown`, with `source`.
    pub format: Option<String>,
    pub source: Option<String>,
    pub paragraphs: Option<Vec<ParagraphInput>>,
    /// BCP 47; absent for the consultation's own language. Another language with the
    /// label of an existing version imports that version's text in this language,
    /// aligned to the original by paragraph numbers.
    pub language: Option<String>,
}

/// `POST /consultations/{id}/versions`: the query.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// Answer the parsed structure and which paragraphs carry over, and save nothing.
    #[serde(default)]
    pub preview: bool,
}

/// `?language=&languages=all`: which language a version is read in.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReadQuery {
    /// BCP 47: the text in this language (404 when the version has none); the original
    /// when absent.
    pub language: Option<String>,
    /// `all`: each paragraph with `translations`, its text in every language.
    pub languages: Option<AllLanguages>,
}

#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum AllLanguages {
    All,
}

impl TryFrom<&ReadQuery> for super::view::Reading {
    type Error = ApiError;

    fn try_from(q: &ReadQuery) -> Result<Self, ApiError> {
        let language = LanguageTag::parse_optional(q.language.as_deref())
            .map_err(|e| ApiError::query("language", e))?;
        Ok(Self {
            language,
            all_languages: q.languages.is_some(),
        })
    }
}

pub struct VersionCommand {
    pub label: String,
    pub draft: Vec<DraftParagraph>,
    pub footnotes: Vec<Footnote>,
    /// As stored: `text`, `markdown` or `paragraphs`.
    pub source_format: &'static str,
    /// The language it is written in, when one was named (BCP 47, normalised).
    pub language: Option<String>,
}

/// The language a version is said to be in: absent or blank for the consultation's own.
pub fn parse_language(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    LanguageTag::parse_optional(raw).map_err(|e| ApiError::field("language", e))
}

impl VersionCommand {
    /// The comments the paragraphs say informed them, each once.
    pub fn informed(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .draft
            .iter()
            .flat_map(|p| p.informed_by.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// A version from an imported text; problems of the text are told against `field`.
fn imported(
    label: String,
    source: &str,
    format: Format,
    field: &str,
) -> Result<VersionCommand, ApiError> {
    let doc = importer::parse(source, format).map_err(|e| ApiError::field(field, e.to_string()))?;
    let (draft, footnotes): (Vec<DraftParagraph>, _) = doc.into();
    Ok(VersionCommand {
        label,
        draft,
        footnotes,
        source_format: if format == Format::Text {
            "text"
        } else {
            "markdown"
        },
        language: None,
    })
}

impl crate::http::extract::FormSchema for VersionInput {
    fn form_schema() -> serde_json::Value {
        serde_json::json!({
            "type": "object",
            "required": ["label", "file"],
            "properties": {
                "label": {"type": "string", "description": "`zero-draft`, `rev1`…"},
                "language": {
                    "type": "string",
                    "description": "BCP 47; another language than the consultation's, with the label of an existing version, imports that version's translation"
                },
                "format": {
                    "type": "string",
                    "enum": ["text", "markdown", "docx", "pdf"],
                    "description": "guessed from the file's name (.docx, .pdf, .md, .txt) when absent"
                },
                "file": {"type": "string", "format": "binary"}
            }
        })
    }
}

/// The format a file's name (or, failing that, its first bytes) says it is in.
fn format_of(filename: &str, data: &[u8]) -> &'static str {
    let lower = filename.to_ascii_lowercase();
    match lower.rsplit_once('.').map(|(_, ext)| ext) {
        Some("docx") => "docx",
        Some("md" | "markdown") => "markdown",
        Some("pdf") => "pdf",
        Some("txt") => "text",
        _ if data.starts_with(b"PK\x03\x04") => "docx",
        _ if data.starts_with(b"%PDF") => "pdf",
        _ => "text",
    }
}

/// A text file that is not UTF-8 (the pages say it in the reader's language).
pub const NOT_UTF8: &str = "is not UTF-8 text: save it as .docx, or as text in UTF-8";

/// A draft read from a file: the version, and the text it was read from with its format
/// (for a form that shows the text before it is published).
pub struct FromFile {
    pub command: VersionCommand,
    pub source: String,
    pub format: Format,
}

impl VersionCommand {
    /// A draft from a file named `filename`, in `format` (guessed when absent).
    pub fn from_file(
        label: &str,
        filename: &str,
        format: Option<&str>,
        data: &[u8],
    ) -> Result<FromFile, ApiError> {
        let label = parse_label(label.trim()).map_err(|e| ApiError::field("label", e))?;
        let format = match format.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => f,
            None => format_of(filename, data),
        };
        let text = |data: &[u8]| {
            String::from_utf8(data.to_vec()).map_err(|_| ApiError::field("file", NOT_UTF8))
        };
        let (source, parsed_as, stored) = match format {
            "docx" => (
                super::word::read::to_text(data)
                    .map_err(|e| ApiError::field("file", e.to_string()))?,
                Format::Text,
                "docx",
            ),
            "text" => (text(data)?, Format::Text, "text"),
            "markdown" => (text(data)?, Format::Markdown, "markdown"),
            "pdf" => (
                super::pdf::to_text(data).map_err(|e| ApiError::field("file", e.to_string()))?,
                Format::Text,
                "pdf",
            ),
            _ => {
                return Err(ApiError::field(
                    "format",
                    "must be text, markdown, docx or pdf",
                ))
            }
        };
        let mut command = imported(label, &source, parsed_as, "file")?;
        command.source_format = stored;
        Ok(FromFile {
            command,
            source,
            format: parsed_as,
        })
    }
}

impl TryFrom<&crate::http::multipart::Multipart> for VersionCommand {
    type Error = ApiError;

    /// An uploaded draft: `label`, `format` (or guessed) and `file`.
    fn try_from(form: &crate::http::multipart::Multipart) -> Result<VersionCommand, ApiError> {
        let label = form.text("label").unwrap_or_default();
        parse_label(label.trim()).map_err(|e| ApiError::field("label", e))?;
        let file = form
            .file("file")
            .ok_or_else(|| ApiError::field("file", "choose the draft's file"))?;
        let format = form.text("format");
        let language = parse_language(form.text("language").as_deref())?;
        let name = file.filename.as_deref().unwrap_or_default();
        let mut command =
            VersionCommand::from_file(&label, name, format.as_deref(), &file.data)?.command;
        command.language = language;
        Ok(command)
    }
}

/// The number of the paragraph an item belongs to: `12(a)` → `12`, `12(a)(i)` → `12(a)`.
fn parent_number(number: &str) -> Option<String> {
    number
        .ends_with(')')
        .then(|| number.rfind('(').map(|i| number[..i].to_owned()))
        .flatten()
        .filter(|p| !p.is_empty())
}

impl TryFrom<VersionInput> for VersionCommand {
    type Error = ApiError;

    fn try_from(i: VersionInput) -> Result<VersionCommand, ApiError> {
        let label = parse_label(&i.label).map_err(|e| ApiError::field("label", e))?;
        let language = parse_language(i.language.as_deref())?;
        let mut command = match (i.source, i.paragraphs) {
            (Some(source), None) => {
                let format = match i.format.as_deref().unwrap_or("text") {
                    "text" => Format::Text,
                    "markdown" => Format::Markdown,
                    _ => return Err(ApiError::field(
                        "format",
                        "must be text or markdown (send a Word or PDF file as multipart/form-data)",
                    )),
                };
                imported(label, &source, format, "source")?
            }
            (None, Some(paragraphs)) => {
                if paragraphs.is_empty() || paragraphs.len() > 5000 {
                    return Err(ApiError::field(
                        "paragraphs",
                        "give from 1 to 5000 paragraphs",
                    ));
                }
                let mut errors = FieldErrors::new();
                let mut draft = Vec::new();
                for (n, p) in paragraphs.into_iter().enumerate() {
                    let number = text(
                        &mut errors,
                        &format!("paragraphs[{n}].number"),
                        &p.number,
                        1,
                        20,
                    );
                    let body = text(
                        &mut errors,
                        &format!("paragraphs[{n}].text"),
                        &p.text,
                        1,
                        20_000,
                    );
                    let section = text(
                        &mut errors,
                        &format!("paragraphs[{n}].section"),
                        p.section.as_deref().unwrap_or(""),
                        0,
                        300,
                    );
                    if let (Some(number), Some(body), Some(section)) = (number, body, section) {
                        draft.push(DraftParagraph {
                            key: p.key,
                            parent_number: parent_number(&number),
                            number,
                            section_path: if section.is_empty() {
                                vec![]
                            } else {
                                vec![section]
                            },
                            text: body,
                            footnote_refs: vec![],
                            informed_by: p.informed_by,
                        });
                    }
                }
                if !errors.is_empty() {
                    return Err(ApiError::validation(errors));
                }
                VersionCommand {
                    label,
                    draft,
                    footnotes: vec![],
                    source_format: "paragraphs",
                    language: None,
                }
            }
            _ => {
                return Err(ApiError::field(
                    "source",
                    "give either source (with format) or paragraphs, not both",
                ))
            }
        };
        command.language = language;
        Ok(command)
    }
}
