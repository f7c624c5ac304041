//! Text tools for drafts and comments: tokens that work for every script, similarity
//! for matching paragraphs across versions, word diffs, and language detection.

use std::collections::HashMap;

use serde::Serialize;

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// Tokens for diffing: each CJK character alone (Chinese has no spaces), words of other
/// scripts (Latin, Cyrillic, Arabic) whole, punctuation alone, whitespace kept so the
/// pieces join back into the text.
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None::<usize>;
    for (i, c) in text.char_indices() {
        let word_char = c.is_alphanumeric() && !is_cjk(c)
            || c == '\''
            || c == '’'
            || c == '\u{64b}'
            || ('\u{610}'..='\u{65f}').contains(&c);
        if word_char {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
        out.push(&text[i..i + c.len_utf8()]);
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

crate::accounts::types::string_enum!(
    /// A piece of a word diff.
    DiffOp {
        Equal => "equal",
        Insert => "insert",
        Delete => "delete",
    }
);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct DiffPart {
    pub op: DiffOp,
    pub text: String,
}

/// A word diff (character diff for CJK) by longest common subsequence.
pub fn word_diff(old: &str, new: &str) -> Vec<DiffPart> {
    let a = tokens(old);
    let b = tokens(new);
    // Trim the common prefix and suffix: most edits touch a small part.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut push = |op: DiffOp, t: &str| {
        if t.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.op == op => last.text.push_str(t),
            _ => parts.push(DiffPart {
                op,
                text: t.to_owned(),
            }),
        }
    };
    push(DiffOp::Equal, &a[..prefix].concat());
    if am.len() * bm.len() > 4_000_000 {
        // Too large for the table: show it as replaced.
        push(DiffOp::Delete, &am.concat());
        push(DiffOp::Insert, &bm.concat());
    } else {
        let (n, m) = (am.len(), bm.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if am[i] == bm[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                push(DiffOp::Equal, am[i]);
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
                push(DiffOp::Delete, am[i]);
                i += 1;
            } else {
                push(DiffOp::Insert, bm[j]);
                j += 1;
            }
        }
    }
    push(DiffOp::Equal, &a[a.len() - suffix..].concat());
    parts
}

/// What [`similarity`] compares, with their counts: words (lower-cased) for spaced
/// scripts and character bigrams for Chinese, Japanese and Korean.
pub fn features(s: &str) -> HashMap<String, u32> {
    let mut map = HashMap::new();
    let mut previous_cjk: Option<char> = None;
    for t in tokens(s) {
        let mut chars = t.chars();
        let first = chars.next().unwrap_or(' ');
        if is_cjk(first) && chars.next().is_none() {
            if let Some(p) = previous_cjk {
                *map.entry(format!("{p}{first}")).or_insert(0) += 1;
            }
            previous_cjk = Some(first);
            continue;
        }
        if first.is_alphanumeric() {
            *map.entry(t.to_lowercase()).or_insert(0) += 1;
        }
        if !first.is_whitespace() {
            previous_cjk = None;
        }
    }
    map
}

/// The Dice coefficient from the features two texts share (`common`, counted with their
/// multiplicity) and the features they have in all (`total`): 0 when they have none.
pub fn dice(common: u32, total: u32) -> f64 {
    if total == 0 {
        return 0.0;
    }
    2.0 * f64::from(common) / f64::from(total)
}

/// Similarity in 0..=1: Dice coefficient over words (lower-cased) for spaced scripts
/// and over character bigrams for Chinese, Japanese and Korean; 1 for equal texts.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (x, y) = (features(a), features(b));
    let total: u32 = x.values().sum::<u32>() + y.values().sum::<u32>();
    let common: u32 = x
        .iter()
        .map(|(k, v)| (*v).min(*y.get(k).unwrap_or(&0)))
        .sum();
    dice(common, total)
}

/// The language of a text as a BCP 47 primary tag, when a detector is confident enough.
pub fn detect_language(text: &str) -> Option<String> {
    let info = whatlang::detect(text)?;
    let code = match info.lang() {
        whatlang::Lang::Cmn => "zh",
        whatlang::Lang::Eng => "en",
        whatlang::Lang::Fra => "fr",
        whatlang::Lang::Spa => "es",
        whatlang::Lang::Rus => "ru",
        whatlang::Lang::Ara => "ar",
        whatlang::Lang::Por => "pt",
        whatlang::Lang::Deu => "de",
        whatlang::Lang::Ita => "it",
        whatlang::Lang::Jpn => "ja",
        whatlang::Lang::Kor => "ko",
        whatlang::Lang::Hin => "hi",
        whatlang::Lang::Ukr => "uk",
        whatlang::Lang::Tur => "tr",
        whatlang::Lang::Pes => "fa",
        whatlang::Lang::Urd => "ur",
        whatlang::Lang::Ind => "id",
        whatlang::Lang::Swe => "sv",
        whatlang::Lang::Nld => "nl",
        whatlang::Lang::Pol => "pl",
        other => return Some(other.code().to_owned()),
    };
    // Scripts decide alone for zh/ar/ru; Latin-script languages need some confidence.
    let by_script = matches!(code, "zh" | "ar" | "ja" | "ko");
    (by_script || info.confidence() > 0.2 || text.chars().count() > 40).then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(parts: &[DiffPart]) -> String {
        parts
            .iter()
            .map(|p| match p.op {
                DiffOp::Insert => format!("[+{}]", p.text),
                DiffOp::Delete => format!("[-{}]", p.text),
                _ => p.text.clone(),
            })
            .collect()
    }

    #[test]
    fn word_diffs_in_three_scripts() {
        assert_eq!(
            render(&word_diff(
                "We shall close the gap.",
                "We will close the digital gap."
            )),
            "We [-shall][+will] close the[+ digital] gap."
        );
        assert_eq!(
            render(&word_diff("弥合数字鸿沟。", "弥合所有数字鸿沟。")),
            "弥合[+所有]数字鸿沟。"
        );
        assert_eq!(
            render(&word_diff(
                "سد الفجوة الرقمية",
                "سد الفجوة الرقمية بين البلدان"
            )),
            "سد الفجوة الرقمية[+ بين البلدان]"
        );
        assert_eq!(
            word_diff("same", "same"),
            vec![DiffPart {
                op: DiffOp::Equal,
                text: "same".into()
            }]
        );
    }

    #[test]
    fn similarity_ranks_edits_above_strangers() {
        let a = "We commit to connect every school to the Internet by 2030.";
        let edited = "We commit to connect all schools to the Internet by 2030.";
        let other = "Data governance must respect privacy and human rights.";
        assert!(similarity(a, edited) > 0.7);
        assert!(similarity(a, other) < 0.4);
        assert!(similarity("弥合所有数字鸿沟", "弥合数字鸿沟") > 0.6);
    }

    #[test]
    fn detects_the_six_un_languages() {
        let samples = [
            ("zh", "我们必须弥合数字鸿沟，确保所有人都能负担得起互联网接入。"),
            ("ar", "يجب علينا سد الفجوة الرقمية وضمان حصول الجميع على الإنترنت بأسعار معقولة."),
            ("ru", "Мы должны преодолеть цифровой разрыв и обеспечить доступ к интернету для всех."),
            ("fr", "Nous devons combler la fracture numérique et garantir à tous un accès abordable à Internet."),
            ("es", "Debemos cerrar la brecha digital y garantizar a todas las personas un acceso asequible a Internet."),
            ("en", "We must close the digital divide and ensure affordable Internet access for everyone."),
        ];
        for (lang, text) in samples {
            assert_eq!(detect_language(text).as_deref(), Some(lang), "{text}");
        }
    }
}
