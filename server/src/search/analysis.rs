//! How text becomes search terms, for every script the platform serves.
//!
//! One tokenizer for all fields: words of spaced scripts (Latin, Cyrillic, Arabic) are
//! lower-cased, Arabic loses its diacritics and tatweel and has its letter variants
//! folded (أ إ آ → ا, ى → ي, ة → ه), so that a search finds a word however it was
//! typed. Chinese, Japanese and Korean have no spaces: their runs become overlapping
//! character bigrams (a lone character stays a unigram), the usual approach of CJK
//! analysers; a query word of several characters becomes a phrase of bigrams, so
//! 数字鸿沟 finds exactly that sequence. Stemmed copies of the text (one field per
//! language with a Snowball stemmer) add recall for inflected languages. Arabic gets a
//! light stemmer instead (Larkey's Light10): it removes the conjunction و and the
//! article and prepositions joined to a word (ال، وال، بال، كال، فال، لل) and common
//! suffixes, so والخصوصية and بالخصوصية find الخصوصية; Snowball's Arabic stemmer leaves
//! those prefixes.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::consultations::text::is_cjk;

/// Name under which the base analyser is registered.
pub const BASE: &str = "indaba";

/// A language with a stemmed field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StemLang {
    En,
    Fr,
    Es,
    Ru,
    /// The light stemmer (see the module comment).
    Ar,
}

/// The languages with a stemmed field, by language tag.
pub const STEMMED: [(&str, StemLang); 5] = [
    ("en", StemLang::En),
    ("fr", StemLang::Fr),
    ("es", StemLang::Es),
    ("ru", StemLang::Ru),
    ("ar", StemLang::Ar),
];

fn snowball(lang: StemLang) -> Option<&'static Stemmer> {
    static STEMMERS: OnceLock<[Stemmer; 4]> = OnceLock::new();
    let [en, fr, es, ru] = STEMMERS.get_or_init(|| {
        [
            Stemmer::create(Algorithm::English),
            Stemmer::create(Algorithm::French),
            Stemmer::create(Algorithm::Spanish),
            Stemmer::create(Algorithm::Russian),
        ]
    });
    match lang {
        StemLang::En => Some(en),
        StemLang::Fr => Some(fr),
        StemLang::Es => Some(es),
        StemLang::Ru => Some(ru),
        StemLang::Ar => None,
    }
}

/// The stem of a term (already lower-cased and folded) in a language. Russian is stemmed
/// until it stops changing: Snowball takes the nominative разрыв to разр but the
/// genitive разрыва to разрыв, so one pass would never let разрыв find разрыва.
pub fn stem(lang: StemLang, term: &str) -> String {
    match snowball(lang) {
        None => arabic_light_stem(term).unwrap_or_else(|| term.to_owned()),
        Some(stemmer) if lang == StemLang::Ru => {
            let mut current = term.to_owned();
            for _ in 0..4 {
                let next = stemmer.stem(&current);
                if next == current {
                    break;
                }
                current = next.into_owned();
            }
            current
        }
        Some(stemmer) => stemmer.stem(term).into_owned(),
    }
}

pub fn analyzer_name(lang: &str) -> String {
    format!("{BASE}_{lang}")
}

/// The analysers to register on an index: the base one and one per stemmed language.
pub fn analyzers() -> Vec<(String, TextAnalyzer)> {
    let mut all = vec![(
        BASE.to_owned(),
        TextAnalyzer::from(ScriptTokenizer::default()),
    )];
    for (lang, stem) in STEMMED {
        let analyzer = TextAnalyzer::from(ScriptTokenizer { stem: Some(stem) });
        all.push((analyzer_name(lang), analyzer));
    }
    all
}

/// Splits text into terms by script (see the module comment); with `stem`, the terms of
/// that language's script are stemmed.
#[derive(Clone, Copy, Default)]
pub struct ScriptTokenizer {
    pub stem: Option<StemLang>,
}

pub struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for ScriptTokenizer {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let mut tokens = tokenize(text);
        if let Some(lang) = self.stem {
            for t in &mut tokens {
                t.text = stem(lang, &t.text);
            }
        }
        Tokens { tokens, next: 0 }
    }
}

/// Arabic marks that do not change a word for search: harakat, tanwin, shadda, sukun,
/// superscript alef, Quranic marks, and the tatweel used to stretch words.
fn is_ignorable_mark(c: char) -> bool {
    matches!(c as u32, 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0640)
}

fn fold(c: char) -> Option<char> {
    if is_ignorable_mark(c) {
        return None;
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' => 'ي',
        'ة' => 'ه',
        _ => c,
    })
}

fn is_arabic(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// Light10 on a folded term (ة is already ه, أ إ آ already ا): the conjunction و, then
/// the article or a preposition with it, then one suffix, never leaving fewer than two
/// letters. `None` when the term is not Arabic or nothing changes.
pub fn arabic_light_stem(term: &str) -> Option<String> {
    if !term.chars().all(is_arabic) {
        return None;
    }
    let mut w: Vec<char> = term.chars().collect();
    let original = w.clone();
    if w.len() > 3 && w[0] == 'و' {
        w.remove(0);
    }
    for prefix in ["وال", "بال", "كال", "فال", "لل", "ال"] {
        let p: Vec<char> = prefix.chars().collect();
        if w.len() >= p.len() + 2 && w.starts_with(&p) {
            w.drain(..p.len());
            break;
        }
    }
    for suffix in ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"] {
        let sfx: Vec<char> = suffix.chars().collect();
        if w.len() >= sfx.len() + 2 && w.ends_with(&sfx) {
            w.truncate(w.len() - sfx.len());
            break;
        }
    }
    (w != original).then(|| w.into_iter().collect())
}

/// One stem per term whatever its language, for an engine that cannot look a query word
/// up under several languages' stems at once (Meilisearch): Cyrillic terms take the
/// Russian stem, Arabic terms the light stem, Latin terms the shortest of the English,
/// French and Spanish stems; Chinese, Japanese and Korean bigrams stay as they are. The
/// same function runs on the text and on the query, so "connected" finds "Connecting".
pub fn conflate(term: &str) -> String {
    let Some(first) = term.chars().next() else {
        return String::new();
    };
    if is_cjk(first) {
        term.to_owned()
    } else if is_arabic(first) {
        stem(StemLang::Ar, term)
    } else if ('\u{0400}'..='\u{04FF}').contains(&first) {
        stem(StemLang::Ru, term)
    } else {
        [StemLang::En, StemLang::Fr, StemLang::Es]
            .into_iter()
            .map(|lang| stem(lang, term))
            .min_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)))
            .unwrap_or_else(|| term.to_owned())
    }
}

fn is_word_char(c: char) -> bool {
    (c.is_alphanumeric() && !is_cjk(c)) || is_ignorable_mark(c)
}

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut push = |from: usize, to: usize, term: String| {
        if term.is_empty() {
            return;
        }
        out.push(Token {
            offset_from: from,
            offset_to: to,
            position: out.len(),
            text: term,
            position_length: 1,
        });
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |(o, _)| *o);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_cjk(c) {
            let mut j = i;
            while j < chars.len() && is_cjk(chars[j].1) {
                j += 1;
            }
            if j - i == 1 {
                push(start, end_of(i), c.to_string());
            } else {
                for k in i..j - 1 {
                    let term: String = [chars[k].1, chars[k + 1].1].iter().collect();
                    push(chars[k].0, end_of(k + 1), term);
                }
            }
            i = j;
        } else if is_word_char(c) {
            let mut j = i;
            let mut term = String::new();
            while j < chars.len() && is_word_char(chars[j].1) {
                if let Some(f) = fold(chars[j].1) {
                    term.extend(f.to_lowercase());
                }
                j += 1;
            }
            push(start, end_of(j - 1), term);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn latin_and_cyrillic_words_are_lower_cased() {
        assert_eq!(terms("Digital Divide, now!"), ["digital", "divide", "now"]);
        assert_eq!(terms("Цифровой разрыв"), ["цифровой", "разрыв"]);
    }

    #[test]
    fn chinese_runs_become_bigrams_with_offsets() {
        let tokens = tokenize("弥合数字鸿沟。");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["弥合", "合数", "数字", "字鸿", "鸿沟"]);
        let text = "弥合数字鸿沟。";
        assert_eq!(&text[tokens[2].offset_from..tokens[2].offset_to], "数字");
        assert_eq!(terms("人"), ["人"]);
        assert_eq!(terms("AI 治理"), ["ai", "治理"]);
    }

    #[test]
    fn arabic_variants_and_diacritics_fold() {
        // With and without harakat, alef with hamza or bare, ta marbuta or ha.
        assert_eq!(terms("الرَّقْمِيَّة"), terms("الرقميه"));
        assert_eq!(terms("أمن"), terms("امن"));
        assert_eq!(terms("مـــعـلومات"), terms("معلومات"));
    }

    #[test]
    fn arabic_light_stemming_removes_joined_particles() {
        let stem = |w: &str| {
            let t = &tokenize(w)[0].text;
            arabic_light_stem(t).unwrap_or_else(|| t.clone())
        };
        assert_eq!(stem("والخصوصية"), stem("الخصوصية"));
        assert_eq!(stem("بالخصوصية"), stem("خصوصية"));
        assert_eq!(stem("والأمن"), stem("الأمن"));
        assert_eq!(stem("للمعلومات"), stem("المعلومات"));
        assert_eq!(arabic_light_stem("privacy"), None);
    }

    #[test]
    fn stemmed_analysers_conflate_inflections() {
        let analyzers = analyzers();
        let stem = |lang: &str, text: &str| -> Vec<String> {
            let (_, a) = analyzers
                .iter()
                .find(|(n, _)| *n == analyzer_name(lang))
                .unwrap();
            let mut a = a.clone();
            let mut stream = a.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                out.push(stream.token().text.clone());
            }
            out
        };
        assert_eq!(stem("en", "connecting"), stem("en", "connected"));
        assert_eq!(stem("fr", "numériques"), stem("fr", "numérique"));
        assert_eq!(stem("ru", "цифровых"), stem("ru", "цифровой"));
        assert_eq!(stem("ru", "разрыв"), stem("ru", "разрывом"));
        assert_eq!(stem("ar", "والخصوصية"), stem("ar", "الخصوصية"));
    }

    #[test]
    fn one_stem_per_term_whatever_the_language() {
        let c = |w: &str| conflate(&tokenize(w)[0].text);
        assert_eq!(c("Connecting"), c("connected"));
        assert_eq!(c("numériques"), c("numérique"));
        assert_eq!(c("цифровых"), c("цифровой"));
        assert_eq!(c("разрыв"), c("разрыва"));
        assert_eq!(c("والخصوصية"), c("الخصوصية"));
        assert_eq!(c("数字"), "数字");
        assert_ne!(c("data"), c("digital"));
    }
}
