//! The events API, one file per resource. Each handler takes its guard, extracts what it
//! reads, calls one use case and answers a typed view: nothing else happens here.

pub mod bookmarks;
pub mod evaluation;
pub mod events;
pub mod floor;
pub mod messages;
pub mod planning;
pub mod proposals;
pub mod reports;
pub mod rooms;
pub mod sessions;

use crate::http::respond::{DownloadKind, File};

use super::usecase::Export;

pub use crate::http::respond::{MayConflict, MayForbid, Or, RateLimited};

/// A download of an export.
fn file<K: DownloadKind>(e: Export) -> File<K> {
    File::new(e.filename, e.body)
}
