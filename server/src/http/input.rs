//! Helpers for turning request bodies into domain values while collecting every field
//! problem, so that a client hears of all of them in one 422.

use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::accounts::types::bounded_text;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};

/// For PATCH bodies: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
/// Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Trimmed text of `min..=max` characters, or a note in `errors`.
pub fn text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
) -> Option<String> {
    bounded_text(raw, min, max)
        .map_err(|e| errors.insert(field.to_owned(), e))
        .ok()
}

/// An optional, nullable RFC 3339 time from a PATCH body; `None` when absent or invalid
/// (invalid ones are noted in `errors`).
pub fn nullable_time(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<Option<String>>,
) -> Option<Option<NaiveDateTime>> {
    match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(t)) => match crate::consultations::types::parse_time(field, t) {
            Ok(t) => Some(Some(t)),
            Err(e) => {
                errors.extend(e.fields.unwrap_or_default());
                None
            }
        },
    }
}

/// Every problem of the query parameters as one 422 (`invalid_query`).
pub fn refuse_query_if_any(errors: FieldErrors) -> ApiResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = errors.keys().map(String::as_str).collect();
    let mut e = ApiError::new(
        ErrorCode::InvalidQuery,
        format!("invalid query parameters: {}", names.join(", ")),
    );
    e.fields = Some(errors);
    Err(e)
}
