//! A Word file (`.docx`) as the text the importer reads: each paragraph a block, with the
//! number Word's own list numbering gives it written in front (or the number typed in
//! it), headings (Word's heading styles and Title) as lines of their own, footnote
//! references as superscript markers and the footnotes after the text, as the UN
//! publishes them. The importer then finds paragraphs, items, headings and notes exactly
//! as in a pasted text, so both ways give the same structure.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::zip::{ZipError, ZipReader};

/// Why a file could not be read as a Word document; each says so in words a secretariat
/// can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// An OLE compound file: an old `.doc`, or a `.docx` protected by a password.
    EncryptedOrLegacy,
    NotWord,
    Damaged(String),
    TooLarge,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::EncryptedOrLegacy => f.write_str(
                "the file is protected by a password or in the old Word format (.doc): save it as .docx without a password",
            ),
            ReadError::NotWord => f.write_str("the file is not a Word document (.docx)"),
            ReadError::Damaged(why) => write!(f, "the Word document is damaged ({why})"),
            ReadError::TooLarge => f.write_str("the Word document is too large once unpacked"),
        }
    }
}

impl From<ZipError> for ReadError {
    fn from(e: ZipError) -> Self {
        match e {
            ZipError::NotZip => ReadError::NotWord,
            ZipError::Damaged(why) => ReadError::Damaged(why.into()),
            ZipError::TooLarge => ReadError::TooLarge,
        }
    }
}

fn damaged(e: impl std::fmt::Display) -> ReadError {
    ReadError::Damaged(e.to_string())
}

/// A level of a list: where it starts, how its number is written, and the pattern
/// (`%1.`, `(%2)`).
#[derive(Debug, Clone)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

#[derive(Default)]
struct Numbering {
    /// `numId` → `abstractNumId`.
    nums: HashMap<String, String>,
    levels: HashMap<(String, u32), Level>,
    /// `(numId, level)` → a start that overrides the abstract one.
    starts: HashMap<(String, u32), u32>,
}

/// What a paragraph style means here.
#[derive(Default, Clone)]
struct Style {
    heading: bool,
    numbering: Option<(String, u32)>,
    based_on: Option<String>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        let local = key.rsplit(|b| *b == b':').next().unwrap_or(key);
        (local == name.as_bytes())
            .then(|| a.unescape_value().ok().map(|v| v.into_owned()))
            .flatten()
    })
}

fn local(e: &BytesStart<'_>) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

fn numbering(xml: &[u8]) -> Result<Numbering, ReadError> {
    let mut n = Numbering::default();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut abstract_id, mut num_id, mut level): (Option<String>, Option<String>, Option<u32>) =
        (None, None, None);
    let mut current = Level {
        start: 1,
        format: "decimal".into(),
        text: String::new(),
    };
    loop {
        match reader.read_event_into(&mut buf).map_err(damaged)? {
            Event::Start(e) | Event::Empty(e) => match local(&e).as_slice() {
                b"abstractNum" => abstract_id = attr(&e, "abstractNumId"),
                b"num" => num_id = attr(&e, "numId"),
                b"abstractNumId" => {
                    if let (Some(num), Some(a)) = (&num_id, attr(&e, "val")) {
                        n.nums.insert(num.clone(), a);
                    }
                }
                b"lvl" | b"lvlOverride" => {
                    level = attr(&e, "ilvl").and_then(|l| l.parse().ok());
                    current = Level {
                        start: 1,
                        format: "decimal".into(),
                        text: String::new(),
                    };
                }
                b"start" => {
                    current.start = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(1)
                }
                b"startOverride" => {
                    if let (Some(num), Some(l), Some(v)) =
                        (&num_id, level, attr(&e, "val").and_then(|v| v.parse().ok()))
                    {
                        n.starts.insert((num.clone(), l), v);
                    }
                }
                b"numFmt" => current.format = attr(&e, "val").unwrap_or_default(),
                b"lvlText" => current.text = attr(&e, "val").unwrap_or_default(),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"lvl" => {
                    if let (Some(a), Some(l)) = (&abstract_id, level) {
                        n.levels.insert((a.clone(), l), current.clone());
                    }
                }
                b"abstractNum" => abstract_id = None,
                b"num" => num_id = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(n)
}

fn styles(xml: &[u8]) -> Result<HashMap<String, Style>, ReadError> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut id: Option<String> = None;
    let mut style = Style::default();
    let mut num: (Option<String>, u32) = (None, 0);
    loop {
        match reader.read_event_into(&mut buf).map_err(damaged)? {
            Event::Start(e) | Event::Empty(e) => match local(&e).as_slice() {
                b"style" => {
                    id = attr(&e, "styleId");
                    style = Style::default();
                    num = (None, 0);
                }
                b"name" => {
                    let name = attr(&e, "val").unwrap_or_default().to_lowercase();
                    if name == "title" || name.starts_with("heading ") {
                        style.heading = true;
                    }
                }
                b"outlineLvl" => style.heading = true,
                b"basedOn" => style.based_on = attr(&e, "val"),
                b"numId" => num.0 = attr(&e, "val"),
                b"ilvl" => num.1 = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"style" => {
                if let Some(id) = id.take() {
                    style.numbering = num.0.take().map(|n| (n, num.1));
                    out.insert(id, std::mem::take(&mut style));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// The text of every footnote by its id (separators left out).
fn footnotes(xml: &[u8]) -> Result<HashMap<String, String>, ReadError> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut id: Option<String> = None;
    let mut text = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event_into(&mut buf).map_err(damaged)? {
            Event::Start(e) => match local(&e).as_slice() {
                b"footnote" => {
                    let separator = attr(&e, "type").is_some_and(|t| t != "normal");
                    id = if separator { None } else { attr(&e, "id") };
                    text.clear();
                }
                b"t" => in_text = true,
                b"p" if !text.is_empty() => text.push(' '),
                _ => {}
            },
            Event::Empty(e) if local(&e) == b"tab" => text.push(' '),
            Event::Text(t) if in_text => text.push_str(&t.unescape().map_err(damaged)?),
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"footnote" => {
                    if let Some(id) = id.take() {
                        out.insert(id, text.trim().to_owned());
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

fn letters(n: u32) -> String {
    // Word's letters: a…z, then aa…zz, aaa…
    let n = n.max(1) - 1;
    let letter = char::from(b'a' + (n % 26) as u8);
    std::iter::repeat_n(letter, (n / 26 + 1) as usize).collect()
}

fn format(n: u32, fmt: &str) -> String {
    match fmt {
        "lowerLetter" => letters(n),
        "upperLetter" => letters(n).to_uppercase(),
        "lowerRoman" => roman(n),
        "upperRoman" => roman(n).to_uppercase(),
        _ => n.to_string(),
    }
}

/// Counts each list's levels as Word does.
struct Counters<'a> {
    numbering: &'a Numbering,
    /// Signed: a list may start at 0, so its count before the first item is -1.
    counts: HashMap<String, Vec<i64>>,
}

impl Counters<'_> {
    /// The label of the next paragraph of list `num` at `level` (None for bullets and lists
    /// Word would not number).
    fn next(&mut self, num: &str, level: u32) -> Option<String> {
        let abstract_id = self.numbering.nums.get(num)?;
        let def = |l: u32| self.numbering.levels.get(&(abstract_id.clone(), l));
        let this = def(level)?;
        if this.format == "bullet" || this.format == "none" {
            return None;
        }
        let start = |l: u32| {
            self.numbering
                .starts
                .get(&(num.to_owned(), l))
                .copied()
                .or_else(|| def(l).map(|d| d.start))
                .unwrap_or(1)
        };
        let starts: Vec<u32> = (0..=8).map(start).collect();
        let counts = self
            .counts
            .entry(num.to_owned())
            .or_insert_with(|| starts.iter().map(|s| i64::from(*s) - 1).collect());
        let l = level.min(8) as usize;
        counts[l] += 1;
        for (deeper, s) in starts.iter().enumerate().skip(l + 1) {
            counts[deeper] = i64::from(*s) - 1;
        }
        let mut label = this.text.clone();
        for (k, count) in counts.iter().enumerate().take(l + 1) {
            let fmt = def(k as u32)
                .map(|d| d.format.as_str())
                .unwrap_or("decimal");
            let n = u32::try_from((*count).max(0)).unwrap_or(u32::MAX);
            label = label.replace(&format!("%{}", k + 1), &format(n, fmt));
        }
        Some(label)
    }
}

/// A superscript number (`21` → `²¹`), as UN texts mark notes.
fn superscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|d| {
            let i = d.to_digit(10).unwrap_or(0) as usize;
            "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(i).unwrap_or(d)
        })
        .collect()
}

/// The document as the importer's text.
pub fn to_text(bytes: &[u8]) -> Result<String, ReadError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::EncryptedOrLegacy);
    }
    let zip = ZipReader::open(bytes)?;
    let document = zip.read("word/document.xml")?.ok_or(ReadError::NotWord)?;
    let numbering = match zip.read("word/numbering.xml")? {
        Some(xml) => numbering(&xml)?,
        None => Numbering::default(),
    };
    let styles = match zip.read("word/styles.xml")? {
        Some(xml) => styles(&xml)?,
        None => HashMap::new(),
    };
    let notes = match zip.read("word/footnotes.xml")? {
        Some(xml) => footnotes(&xml)?,
        None => HashMap::new(),
    };
    let style_of = |id: &str| -> Style {
        // A style and what it is based on, nearest first (Word's own chains are short).
        let mut out = Style::default();
        let mut next = Some(id.to_owned());
        for _ in 0..8 {
            let Some(s) = next.as_deref().and_then(|i| styles.get(i)) else {
                break;
            };
            out.heading |= s.heading;
            if out.numbering.is_none() {
                out.numbering = s.numbering.clone();
            }
            next = s.based_on.clone();
        }
        out
    };

    let mut counters = Counters {
        numbering: &numbering,
        counts: HashMap::new(),
    };
    let mut blocks: Vec<String> = Vec::new();
    let mut cited: Vec<String> = Vec::new();
    let mut reader = Reader::from_reader(document.as_slice());
    let mut buf = Vec::new();
    let mut text = String::new();
    let (mut style, mut num_id, mut ilvl): (Option<String>, Option<String>, u32) = (None, None, 0);
    let (mut in_text, mut in_ppr) = (false, false);
    loop {
        match reader.read_event_into(&mut buf).map_err(damaged)? {
            Event::Start(e) | Event::Empty(e) => match local(&e).as_slice() {
                b"p" => {
                    text.clear();
                    (style, num_id, ilvl) = (None, None, 0);
                }
                b"pPr" => in_ppr = true,
                b"pStyle" if in_ppr => style = attr(&e, "val"),
                b"numId" if in_ppr => num_id = attr(&e, "val"),
                b"ilvl" if in_ppr => {
                    ilvl = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0)
                }
                b"t" => in_text = true,
                b"tab" if !in_ppr => text.push(' '),
                // A line break inside a paragraph keeps its lines apart, as in a text.
                b"br" | b"cr" => text.push('\n'),
                b"footnoteReference" => {
                    if let Some(id) = attr(&e, "id") {
                        if notes.contains_key(&id) {
                            cited.push(id);
                            text.push_str(&superscript(cited.len()));
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => text.push_str(&t.unescape().map_err(damaged)?),
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"pPr" => in_ppr = false,
                b"p" => {
                    let body = text
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n");
                    if body.is_empty() {
                        continue;
                    }
                    let s = style.as_deref().map(style_of).unwrap_or_default();
                    // Direct numbering wins over the style's; numId 0 means "none".
                    let list = match num_id.take() {
                        Some(n) if n == "0" => None,
                        Some(n) => Some((n, ilvl)),
                        None => s.numbering.clone(),
                    };
                    let label = list.and_then(|(n, l)| counters.next(&n, l));
                    blocks.push(match label {
                        Some(label) => format!("{label} {body}"),
                        None => body,
                    });
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut out = blocks.join("\n\n");
    if !cited.is_empty() {
        out.push_str("\n\n");
        for (n, id) in cited.iter().enumerate() {
            let note = notes.get(id).map(String::as_str).unwrap_or_default();
            out.push_str(&format!("{} {note}\n", superscript(n + 1)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_numbers_are_written_as_word_writes_them() {
        assert_eq!(format(4, "lowerLetter"), "d");
        assert_eq!(format(27, "lowerLetter"), "aa");
        assert_eq!(format(14, "lowerRoman"), "xiv");
        assert_eq!(format(3, "upperRoman"), "III");
        assert_eq!(superscript(21), "²¹");
    }

    #[test]
    fn a_list_may_start_at_zero() {
        let mut numbering = Numbering::default();
        numbering.nums.insert("1".into(), "0".into());
        numbering.levels.insert(
            ("0".into(), 0),
            Level {
                start: 0,
                format: "decimal".into(),
                text: "%1.".into(),
            },
        );
        let mut c = Counters {
            numbering: &numbering,
            counts: HashMap::new(),
        };
        assert_eq!(c.next("1", 0).as_deref(), Some("0."));
        assert_eq!(c.next("1", 0).as_deref(), Some("1."));
        assert_eq!(c.next("1", 9), None);
        assert_eq!(c.next("unknown", 0), None);
    }

    #[test]
    fn other_files_are_refused_with_the_reason() {
        assert_eq!(
            to_text(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
            Err(ReadError::EncryptedOrLegacy)
        );
        assert_eq!(to_text(b"%PDF-1.7 ..."), Err(ReadError::NotWord));
        let mut w = super::super::zip::ZipWriter::default();
        w.add("hello.txt", b"hi").unwrap();
        assert_eq!(to_text(&w.finish().unwrap()), Err(ReadError::NotWord));
    }

    #[test]
    fn a_written_document_reads_back_as_its_text() {
        use super::super::{Block, Document, Piece};
        let doc = Document {
            language: "en".into(),
            author: "t".into(),
            date: "2026-01-01T00:00:00Z".into(),
            blocks: vec![
                Block::Heading(1, "I. Preamble".into()),
                Block::text("1. We commit to an open Internet."),
                Block::Paragraph {
                    indent: 1,
                    pieces: vec![
                        Piece::Text("(a) connectivity".into()),
                        Piece::Deleted(" (deleted)".into()),
                        Piece::Inserted(" matters;".into()),
                    ],
                },
            ],
        };
        let text = to_text(&doc.to_docx().unwrap()).unwrap();
        assert_eq!(
            text,
            "I. Preamble\n\n1. We commit to an open Internet.\n\n(a) connectivity matters;"
        );
    }

    /// Word's own footnotes (a `word/footnotes.xml` part, as Word and LibreOffice save
    /// them, with the separator notes they add): each reference becomes the note's
    /// marker in the text, each note a note of the draft, numbered in citing order.
    #[test]
    fn word_footnotes_become_the_drafts_notes() {
        use crate::consultations::importer::{parse, Format};
        const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
        let document = format!(
            "<w:document {W}><w:body>\
             <w:p><w:r><w:t>1. We recall the Geneva Plan of Action</w:t></w:r>\
             <w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteReference w:id=\"7\"/></w:r>\
             <w:r><w:t xml:space=\"preserve\"> and the Tunis Agenda</w:t></w:r>\
             <w:r><w:footnoteReference w:id=\"3\"/></w:r><w:r><w:t>.</w:t></w:r></w:p>\
             <w:p><w:r><w:t>2. We will report every year.</w:t></w:r></w:p>\
             </w:body></w:document>"
        );
        let notes = format!(
            "<w:footnotes {W}>\
             <w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>\
             <w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>\
             <w:footnote w:id=\"3\"><w:p><w:r><w:t>A/60/687.</w:t></w:r></w:p></w:footnote>\
             <w:footnote w:id=\"7\"><w:p><w:r><w:t>See A/CONF.206/6,</w:t></w:r><w:r><w:tab/><w:t>annex.</w:t></w:r></w:p></w:footnote>\
             </w:footnotes>"
        );
        let mut zip = super::super::zip::ZipWriter::default();
        zip.add("word/document.xml", document.as_bytes()).unwrap();
        zip.add("word/footnotes.xml", notes.as_bytes()).unwrap();
        let text = to_text(&zip.finish().unwrap()).unwrap();
        let doc = parse(&text, Format::Text).unwrap();
        assert_eq!(
            doc.paragraphs[0].text,
            "We recall the Geneva Plan of Action and the Tunis Agenda."
        );
        assert_eq!(doc.paragraphs[0].footnote_refs, [1, 2]);
        let notes: Vec<(u32, &str)> = doc
            .footnotes
            .iter()
            .map(|f| (f.number, f.text.as_str()))
            .collect();
        assert_eq!(notes, [(1, "See A/CONF.206/6, annex."), (2, "A/60/687.")]);
        assert_eq!(doc.paragraphs[1].number, "2");
    }

    /// The Word files made from every text of `shared/corpus` (tests/fixtures/word/make.py)
    /// import as the texts do: the same paragraphs, numbers, items, sections and notes.
    #[test]
    fn the_corpus_in_word_imports_as_the_text_does() {
        use crate::consultations::importer::{parse, Format};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for name in [
            "global-digital-compact.zh",
            "wsis-progress-report-2021.zh",
            "hrc-panel-digital-divides-2024.zh",
        ] {
            let Ok(text) =
                std::fs::read_to_string(root.join(format!("../shared/corpus/{name}.txt")))
            else {
                eprintln!("skipped {name}: the corpus is absent");
                continue;
            };
            let bytes =
                std::fs::read(root.join(format!("tests/fixtures/word/{name}.docx"))).unwrap();
            let from_text = parse(&text, Format::Text).unwrap();
            let from_word = parse(&to_text(&bytes).unwrap(), Format::Text).unwrap();
            let numbers = |d: &crate::consultations::importer::Document| -> Vec<String> {
                d.paragraphs.iter().map(|p| p.number.clone()).collect()
            };
            assert_eq!(numbers(&from_word), numbers(&from_text), "{name}");
            for (w, t) in from_word.paragraphs.iter().zip(&from_text.paragraphs) {
                assert_eq!(w.text, t.text, "{name} {}", t.number);
                assert_eq!(w.section_path, t.section_path, "{name} {}", t.number);
                assert_eq!(w.footnote_refs, t.footnote_refs, "{name} {}", t.number);
            }
            assert_eq!(from_word.footnotes, from_text.footnotes, "{name}");
        }
    }
}
