//! List paging: `?limit=` (default 50, at most 200) and an opaque `?cursor=`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// `?limit=` (1 to 200, default 50) and `?cursor=` (from the previous page).
#[derive(Deserialize, Default, schemars::JsonSchema)]
pub struct PageQuery {
    /// 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    /// The id the previous page ended at (lists read by id).
    pub after: Option<i64>,
    /// How many items earlier pages held (lists computed whole, such as the agenda).
    pub offset: usize,
    /// The list the page belongs to (a hash of its name): a cursor works only there.
    scope: u64,
}

/// A list's name, as a cursor carries it.
fn scope_of(name: &str) -> u64 {
    // FNV-1a: stable across processes and versions, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Where a cursor points: after an id, or past a number of items.
enum Mark {
    After(i64),
    Offset(usize),
}

impl Page {
    /// A page of the list named `list` (`"comments:7"`, `"agenda:igf-2026"`…): a cursor
    /// given out by another list is refused (422 naming `cursor`).
    pub fn of_list(list: &str, limit: Option<i64>, cursor: Option<&str>) -> ApiResult<Page> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::query("limit", "must be from 1 to 200"));
        }
        let scope = scope_of(list);
        let mut page = Page {
            limit,
            after: None,
            offset: 0,
            scope,
        };
        if let Some(c) = cursor.filter(|c| !c.is_empty()) {
            let (given, mark) = decode(c)
                .ok_or_else(|| ApiError::query("cursor", "is not a cursor this API gave out"))?;
            if given != scope {
                return Err(ApiError::query(
                    "cursor",
                    "was given out by another list: ask this list without it",
                ));
            }
            match mark {
                Mark::After(id) => page.after = Some(id),
                Mark::Offset(n) => page.offset = n,
            }
        }
        Ok(page)
    }

    /// A page of a list that has no name of its own (its cursors are unscoped).
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<Page> {
        Self::of_list("", limit, cursor)
    }

    /// The page of `list` this query asks for (a cursor of another list is refused).
    pub fn from_query(list: &str, q: &PageQuery) -> ApiResult<Page> {
        Self::of_list(list, q.limit, q.cursor.as_deref())
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The cursor of the page after the one that ended at `id`.
    pub fn cursor_after(&self, id: i64) -> String {
        encode_mark(self.scope, &Mark::After(id))
    }

    /// Trims rows fetched with [`Page::fetch`] to the page; the cursor of the next page,
    /// if another follows.
    pub fn next_cursor<T>(&self, rows: &mut Vec<T>, id_of: impl Fn(&T) -> i64) -> Option<String> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        if more {
            rows.last().map(|r| self.cursor_after(id_of(r)))
        } else {
            None
        }
    }

    /// The cursor of the page that starts past `n` items (lists computed whole, searches).
    pub fn cursor_at(&self, n: usize) -> String {
        encode_mark(self.scope, &Mark::Offset(n))
    }

    /// This page of a list computed whole, and the cursor of the next.
    pub fn slice<T>(&self, items: Vec<T>) -> (Vec<T>, Option<String>) {
        let total = items.len();
        let end = self.offset.saturating_add(self.limit as usize).min(total);
        let page: Vec<T> = items
            .into_iter()
            .skip(self.offset)
            .take(self.limit as usize)
            .collect();
        let next = (end < total).then(|| self.cursor_at(end));
        (page, next)
    }
}

fn encode_mark(scope: u64, mark: &Mark) -> String {
    let mark = match mark {
        Mark::After(id) => format!("i:{id}"),
        Mark::Offset(n) => format!("o:{n}"),
    };
    let raw = if scope == scope_of("") {
        mark
    } else {
        format!("s{scope:016x}:{mark}")
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode(cursor: &str) -> Option<(u64, Mark)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (scope, mark) = match raw.strip_prefix('s') {
        Some(rest) => {
            let (hex, mark) = rest.split_once(':')?;
            (u64::from_str_radix(hex, 16).ok()?, mark.to_owned())
        }
        None => (scope_of(""), raw),
    };
    let mark = if let Some(id) = mark.strip_prefix("i:") {
        Mark::After(id.parse().ok()?)
    } else {
        Mark::Offset(mark.strip_prefix("o:")?.parse().ok()?)
    };
    Some((scope, mark))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_limits_are_checked() {
        let first = Page::of_list("comments:7", Some(10), None).unwrap();
        let p = Page::of_list("comments:7", Some(10), Some(&first.cursor_after(42))).unwrap();
        assert_eq!((p.limit, p.after), (10, Some(42)));
        assert!(Page::of_list("comments:8", Some(10), Some(&first.cursor_after(42))).is_err());
        // A list's cursor works on that list only.
        let agenda = Page::of_list("agenda:a", Some(2), None).unwrap();
        let (items, next) = agenda.slice(vec![1, 2, 3, 4, 5]);
        assert_eq!(items, [1, 2]);
        let next = next.unwrap();
        let again = Page::of_list("agenda:a", Some(2), Some(&next)).unwrap();
        assert_eq!(again.slice(vec![1, 2, 3, 4, 5]).0, [3, 4]);
        assert!(Page::of_list("agenda:b", Some(2), Some(&next)).is_err());
        assert!(Page::parse(Some(2), Some(&next)).is_err());
        let (last, end) = Page::of_list("agenda:a", Some(2), Some(&next))
            .unwrap()
            .slice(vec![1, 2, 3, 4]);
        assert_eq!((last, end), (vec![3, 4], None));
        assert!(Page::parse(Some(0), None).is_err());
        assert!(Page::parse(Some(201), None).is_err());
        assert!(Page::parse(None, Some("garbage!")).is_err());
        assert_eq!(Page::parse(None, None).unwrap().limit, 50);
    }
}
