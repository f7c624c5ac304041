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

use super::text::{similarity, word_diff, DiffPart};

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

/// Gives each incoming paragraph the key of the paragraph it continues, or `None` when it
/// is new. Returns the keys and the earlier keys that no paragraph continues (removed).
pub fn assign(
    previous: &[Known<'_>],
    incoming: &[Incoming<'_>],
) -> (Vec<Option<String>>, Vec<String>) {
    let mut keys: Vec<Option<String>> = incoming.iter().map(|p| p.key.map(str::to_owned)).collect();
    let mut taken: HashSet<&str> = incoming.iter().filter_map(|p| p.key).collect();

    // Every pair that could match, best first: a paragraph that moved unchanged is
    // matched before its old number is given to a newcomer.
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
                // Ties go to the paragraph that kept its number.
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
    let mut out: Vec<ParagraphDiff> = Vec::with_capacity(to.len());
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
    }
    let mut anchor: Option<&str> = None;
    for p in from {
        if new_keys.contains(p.key.as_str()) {
            anchor = Some(p.key.as_str());
            continue;
        }
        let at = anchor
            .and_then(|a| out.iter().position(|d| d.key == a))
            .map_or(0, |i| i + 1);
        // After any removed paragraphs already placed behind the same anchor.
        let at = at
            + out[at..]
                .iter()
                .take_while(|d| d.status == DiffStatus::Removed)
                .count();
        out.insert(
            at,
            ParagraphDiff {
                key: p.key.clone(),
                status: DiffStatus::Removed,
                number: p.number.clone(),
                previous_number: None,
                section: p.section.clone(),
                text: None,
                previous_text: Some(p.text.clone()),
                word_diff: None,
                informed_by: vec![],
            },
        );
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
