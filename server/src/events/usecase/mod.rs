//! The events feature's use cases: what the API handlers and the pages call. Each takes
//! the proof its guard gave (or the caller, where anyone may ask), a command already
//! parsed, and answers a view chosen for the caller's audience.

pub mod bookmarks;
pub mod evaluation;
pub mod events;
pub mod floor;
pub mod messages;
pub mod planning;
pub mod proposals;
pub mod reports;
pub mod sessions;

use crate::error::ApiResult;
use crate::http::page::Page;
use crate::http::respond::List;

/// One page of `rows` fetched with [`Page::fetch`], each rendered by `view`.
pub(crate) fn page_of<R, V>(
    page: &Page,
    mut rows: Vec<R>,
    id_of: impl Fn(&R) -> i64,
    view: impl FnOnce(&[R]) -> ApiResult<Vec<V>>,
) -> ApiResult<List<V>> {
    let next_cursor = page.next_cursor(&mut rows, id_of);
    Ok(List {
        items: view(&rows)?,
        next_cursor,
    })
}

/// A file to download: its name and its text.
#[derive(Debug, Clone)]
pub struct Export {
    pub filename: String,
    pub body: String,
}
