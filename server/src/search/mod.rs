//! Full-text search over every contribution and session report, kept in step with the
//! database by `indexer` from the `search_jobs` log, and the search endpoints. Two
//! backends behind one trait (`index::SearchIndex`): a tantivy index on the local disk
//! (the default) and Meilisearch (`INDABA_MEILISEARCH_URL`); both search with the
//! analysis for every UN language in `analysis`.

pub mod analysis;
pub mod command;
pub mod documents;
pub mod filter_cache;
pub mod highlight;
pub mod http;
pub mod index;
pub mod indexer;
pub mod meili;
pub mod merge_policy;
pub mod tantivy_index;
pub mod typos;
pub mod usecase;
pub mod view;

use std::sync::Arc;

pub use index::SearchIndex;

use crate::config::Config;
use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::Anyone;

pub fn endpoints() -> Vec<Endpoint> {
    use self::http as h;
    vec![
        endpoint!(GET "/consultations/{id}/search", Anyone, "Search a consultation's contributions with filters and facets (review fields: its co-facilitators and organisers)", h::consultation),
        endpoint!(GET "/search", Anyone, "Search every public contribution and session report", h::platform),
    ]
}

/// The configured backend: Meilisearch when its URL is set, else the tantivy index under
/// `<data dir>/search/`. Meilisearch is not contacted here: the indexer connects, and
/// retries while it is down.
pub fn open(config: &Config) -> Result<Arc<dyn SearchIndex>, String> {
    match &config.meilisearch {
        Some(meili) => {
            let index = meili::MeiliIndex::open(meili)
                .map_err(|e| format!("Meilisearch at {}: {e}", meili.url))?;
            Ok(Arc::new(index))
        }
        None => {
            let dir = config.data_dir.join("search");
            let index = tantivy_index::TantivyIndex::open(&dir)
                .map_err(|e| format!("{e} in {}", dir.display()))?;
            Ok(Arc::new(index))
        }
    }
}

/// Where the index is, for messages.
pub fn describe(config: &Config) -> String {
    match &config.meilisearch {
        Some(meili) => format!("Meilisearch index {:?} at {}", meili.index, meili.url),
        None => config.data_dir.join("search").display().to_string(),
    }
}
