//! List paging: `?limit=` (default 50, at most 200) and an opaque `?cursor=`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// `?limit=` (1 to 200, default 50) and `?cursor=` (from the previous page).
#[derive(Deserialize, Default, schemars::JsonSchema)]
pub struct PageQuery {
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    /// The id the previous page ended at.
    pub after: Option<i64>,
}

impl Page {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<Page> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::query("limit", "must be from 1 to 200"));
        }
        let after =
            match cursor.filter(|c| !c.is_empty()) {
                None => None,
                Some(c) => Some(decode(c).ok_or_else(|| {
                    ApiError::query("cursor", "is not a cursor this API gave out")
                })?),
            };
        Ok(Page { limit, after })
    }

    pub fn from_query(q: &PageQuery) -> ApiResult<Page> {
        Self::parse(q.limit, q.cursor.as_deref())
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Trims rows fetched with [`Page::fetch`] to the page; the cursor of the next page,
    /// if another follows.
    pub fn next_cursor<T>(&self, rows: &mut Vec<T>, id_of: impl Fn(&T) -> i64) -> Option<String> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        if more {
            rows.last().map(|r| encode(id_of(r)))
        } else {
            None
        }
    }
}

pub fn encode(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("i:{id}"))
}

fn decode(cursor: &str) -> Option<i64> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("i:")?
        .parse()
        .ok()
}

/// `{items, next_cursor}` from rows fetched with [`Page::fetch`]; `id_of` gives each row's id.
pub fn respond<T>(
    page: &Page,
    mut rows: Vec<T>,
    id_of: impl Fn(&T) -> i64,
    view: impl FnOnce(&[T]) -> ApiResult<Vec<Value>>,
) -> ApiResult<Value> {
    let more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let next = if more {
        rows.last().map(|r| encode(id_of(r)))
    } else {
        None
    };
    Ok(json!({ "items": view(&rows)?, "next_cursor": next }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_limits_are_checked() {
        let p = Page::parse(Some(10), Some(&encode(42))).unwrap();
        assert_eq!((p.limit, p.after), (10, Some(42)));
        assert!(Page::parse(Some(0), None).is_err());
        assert!(Page::parse(Some(201), None).is_err());
        assert!(Page::parse(None, Some("garbage!")).is_err());
        assert_eq!(Page::parse(None, None).unwrap().limit, 50);
    }
}
