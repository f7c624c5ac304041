//! Turns a UN-style draft (plain text as published, or Markdown) into sections,
//! numbered paragraphs and their lettered items.
//!
//! What it recognises:
//! - `12.` at the start of a block starts numbered paragraph 12 when it continues the
//!   numbering; a run `1.`, `2.` … right after a paragraph that ends with a colon is that
//!   paragraph's list (`7(1)` …), not a second paragraph 1;
//! - `(a)` items become child paragraphs `12(a)`; `(i)` under an item becomes `12(a)(i)`;
//! - headings: Markdown `#`, Roman (`IV.`) and lettered (`B.`) headings, headings with a
//!   number after a word (`Objective 1.`, `目标1.`), and short unpunctuated lines between
//!   blocks; a plain heading right after a numbered one opens sub-topics under it;
//! - footnotes: definitions (`3 See resolution …`) are kept apart, and their markers are
//!   taken out of the paragraph text (only numbers that have a definition);
//! - page furniture before the first paragraph (document symbols, running headers, page
//!   numbers, stray lines) is dropped, as are bare page numbers and symbols later on.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParsedParagraph {
    pub number: String,
    /// The number of the paragraph this item belongs to.
    pub parent: Option<String>,
    pub section_path: Vec<String>,
    pub text: String,
    pub footnote_refs: Vec<u32>,
}

impl ParsedParagraph {
    pub fn section(&self) -> String {
        self.section_path.last().cloned().unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema, PartialEq)]
pub struct Footnote {
    pub number: u32,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub paragraphs: Vec<ParsedParagraph>,
    pub footnotes: Vec<Footnote>,
}

/// Paragraphs (items included) a version may have: what one transaction writes is
/// bounded (docs/performance.md).
pub const MAX_PARAGRAPHS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    Empty,
    NotText,
    NoParagraphs,
    TooManyParagraphs,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ImportError::Empty => "the source is empty",
            ImportError::NotText => {
                "the source is not text (it holds binary or control characters)"
            }
            ImportError::NoParagraphs => {
                "no numbered paragraphs found: number them as `1.`, `2.` … at the start of a line"
            }
            ImportError::TooManyParagraphs => {
                "more than 10000 paragraphs (items included): import the text in parts"
            }
        })
    }
}

/// A line classified.
#[derive(Debug)]
enum Line<'a> {
    Blank,
    Numbered(u32, &'a str),
    Item(String, &'a str),
    Heading(usize, String),
    Footnote(u32, &'a str),
    Text(&'a str),
}

fn is_sentence_end(c: char) -> bool {
    matches!(
        c,
        '。' | '.'
            | '；'
            | ';'
            | '：'
            | ':'
            | '！'
            | '!'
            | '？'
            | '?'
            | ','
            | '，'
            | '、'
            | '”'
            | '"'
            | '’'
            | '»'
    )
}

/// Short and not ending a sentence: how a heading looks in plain text.
fn heading_like(text: &str) -> bool {
    text.chars().count() <= 80 && !ends_sentence(text)
}

/// Whether a text ends a sentence, footnote markers after the stop ("…努力。⁴⁰") aside.
fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(|c: char| "⁰¹²³⁴⁵⁶⁷⁸⁹".contains(c))
        .ends_with(is_sentence_end)
}

fn ends_with_colon(s: &str) -> bool {
    s.trim_end().ends_with([':', '：'])
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0xAC00..=0xD7AF)
}

/// `12. text` (also `12．`): the number and the rest.
fn numbered(line: &str) -> Option<(u32, &str)> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &line[digits..];
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix('．'))?;
    // `10.我们…`: Chinese texts (and PDFs, where a narrow tab leaves no space) glue the
    // text to its number; a digit after the dot is a decimal, not a paragraph.
    if !rest.starts_with(|c: char| c.is_whitespace() || is_cjk(c)) {
        return None;
    }
    let text = rest.trim();
    if text.is_empty() {
        return None;
    }
    Some((line[..digits].parse().ok()?, text))
}

/// `(a) text`, `(iv) text`, also `a) text` or a Markdown bullet before them.
fn item(line: &str) -> Option<(String, &str)> {
    let line = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .unwrap_or(line)
        .trim_start();
    let (label, rest) =
        if let Some(inner) = line.strip_prefix('(').or_else(|| line.strip_prefix('（')) {
            let end = inner.find([')', '）'])?;
            let close_len = inner[end..].chars().next().map_or(1, char::len_utf8);
            (&inner[..end], &inner[end + close_len..])
        } else {
            let end = line.find(')')?;
            (&line[..end], &line[end + 1..])
        };
    if label.is_empty() || label.len() > 5 || !label.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    if !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    let text = rest.trim();
    (!text.is_empty()).then(|| (label.to_owned(), text))
}

fn is_roman(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C'))
}

fn is_chinese_numeral(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 3 && s.chars().all(|c| "一二三四五六七八九十".contains(c))
}

fn is_roman_lower(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

/// A numbered heading's level: Roman `IV.` → 1, letter `B.` → 2, `Objective 3.` / `目标3.` → 2.
fn numbered_heading(line: &str) -> Option<usize> {
    // `一、序言`: a Chinese numeral and the enumeration comma, often with no space after.
    if let Some((stem, rest)) = line.split_once('、') {
        if is_chinese_numeral(stem.trim()) && !rest.trim().is_empty() {
            return Some(1);
        }
    }
    let head: String = line.chars().take_while(|c| !c.is_whitespace()).collect();
    if let Some(stem) = head.strip_suffix('.').or_else(|| head.strip_suffix('．')) {
        // `IV.`, and in Chinese texts `四.`.
        if is_roman(stem) || is_chinese_numeral(stem) {
            return Some(1);
        }
        if stem.len() == 1 && stem.chars().all(|c| c.is_ascii_uppercase()) {
            return Some(2);
        }
        // `目标1.`: the word, then the number.
        let word: String = stem.chars().take_while(|c| !c.is_ascii_digit()).collect();
        let number = &stem[word.len()..];
        if !word.is_empty()
            && word.chars().count() <= 12
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
        {
            return Some(2);
        }
    }
    // `Objective 3. Title`, `目标 1. …`: the word, a space, then the number.
    let mut words = line.split_whitespace();
    let (first, second) = (words.next()?, words.next()?);
    let num = second.strip_suffix('.')?;
    (first.chars().all(char::is_alphabetic)
        && first.chars().count() <= 12
        && num.chars().all(|c| c.is_ascii_digit())
        && !num.is_empty())
    .then_some(2)
}

/// A footnote definition: `3 Text` (a number, a space, text), short number.
fn footnote_def(line: &str) -> Option<(u32, &str)> {
    if let Some(def) = superscript_def(line) {
        return Some(def);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &line[digits..];
    if !rest.starts_with([' ', '\t', '\u{3000}']) {
        return None;
    }
    let text = rest.trim();
    (!text.is_empty())
        .then(|| Some((line[..digits].parse().ok()?, text)))
        .flatten()
}

/// The value of a superscript digit (footnote markers in published UN texts: "²¹").
fn superscript(c: char) -> Option<u32> {
    "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|d| d == c).map(|d| d as u32)
}

/// `²¹ text`: a footnote at a page's foot, numbered in superscript.
fn superscript_def(line: &str) -> Option<(u32, &str)> {
    let digits: Vec<u32> = line.chars().map_while(superscript).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    let bytes: usize = line.chars().take(digits.len()).map(char::len_utf8).sum();
    let rest = &line[bytes..];
    if !rest.starts_with([' ', '\t', '\u{3000}']) || rest.trim().is_empty() {
        return None;
    }
    Some((digits.iter().fold(0, |n, d| n * 10 + d), rest.trim()))
}

/// Page furniture: document symbols (`A/RES/79/1`), bare page numbers, `Page 3`, dates lines.
fn is_furniture(line: &str) -> bool {
    let t = line.trim();
    if t.chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace() || c == '-' || c == '/')
    {
        return true;
    }
    let symbol = t.split_whitespace().next().unwrap_or_default();
    let looks_symbol = symbol.contains('/')
        && symbol.chars().filter(|c| *c == '/').count() >= 2
        && symbol
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '(' | ')'));
    looks_symbol || t.starts_with("Page ") && t[5..].trim().chars().all(|c| c.is_ascii_digit())
}

fn classify(raw: &str, format: Format) -> Line<'_> {
    let line = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if line.is_empty() {
        return Line::Blank;
    }
    if format == Format::Markdown {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            return Line::Heading(
                hashes,
                line[hashes..]
                    .trim()
                    .trim_end_matches('#')
                    .trim()
                    .to_owned(),
            );
        }
    }
    if let Some((n, text)) = numbered(line) {
        return Line::Numbered(n, text);
    }
    if let Some((label, text)) = item(line) {
        return Line::Item(label, text);
    }
    if let Some((n, text)) = footnote_def(line) {
        return Line::Footnote(n, text);
    }
    let text = line
        .strip_prefix("**")
        .and_then(|l| l.strip_suffix("**"))
        .unwrap_or(line);
    if let Some(level) = numbered_heading(text) {
        if text.chars().count() <= 200 && !text.ends_with(['。', ';', '；']) {
            return Line::Heading(level, text.to_owned());
        }
    }
    Line::Text(line)
}

struct HeadingStack {
    /// (level, title)
    open: Vec<(usize, String)>,
    /// A numbered heading below the top level was opened and nothing but headings
    /// followed yet.
    numbered_fresh: bool,
    /// The level of the plain sub-topic headings under the current numbered heading,
    /// once it has some.
    subtopic_level: Option<usize>,
}

impl HeadingStack {
    fn push(&mut self, level: usize, title: String) {
        self.open.retain(|(l, _)| *l < level);
        self.open.push((level, title));
    }

    /// Whether `title` is lettered with the letter after the current section's.
    fn letter_after(&self, title: &str) -> bool {
        let letter = |t: &str| {
            let mut c = t.chars();
            match (c.next(), c.next()) {
                (Some(l), Some('.' | '．')) if l.is_ascii_uppercase() => Some(l),
                _ => None,
            }
        };
        let current = self
            .open
            .iter()
            .rev()
            .find(|(l, _)| *l == 2)
            .and_then(|(_, t)| letter(t));
        matches!((current, letter(title)), (Some(a), Some(b)) if a as u32 + 1 == b as u32)
    }

    fn numbered(&mut self, level: usize, title: String) {
        self.push(level, title);
        self.numbered_fresh = level >= 2;
        self.subtopic_level = None;
    }

    /// A plain heading: a sub-topic of the current numbered heading when that heading
    /// uses sub-topics (one right under it, the next ones beside that), else a
    /// top-level section.
    fn plain(&mut self, title: String) {
        let deepest = self.open.iter().map(|(l, _)| *l).max().unwrap_or(0);
        let level = match self.subtopic_level {
            _ if self.numbered_fresh && deepest >= 2 => deepest + 1,
            Some(level) => level,
            None => 1,
        };
        self.numbered_fresh = false;
        self.subtopic_level = (level > 1).then_some(level);
        self.push(level, title);
    }
    fn path(&self) -> Vec<String> {
        self.open.iter().map(|(_, t)| t.clone()).collect()
    }
}

fn join(into: &mut String, more: &str) {
    let glue = match (into.chars().last(), more.chars().next()) {
        (Some(a), Some(b)) if is_cjk(a) || is_cjk(b) => "",
        (Some('-'), _) => "",
        (Some(_), _) => " ",
        _ => "",
    };
    into.push_str(glue);
    into.push_str(more);
}

pub fn parse(source: &str, format: Format) -> Result<Document, ImportError> {
    if source.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let control = source
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if source.contains('\0') || control * 100 > source.chars().count().max(1) {
        return Err(ImportError::NotText);
    }

    let lines: Vec<&str> = source.lines().collect();
    let first_paragraph = lines
        .iter()
        .position(|l| matches!(classify(l, format), Line::Numbered(..)))
        .ok_or(ImportError::NoParagraphs)?;

    let mut headings = HeadingStack {
        open: Vec::new(),
        numbered_fresh: false,
        subtopic_level: None,
    };
    // Before the first paragraph only unmistakable headings count; the rest is furniture.
    for raw in &lines[..first_paragraph] {
        if let Line::Heading(level, title) = classify(raw, format) {
            headings.numbered(level, title);
        }
    }

    let mut paragraphs: Vec<ParsedParagraph> = Vec::new();
    let mut footnotes: Vec<Footnote> = Vec::new();
    // The number of the last top-level paragraph: the parent of the items that follow.
    let mut top: Option<String> = None;
    let mut last_number: Option<u32> = None;
    // The list of numbered items under a paragraph that ended with a colon.
    let mut list_item: Option<u32> = None;
    // The current lettered item (its number and label), for Roman sub-items under it.
    let mut current_letter: Option<(String, String)> = None;
    let mut previous_blank = true;
    let mut in_footnotes = false;

    let mut i = first_paragraph;
    while i < lines.len() {
        let line = classify(lines[i], format);
        let was_blank = previous_blank;
        previous_blank = matches!(line, Line::Blank);
        i += 1;
        if paragraphs.len() > MAX_PARAGRAPHS {
            return Err(ImportError::TooManyParagraphs);
        }
        match line {
            Line::Blank => {}
            Line::Numbered(n, text) => {
                in_footnotes = false;
                // `1.` right after a paragraph ending with a colon opens that paragraph's list.
                let starts_list = n == 1
                    && last_number.is_some()
                    && paragraphs
                        .last()
                        .is_some_and(|p| p.parent.is_none() && ends_with_colon(&p.text));
                let in_list = list_item.is_some_and(|k| n == k + 1);
                if starts_list || in_list {
                    let parent = top.clone().unwrap_or_default();
                    list_item = Some(n);
                    paragraphs.push(ParsedParagraph {
                        number: format!("{parent}({n})"),
                        parent: Some(parent),
                        section_path: headings.path(),
                        text: text.to_owned(),
                        footnote_refs: vec![],
                    });
                    continue;
                }
                current_letter = None;
                list_item = None;
                // UN reports number paragraphs through the whole document, while the
                // sub-headings of a lettered section count from 1 again ("1. 各项行动方针的
                // 落实" between paragraphs 43 and 44): a short line without a sentence's
                // end, behind the paragraph sequence, is such a heading.
                // Alone on its line: a paragraph restarting at "1." whose first line
                // happens to be short goes on on the next line.
                let alone = lines.get(i).is_none_or(|l| {
                    matches!(
                        classify(l, format),
                        Line::Blank | Line::Numbered(..) | Line::Heading(..)
                    )
                });
                if format == Format::Text
                    && alone
                    && last_number.is_some_and(|last| n <= last)
                    && heading_like(text)
                {
                    headings.numbered(3, format!("{n}. {text}"));
                    continue;
                }
                let number = match (format, last_number) {
                    // Markdown renderers renumber lists; so do we when a list restarts.
                    (Format::Markdown, Some(last)) if n <= last => last + 1,
                    _ => n,
                };
                last_number = Some(number);
                headings.numbered_fresh = false;
                top = Some(number.to_string());
                paragraphs.push(ParsedParagraph {
                    number: number.to_string(),
                    parent: None,
                    section_path: headings.path(),
                    text: text.to_owned(),
                    footnote_refs: vec![],
                });
            }
            Line::Item(label, text) => {
                in_footnotes = false;
                // "(a) 融资机制": a lettered sub-heading, not an item, when it is short,
                // does not end a sentence, no colon announced a list, and a numbered
                // paragraph follows.
                // Inside a list ((b) after (a)), or announced by a colon: an item.
                let announced = current_letter.is_some()
                    || paragraphs.last().is_some_and(|p| ends_with_colon(&p.text));
                let alone = lines.get(i).is_none_or(|l| l.trim().is_empty());
                let paragraph_next = lines[i..]
                    .iter()
                    .map(|l| classify(l, format))
                    .find(|l| !matches!(l, Line::Blank))
                    .is_some_and(|l| match l {
                        Line::Numbered(..) | Line::Heading(..) => true,
                        // A sub-heading of its own ("电子政府") under it.
                        Line::Text(t) => heading_like(t),
                        _ => false,
                    });
                if format == Format::Text
                    && !announced
                    && alone
                    && paragraph_next
                    && heading_like(text)
                {
                    current_letter = None;
                    list_item = None;
                    headings.numbered(4, format!("({label}) {text}"));
                    continue;
                }
                let Some(top) = top.clone() else {
                    continue;
                };
                // (i) right after (h) is a letter; otherwise a Roman numeral under the
                // current lettered item.
                let follows_letter = |prev: &str| {
                    let mut p = prev.chars();
                    let mut l = label.chars();
                    match (p.next(), p.next(), l.next(), l.next()) {
                        (Some(a), None, Some(b), None) => a as u32 + 1 == b as u32,
                        _ => false,
                    }
                };
                let sub_of = current_letter
                    .as_ref()
                    .filter(|(_, prev_label)| is_roman_lower(&label) && !follows_letter(prev_label))
                    .map(|(number, _)| number.clone());
                let (number, parent) = match sub_of {
                    Some(item_number) => (format!("{item_number}({label})"), item_number),
                    None => {
                        let number = format!("{top}({label})");
                        current_letter = Some((number.clone(), label.clone()));
                        (number, top)
                    }
                };
                paragraphs.push(ParsedParagraph {
                    number,
                    parent: Some(parent),
                    section_path: headings.path(),
                    text: text.to_owned(),
                    footnote_refs: vec![],
                });
            }
            Line::Heading(level, title) => {
                in_footnotes = false;
                list_item = None;
                current_letter = None;
                // "C." after "B." is a letter, not the Roman numeral 100.
                let level = match (level, headings.letter_after(&title)) {
                    (1, true) => 2,
                    _ => level,
                };
                if level == 1 && format == Format::Markdown {
                    headings.push(1, title);
                    headings.numbered_fresh = false;
                } else if format == Format::Markdown {
                    headings.push(level, title);
                    headings.numbered_fresh = false;
                } else {
                    headings.numbered(level, title);
                }
            }
            Line::Footnote(n, text) => {
                // A footnote definition: number then text, after a paragraph has closed.
                if was_blank || in_footnotes {
                    in_footnotes = true;
                    footnotes.push(Footnote {
                        number: n,
                        text: text.to_owned(),
                    });
                } else if let Some(p) = paragraphs.last_mut() {
                    join(&mut p.text, lines[i - 1].trim());
                }
            }
            Line::Text(text) => {
                if is_furniture(text) {
                    continue;
                }
                // After a page's footnotes, a block that a paragraph cut off by the page
                // break is waiting for: that paragraph goes on.
                let resumes =
                    was_blank && paragraphs.last().is_some_and(|p| !ends_sentence(&p.text));
                if in_footnotes && !resumes {
                    if let Some(f) = footnotes.last_mut() {
                        join(&mut f.text, text);
                    }
                    continue;
                }
                in_footnotes = false;
                let short = text.chars().count() <= 80;
                let unpunctuated = !ends_sentence(text);
                let next_blank = lines.get(i).is_none_or(|l| l.trim().is_empty());
                if was_blank && short && unpunctuated && next_blank {
                    list_item = None;
                    current_letter = None;
                    headings.plain(text.trim_matches('*').to_owned());
                } else if !was_blank {
                    if let Some(p) = paragraphs.last_mut() {
                        join(&mut p.text, text);
                    }
                } else if let Some(p) = paragraphs.last_mut() {
                    // A stray block after a paragraph: a continuation split by a page break
                    // when the paragraph has not ended its sentence, else noise.
                    if !ends_sentence(&p.text) {
                        join(&mut p.text, text);
                    }
                }
            }
        }
    }

    let known: std::collections::HashSet<u32> = footnotes.iter().map(|f| f.number).collect();
    for p in &mut paragraphs {
        let (text, refs) = strip_footnote_markers(&p.text, &known);
        p.text = text;
        p.footnote_refs = refs;
    }
    if paragraphs.iter().all(|p| p.parent.is_some()) {
        return Err(ImportError::NoParagraphs);
    }
    if paragraphs.len() > MAX_PARAGRAPHS {
        return Err(ImportError::TooManyParagraphs);
    }
    Ok(Document {
        paragraphs,
        footnotes,
    })
}

/// Takes out footnote markers: a number with a definition, glued right after a closing
/// quote or bracket, or after sentence punctuation, or after a word, and followed by
/// punctuation, space, CJK text or the end.
fn strip_footnote_markers(
    text: &str,
    known: &std::collections::HashSet<u32>,
) -> (String, Vec<u32>) {
    if known.is_empty() {
        return (text.to_owned(), vec![]);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut refs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if superscript(c).is_some() {
            let run: Vec<u32> = chars[i..].iter().map_while(|c| superscript(*c)).collect();
            let n = run.iter().fold(0, |n, d| n * 10 + d);
            if known.contains(&n) {
                refs.push(n);
                i += run.len();
                continue;
            }
        }
        if c.is_ascii_digit() && i > 0 {
            let start = i;
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let prev = chars[start - 1];
            let next = chars.get(j).copied();
            let number: Option<u32> = chars[start..j].iter().collect::<String>().parse().ok();
            let glued_after = matches!(
                prev,
                '》' | '」' | '”' | '"' | '’' | ')' | '）' | '.' | '。' | ',' | '，'
            ) || (prev.is_alphabetic()
                && !prev.is_ascii_digit()
                && !is_cjk(prev)
                && j - start <= 2);
            let ends_ok = next.is_none_or(|n| n.is_whitespace() || is_sentence_end(n) || is_cjk(n));
            // Years and counts inside Chinese text (2030年) are never markers: their digit run
            // follows a CJK character, which `glued_after` excludes.
            if let Some(n) =
                number.filter(|n| known.contains(n) && glued_after && ends_ok && j - start <= 3)
            {
                refs.push(n);
                i = j;
                continue;
            }
            out.extend(&chars[start..j]);
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    (out, refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_draft() {
        let md = "# Zero draft\n\n## Preamble\n\n1. We, the participants, meet here.\n2. We recall:\n   (a) the first thing;\n   (b) the second thing.\n\n## Commitments\n\n1. We commit to act.\n";
        let doc = parse(md, Format::Markdown).unwrap();
        let numbers: Vec<_> = doc.paragraphs.iter().map(|p| p.number.as_str()).collect();
        assert_eq!(numbers, ["1", "2", "2(a)", "2(b)", "3"]);
        assert_eq!(doc.paragraphs[0].section_path, ["Zero draft", "Preamble"]);
        assert_eq!(doc.paragraphs[4].section(), "Commitments");
    }

    #[test]
    fn english_un_text_with_footnotes_and_furniture() {
        let text = "A/RES/79/1\n\n24-12345\n\nI. Introduction\n\n1. We reaffirm the 2030 Agenda.1 We act.\n\n2. We note the following:\n\n(a) access;\n\n(b) skills; and\n\n(c) trust.\n\nA. Connectivity\n\n3. Connect everyone by 2030.\n\n3/20\n\n1 Resolution 70/1.\n";
        let doc = parse(text, Format::Text).unwrap();
        let numbers: Vec<_> = doc.paragraphs.iter().map(|p| p.number.as_str()).collect();
        assert_eq!(numbers, ["1", "2", "2(a)", "2(b)", "2(c)", "3"]);
        assert_eq!(
            doc.paragraphs[0].text,
            "We reaffirm the 2030 Agenda. We act."
        );
        assert_eq!(doc.paragraphs[0].footnote_refs, [1]);
        assert_eq!(doc.paragraphs[0].section_path, ["I. Introduction"]);
        assert_eq!(
            doc.paragraphs[5].section_path,
            ["I. Introduction", "A. Connectivity"]
        );
        assert_eq!(doc.paragraphs[5].text, "Connect everyone by 2030.");
        assert_eq!(
            doc.footnotes,
            [Footnote {
                number: 1,
                text: "Resolution 70/1.".into()
            }]
        );
    }

    #[test]
    fn refuses_what_is_not_a_draft() {
        assert_eq!(parse("  \n", Format::Text), Err(ImportError::Empty));
        assert_eq!(
            parse("just some prose\nwithout numbers", Format::Text),
            Err(ImportError::NoParagraphs)
        );
        assert_eq!(
            parse("1. a\u{0}\u{1}\u{2}", Format::Text),
            Err(ImportError::NotText)
        );
    }

    #[test]
    fn roman_sub_items_and_letter_i() {
        let letters: String = ('a'..='j').map(|c| format!("({c}) item {c};\n")).collect();
        let text = format!("1. Intro:\n{letters}\n2. Next:\n(a) first:\n(i) sub one;\n(ii) sub two;\n(b) second.\n");
        let doc = parse(&text, Format::Text).unwrap();
        let numbers: Vec<_> = doc.paragraphs.iter().map(|p| p.number.as_str()).collect();
        assert!(numbers.contains(&"1(i)") && numbers.contains(&"1(j)"));
        assert!(
            numbers.ends_with(&["2", "2(a)", "2(a)(i)", "2(a)(ii)", "2(b)"]),
            "{numbers:?}"
        );
        assert_eq!(
            doc.paragraphs
                .iter()
                .find(|p| p.number == "2(a)(ii)")
                .unwrap()
                .parent
                .as_deref(),
            Some("2(a)")
        );
    }

    #[test]
    fn items_find_their_paragraph_and_a_text_has_a_limit() {
        // Paragraphs 1 and 2, 2(a), and as many items of 1 as make the limit.
        let items: String = (0..MAX_PARAGRAPHS - 3)
            .map(|n| format!("({}) item {n};\n", ["a", "b", "c"][n % 3]))
            .collect();
        let doc = parse(
            &format!("1. First:\n{items}2. Second:\n(a) last.\n"),
            Format::Text,
        )
        .unwrap();
        assert_eq!(doc.paragraphs.len(), MAX_PARAGRAPHS);
        assert!(doc.paragraphs[1..MAX_PARAGRAPHS - 2]
            .iter()
            .all(|p| p.parent.as_deref() == Some("1")));
        assert_eq!(doc.paragraphs[MAX_PARAGRAPHS - 1].number, "2(a)");
        assert_eq!(
            parse(
                &format!("1. First:\n{items}(d) one too many;\n2. Second:\n(a) last.\n"),
                Format::Text
            ),
            Err(ImportError::TooManyParagraphs)
        );
    }

    #[test]
    fn wrapped_lines_join() {
        let doc = parse(
            "1. The first line\ncontinues here.\n\n2. 中文段落\n继续。",
            Format::Text,
        )
        .unwrap();
        assert_eq!(doc.paragraphs[0].text, "The first line continues here.");
        assert_eq!(doc.paragraphs[1].text, "中文段落继续。");
    }
}

#[cfg(test)]
mod headings_or_text {
    use super::*;

    #[test]
    fn a_restarted_paragraph_whose_first_line_is_short_stays_a_paragraph() {
        let src = "1. First.\n\n2. Second.\n\nAnnex\n\n1. The Heads of State and Government, gathered\nin New York, adopt this text.\n";
        let doc = parse(src, Format::Text);
        // Two paragraphs 1 are refused later (a duplicate number), not silently merged
        // into paragraph 2.
        let doc = doc.unwrap();
        assert!(doc.paragraphs[1].text == "Second.", "{:?}", doc.paragraphs);
        assert_eq!(doc.paragraphs.len(), 3, "{:?}", doc.paragraphs);
    }

    #[test]
    fn an_unpunctuated_list_keeps_its_items() {
        let src = "4. The documents were as follows:\n\n(a) Report of the Secretary-General\n\n(b) Note by the Secretariat\n\n5. Next.\n";
        let doc = parse(src, Format::Text).unwrap();
        let numbers: Vec<&str> = doc.paragraphs.iter().map(|p| p.number.as_str()).collect();
        assert_eq!(numbers, ["4", "4(a)", "4(b)", "5"]);
        assert!(doc.paragraphs[3].section_path.is_empty());
    }

    #[test]
    fn a_superscript_at_a_line_start_inside_a_paragraph_is_not_a_footnote() {
        let src =
            "1. A sentence that ends with a marker\n²¹ and goes on here.\n\n²¹ The footnote.\n";
        let doc = parse(src, Format::Text).unwrap();
        assert_eq!(doc.footnotes.len(), 1, "{:?}", doc.footnotes);
        assert!(
            doc.paragraphs[0].text.contains("goes on here"),
            "{:?}",
            doc.paragraphs
        );
    }
}

/// The Global Digital Compact as published in Chinese (shared/corpus).
#[cfg(test)]
mod corpus {
    use super::*;

    fn corpus(name: &str) -> Option<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus")
            .join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(_) => {
                eprintln!("skipped: {} is absent", path.display());
                None
            }
        }
    }

    #[test]
    fn chinese_headings_with_the_enumeration_comma() {
        let doc = parse(
            "一、序言\n\n1. 我们致力于开放的互联网。\n\n二、承诺\n\n2.我们将每年统计。\n",
            Format::Text,
        )
        .unwrap();
        let sections: Vec<(&str, &str)> = doc
            .paragraphs
            .iter()
            .map(|p| (p.number.as_str(), p.section_path[0].as_str()))
            .collect();
        assert_eq!(sections, [("1", "一、序言"), ("2", "二、承诺")]);
    }

    #[test]
    fn a_word_and_a_number_make_a_heading_with_or_without_a_space() {
        for (source, heading) in [
            (
                "目标1. 弥合数字鸿沟\n\n1. 我们承诺。\n",
                "目标1. 弥合数字鸿沟",
            ),
            (
                "目标 1. 弥合数字鸿沟\n\n1. 我们承诺。\n",
                "目标 1. 弥合数字鸿沟",
            ),
            (
                "Objective 1. Close the divides\n\n1. We commit.\n",
                "Objective 1. Close the divides",
            ),
        ] {
            let doc = parse(source, Format::Text).unwrap();
            assert_eq!(doc.paragraphs[0].section_path, [heading], "{source}");
        }
    }

    #[test]
    fn global_digital_compact_in_chinese() {
        let Some(text) = corpus("global-digital-compact.zh.txt") else {
            return;
        };
        let doc = parse(&text, Format::Text).unwrap();
        let top: Vec<&ParsedParagraph> = doc
            .paragraphs
            .iter()
            .filter(|p| p.parent.is_none())
            .collect();
        let lettered: Vec<&ParsedParagraph> = doc
            .paragraphs
            .iter()
            .filter(|p| {
                p.parent.is_some()
                    && p.number.ends_with(')')
                    && p.number.contains(|c: char| c.is_ascii_lowercase())
            })
            .collect();
        assert_eq!(top.len(), 74);
        assert_eq!(
            top.iter().map(|p| p.number.clone()).collect::<Vec<_>>(),
            (1..=74).map(|n| n.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(lettered.len(), 89);
        // The five objectives are paragraph 7's items, not a second paragraphs 1–5.
        let under7: Vec<&str> = doc
            .paragraphs
            .iter()
            .filter(|p| p.parent.as_deref() == Some("7"))
            .map(|p| p.number.as_str())
            .collect();
        assert_eq!(under7, ["7(1)", "7(2)", "7(3)", "7(4)", "7(5)"]);
        assert_eq!(doc.paragraphs.len(), 74 + 89 + 5);

        let find = |n: &str| doc.paragraphs.iter().find(|p| p.number == n).unwrap();
        assert!(find("1")
            .text
            .starts_with("数字技术正在急剧改变我们的世界。"));
        assert_eq!(find("1").section(), "");
        assert!(find("7(5)").text.starts_with("加强人工智能国际治理"));
        assert_eq!(find("7").section(), "目标");
        assert_eq!(find("8(a)").section(), "原则");
        assert!(find("8(a)")
            .text
            .starts_with("所有国家和其他利益攸关方的包容性参与是本契约的基石"));
        // Footnote markers are out of the text and kept apart.
        assert!(
            find("5").text.contains("《2030年可持续发展议程》。"),
            "{}",
            find("5").text
        );
        assert_eq!(find("5").footnote_refs, [1, 2, 3]);
        assert_eq!(doc.footnotes.len(), 6);
        assert!(doc.footnotes[4].text.contains("条约汇编"));
        // Objectives and their sub-topics, then follow-up and review at the top again.
        let objective1 = "目标1. 弥合所有数字鸿沟,加快在实现各项可持续发展目标方面取得进展";
        for p in &doc.paragraphs {
            assert!(!p.text.is_empty());
            assert!(!p.text.contains("吃瓜"));
        }
        let in_connectivity: Vec<_> = doc
            .paragraphs
            .iter()
            .filter(|p| p.section() == "连通")
            .collect();
        assert!(!in_connectivity.is_empty());
        assert_eq!(
            in_connectivity[0].section_path,
            ["承诺和行动", objective1, "连通"]
        );
        assert_eq!(find("9").section_path, ["承诺和行动"]);
        assert_eq!(find("22").section_path[2], "人权");
        assert!(find("50").section().starts_with("目标5."));
        assert_eq!(find("64").section_path, ["后续行动和审查"]);
        let last = doc
            .paragraphs
            .iter()
            .rev()
            .find(|p| p.parent.is_none())
            .unwrap();
        assert_eq!(last.number, "74");
        assert_eq!(last.section_path, ["后续行动和审查"]);
        let objective2: Vec<_> = doc
            .paragraphs
            .iter()
            .filter(|p| p.section().starts_with("目标2."))
            .collect();
        assert_eq!(objective2[0].section_path.len(), 2);
        assert!(doc.paragraphs.iter().any(|p| p
            .section_path
            .last()
            .is_some_and(|s| s == "人工智能国际治理" || s.starts_with("目标5."))));
    }

    /// The top-level numbers, in order.
    fn top_numbers(doc: &Document) -> Vec<String> {
        doc.paragraphs
            .iter()
            .filter(|p| p.parent.is_none())
            .map(|p| p.number.clone())
            .collect()
    }

    fn numbers(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
        range.map(|n| n.to_string()).collect()
    }

    /// Paragraphs 1–109 run through the report; the action lines' section restarts at
    /// "1." and "2." and names its parts "(a)", "(b)"…: headings, not paragraphs or items.
    #[test]
    fn wsis_progress_report_in_chinese() {
        let Some(text) = corpus("wsis-progress-report-2021.zh.txt") else {
            return;
        };
        let doc = parse(&text, Format::Text).unwrap();
        assert_eq!(top_numbers(&doc), numbers(1..=109));
        let items: Vec<_> = doc
            .paragraphs
            .iter()
            .filter(|p| p.parent.is_some())
            .map(|p| (&p.number, &p.text))
            .collect();
        assert!(items.is_empty(), "no items in this report: {items:?}");
        let find = |n: &str| doc.paragraphs.iter().find(|p| p.number == n).unwrap();
        let chapter = "三. 国际层面的落实和后续工作";
        let f = "F. 行动方针与联合国实体的若干落实活动";
        assert_eq!(
            find("43").section_path,
            [chapter, "E. 民间社会、企业和多利益攸关方伙伴关系"]
        );
        // The sub-headings that count from 1 again, and the lettered ones under them.
        assert_eq!(
            find("44").section_path,
            [chapter, f, "1. 各项行动方针的落实"]
        );
        assert_eq!(
            find("45").section(),
            "(a) 公共治理当局和所有利益攸关方在推动信息和通信技术促进发展方面的作用(C1)"
        );
        assert_eq!(find("49").section(), "(b) 信息和通信基础设施(C2)");
        assert_eq!(
            find("67").section_path,
            [
                chapter,
                f,
                "1. 各项行动方针的落实",
                "(g) 信息和通信技术应用(C7)",
                "电子政府"
            ]
        );
        assert_eq!(
            find("98").section_path,
            [chapter, f, "2. 主题的落实", "(a) 融资机制"]
        );
        assert_eq!(find("109").section_path, ["四. 结论和建议"]);
        // "C." after "B." is a letter, not the Roman numeral 100.
        assert!(doc
            .paragraphs
            .iter()
            .any(|p| p.section_path == [chapter, "C. 科学和技术促进发展委员会"]));
        // Paragraph 44 goes on after its page's footnotes.
        assert!(find("44").text.ends_with("行动方针和目标汇总表审查落实情况。2021 年信息社会世界峰会期间举行了协调方线上会议。"), "{}", find("44").text);
        // Footnotes 1–96, numbered in superscript at the pages' feet, are kept apart
        // and their markers leave the text.
        assert_eq!(
            doc.footnotes.iter().map(|f| f.number).collect::<Vec<_>>(),
            (1..=96).collect::<Vec<_>>()
        );
        assert_eq!(find("44").footnote_refs, [25]);
        assert!(doc
            .paragraphs
            .iter()
            .all(|p| !p.text.contains(|c| superscript(c).is_some())));
    }

    /// Paragraphs 1–117 run through the summary; each panel's part restarts at "1.".
    #[test]
    fn hrc_panel_report_in_chinese() {
        let Some(text) = corpus("hrc-panel-digital-divides-2024.zh.txt") else {
            return;
        };
        let doc = parse(&text, Format::Text).unwrap();
        assert_eq!(top_numbers(&doc), numbers(1..=117));
        let find = |n: &str| doc.paragraphs.iter().find(|p| p.number == n).unwrap();
        assert_eq!(find("25").section(), "1. 第一场专题会议");
        assert!(find("25")
            .text
            .starts_with("第一场专题会议由人权高专办首席统计师主持。"));
        assert!(
            find("46").section().starts_with("2. "),
            "{:?}",
            find("46").section_path
        );
        assert!(
            find("69").section().starts_with("3. "),
            "{:?}",
            find("69").section_path
        );
        assert!(
            find("92").section().starts_with("4. "),
            "{:?}",
            find("92").section_path
        );
        // Its one footnote: where the meetings can be watched.
        assert_eq!(doc.footnotes.len(), 1);
        assert!(doc.footnotes[0].text.contains("media.un.org"));
    }
}
