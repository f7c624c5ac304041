//! Posted forms: their fields (kept to re-render the form as typed) and the errors a
//! page shows, in a summary at the top and next to each field.

use std::collections::BTreeMap;

use super::i18n::Tr;
use crate::error::{ApiError, ErrorCode};

/// The fields of a posted form. A repeated name (checkboxes) keeps every value for
/// [`FormData::all`]; the other accessors read the last.
#[derive(Default)]
pub struct FormData(BTreeMap<String, String>, Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        let pairs: Vec<(String, String)> =
            actix_web::web::Query::<Vec<(String, String)>>::from_query(&String::from_utf8_lossy(
                body,
            ))
            .map(|q| q.into_inner())
            .unwrap_or_default();
        FormData(pairs.iter().cloned().collect(), pairs)
    }

    /// The text fields of a `multipart/form-data` form.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormData {
        FormData(pairs.iter().cloned().collect(), pairs)
    }

    /// Replaces a field (the text read from an uploaded file, to publish after its preview).
    pub fn set(&mut self, name: &str, value: String) {
        self.1.retain(|(k, _)| k != name);
        self.1.push((name.to_owned(), value.clone()));
        self.0.insert(name.to_owned(), value);
    }

    /// Every field as sent, in order (forms whose field names carry ids).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.1.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.1
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }

    /// The field, or `None` when it is missing or blank.
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// The field has this value (for `selected` and `checked`).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }
}

/// The labels of the choices of an enum, by the prefix of their messages' keys: the first
/// prefix that names every choice is the one.
const CHOICE_PREFIXES: &[&str] = &[
    "group",
    "gender",
    "type",
    "format",
    "role",
    "status",
    "freq",
    "comment-kind",
    "region",
];

/// Field problems the pages' forms can meet, as the use cases word them (the pages say
/// them in the reader's language; a test checks every key in every language).
const MESSAGES: &[(&str, &str)] = &[
    ("unknown action", "error-msg-unknown-action"),
    ("a date and time", "error-msg-date-time"),
    ("a whole number", "error-msg-whole-number"),
    ("must be after opens_at", "error-msg-after-opening"),
    ("must be after starts_at", "error-msg-after-start"),
    (
        "must not be before starts_on",
        "error-msg-not-before-first-day",
    ),
    ("an event lasts at most 60 days", "error-msg-event-days"),
    ("choose a comment", "error-msg-choose-comment"),
    ("choose a day", "error-msg-choose-day"),
    ("choose the draft's file", "error-file-missing"),
    ("must be onsite or remote", "error-msg-onsite-remote"),
    ("no such comment", "error-msg-no-such-comment"),
    ("no such room in this event", "error-msg-no-such-room"),
    ("at most 5000 rows at once", "error-msg-rows-max"),
    ("there is nothing to import", "error-msg-nothing-to-import"),
    (
        "at most 100 co-facilitators",
        "error-msg-cofacilitators-max",
    ),
    ("give from 1 to 10 takeaways", "error-msg-takeaways"),
    (
        "must be comment or question",
        "error-msg-comment-or-question",
    ),
    ("give 2 to 100 characters", "error-msg-search-length"),
    ("must be an http(s) URL", "error-msg-url"),
    ("at most 20 segments", "error-msg-segments-max"),
    ("at most 30 speakers", "error-msg-speakers-max"),
    ("at most 50 sub-themes", "error-msg-subthemes-max"),
    ("must be relevance or newest", "error-msg-sort"),
];

/// A draft's problem (its text, its Word or PDF file) as the importer words it, in the
/// page's language; `None` for any other message. Built from the errors themselves, so
/// that a reworded error is still found.
fn draft_message(t: &Tr, message: &str) -> Option<String> {
    use crate::consultations::importer::ImportError;
    use crate::consultations::pdf::PdfError;
    use crate::consultations::word::read::ReadError;
    let exact = [
        (ImportError::Empty.to_string(), "error-import-empty"),
        (ImportError::NotText.to_string(), "error-import-not-text"),
        (
            ImportError::NoParagraphs.to_string(),
            "error-import-no-paragraphs",
        ),
        (
            ImportError::TooManyParagraphs.to_string(),
            "error-import-too-many",
        ),
        (
            ReadError::EncryptedOrLegacy.to_string(),
            "error-file-word-locked",
        ),
        (ReadError::NotWord.to_string(), "error-file-not-word"),
        (ReadError::TooLarge.to_string(), "error-file-word-too-large"),
        (PdfError::NotPdf.to_string(), "error-file-not-pdf"),
        (PdfError::Damaged.to_string(), "error-file-pdf-damaged"),
        (PdfError::Password.to_string(), "error-file-pdf-password"),
        (PdfError::NoText.to_string(), "error-file-pdf-no-text"),
        (PdfError::TooMuchText.to_string(), "error-file-pdf-too-much"),
        (
            crate::consultations::command::NOT_UTF8.to_owned(),
            "error-file-not-utf8",
        ),
    ];
    if let Some((_, key)) = exact.iter().find(|(m, _)| m == message) {
        return Some(t.get(key));
    }
    let damaged = ReadError::Damaged(String::new()).to_string();
    if message.starts_with(damaged.trim_end_matches(" ()")) {
        return Some(t.get("error-file-word-damaged"));
    }
    let pages = PdfError::TooLong(0).to_string();
    if let Some(n) = message
        .strip_prefix("has ")
        .and_then(|rest| rest.strip_suffix(pages.trim_start_matches("has 0")))
    {
        return Some(t.arg("error-file-pdf-too-long", "pages", n));
    }
    use crate::consultations::translation::{MISALIGNED, NO_VERSION, TOO_MANY_LANGUAGES};
    if message.starts_with(MISALIGNED) {
        return Some(t.get("error-translation-misaligned"));
    }
    if message.starts_with(TOO_MANY_LANGUAGES) {
        return Some(t.get("error-translation-too-many"));
    }
    if let Some(rest) = message.strip_prefix(NO_VERSION) {
        let label = rest.split('"').nth(1).unwrap_or_default();
        return Some(t.arg("error-translation-no-version", "label", label));
    }
    let number = message
        .strip_prefix("number \"")
        .and_then(|rest| rest.strip_suffix("\" appears twice"))?;
    Some(t.arg("error-import-duplicate", "number", number))
}

/// A field's problem as the API words it, in the page's language where the page knows the
/// wording: the common ones, and "must be one of …" with the choices named in words.
/// Others (rarer, or with details such as a password checker's reason) stay as they are.
fn field_message(t: &Tr, message: &str) -> String {
    let simple = match message {
        "is required" | "must not be empty" => Some("error-field-required"),
        "is not an email address" => Some("error-field-email"),
        "choose one" => Some("error-field-choose"),
        "must contain visible characters" => Some("error-field-visible"),
        "must not contain characters that reorder the text (U+202A–U+202E, U+2066–U+2069)" => {
            Some("error-field-bidi")
        }
        _ => None,
    };
    if let Some(key) = simple {
        return t.get(key);
    }
    if let Some(key) = MESSAGES.iter().find(|(m, _)| *m == message).map(|(_, k)| k) {
        return t.get(key);
    }
    if let Some(example) = message.strip_prefix("a time such as ") {
        return t.arg("error-msg-time", "example", example);
    }
    if let Some((low, high)) = message
        .strip_prefix("must be from ")
        .and_then(|r| r.split_once(" to "))
        .filter(|(l, h)| l.parse::<i64>().is_ok() && h.parse::<i64>().is_ok())
    {
        return t.args("error-msg-range", &[("low", low), ("high", high)]);
    }
    if let Some(said) = draft_message(t, message) {
        return said;
    }
    if let Some(clause) = message.strip_prefix(crate::accounts::types::GUESSABLE) {
        if let Some(g) = crate::accounts::types::Guessable::ALL
            .iter()
            .find(|g| g.clause() == clause)
        {
            return t.arg(
                "error-password-guessable",
                "reason",
                &t.get(&format!("error-password-{}", g.key())),
            );
        }
    }
    let number = |prefix: &str, suffix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(suffix))
            .and_then(|n| n.parse::<i64>().ok())
    };
    if let Some(n) = number("must be at most ", " characters") {
        return t.count("error-field-at-most", n);
    }
    if let Some(n) = number("must be at least ", " characters") {
        return t.count("error-field-at-least", n);
    }
    if let Some(list) = message.strip_prefix("must be one of ") {
        let codes: Vec<&str> = list.split(", ").map(str::trim).collect();
        let known = |key: &str| t.get(key) != key;
        if let Some(prefix) = CHOICE_PREFIXES
            .iter()
            .find(|p| codes.iter().all(|c| known(&format!("{p}-{c}"))))
        {
            let words: Vec<String> = codes.iter().map(|c| t.of(prefix, c)).collect();
            return t.arg(
                "error-field-one-of",
                "choices",
                &words.join(t.get("list-separator").as_str()),
            );
        }
    }
    message.to_owned()
}

pub struct PageError {
    pub field: Option<String>,
    pub message: String,
}

#[derive(Default)]
pub struct PageErrors(Vec<PageError>);

impl PageErrors {
    pub fn new() -> PageErrors {
        PageErrors(Vec::new())
    }

    pub fn one(message: String) -> PageErrors {
        PageErrors(vec![PageError {
            field: None,
            message,
        }])
    }

    pub fn many(messages: Vec<String>) -> PageErrors {
        PageErrors(
            messages
                .into_iter()
                .map(|message| PageError {
                    field: None,
                    message,
                })
                .collect(),
        )
    }

    pub fn field(field: &str, message: String) -> PageErrors {
        PageErrors(vec![PageError {
            field: Some(field.to_owned()),
            message,
        }])
    }

    /// The API's refusal in the page's words: field problems next to their fields, the
    /// common refusals translated.
    pub fn from_api(t: &Tr, e: &ApiError) -> PageErrors {
        if let Some(fields) = &e.fields {
            if !fields.is_empty() {
                return PageErrors(
                    fields
                        .iter()
                        .map(|(f, m)| PageError {
                            field: Some(f.clone()),
                            message: field_message(t, m),
                        })
                        .collect(),
                );
            }
        }
        let key = match e.code {
            ErrorCode::RateLimited | ErrorCode::TooManyAttempts => Some("error-rate-limited"),
            ErrorCode::EmailNotVerified => Some("error-verify-first"),
            ErrorCode::ConsultationClosed => Some("consultation-closed"),
            ErrorCode::InvalidCredentials => Some("login-failed"),
            ErrorCode::AccountSuspended => Some("error-account-suspended"),
            ErrorCode::CsrfFailed => Some("error-csrf"),
            ErrorCode::Forbidden => Some("error-forbidden"),
            ErrorCode::NotFound => Some("error-not-found"),
            ErrorCode::Unavailable => Some("error-unavailable"),
            _ => None,
        };
        let message = match key {
            Some(k) => t.get(k),
            // Conflicts and the like carry a precise message of their own.
            None if e.code.status().is_client_error() => e.message.clone(),
            None => t.get("error-generic"),
        };
        PageErrors::one(message)
    }

    /// Points a field's error at the page's own input (the API's field names and the
    /// page's ids differ where one page holds several forms).
    pub fn rename(&mut self, from: &str, to: &str) {
        for e in &mut self.0 {
            if e.field.as_deref() == Some(from) {
                e.field = Some(to.to_owned());
            }
        }
    }

    /// Renames every field through `f` (None keeps the name).
    pub fn rename_with(&mut self, f: impl Fn(&str) -> Option<String>) {
        for e in &mut self.0 {
            if let Some(new) = e.field.as_deref().and_then(&f) {
                e.field = Some(new);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field.as_deref() == Some(field))
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field.as_deref() == Some(field))
            .map(|e| e.message.as_str())
    }

    pub fn list(&self) -> &[PageError] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn field_problems_speak_the_page_s_language() {
        let fr = Tr::new(Lang::Fr);
        let one_of = format!(
            "must be one of {}",
            crate::accounts::types::StakeholderGroup::expected()
        );
        let said = field_message(&fr, &one_of);
        assert!(
            said.starts_with("Choisissez parmi : Gouvernement"),
            "{said}"
        );
        assert!(!said.contains("private_sector"), "{said}");
        let zh = Tr::new(Lang::Zh);
        assert_eq!(field_message(&zh, "is required"), "此项为必填。");
        assert_eq!(
            field_message(&zh, "must be at most 300 characters"),
            "最多 300 个字符。"
        );
        assert!(field_message(
            &zh,
            &format!(
                "must be one of {}",
                crate::events::types::SessionFormat::expected()
            )
        )
        .contains("、"));
        // A refused password's reason, in every language.
        let weak = crate::accounts::types::Password::parse("password1234", None)
            .err()
            .unwrap_or_default();
        assert_eq!(
            field_message(&fr, &weak),
            "Ce mot de passe est trop facile à deviner pour sa longueur : c’est un mot de passe courant, ou presque."
        );
        for lang in Lang::ALL {
            let t = Tr::new(lang);
            for g in crate::accounts::types::Guessable::ALL {
                let said = field_message(
                    &t,
                    &format!("{}{}", crate::accounts::types::GUESSABLE, g.clause()),
                );
                assert!(!said.contains("error-password"), "{lang:?} {g:?}: {said}");
                assert!(
                    lang == Lang::En || !said.contains(g.clause()),
                    "{lang:?} {g:?}: {said}"
                );
            }
        }
        // A draft's problems, from the errors themselves.
        use crate::consultations::{importer::ImportError, pdf::PdfError};
        for (message, said) in [
            (
                ImportError::NoParagraphs.to_string(),
                "Aucun paragraphe numéroté",
            ),
            (PdfError::NoText.to_string(), "image numérisée"),
            (PdfError::TooLong(301).to_string(), "301 pages"),
            (
                crate::consultations::word::read::ReadError::Damaged("zip".into()).to_string(),
                "Le document Word est endommagé",
            ),
            (
                "number \"12\" appears twice".to_owned(),
                "12 apparaît deux fois",
            ),
        ] {
            let translated = field_message(&fr, &message);
            assert!(translated.contains(said), "{message}: {translated}");
        }
        // Every form problem has its words in every language.
        for lang in Lang::ALL {
            let t = Tr::new(lang);
            for (message, key) in MESSAGES {
                let said = field_message(&t, message);
                assert!(
                    !said.contains(key) && said != *message || lang == Lang::En,
                    "{lang:?} {key}: {said}"
                );
                assert_ne!(t.get(key), *key, "{lang:?} lacks {key}");
            }
        }
        assert_eq!(
            field_message(&fr, "must be from 1 to 5"),
            "Doit être compris entre 1 et 5."
        );
        assert_eq!(
            field_message(&fr, "a time such as 09:30"),
            "Indiquez une heure, par exemple 09:30."
        );
        // What the page does not know stays as the API said it.
        assert_eq!(
            field_message(&fr, "some other problem"),
            "some other problem"
        );
    }
}
