//! Stable paragraph keys across versions, and the diff between two versions.

use std::collections::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::Serialize;

use crate::accounts::types::string_enum;

string_enum!(
    /// What became of a paragraph between two versions.
    DiffStatus {
        Added => "added",
        Removed => "removed",
        Changed => "changed",
        Unchanged => "unchanged",
    }
);

use super::text::{dice, word_diff, DiffPart};

/// A paragraph of an earlier version, as far as matching needs it.
pub struct Known<'a> {
    pub key: &'a str,
    pub number: &'a str,
    pub text: &'a str,
}

/// A paragraph of the new version: `key` when the author named it.
pub struct Incoming<'a> {
    pub key: Option<&'a str>,
    pub number: &'a str,
    pub text: &'a str,
}

/// Same number and at least this similar: the paragraph was edited in place.
const SAME_NUMBER: f64 = 0.35;
/// Any number and at least this similar: the paragraph moved (renumbered).
const MOVED: f64 = 0.6;
/// Ties go to the paragraph that kept its number.
const SAME_NUMBER_BONUS: f64 = 0.05;
/// Candidates of one incoming paragraph queued at a time: more are looked for, past the
/// last one queued, only if all of these went to other paragraphs first.
const HELD: usize = 64;
/// Work (index entries visited and features compared) after which no more paragraphs
/// are searched for as moved; same-number and identical-text matches are still found.
/// Realistic texts stay far below it (docs/performance.md: 5,000 paragraphs against
/// 5,000 use 5–10% of it); only thousands of distinct near copies of one another reach
/// it, and it bounds their cost to about a second of a release build's time.
const WORK_BUDGET: u64 = 400_000_000;

/// Gives each incoming paragraph the key of the paragraph it continues, or `None` when it
/// is new. Returns the keys and the earlier keys that no paragraph continues (removed).
///
/// The rule: a pair of an incoming and an earlier paragraph is a candidate when their
/// [`similarity`](super::text::similarity) is at least 0.6 (moved), or at least 0.35 with
/// the same number (edited in place; such pairs score 0.05 more, so that ties go to the
/// kept number). Candidates are taken best first, then by incoming position, then by
/// earlier position; each paragraph and each key at most once. Paragraphs that name their
/// key keep it.
///
/// How, without comparing every pair: each text is split into its features once, and
/// equal earlier texts are grouped. Pairs with the same number or an equal text are
/// scored directly; moved paragraphs are found through an index of rare features
/// (prefix filtering: two texts at least 0.6 alike share one of the rarest ~57% of the
/// features of each), pruned by length and by position, and scored exactly as
/// `similarity` scores them. Each incoming paragraph queues its best few candidates at a
/// time; a group of equal texts gives its free members in order.
pub fn assign(
    previous: &[Known<'_>],
    incoming: &[Incoming<'_>],
) -> (Vec<Option<String>>, Vec<String>) {
    let (keys, removed, work) = assign_within(previous, incoming, WORK_BUDGET, HELD);
    if work >= WORK_BUDGET {
        tracing::warn!(
            work,
            previous = previous.len(),
            incoming = incoming.len(),
            "key assignment stopped searching for moved paragraphs: too many near copies"
        );
    }
    (keys, removed)
}

/// [`assign`] with the work it took (for benchmarks).
#[doc(hidden)]
pub fn assign_measured(
    previous: &[Known<'_>],
    incoming: &[Incoming<'_>],
) -> (Vec<Option<String>>, Vec<String>, u64) {
    assign_within(previous, incoming, WORK_BUDGET, HELD)
}

fn assign_within(
    previous: &[Known<'_>],
    incoming: &[Incoming<'_>],
    budget: u64,
    held: usize,
) -> (Vec<Option<String>>, Vec<String>, u64) {
    let mut keys: Vec<Option<String>> = incoming.iter().map(|p| p.key.map(str::to_owned)).collect();
    let mut taken: HashSet<&str> = incoming.iter().filter_map(|p| p.key).collect();

    let open_new: Vec<usize> = (0..incoming.len()).filter(|&i| keys[i].is_none()).collect();
    let open_old: Vec<usize> = (0..previous.len())
        .filter(|&j| !taken.contains(previous[j].key))
        .collect();
    let mut matcher = Matcher::new(previous, incoming, &open_old, &open_new, budget, held);

    // Best first, with at most HELD candidates of each paragraph queued at a time.
    let mut queue = std::collections::BinaryHeap::new();
    let mut queued = vec![0usize; incoming.len()];
    let mut more: Vec<Option<(f64, usize)>> = vec![None; incoming.len()];
    for &i in &open_new {
        let (batch, rest) = matcher.batch(i, None, &taken);
        queued[i] = batch.len();
        more[i] = rest;
        queue.extend(batch);
    }
    while let Some(Candidate { i, j, .. }) = queue.pop() {
        queued[i] -= 1;
        if keys[i].is_some() {
            continue;
        }
        let key = previous[j].key;
        if !taken.contains(key) {
            keys[i] = Some(key.to_owned());
            taken.insert(key);
            matcher.taken(j);
            continue;
        }
        if queued[i] == 0 {
            // All of them went first: the next ones, after the last one queued.
            if let Some(after) = more[i].take() {
                let (batch, rest) = matcher.batch(i, Some(after), &taken);
                queued[i] = batch.len();
                more[i] = rest;
                queue.extend(batch);
            }
        }
    }
    let removed = previous
        .iter()
        .filter(|p| !taken.contains(p.key))
        .map(|p| p.key.to_owned())
        .collect();
    (keys, removed, matcher.work)
}

/// The order candidates are taken in: best score first, then the earlier old paragraph
/// (the incoming one is the same).
fn take_order(a: &(f64, usize), b: &(f64, usize)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// A candidate pair in the queue: the greatest is taken first (best score, then the
/// earlier incoming paragraph, then the earlier old one).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f64,
    i: usize,
    j: usize,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.i.cmp(&self.i))
            .then(other.j.cmp(&self.j))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Candidate {}

/// A text's features as (feature, count), sorted by feature, and their total count.
#[derive(Default)]
struct Bag {
    features: Vec<(u32, u32)>,
    total: u32,
}

impl Bag {
    fn of(text: &str, ids: &mut HashMap<String, u32>) -> Bag {
        // In the features' own order, so that ids (and the work done, which the budget
        // counts) are the same from run to run.
        let mut named: Vec<(String, u32)> = super::text::features(text).into_iter().collect();
        named.sort_unstable();
        let mut features: Vec<(u32, u32)> = named
            .into_iter()
            .map(|(f, n)| {
                let next = ids.len() as u32;
                (*ids.entry(f).or_insert(next), n)
            })
            .collect();
        features.sort_unstable();
        let total = features.iter().map(|(_, n)| n).sum();
        Bag { features, total }
    }

    /// Features in common, counted with multiplicity, and the work that took.
    fn common(&self, other: &Bag) -> (u32, u64) {
        let (a, b) = (&self.features, &other.features);
        let (mut x, mut y, mut common) = (0, 0, 0);
        while x < a.len() && y < b.len() {
            match a[x].0.cmp(&b[y].0) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    common += a[x].1.min(b[y].1);
                    x += 1;
                    y += 1;
                }
            }
        }
        (common, (x + y) as u64)
    }
}

/// Earlier paragraphs with one text: their positions in order, and which are still free
/// (`next[k]`: a position at or after `k` that may be free; `members.len()` when none).
struct Group {
    members: Vec<usize>,
    bag: Bag,
    next: Vec<u32>,
}

impl Group {
    /// The first free position at or after `k`.
    fn free_from(&mut self, k: usize) -> usize {
        let mut root = k;
        while (self.next[root] as usize) != root {
            root = self.next[root] as usize;
        }
        let mut at = k;
        while at != root {
            let up = self.next[at] as usize;
            self.next[at] = root as u32;
            at = up;
        }
        root
    }
}

/// The features of both versions, tokenised once, and the index of rare features.
struct Matcher<'a> {
    previous: &'a [Known<'a>],
    incoming: &'a [Incoming<'a>],
    groups: Vec<Group>,
    /// Per old paragraph: its group and place there (`u32::MAX` when not open).
    place: Vec<(u32, u32)>,
    new_bags: Vec<Bag>,
    /// The rarest elements of each incoming text, enough to find any text 0.6 alike (a
    /// feature counted twice is two elements), as ranks from the rarest.
    new_prefix: Vec<Vec<u32>>,
    /// By rank: the groups whose prefix holds it, where, and their number of elements.
    postings: Vec<Vec<(u32, u32, u32)>>,
    /// Per group, side by side for the filters: its number of elements, the length of
    /// its indexed prefix and the rank of the last element there.
    sizes: Vec<(u32, u32, u32)>,
    by_number: HashMap<&'a str, Vec<usize>>,
    by_text: HashMap<&'a str, u32>,
    /// Per group: the search it was last looked at in, its elements in common so far,
    /// and whether it is out.
    seen: Vec<(u32, u32, bool)>,
    /// Searches so far (the stamp in `seen`).
    round: u32,
    work: u64,
    budget: u64,
    /// Candidates queued per incoming paragraph at a time (HELD).
    held: usize,
}

/// How many of a text's rarest elements must be indexed or probed so that any two texts
/// at least 0.6 alike (Dice) share one: a text of n elements shares at least 3n/7 with
/// any such text; one element more than that needs, to stay clear of rounding.
fn prefix_len(n: u32) -> usize {
    let at_least = (3 * n / 7).saturating_sub(1);
    (n - at_least.min(n)).saturating_add(1).min(n) as usize
}

/// Whether texts of `x` and `y` elements can be 0.6 alike at all (with a margin).
fn sizes_fit(x: u32, y: u32) -> bool {
    let (x, y) = (u64::from(x), u64::from(y));
    7 * y + 7 >= 3 * x && 7 * x + 7 >= 3 * y
}

/// The fewest elements in common two texts of `x` and `y` elements need to be 0.6
/// alike, less one for rounding.
fn needed(x: u32, y: u32) -> u64 {
    (3 * (u64::from(x) + u64::from(y)))
        .div_ceil(10)
        .saturating_sub(1)
}

impl<'a> Matcher<'a> {
    fn new(
        previous: &'a [Known<'a>],
        incoming: &'a [Incoming<'a>],
        open_old: &[usize],
        open_new: &[usize],
        budget: u64,
        held: usize,
    ) -> Matcher<'a> {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut by_text: HashMap<&str, u32> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut place = vec![(u32::MAX, u32::MAX); previous.len()];
        for &j in open_old {
            let g = *by_text.entry(previous[j].text).or_insert_with(|| {
                groups.push(Group {
                    members: Vec::new(),
                    bag: Bag::of(previous[j].text, &mut ids),
                    next: Vec::new(),
                });
                (groups.len() - 1) as u32
            });
            let group = &mut groups[g as usize];
            place[j] = (g, group.members.len() as u32);
            group.members.push(j);
        }
        for group in &mut groups {
            group.next = (0..=group.members.len() as u32).collect();
        }
        let mut new_bags: Vec<Bag> = (0..incoming.len()).map(|_| Bag::default()).collect();
        for &i in open_new {
            new_bags[i] = Bag::of(incoming[i].text, &mut ids);
        }
        // How many texts hold each feature at least k times: the k-th occurrence of a
        // feature is an element of its own, ranked by that count (rarest first).
        let mut holders: Vec<Vec<u32>> = vec![Vec::new(); ids.len()];
        let bags = groups
            .iter()
            .map(|g| &g.bag)
            .chain(open_new.iter().map(|&i| &new_bags[i]));
        for bag in bags {
            for &(f, n) in &bag.features {
                let h = &mut holders[f as usize];
                if h.len() < n as usize {
                    h.resize(n as usize, 0);
                }
                for k in &mut h[..n as usize] {
                    *k += 1;
                }
            }
        }
        let mut order: Vec<(u32, u32, u32)> = holders
            .iter()
            .enumerate()
            .flat_map(|(f, h)| {
                h.iter()
                    .enumerate()
                    .map(move |(k, &holding)| (holding, f as u32, k as u32))
            })
            .collect();
        order.sort_unstable();
        let mut rank: Vec<Vec<u32>> = holders.iter().map(|h| vec![0; h.len()]).collect();
        for (r, &(_, f, k)) in order.iter().enumerate() {
            rank[f as usize][k as usize] = r as u32;
        }
        let prefix = |bag: &Bag| -> Vec<u32> {
            let mut e: Vec<u32> = bag
                .features
                .iter()
                .flat_map(|&(f, n)| rank[f as usize][..n as usize].iter().copied())
                .collect();
            e.sort_unstable();
            e.truncate(prefix_len(bag.total));
            e
        };
        let mut postings: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); order.len()];
        let mut sizes = Vec::with_capacity(groups.len());
        for (g, group) in groups.iter().enumerate() {
            let elements = prefix(&group.bag);
            let total = group.bag.total;
            sizes.push((
                total,
                elements.len() as u32,
                elements.last().copied().unwrap_or(0),
            ));
            for (pos, r) in elements.into_iter().enumerate() {
                postings[r as usize].push((g as u32, pos as u32, total));
            }
        }
        let mut new_prefix: Vec<Vec<u32>> = vec![Vec::new(); incoming.len()];
        for &i in open_new {
            new_prefix[i] = prefix(&new_bags[i]);
        }
        let mut by_number: HashMap<&str, Vec<usize>> = HashMap::new();
        for &j in open_old {
            by_number.entry(previous[j].number).or_default().push(j);
        }
        Matcher {
            previous,
            incoming,
            seen: vec![(0, 0, false); groups.len()],
            groups,
            place,
            new_bags,
            new_prefix,
            postings,
            sizes,
            by_number,
            by_text,
            round: 0,
            work: 0,
            budget,
            held: held.max(1),
        }
    }

    /// Old paragraph `j` went to some paragraph.
    fn taken(&mut self, j: usize) {
        let (g, k) = self.place[j];
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.next[k as usize] = k + 1;
        }
    }

    /// The similarity of incoming paragraph `i` and the texts of group `g`.
    fn similarity(&mut self, i: usize, g: usize) -> f64 {
        let group = &self.groups[g];
        if self.previous[group.members[0]].text == self.incoming[i].text {
            return 1.0;
        }
        let (common, work) = group.bag.common(&self.new_bags[i]);
        self.work += work;
        dice(common, group.bag.total + self.new_bags[i].total)
    }

    /// Groups of texts that may be at least 0.6 like that of incoming paragraph `i`: by
    /// the index of rare elements, pruned by length and by how many elements they could
    /// still share (positional filter). Those found by equal text first.
    fn similar_groups(&mut self, i: usize) -> Vec<usize> {
        self.round += 1;
        let round = self.round;
        let mut found: Vec<usize> = Vec::new();
        let equal = self.by_text.get(self.incoming[i].text).copied();
        if let Some(g) = equal {
            self.seen[g as usize] = (round, 0, false);
        }
        if self.work < self.budget {
            let x = self.new_bags[i].total;
            for (px, &r) in self.new_prefix[i].iter().enumerate() {
                let postings = &self.postings[r as usize];
                self.work += postings.len() as u64;
                for &(g, py, y) in postings {
                    let (g, py) = (g as usize, py as usize);
                    let entry = &mut self.seen[g];
                    if entry.0 != round {
                        *entry = (round, 0, !sizes_fit(x, y));
                        found.push(g);
                    }
                    if entry.2 {
                        continue;
                    }
                    let rest = (x as usize - px - 1).min(y as usize - py - 1) as u64;
                    if u64::from(entry.1) + 1 + rest < needed(x, y) {
                        entry.2 = true;
                        continue;
                    }
                    entry.1 += 1;
                }
            }
        }
        // What the rest of the two texts could still share: past the prefix whose last
        // element comes first in the order, every element in common is one already
        // counted (PPJoin's bound). Most candidates end here, without comparing texts.
        let (x, px) = (self.new_bags[i].total, self.new_prefix[i].len() as u32);
        let last_x = self.new_prefix[i].last().copied().unwrap_or(0);
        let (sizes, seen) = (&self.sizes, &self.seen);
        found.retain(|&g| {
            let (y, py, last_y) = sizes[g];
            let rest = if last_x < last_y { x - px } else { y - py };
            !seen[g].2
                && Some(g as u32) != equal
                && u64::from(seen[g].1) + u64::from(rest) >= needed(x, y)
        });
        if let Some(g) = equal {
            found.insert(0, g as usize);
        }
        found
    }

    /// The next HELD candidates of `i` (after `after`, in the order they are taken) whose
    /// old paragraph is still free, and the last of them when more may follow.
    fn batch(
        &mut self,
        i: usize,
        after: Option<(f64, usize)>,
        taken: &HashSet<&str>,
    ) -> (Vec<Candidate>, Option<(f64, usize)>) {
        let later = |c: &(f64, usize)| after.is_none_or(|a| take_order(c, &a).is_gt());
        let previous = self.previous;
        let number = self.incoming[i].number;
        let mut all: Vec<(f64, usize)> = Vec::new();
        // Same number: edited in place (each pair on its own, with the bonus).
        for n in 0..self.by_number.get(number).map_or(0, Vec::len) {
            let j = self.by_number[number][n];
            if taken.contains(previous[j].key) {
                continue;
            }
            let s = self.similarity(i, self.place[j].0 as usize);
            let candidate = (s + SAME_NUMBER_BONUS, j);
            if s >= SAME_NUMBER && later(&candidate) {
                all.push(candidate);
            }
        }
        // Moved: the free members of each similar group, in order, HELD + 1 at most
        // from each (the rest come after the last one queued).
        let held = self.held;
        for g in self.similar_groups(i) {
            let s = self.similarity(i, g);
            if s < MOVED {
                continue;
            }
            let group = &mut self.groups[g];
            let mut k = match after {
                Some((a, _)) if s.total_cmp(&a).is_gt() => continue,
                Some((a, j)) if s.total_cmp(&a).is_eq() => {
                    group.members.partition_point(|&m| m <= j)
                }
                _ => 0,
            };
            let mut from_group = 0;
            loop {
                k = group.free_from(k);
                if k >= group.members.len() || from_group > held {
                    break;
                }
                let j = group.members[k];
                if previous[j].number != number && !taken.contains(previous[j].key) {
                    all.push((s, j));
                    from_group += 1;
                }
                k += 1;
            }
        }
        let rest = if all.len() > self.held {
            all.select_nth_unstable_by(self.held - 1, take_order);
            all.truncate(self.held);
            all.iter().copied().max_by(take_order)
        } else {
            None
        };
        let batch = all
            .into_iter()
            .map(|(score, j)| Candidate { score, i, j })
            .collect();
        (batch, rest)
    }
}

/// A paragraph of a stored version, for diffing.
#[derive(Clone)]
pub struct Stored {
    pub key: String,
    pub number: String,
    pub section: String,
    pub text: String,
    pub informed_by: Vec<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct ParagraphDiff {
    pub key: String,
    pub status: DiffStatus,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_number: Option<String>,
    pub section: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub word_diff: Option<Vec<DiffPart>>,
    pub informed_by: Vec<i64>,
}

/// The paragraphs of `to` in order, with each removed paragraph of `from` placed after
/// the paragraph that preceded it there.
pub fn diff(from: &[Stored], to: &[Stored]) -> Vec<ParagraphDiff> {
    let old: HashMap<&str, &Stored> = from.iter().map(|p| (p.key.as_str(), p)).collect();
    let new_keys: HashSet<&str> = to.iter().map(|p| p.key.as_str()).collect();
    // Removed paragraphs by the nearest earlier paragraph that stays (none: at the top).
    let mut removed_after: HashMap<Option<&str>, Vec<&Stored>> = HashMap::new();
    let mut anchor: Option<&str> = None;
    for p in from {
        if new_keys.contains(p.key.as_str()) {
            anchor = Some(p.key.as_str());
        } else {
            removed_after.entry(anchor).or_default().push(p);
        }
    }
    let removed = |p: &Stored| ParagraphDiff {
        key: p.key.clone(),
        status: DiffStatus::Removed,
        number: p.number.clone(),
        previous_number: None,
        section: p.section.clone(),
        text: None,
        previous_text: Some(p.text.clone()),
        word_diff: None,
        informed_by: vec![],
    };
    let mut out: Vec<ParagraphDiff> = Vec::with_capacity(to.len() + from.len());
    out.extend(
        removed_after
            .remove(&None)
            .into_iter()
            .flatten()
            .map(removed),
    );
    for p in to {
        let entry = match old.get(p.key.as_str()) {
            None => ParagraphDiff {
                key: p.key.clone(),
                status: DiffStatus::Added,
                number: p.number.clone(),
                previous_number: None,
                section: p.section.clone(),
                text: Some(p.text.clone()),
                previous_text: None,
                word_diff: None,
                informed_by: p.informed_by.clone(),
            },
            Some(o) if o.text == p.text && o.number == p.number => ParagraphDiff {
                key: p.key.clone(),
                status: DiffStatus::Unchanged,
                number: p.number.clone(),
                previous_number: None,
                section: p.section.clone(),
                text: Some(p.text.clone()),
                previous_text: None,
                word_diff: None,
                informed_by: p.informed_by.clone(),
            },
            Some(o) => ParagraphDiff {
                key: p.key.clone(),
                status: DiffStatus::Changed,
                number: p.number.clone(),
                previous_number: (o.number != p.number).then(|| o.number.clone()),
                section: p.section.clone(),
                text: Some(p.text.clone()),
                previous_text: Some(o.text.clone()),
                word_diff: Some(word_diff(&o.text, &p.text)),
                informed_by: p.informed_by.clone(),
            },
        };
        out.push(entry);
        let after = removed_after.remove(&Some(p.key.as_str()));
        out.extend(after.into_iter().flatten().map(removed));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_edits_moves_and_removals() {
        let previous = [
            Known {
                key: "k1",
                number: "1",
                text: "We commit to connect every school by 2030.",
            },
            Known {
                key: "k2",
                number: "2",
                text: "We will protect human rights online and offline.",
            },
            Known {
                key: "k3",
                number: "3",
                text: "Data flows should be trusted.",
            },
        ];
        let incoming = [
            // Inserted at the top: the others are renumbered.
            Incoming {
                key: None,
                number: "1",
                text: "A brand new opening paragraph about artificial intelligence.",
            },
            Incoming {
                key: None,
                number: "2",
                text: "We commit to connect every school and hospital by 2030.",
            },
            Incoming {
                key: None,
                number: "3",
                text: "We will protect human rights online and offline.",
            },
        ];
        let (keys, removed) = assign(&previous, &incoming);
        assert_eq!(keys, [None, Some("k1".into()), Some("k2".into())]);
        assert_eq!(removed, ["k3"]);
    }

    #[test]
    fn named_keys_win() {
        let previous = [Known {
            key: "k1",
            number: "1",
            text: "Alpha beta gamma.",
        }];
        let incoming = [Incoming {
            key: Some("k1"),
            number: "7",
            text: "Completely rewritten.",
        }];
        let (keys, removed) = assign(&previous, &incoming);
        assert_eq!(keys, [Some("k1".into())]);
        assert!(removed.is_empty());
    }

    /// The rule as first written: every pair compared, sorted once.
    fn assign_pairwise(
        previous: &[Known<'_>],
        incoming: &[Incoming<'_>],
    ) -> (Vec<Option<String>>, Vec<String>) {
        use crate::consultations::text::similarity;
        let mut keys: Vec<Option<String>> =
            incoming.iter().map(|p| p.key.map(str::to_owned)).collect();
        let mut taken: HashSet<&str> = incoming.iter().filter_map(|p| p.key).collect();
        let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
        for (i, p) in incoming
            .iter()
            .enumerate()
            .filter(|(i, _)| keys[*i].is_none())
        {
            for (j, old) in previous
                .iter()
                .enumerate()
                .filter(|(_, o)| !taken.contains(o.key))
            {
                let s = similarity(old.text, p.text);
                let same_number = old.number == p.number;
                if s >= MOVED || (same_number && s >= SAME_NUMBER) {
                    candidates.push((s + if same_number { 0.05 } else { 0.0 }, i, j));
                }
            }
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, i, j) in candidates {
            let key = previous[j].key;
            if keys[i].is_none() && !taken.contains(key) {
                keys[i] = Some(key.to_owned());
                taken.insert(key);
            }
        }
        let removed = previous
            .iter()
            .filter(|p| !taken.contains(p.key))
            .map(|p| p.key.to_owned())
            .collect();
        (keys, removed)
    }

    struct Version {
        keys: Vec<String>,
        numbers: Vec<String>,
        texts: Vec<String>,
        named: Vec<Option<String>>,
    }

    impl Version {
        fn known(&self) -> Vec<Known<'_>> {
            (0..self.texts.len())
                .map(|n| Known {
                    key: &self.keys[n],
                    number: &self.numbers[n],
                    text: &self.texts[n],
                })
                .collect()
        }
        fn incoming(&self) -> Vec<Incoming<'_>> {
            (0..self.texts.len())
                .map(|n| Incoming {
                    key: self.named[n].as_deref(),
                    number: &self.numbers[n],
                    text: &self.texts[n],
                })
                .collect()
        }
    }

    /// Texts from a small vocabulary (so that many pairs are near the thresholds), in
    /// three scripts, with repeats, near copies and texts without words.
    fn random_versions(rng: &mut rand::rngs::StdRng, size: usize) -> (Version, Version) {
        use rand::seq::SliceRandom;
        use rand::Rng;
        let words = [
            "we", "commit", "to", "the", "digital", "divide", "close", "Internet", "rights",
            "data", "open", "all", "by", "2030", "and", "of", "human", "trust", "safe",
        ];
        let cjk: Vec<char> = "弥合数字鸿沟所有人权数据互联网".chars().collect();
        let sentence = |rng: &mut rand::rngs::StdRng| -> String {
            match rng.gen_range(0..10) {
                0 => ["—", "...", "", " "][rng.gen_range(0..4)].to_owned(),
                1 | 2 => (0..rng.gen_range(1..12))
                    .map(|_| cjk[rng.gen_range(0..cjk.len())])
                    .collect(),
                _ => {
                    let n = rng.gen_range(1..24);
                    let mut t: Vec<&str> =
                        (0..n).map(|_| *words.choose(rng).unwrap_or(&"x")).collect();
                    t.dedup();
                    format!("{}.", t.join(" "))
                }
            }
        };
        let old_n = rng.gen_range(0..size);
        let mut old_texts: Vec<String> = Vec::new();
        for _ in 0..old_n {
            let t = if !old_texts.is_empty() && rng.gen_bool(0.15) {
                old_texts[rng.gen_range(0..old_texts.len())].clone()
            } else {
                sentence(rng)
            };
            old_texts.push(t);
        }
        let old_numbers: Vec<String> = (0..old_n)
            .map(|n| {
                if rng.gen_bool(0.05) {
                    "7".to_owned()
                } else {
                    (n + 1).to_string()
                }
            })
            .collect();
        let old = Version {
            keys: (0..old_n).map(|n| format!("k{n}")).collect(),
            numbers: old_numbers,
            texts: old_texts,
            named: vec![None; old_n],
        };
        // The next version: kept, edited, moved, dropped and new paragraphs.
        let mut texts: Vec<String> = Vec::new();
        let mut named: Vec<Option<String>> = Vec::new();
        for (n, t) in old.texts.iter().enumerate() {
            match rng.gen_range(0..10) {
                0 => continue,
                1 => texts.push(sentence(rng)),
                // Near the thresholds: about a third of the words replaced.
                4 | 5 => {
                    let w: Vec<&str> = t
                        .split(' ')
                        .map(|w| {
                            if rng.gen_bool(0.35) {
                                words.choose(rng).copied().unwrap_or("x")
                            } else {
                                w
                            }
                        })
                        .collect();
                    texts.push(w.join(" "));
                }
                2 | 3 => {
                    let mut w: Vec<String> = t.split(' ').map(str::to_owned).collect();
                    let at = rng.gen_range(0..w.len().max(1));
                    if w.is_empty() || rng.gen_bool(0.5) {
                        w.insert(
                            at.min(w.len()),
                            words.choose(rng).unwrap_or(&"x").to_string(),
                        );
                    } else {
                        w.remove(at);
                    }
                    texts.push(w.join(" "));
                }
                _ => texts.push(t.clone()),
            }
            named.push(rng.gen_bool(0.05).then(|| old.keys[n].clone()));
        }
        for _ in 0..rng.gen_range(0..size / 4 + 1) {
            let at = rng.gen_range(0..texts.len() + 1);
            texts.insert(at, sentence(rng));
            named.insert(at, None);
        }
        if texts.len() > 2 && rng.gen_bool(0.5) {
            let (a, b) = (rng.gen_range(0..texts.len()), rng.gen_range(0..texts.len()));
            texts.swap(a, b);
        }
        if rng.gen_bool(0.3) {
            // Everything moves.
            let by = rng.gen_range(0..texts.len().max(1));
            texts.rotate_left(by);
            named.rotate_left(by);
        }
        let numbers = (0..texts.len())
            .map(|n| {
                if rng.gen_bool(0.1) {
                    format!("{}(a)", n + 1)
                } else {
                    (n + 1).to_string()
                }
            })
            .collect();
        let new = Version {
            keys: vec![],
            numbers,
            texts,
            named,
        };
        (old, new)
    }

    #[test]
    fn the_index_matches_as_comparing_every_pair_does() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(22);
        for round in 0..400 {
            let (old, new) = random_versions(&mut rng, if round % 2 == 0 { 100 } else { 20 });
            let (previous, incoming) = (old.known(), new.incoming());
            let expected = assign_pairwise(&previous, &incoming);
            assert_eq!(
                assign(&previous, &incoming),
                expected,
                "round {round}: {:?} → {:?}",
                old.texts,
                new.texts
            );
            // Few candidates queued at a time: the others are looked for again and again.
            let (keys, removed, _) =
                assign_within(&previous, &incoming, WORK_BUDGET, 1 + round % 3);
            assert_eq!(
                (keys, removed),
                expected,
                "round {round}, queued {}",
                1 + round % 3
            );
        }
    }

    #[test]
    fn many_equal_texts_match_as_comparing_every_pair_does() {
        // More candidates per paragraph than are held at a time: the rest are found again
        // as the best ones go to others.
        for (old_n, new_n, shift) in [(300, 300, 1000), (200, 260, 3), (150, 90, 0)] {
            let old = Version {
                keys: (0..old_n).map(|n| format!("k{n}")).collect(),
                numbers: (0..old_n).map(|n| (n + 1).to_string()).collect(),
                texts: (0..old_n)
                    .map(|n| {
                        if n % 7 == 3 {
                            "Other words here."
                        } else {
                            "Reserved."
                        }
                        .to_owned()
                    })
                    .collect(),
                named: vec![None; old_n],
            };
            let new = Version {
                keys: vec![],
                numbers: (0..new_n).map(|n| (n + 1 + shift).to_string()).collect(),
                texts: (0..new_n)
                    .map(|n| {
                        if n % 5 == 1 {
                            "Other words here!"
                        } else {
                            "Reserved"
                        }
                        .to_owned()
                    })
                    .collect(),
                named: vec![None; new_n],
            };
            let (previous, incoming) = (old.known(), new.incoming());
            let (keys, removed) = assign(&previous, &incoming);
            assert_eq!(
                (keys.clone(), removed),
                assign_pairwise(&previous, &incoming)
            );
            assert!(keys.iter().flatten().count() >= old_n.min(new_n) / 2);
        }
    }

    #[test]
    fn past_the_work_budget_numbers_and_equal_texts_still_match() {
        let previous = [
            Known {
                key: "k1",
                number: "1",
                text: "We commit to connect every school by 2030.",
            },
            Known {
                key: "k2",
                number: "2",
                text: "We will protect human rights online and offline.",
            },
            Known {
                key: "k3",
                number: "3",
                text: "Data flows should be trusted.",
            },
        ];
        let incoming = [
            Incoming {
                key: None,
                number: "1",
                text: "We commit to connect every school and hospital by 2030.",
            },
            Incoming {
                key: None,
                number: "2",
                text: "Data flows should be trusted.",
            },
            Incoming {
                key: None,
                number: "3",
                text: "We will protect human rights online and offline!",
            },
        ];
        let (keys, removed, _) = assign_within(&previous, &incoming, 0, HELD);
        // The moved paragraph (2 → 3, edited) is not searched for: it is new.
        assert_eq!(keys, [Some("k1".into()), Some("k3".into()), None]);
        assert_eq!(removed, ["k2"]);
        assert_eq!(
            assign(&previous, &incoming).0,
            [Some("k1".into()), Some("k3".into()), Some("k2".into())]
        );
    }

    #[test]
    fn diff_places_removed_where_they_were() {
        let p = |key: &str, number: &str, text: &str| Stored {
            key: key.into(),
            number: number.into(),
            section: String::new(),
            text: text.into(),
            informed_by: vec![],
        };
        let from = [
            p("a", "1", "One."),
            p("b", "2", "Two."),
            p("c", "3", "Three."),
        ];
        let to = [
            p("a", "1", "One."),
            p("c", "2", "Three, amended."),
            p("d", "3", "Four."),
        ];
        let d = diff(&from, &to);
        let got: Vec<(&str, &str)> = d
            .iter()
            .map(|x| (x.key.as_str(), x.status.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "unchanged"),
                ("b", "removed"),
                ("c", "changed"),
                ("d", "added")
            ]
        );
        assert_eq!(d[2].previous_number.as_deref(), Some("3"));
    }
}
