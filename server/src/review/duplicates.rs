//! Mass campaigns: clusters of near-identical contributions, found by MinHash over word
//! shingles with locality-sensitive hashing, so the cost grows with the number of
//! contributions and not with its square. Candidates are confirmed by their exact
//! Jaccard similarity.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::search::analysis::tokenize;

/// Shingles shared for two texts to count as near-identical (a campaign letter with a
/// different name and a sentence added still clusters; two texts on one topic do not).
pub const THRESHOLD: f64 = 0.6;
const SHINGLE: usize = 3;
const BANDS: usize = 20;
const ROWS: usize = 4;
const HASHES: usize = BANDS * ROWS;

fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
    // DefaultHasher::new() has fixed keys: the same text hashes the same in every run.
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Hashes of the text's word triples (of its terms, if it has fewer than three).
pub fn shingles(text: &str) -> HashSet<u64> {
    let terms: Vec<String> = tokenize(text).into_iter().map(|t| t.text).collect();
    if terms.len() < SHINGLE {
        return terms.iter().map(hash).collect();
    }
    terms.windows(SHINGLE).map(|w| hash(&w)).collect()
}

fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let common = a.intersection(b).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        return 0.0;
    }
    common as f64 / union as f64
}

fn signature(set: &HashSet<u64>, seeds: &[(u64, u64)]) -> Vec<u64> {
    seeds
        .iter()
        .map(|(a, b)| {
            set.iter()
                .map(|x| x.wrapping_mul(*a).wrapping_add(*b).rotate_left(29))
                .min()
                .unwrap_or(u64::MAX)
        })
        .collect()
}

fn seeds() -> Vec<(u64, u64)> {
    // A fixed xorshift sequence: odd multipliers, any offsets.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..HASHES).map(|_| (next() | 1, next())).collect()
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while parent[root] != root {
        root = parent[root];
    }
    let mut i = i;
    while parent[i] != root {
        let up = parent[i];
        parent[i] = root;
        i = up;
    }
    root
}

/// Clusters of at least `min_size` among (id, text) pairs; each cluster's ids ascend,
/// and the largest clusters come first.
pub fn clusters(items: &[(i64, String)], min_size: usize) -> Vec<Vec<i64>> {
    let sets: Vec<HashSet<u64>> = items.iter().map(|(_, t)| shingles(t)).collect();
    let seeds = seeds();
    let mut parent: Vec<usize> = (0..items.len()).collect();
    let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    for (i, set) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        let sig = signature(set, &seeds);
        for band in 0..BANDS {
            let key = hash(&sig[band * ROWS..(band + 1) * ROWS]);
            buckets.entry((band, key)).or_default().push(i);
        }
    }
    // Each member of a bucket is compared with the first member of each cluster met so
    // far in the bucket: thousands of identical letters in one bucket cost thousands of
    // comparisons, not millions.
    let mut checked: HashSet<(usize, usize)> = HashSet::new();
    for members in buckets.values() {
        let mut heads: Vec<usize> = Vec::new();
        for &i in members {
            let mut joined = false;
            for &h in &heads {
                if find(&mut parent, i) == find(&mut parent, h) {
                    joined = true;
                    break;
                }
                if !checked.insert((h.min(i), h.max(i))) {
                    continue;
                }
                if jaccard(&sets[i], &sets[h]) >= THRESHOLD {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, h));
                    parent[a] = b;
                    joined = true;
                    break;
                }
            }
            if !joined {
                heads.push(i);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<i64>> = BTreeMap::new();
    for (i, (id, _)) in items.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(*id);
    }
    let mut out: Vec<Vec<i64>> = groups
        .into_values()
        .filter(|g| g.len() >= min_size.max(2))
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_letters_cluster_and_distinct_texts_do_not() {
        let letter = "We call on member states to guarantee universal, affordable and meaningful connectivity for every school and hospital by 2030, and to protect human rights online.";
        let items = vec![
            (1, format!("{letter} Signed, Amina")),
            (
                2,
                "Data governance needs a multistakeholder approach with strong privacy safeguards."
                    .to_owned(),
            ),
            (3, format!("Dear co-facilitators, {letter}")),
            (4, letter.to_uppercase()),
            (5, "人工智能治理应当以人为本，促进可持续发展。".to_owned()),
            (6, "人工智能治理应当以人为本，促进可持续发展。".to_owned()),
            (
                7,
                "Meaningful connectivity for schools matters, but so do the skills to use it."
                    .to_owned(),
            ),
        ];
        let found = clusters(&items, 2);
        assert_eq!(found, vec![vec![1, 3, 4], vec![5, 6]]);
        assert!(clusters(&items, 3).iter().all(|c| c.len() >= 3));
    }
}
