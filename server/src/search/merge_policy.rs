//! How the tantivy index merges its segments: as tantivy's log merge policy does, but no
//! merge ever makes a segment of more than [`MAX_DOCS`] documents.
//!
//! Why: tantivy searches one query's segments in parallel, one thread per core, so an
//! index of one huge segment is searched on one core; and a merge's memory follows the
//! size of what it merges (rebuilding 1M contributions peaked at 1.15 GB while tantivy
//! merged everything towards one segment). With segments of 50,000 to 100,000
//! documents, a 1M index is ten to twenty segments that both cores share, and no merge
//! holds more than a tenth of it.

use std::collections::HashMap;

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// No merge makes a segment larger than this many documents.
pub const MAX_DOCS: u32 = 100_000;
/// A segment of at least this many documents is left alone (merging two of them could
/// pass `MAX_DOCS`), unless deletes make up more than `DELETED_RATIO` of it.
const FULL: u32 = MAX_DOCS / 2;
/// Past this share of deleted documents a segment is rewritten to drop them (every
/// edit or review of a contribution deletes its old document).
const DELETED_RATIO: f32 = 0.25;

#[derive(Debug)]
pub struct BoundedMergePolicy {
    levels: LogMergePolicy,
}

impl Default for BoundedMergePolicy {
    fn default() -> Self {
        let mut levels = LogMergePolicy::default();
        levels.set_max_docs_before_merge(FULL as usize);
        levels.set_del_docs_ratio_before_merge(DELETED_RATIO);
        BoundedMergePolicy { levels }
    }
}

fn deleted_ratio(segment: &SegmentMeta) -> f32 {
    if segment.max_doc() == 0 {
        return 0.0;
    }
    segment.num_deleted_docs() as f32 / segment.max_doc() as f32
}

impl MergePolicy for BoundedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let by_id: HashMap<SegmentId, &SegmentMeta> =
            segments.iter().map(|s| (s.id(), s)).collect();
        let mut candidates = Vec::new();
        // The log policy's levels, cut into merges of at most MAX_DOCS documents.
        for level in self.levels.compute_merge_candidates(segments) {
            let mut chunk: Vec<&SegmentMeta> = Vec::new();
            let mut docs = 0u32;
            for meta in level.0.iter().filter_map(|id| by_id.get(id)) {
                if docs + meta.num_docs() > MAX_DOCS && !chunk.is_empty() {
                    candidates.extend(worth_merging(&chunk));
                    chunk.clear();
                    docs = 0;
                }
                chunk.push(meta);
                docs += meta.num_docs();
            }
            candidates.extend(worth_merging(&chunk));
        }
        // Full segments the log policy no longer looks at, rewritten alone when deletes
        // have piled up in them.
        candidates.extend(
            segments
                .iter()
                .filter(|s| s.num_docs() > FULL && deleted_ratio(s) > DELETED_RATIO)
                .map(|s| MergeCandidate(vec![s.id()])),
        );
        candidates
    }
}

/// A merge of several segments, or of one that sheds its deleted documents; a merge of
/// one segment without deletes would only copy it.
fn worth_merging(chunk: &[&SegmentMeta]) -> Option<MergeCandidate> {
    let worth = chunk.len() > 1 || chunk.iter().any(|s| deleted_ratio(s) > DELETED_RATIO);
    worth.then(|| MergeCandidate(chunk.iter().map(|s| s.id()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::Schema;
    use tantivy::Index;

    /// Segment metas of these sizes, made by an index in memory (which keeps them).
    fn segments(sizes: &[u32]) -> (Vec<SegmentMeta>, Index) {
        let index = Index::create_in_ram(Schema::builder().build());
        let metas = sizes
            .iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect();
        (metas, index)
    }

    fn merged_sizes(metas: &[SegmentMeta]) -> Vec<Vec<u32>> {
        let by_id: HashMap<SegmentId, u32> = metas.iter().map(|s| (s.id(), s.num_docs())).collect();
        BoundedMergePolicy::default()
            .compute_merge_candidates(metas)
            .into_iter()
            .map(|c| c.0.iter().map(|id| by_id[id]).collect())
            .collect()
    }

    #[test]
    fn no_merge_passes_the_cap() {
        // Forty segments of 20,000, as a rebuild of 800,000 writes them: merged in
        // fives at most, never all at once.
        let (metas, _inventory) = segments(&[20_000; 40]);
        let merges = merged_sizes(&metas);
        assert!(!merges.is_empty());
        for merge in &merges {
            let docs: u32 = merge.iter().sum();
            assert!(merge.len() > 1 && docs <= MAX_DOCS, "{merge:?}");
        }
        assert_eq!(merges.iter().map(Vec::len).sum::<usize>(), 40);
    }

    #[test]
    fn small_segments_merge_and_full_ones_stay() {
        let (metas, _inventory) = segments(&[1; 8]);
        assert_eq!(merged_sizes(&metas), vec![vec![1; 8]]);
        // Fewer than the log policy's eight in a level: nothing yet.
        let (metas, _inventory) = segments(&[1; 3]);
        assert!(merged_sizes(&metas).is_empty());
        let (metas, _inventory) = segments(&[60_000; 10]);
        assert!(merged_sizes(&metas).is_empty());
    }

    #[test]
    fn a_full_segment_sheds_its_deletes() {
        let (metas, _inventory) = segments(&[80_000, 80_000]);
        let worn = metas[0].clone().with_delete_meta(30_000, 1);
        let merges = merged_sizes(&[worn, metas[1].clone()]);
        assert_eq!(merges, vec![vec![50_000]]);
    }
}
