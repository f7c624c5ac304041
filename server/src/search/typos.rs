//! Typo tolerance for the tantivy index: a word of the query that the index does not
//! hold is replaced by the words it does hold one edit away (a letter added, dropped,
//! changed, or two neighbours swapped), its first letter taken as typed.
//!
//! Why not tantivy's fuzzy term query: it walks every segment's whole term dictionary
//! with a Levenshtein automaton, and with a first letter free that walk enters every
//! branch (tens of thousands of Chinese bigrams among them): 25–30 ms a query at 1M
//! contributions. Keeping the first letter (as search engines' "prefix length" does)
//! leaves a few hundred words to compare per segment. And a corrected word is then
//! searched as if typed, stems included: `affordabilty` finds what `affordability`
//! finds.

use std::collections::BTreeSet;

use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::analysis;
use super::index::IndexError;

/// Shorter words are not corrected: one edit away from a three-letter word is half the
/// dictionary.
const MIN_CHARS: usize = 4;

/// `text` with each word that `field` does not hold replaced by `(a OR b …)`, the words
/// one edit away that it does hold; `None` when no word could be corrected.
pub fn corrected(
    searcher: &Searcher,
    field: Field,
    text: &str,
) -> Result<Option<String>, IndexError> {
    let mut out = String::with_capacity(text.len() * 2);
    let mut copied = 0;
    let mut any = false;
    for token in analysis::tokenize(text) {
        let word = &token.text;
        if word.chars().count() < MIN_CHARS
            || searcher.doc_freq(&Term::from_field_text(field, word))? > 0
        {
            continue;
        }
        let near = near_words(searcher, field, word)?;
        if near.is_empty() {
            continue;
        }
        out.push_str(&text[copied..token.offset_from]);
        out.push('(');
        out.push_str(&near.into_iter().collect::<Vec<_>>().join(" OR "));
        out.push(')');
        copied = token.offset_to;
        any = true;
    }
    out.push_str(&text[copied..]);
    Ok(any.then_some(out))
}

/// The words of `field`, in any segment, one edit away from `word` and starting with
/// its first letter.
fn near_words(
    searcher: &Searcher,
    field: Field,
    word: &str,
) -> Result<BTreeSet<String>, IndexError> {
    let mut near = BTreeSet::new();
    let Some(first) = word.chars().next() else {
        return Ok(near);
    };
    let low = first.to_string().into_bytes();
    // The last byte of a UTF-8 character is at most 0xBF: one more bounds every word
    // that starts with this character.
    let mut high = low.clone();
    if let Some(last) = high.last_mut() {
        *last += 1;
    }
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut terms = index
            .terms()
            .range()
            .ge(&low)
            .lt(&high)
            .into_stream()
            .map_err(|e| IndexError::Failed(e.to_string()))?;
        while terms.advance() {
            if let Ok(candidate) = std::str::from_utf8(terms.key()) {
                if one_edit_apart(word, candidate) {
                    near.insert(candidate.to_owned());
                }
            }
        }
    }
    Ok(near)
}

/// Whether `a` and `b` differ by exactly one added, dropped or changed letter, or by two
/// neighbouring letters swapped.
pub fn one_edit_apart(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let same = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            a[same + 1..] == b[same + 1..]
                || (same + 1 < a.len()
                    && a[same] == b[same + 1]
                    && a[same + 1] == b[same]
                    && a[same + 2..] == b[same + 2..])
        }
        std::cmp::Ordering::Less => a[same..] == b[same + 1..],
        std::cmp::Ordering::Greater => a[same + 1..] == b[same..],
    }
}

#[cfg(test)]
mod tests {
    use super::one_edit_apart;

    #[test]
    fn one_edit_means_one() {
        assert!(one_edit_apart("conectivity", "connectivity"));
        assert!(one_edit_apart("affordabilty", "affordability"));
        assert!(one_edit_apart("privcay", "privacy"));
        assert!(one_edit_apart("gendre", "gender"));
        assert!(one_edit_apart("gander", "gender"));
        assert!(one_edit_apart("genders", "gender"));
        assert!(one_edit_apart(
            "الخصوصيه",
            "الخصوصيه".replacen('ص', "س", 1).as_str()
        ));
        assert!(!one_edit_apart("gender", "gender"));
        assert!(!one_edit_apart("gnedre", "gender"));
        assert!(!one_edit_apart("conectivty", "connectivity"));
        assert!(!one_edit_apart("privacy", "piracy"));
    }
}
