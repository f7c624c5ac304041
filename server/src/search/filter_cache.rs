//! Filters (`stakeholder_group=…&region=…`) as bit sets of documents, kept per segment
//! between queries, as Lucene's query cache keeps them.
//!
//! Why: a filter matches a large share of the index (one group of six, three regions of
//! five), and building its bit set from the facet postings is a walk over every document
//! it matches: about 3 ms, a third of a query, at 1M contributions. A segment never
//! changes once written (deletes are applied apart, when results are collected), so its
//! bit set for a filter stays true for as long as the segment lives; and people filter
//! on a handful of values again and again. Entries of segments that merges have
//! replaced are dropped at each commit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TantivyError, Term};
use tantivy_common::BitSet;

/// At most this many bit sets are kept (each is a bit per document of its segment:
/// 12.5 KB for a segment of 100,000); past it the cache starts again empty.
const MAX_ENTRIES: usize = 512;

type Key = (SegmentId, Vec<Term>);

#[derive(Default)]
pub struct FilterCache {
    sets: Mutex<HashMap<Key, Arc<BitSet>>>,
}

impl std::fmt::Debug for FilterCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FilterCache")
    }
}

impl FilterCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<BitSet>>> {
        self.sets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops the bit sets of segments that `searcher` no longer has.
    pub fn retain_segments(&self, searcher: &Searcher) {
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        self.lock().retain(|(segment, _), _| live.contains(segment));
    }

    /// A query matching the documents that hold any of `terms` (all of one field).
    pub fn any_of(self: &Arc<Self>, field: Field, terms: impl IntoIterator<Item = Term>) -> AnyOf {
        let mut terms: Vec<Term> = terms.into_iter().collect();
        terms.sort_unstable();
        terms.dedup();
        AnyOf {
            field,
            terms,
            cache: self.clone(),
        }
    }

    fn bit_set(
        &self,
        reader: &SegmentReader,
        field: Field,
        terms: &[Term],
    ) -> tantivy::Result<Arc<BitSet>> {
        let key = (reader.segment_id(), terms.to_vec());
        if let Some(set) = self.lock().get(&key) {
            return Ok(set.clone());
        }
        let mut set = BitSet::with_max_value(reader.max_doc());
        let index = reader.inverted_index(field)?;
        for term in terms {
            let Some(info) = index.get_term_info(term)? else {
                continue;
            };
            let mut postings =
                index.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            while !postings.docs().is_empty() {
                for &doc in postings.docs() {
                    set.insert(doc);
                }
                postings.advance();
            }
        }
        let set = Arc::new(set);
        let mut sets = self.lock();
        if sets.len() >= MAX_ENTRIES {
            sets.clear();
        }
        sets.insert(key, set.clone());
        Ok(set)
    }
}

/// Matches the documents holding any of its terms, scoring them all alike.
#[derive(Clone, Debug)]
pub struct AnyOf {
    field: Field,
    terms: Vec<Term>,
    cache: Arc<FilterCache>,
}

impl Query for AnyOf {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for AnyOf {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self.cache.bit_set(reader, self.field, &self.terms)?;
        let docs = BitSetDocSet::from(BitSet::clone(&set));
        Ok(Box::new(ConstScorer::new(docs, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("AnyOf", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match the filter"
            )))
        }
    }
}
