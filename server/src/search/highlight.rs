//! Highlights made from our own analysis, for a backend whose highlighter analyses text
//! its own way (Meilisearch): the text is tokenized as it was indexed, and a word is
//! marked when its stem is one of the query's, a run of Chinese, Japanese or Korean when
//! it holds a whole query word (the bigrams in a row), as the search matched it.

use std::collections::HashSet;

use super::analysis::{conflate, tokenize};
use crate::consultations::text::is_cjk;

/// At most this many characters of text in a highlight.
pub const CHARS: usize = 240;
/// Characters of context kept before the first match.
const LEAD: usize = 40;

/// A query's words, ready to be searched for and marked.
pub struct QueryTerms {
    /// Stems of the words of spaced scripts.
    pub words: HashSet<String>,
    /// Each CJK query word as its bigrams in order (one element for a lone character).
    pub phrases: Vec<Vec<String>>,
}

impl QueryTerms {
    pub fn new(query: &str) -> QueryTerms {
        let mut words = HashSet::new();
        let mut phrases: Vec<Vec<String>> = Vec::new();
        let mut last_end: Option<usize> = None;
        for token in tokenize(query) {
            let cjk = token.text.chars().next().is_some_and(is_cjk);
            if !cjk {
                words.insert(conflate(&token.text));
                last_end = None;
                continue;
            }
            // Overlapping bigrams come from one run: one phrase.
            match (last_end, phrases.last_mut()) {
                (Some(end), Some(phrase)) if token.offset_from < end => {
                    phrase.push(token.text.clone())
                }
                _ => phrases.push(vec![token.text.clone()]),
            }
            last_end = Some(token.offset_to);
        }
        QueryTerms { words, phrases }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }
}

/// The best fragment of `text` (around the first match), HTML-escaped, with `<mark>`
/// around the matches; without a match, the start of the text.
pub fn highlight(text: &str, terms: &QueryTerms) -> String {
    let tokens = tokenize(text);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let first = token.text.chars().next();
        if first.is_some_and(is_cjk) {
            for phrase in &terms.phrases {
                let run = tokens.get(i..i + phrase.len());
                if run.is_some_and(|run| run.iter().zip(phrase).all(|(t, p)| t.text == *p)) {
                    let end = tokens[i + phrase.len() - 1].offset_to;
                    spans.push((token.offset_from, end));
                }
            }
        } else if terms.words.contains(&conflate(&token.text)) {
            spans.push((token.offset_from, token.offset_to));
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (from, to) in spans {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    // A window of CHARS characters, starting a little before the first match.
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let first_char = merged.first().map_or(0, |(from, _)| {
        starts.partition_point(|&i| i < *from).saturating_sub(LEAD)
    });
    let window_from = starts.get(first_char).copied().unwrap_or(text.len());
    let window_to = starts
        .get(first_char + CHARS)
        .copied()
        .unwrap_or(text.len());
    let mut out = String::with_capacity(window_to - window_from + 32);
    let mut at = window_from;
    for (from, to) in merged {
        let (from, to) = (from.max(window_from), to.min(window_to));
        if from >= to {
            continue;
        }
        out.push_str(&escape(&text[at..from]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[from..to]));
        out.push_str("</mark>");
        at = to;
    }
    out.push_str(&escape(&text[at..window_to]));
    out
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_stems_and_whole_cjk_words_and_escapes() {
        let terms = QueryTerms::new("connected 数字鸿沟");
        assert_eq!(terms.phrases, [vec!["数字", "字鸿", "鸿沟"]]);
        let h = highlight("<b>Connecting</b> 弥合数字鸿沟，数字合作", &terms);
        assert_eq!(
            h,
            "&lt;b&gt;<mark>Connecting</mark>&lt;/b&gt; 弥合<mark>数字鸿沟</mark>，数字合作"
        );
        // 数字 alone is not the query word 数字鸿沟: not marked.
        assert_eq!(highlight("数字合作", &terms), "数字合作");
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_match() {
        let text = format!("{} privacy {}", "word ".repeat(100), "tail ".repeat(100));
        let h = highlight(&text, &QueryTerms::new("privacy"));
        assert!(h.contains("<mark>privacy</mark>"), "{h}");
        assert!(h.chars().count() <= CHARS + "<mark></mark>".len());
        assert!(!h.starts_with("word word word word word word word word word"));
    }
}
