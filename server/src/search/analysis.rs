//! How text becomes search terms, for every script the platform serves.
//!
//! One tokenizer for all fields: words of spaced scripts (Latin, Cyrillic, Arabic) are
//! lower-cased, Arabic loses its diacritics and tatweel and has its letter variants
//! folded (أ إ آ → ا, ى → ي, ة → ه), so that a search finds a word however it was
//! typed. Chinese, Japanese and Korean have no spaces: their runs become overlapping
//! character bigrams (a lone character stays a unigram), the usual approach of CJK
//! analysers; a query word of several characters becomes a phrase of the bigrams that
//! cover it (see [`Bigrams::Cover`]), so 数字鸿沟 finds exactly that sequence. Stemmed copies of the text (one field per
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

impl StemLang {
    /// Whether `c` is a letter of the script this language's stemmer works on.
    fn stems_letter(self, c: char) -> bool {
        match self {
            StemLang::En | StemLang::Fr | StemLang::Es => {
                c.is_ascii_alphabetic()
                    || (('\u{00C0}'..='\u{024F}').contains(&c) && c.is_alphabetic())
                    || ('\u{1E00}'..='\u{1EFF}').contains(&c)
            }
            StemLang::Ru => is_cyrillic(c),
            StemLang::Ar => is_arabic(c),
        }
    }

    /// Whether this language's stemmed field can find anything for `text` that the base
    /// field does not. A stemmer changes only words of its own script and the stemmed
    /// field is the base field's tokens, stemmed; so for a query with no letter of that
    /// script the stemmed field matches a subset of what the base field matches, and a
    /// search may leave it out (at 1M contributions every field left out of a word's
    /// union is a posting list less to merge for each query).
    pub fn can_stem(self, text: &str) -> bool {
        text.chars().any(|c| self.stems_letter(c))
    }
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
    analyzers_with(Bigrams::All)
}

/// The same analysers for a query parser: CJK words as covering bigrams.
pub fn query_analyzers() -> Vec<(String, TextAnalyzer)> {
    analyzers_with(Bigrams::Cover)
}

fn analyzers_with(bigrams: Bigrams) -> Vec<(String, TextAnalyzer)> {
    let mut all = vec![(
        BASE.to_owned(),
        TextAnalyzer::from(ScriptTokenizer {
            stem: None,
            bigrams,
        }),
    )];
    for (lang, stem) in STEMMED {
        let analyzer = TextAnalyzer::from(ScriptTokenizer {
            stem: Some(stem),
            bigrams,
        });
        all.push((analyzer_name(lang), analyzer));
    }
    all
}

/// Splits text into terms by script (see the module comment); with `stem`, the terms of
/// that language's script are stemmed; `bigrams` says which bigrams of a CJK run.
#[derive(Clone, Copy, Default)]
pub struct ScriptTokenizer {
    pub stem: Option<StemLang>,
    pub bigrams: Bigrams,
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
        let mut tokens = tokenize_with(text, self.bigrams);
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

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
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
    } else if is_cyrillic(first) {
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

/// How a run of Chinese, Japanese or Korean characters becomes bigrams.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Bigrams {
    /// Every bigram, overlapping: how text is indexed.
    #[default]
    All,
    /// The fewest bigrams that still cover every character, at their own positions: how
    /// a query word is searched. 数字鸿沟 is 数字 at 0 and 鸿沟 at 2 (its middle bigram 字鸿
    /// adds nothing once those two are two apart in one run), so a phrase reads the
    /// positions of two terms instead of three; at 1M contributions reading positions
    /// was most of a Chinese query's time.
    Cover,
}

/// Positions left empty after each CJK run: bigrams of different runs are then at least
/// three apart, so a covering phrase (terms at most two apart) never spans two runs.
const RUN_GAP: usize = 2;

/// The terms of an indexed text.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_with(text, Bigrams::All)
}

pub fn tokenize_with(text: &str, bigrams: Bigrams) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut push = |from: usize, to: usize, position: usize, term: String| {
        if term.is_empty() {
            return;
        }
        out.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: term,
            position_length: 1,
        });
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |(o, _)| *o);
    let mut position = 0;
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_cjk(c) {
            let mut j = i;
            while j < chars.len() && is_cjk(chars[j].1) {
                j += 1;
            }
            if j - i == 1 {
                push(start, end_of(i), position, c.to_string());
                position += 1;
            } else {
                // Bigram k of the run starts at its character k.
                let last = j - i - 2;
                for k in 0..=last {
                    if bigrams == Bigrams::Cover && k % 2 == 1 && k != last {
                        continue;
                    }
                    let term: String = [chars[i + k].1, chars[i + k + 1].1].iter().collect();
                    push(chars[i + k].0, end_of(i + k + 1), position + k, term);
                }
                position += last + 1;
            }
            position += RUN_GAP;
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
            if !term.is_empty() {
                push(start, end_of(j - 1), position, term);
                position += 1;
            }
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
    fn a_query_word_keeps_the_bigrams_that_cover_it() {
        let at = |text: &str, bigrams| -> Vec<(String, usize)> {
            tokenize_with(text, bigrams)
                .into_iter()
                .map(|t| (t.text, t.position))
                .collect()
        };
        let owned = |v: &[(&str, usize)]| -> Vec<(String, usize)> {
            v.iter().map(|(t, p)| ((*t).to_owned(), *p)).collect()
        };
        assert_eq!(
            at("数字鸿沟", Bigrams::Cover),
            owned(&[("数字", 0), ("鸿沟", 2)])
        );
        assert_eq!(
            at("可持续发展", Bigrams::Cover),
            owned(&[("可持", 0), ("续发", 2), ("发展", 3)])
        );
        assert_eq!(at("人权", Bigrams::Cover), owned(&[("人权", 0)]));
        // Indexed, every bigram; runs and words apart by more than a covering phrase
        // spans, so 数字 and 鸿沟 of two runs never look like one word.
        assert_eq!(
            at("数字，鸿沟 AI 治理", Bigrams::All),
            owned(&[("数字", 0), ("鸿沟", 3), ("ai", 6), ("治理", 7)])
        );
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
    fn a_stemmer_leaves_other_scripts_alone() {
        // The premise of `can_stem`: words without a letter of a stemmer's script come
        // out of it unchanged, so its field adds nothing to a search for them.
        let words = "connectivity networks numériques conectividad цифровых разрывом \
                     والخصوصية الاتصال 数字鸿沟 人权 2030";
        for (_, lang) in STEMMED {
            for token in tokenize(words) {
                if !lang.can_stem(&token.text) {
                    assert_eq!(stem(lang, &token.text), token.text, "{lang:?}");
                }
            }
            assert!(!lang.can_stem("数字鸿沟 2030"));
        }
        assert!(StemLang::Fr.can_stem("numériques"));
        assert!(!StemLang::Ru.can_stem("human rights"));
        assert!(StemLang::Ru.can_stem("права"));
        assert!(StemLang::Ar.can_stem("الخصوصية") && !StemLang::En.can_stem("الخصوصية"));
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
