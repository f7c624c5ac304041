//! What every search backend offers: the documents, the queries and the answers, and the
//! `SearchIndex` trait that tantivy (in process, the default) and Meilisearch implement.
//! The indexer and the endpoints see only this.

use std::collections::BTreeMap;

/// What a document is, and its id in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKey {
    Comment(i64),
    Report(i64),
}

impl DocKey {
    pub fn encode(self) -> String {
        match self {
            DocKey::Comment(id) => format!("comment:{id}"),
            DocKey::Report(id) => format!("session_report:{id}"),
        }
    }

    pub fn decode(raw: &str) -> Option<DocKey> {
        let (kind, id) = raw.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "comment" => Some(DocKey::Comment(id)),
            "session_report" => Some(DocKey::Report(id)),
            _ => None,
        }
    }
}

/// A document as the index sees it.
#[derive(Debug, Clone)]
pub struct SearchDoc {
    pub key: DocKey,
    pub text: String,
    /// The primary language tag, choosing the stemmed field.
    pub language: String,
    /// Microseconds since the epoch, for `sort=newest`.
    pub created: i64,
    /// (facet name, value) pairs; a name may repeat (tags).
    pub facets: Vec<(&'static str, String)>,
}

pub enum Change {
    Upsert(SearchDoc),
    Delete(DocKey),
}

#[derive(Debug, Clone, Copy)]
pub enum Sort {
    Relevance,
    Newest,
}

pub struct SearchQuery {
    pub text: String,
    /// Every listed facet must match one of its values.
    pub filters: Vec<(&'static str, Vec<String>)>,
    /// Facet names to count among the matches.
    pub facets: Vec<&'static str>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

pub struct Hit {
    pub key: DocKey,
    /// HTML-escaped text with `<mark>` around the matches.
    pub highlight: String,
}

pub struct Results {
    pub hits: Vec<Hit>,
    pub total: usize,
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// Found only by tolerating a typo (one letter off) in the words of the query.
    pub approximate: bool,
}

/// Why the index could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The search service cannot be reached (Meilisearch down): worth retrying later.
    #[error("search service unavailable: {0}")]
    Unavailable(String),
    #[error("search index: {0}")]
    Failed(String),
}

impl From<IndexError> for crate::error::ApiError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Unavailable(_) => crate::error::ApiError::new(
                crate::error::ErrorCode::Unavailable,
                "search is unavailable right now; retry later",
            ),
            IndexError::Failed(detail) => crate::error::ApiError::internal(detail),
        }
    }
}

/// A search backend. Calls block (they run on the blocking pool); an implementation must
/// be safe to share between threads.
pub trait SearchIndex: Send + Sync {
    /// `tantivy` or `meilisearch`, for logs and metrics.
    fn backend(&self) -> &'static str;

    /// Reaches the backend and reads its state (settings and cursor for Meilisearch); the
    /// indexer calls it, and retries, before anything else, so that a server starts while
    /// its search service is still down and catches up once it answers.
    fn connect(&self) -> Result<(), IndexError> {
        Ok(())
    }

    /// The id of the last search job the index reflects; `None` for a new index, which
    /// must be built from the database first (or one not connected yet).
    fn cursor(&self) -> Option<i64>;

    /// Applies changes and records `cursor`, then makes them searchable. Without a cursor
    /// (in the middle of a rebuild) the index has none afterwards.
    fn apply(&self, changes: Vec<Change>, cursor: Option<i64>) -> Result<(), IndexError>;

    /// Adds changes without recording a cursor: a rebuild, after `clear`, sends its
    /// batches with this and ends with `apply`. Each document comes once at most. A
    /// backend may return before the changes are applied; `apply` then waits for them
    /// and fails if any did.
    fn stage(&self, changes: Vec<Change>) -> Result<(), IndexError>;

    /// Empties the index (for a rebuild); the cursor goes back to none.
    fn clear(&self) -> Result<(), IndexError>;

    /// One search, with typos tolerated or not.
    fn search_with(&self, q: &SearchQuery, fuzzy: bool) -> Result<Results, IndexError>;

    /// The number of documents.
    fn documents(&self) -> Result<u64, IndexError>;

    /// Searches; when words of the query match nothing as typed, searches again with one
    /// letter of tolerance (not for Chinese, Japanese or Korean: a different character is
    /// a different word), and says so.
    fn search(&self, q: &SearchQuery) -> Result<Results, IndexError> {
        let exact = self.search_with(q, false)?;
        let typo_prone =
            !q.text.trim().is_empty() && !q.text.chars().any(crate::consultations::text::is_cjk);
        if exact.total > 0 || !typo_prone {
            return Ok(exact);
        }
        let mut approximate = self.search_with(q, true)?;
        approximate.approximate = approximate.total > 0;
        Ok(approximate)
    }
}
