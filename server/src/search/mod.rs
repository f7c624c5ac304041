//! Full-text search over every contribution and session report: a tantivy index on the
//! local disk (analysis for every UN language in `analysis`), kept in step with the
//! database by `indexer` from the `search_jobs` log, and the search endpoints.

pub mod analysis;
pub mod documents;
pub mod handlers;
pub mod index;
pub mod indexer;

pub use index::SearchIndex;

use crate::endpoint;
use crate::http::Endpoint;

pub fn endpoints() -> Vec<Endpoint> {
    use handlers as h;
    vec![
        endpoint!(GET "/consultations/{id}/search", "anyone (review fields: co-facilitators)", "Search a consultation's contributions with filters and facets", h::consultation),
        endpoint!(GET "/search", "anyone", "Search every public contribution and session report", h::everything),
    ]
}
