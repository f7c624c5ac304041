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
//!
//! The words one edit away are found by walking the term dictionary with an automaton
//! ([`OneEdit`]) that enters only the branches that can still end one edit from the
//! word: a few per letter of it. Comparing every word with the same first letter instead
//! grew with the vocabulary: under a campaign's load test, where each comment carried a
//! word of its own, every query that missed compared 180,000 words, and those searches
//! took a tenth of the server's CPU (docs/performance.md).

use std::collections::BTreeSet;

use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::analysis;
use super::index::IndexError;

/// Shorter words are not corrected: one edit away from a three-letter word is half the
/// dictionary.
const MIN_CHARS: usize = 4;
/// Longer ones are not either (no one mistypes a word this long, and [`OneEdit`] keeps
/// its positions in the bits of a `u64`).
const MAX_CHARS: usize = 48;

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
        let chars = word.chars().count();
        if !(MIN_CHARS..=MAX_CHARS).contains(&chars)
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
    let automaton = OneEdit {
        word: word.chars().collect(),
    };
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut terms = index
            .terms()
            .search(&automaton)
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

/// Matches the words at most one edit from `word` (a letter added, dropped, changed, or
/// two neighbours swapped), read as UTF-8 bytes, as the term dictionary is walked; what
/// it matches is then checked with [`one_edit_apart`]. At most [`MAX_CHARS`] letters.
struct OneEdit {
    word: Vec<char>,
}

/// Where [`OneEdit`] can be after the bytes read so far: bit `i` of `exact` when the
/// word's first `i` letters were read as they are, of `edited` when read with one edit,
/// of `swapped` when the letter after the first `i` was read (a swap begun: the word's
/// letter `i` must come next). All empty: no word one edit away starts so.
#[derive(Clone, Copy)]
struct Reach {
    exact: u64,
    edited: u64,
    swapped: u64,
    /// The bits of a letter whose bytes are still coming, and how many are.
    partial: u32,
    missing: u8,
}

const NOWHERE: Reach = Reach {
    exact: 0,
    edited: 0,
    swapped: 0,
    partial: 0,
    missing: 0,
};

/// Each set bit's position, lowest first.
fn positions(mut bits: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            i
        })
    })
}

impl OneEdit {
    /// The positions `0..=n` of the word.
    fn all(&self) -> u64 {
        (1u64 << (self.word.len() + 1)) - 1
    }

    /// With the word's next letter dropped, without reading anything.
    fn dropped(&self, mut reach: Reach) -> Reach {
        reach.edited |= (reach.exact << 1) & self.all();
        reach
    }

    /// After reading the letter `c`.
    fn read(&self, from: Reach, c: char) -> Reach {
        let n = self.word.len();
        let mut to = NOWHERE;
        for i in positions(from.exact) {
            // Added before the word's letter i.
            to.edited |= 1 << i;
            if i < n {
                if self.word[i] == c {
                    to.exact |= 1 << (i + 1);
                } else {
                    to.edited |= 1 << (i + 1);
                }
            }
            if i + 1 < n && self.word[i + 1] == c {
                to.swapped |= 1 << i;
            }
        }
        for i in positions(from.edited) {
            if i < n && self.word[i] == c {
                to.edited |= 1 << (i + 1);
            }
        }
        for i in positions(from.swapped) {
            if self.word[i] == c {
                to.edited |= 1 << (i + 2);
            }
        }
        self.dropped(to)
    }
}

impl tantivy_fst::Automaton for &OneEdit {
    type State = Reach;

    fn start(&self) -> Reach {
        self.dropped(Reach {
            exact: 1,
            ..NOWHERE
        })
    }

    fn is_match(&self, reach: &Reach) -> bool {
        reach.missing == 0 && reach.edited & (1 << self.word.len()) != 0
    }

    fn can_match(&self, reach: &Reach) -> bool {
        reach.exact | reach.edited | reach.swapped != 0
    }

    fn accept(&self, reach: &Reach, byte: u8) -> Reach {
        let mut reach = *reach;
        if reach.missing == 0 {
            let (bits, missing) = match byte {
                0x00..=0x7F => (u32::from(byte), 0),
                0xC0..=0xDF => (u32::from(byte & 0x1F), 1),
                0xE0..=0xEF => (u32::from(byte & 0x0F), 2),
                0xF0..=0xF7 => (u32::from(byte & 0x07), 3),
                _ => return NOWHERE,
            };
            reach.partial = bits;
            reach.missing = missing;
        } else {
            if byte & 0xC0 != 0x80 {
                return NOWHERE;
            }
            reach.partial = (reach.partial << 6) | u32::from(byte & 0x3F);
            reach.missing -= 1;
        }
        if reach.missing > 0 {
            return reach;
        }
        match char::from_u32(reach.partial) {
            Some(c) => self.read(reach, c),
            None => NOWHERE,
        }
    }
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
    use super::{one_edit_apart, OneEdit};
    use tantivy_fst::Automaton;

    /// Whether the automaton for `word` matches `candidate`, read byte by byte as the
    /// dictionary's walk reads it (and given up where it could no longer match).
    fn walks_to(word: &str, candidate: &str) -> bool {
        let automaton = &OneEdit {
            word: word.chars().collect(),
        };
        let mut reach = automaton.start();
        for byte in candidate.bytes() {
            reach = automaton.accept(&reach, byte);
            if !automaton.can_match(&reach) {
                return false;
            }
        }
        automaton.is_match(&reach)
    }

    /// Every word one edit from `word` (over `letters` and the word's own), and others.
    fn neighbours(word: &str, letters: &[char]) -> Vec<String> {
        let w: Vec<char> = word.chars().collect();
        let mut alphabet: Vec<char> = letters.to_vec();
        alphabet.extend(&w);
        let mut out = Vec::new();
        let s = |v: &[char]| v.iter().collect::<String>();
        for i in 0..=w.len() {
            for &c in &alphabet {
                let mut v = w.clone();
                v.insert(i, c);
                out.push(s(&v));
                if i < w.len() {
                    let mut v = w.clone();
                    v[i] = c;
                    out.push(s(&v));
                }
            }
            if i < w.len() {
                let mut v = w.clone();
                v.remove(i);
                out.push(s(&v));
                // And two edits: each of these is one edit from those above.
                for j in i + 1..w.len() {
                    let mut v = w.clone();
                    v.remove(j);
                    v.remove(i);
                    out.push(s(&v));
                    let mut v = w.clone();
                    v.swap(i, j);
                    out.push(s(&v));
                }
            }
        }
        out.push(word.to_owned());
        out.push(format!("{word}{word}"));
        out
    }

    #[test]
    fn the_automaton_matches_what_one_edit_apart_does() {
        let words = [
            ("connectivity", vec!['x', 'n', 'é']),
            ("gender", vec!['a', 'r', 'ß']),
            ("الخصوصية", vec!['س', 'ه', 'a']),
            ("可持续发展", vec!['持', '续', '了']),
            ("конфиденциальность", vec!['и', 'e', 'ь']),
            ("abcd", vec!['😀', 'a']),
        ];
        let mut matched = 0;
        for (word, letters) in words {
            for candidate in neighbours(word, &letters) {
                let expected = one_edit_apart(word, &candidate);
                // The automaton also matches the word itself (no edit), which the check
                // after it drops.
                let walked = walks_to(word, &candidate) && candidate != word;
                assert_eq!(walked, expected, "{word} → {candidate}");
                matched += usize::from(walked);
            }
        }
        assert!(matched > 1000, "{matched} matched");
    }

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
