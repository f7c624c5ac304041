//! Word files (`.docx`, Office Open XML) of a consultation's texts: a version as published,
//! a diff between two versions as tracked changes (`w:ins`/`w:del`, so that Word and
//! LibreOffice show them as revisions to accept or reject), and the compilation of inputs
//! per paragraph. The document is built as a list of blocks, then written as the few
//! parts a package needs (content types, relationships, styles, the document).

pub mod read;
pub mod zip;

use super::importer::Footnote;

/// A stretch of text, as it stands or as a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Inserted(String),
    Deleted(String),
    /// A footnote marker, in superscript.
    Marker(String),
    /// Emphasised (a label before an input, say).
    Strong(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    /// Depth 1 to 3.
    Heading(usize, String),
    /// A paragraph; `indent` in steps (an item of a paragraph is one step in).
    Paragraph {
        indent: usize,
        pieces: Vec<Piece>,
    },
    /// A short rule, as before the notes of a UN document.
    Rule,
}

impl Block {
    pub fn text(text: impl Into<String>) -> Block {
        Block::Paragraph {
            indent: 0,
            pieces: vec![Piece::Text(text.into())],
        }
    }
}

/// A document in one language (BCP 47), by one author (for the revisions' marks).
pub struct Document {
    pub language: String,
    pub author: String,
    /// RFC 3339, for the revisions' marks.
    pub date: String,
    pub blocks: Vec<Block>,
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Text as XML character data: escaped, and without the characters XML 1.0 forbids.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Right-to-left scripts: their paragraphs and runs are marked so.
fn is_rtl(language: &str) -> bool {
    let primary = language.split('-').next().unwrap_or_default();
    matches!(primary, "ar" | "he" | "fa" | "ur")
}

impl Document {
    fn run(&self, out: &mut String, text: &str, deleted: bool, props: &str) {
        let rtl = if is_rtl(&self.language) {
            "<w:rtl/>"
        } else {
            ""
        };
        let tag = if deleted { "w:delText" } else { "w:t" };
        // Lines of one paragraph are kept apart with breaks.
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<w:r><w:br/></w:r>");
            }
            out.push_str(&format!(
                "<w:r><w:rPr>{props}{rtl}</w:rPr><{tag} xml:space=\"preserve\">{}</{tag}></w:r>",
                escape(line)
            ));
        }
    }

    /// A paragraph; `marks` numbers the revisions, which must be unique in the document.
    fn paragraph(
        &self,
        out: &mut String,
        marks: &mut u32,
        style: Option<&str>,
        indent: usize,
        pieces: &[Piece],
    ) {
        let mut props = String::new();
        if let Some(s) = style {
            props.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
        }
        if is_rtl(&self.language) {
            props.push_str("<w:bidi/>");
        }
        if indent > 0 {
            props.push_str(&format!("<w:ind w:left=\"{}\"/>", 567 * indent));
        }
        out.push_str(&format!("<w:p><w:pPr>{props}</w:pPr>"));
        for piece in pieces {
            let mut mark = |kind: &str| {
                *marks += 1;
                format!(
                    "<w:{kind} w:id=\"{marks}\" w:author=\"{}\" w:date=\"{}\">",
                    escape(&self.author),
                    escape(&self.date)
                )
            };
            match piece {
                Piece::Text(t) => self.run(out, t, false, ""),
                Piece::Strong(t) => self.run(out, t, false, "<w:b/>"),
                Piece::Marker(t) => self.run(out, t, false, "<w:vertAlign w:val=\"superscript\"/>"),
                Piece::Inserted(t) => {
                    out.push_str(&mark("ins"));
                    self.run(out, t, false, "");
                    out.push_str("</w:ins>");
                }
                Piece::Deleted(t) => {
                    out.push_str(&mark("del"));
                    self.run(out, t, true, "");
                    out.push_str("</w:del>");
                }
            }
        }
        out.push_str("</w:p>");
    }

    /// `word/document.xml`.
    fn body(&self) -> String {
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\"><w:body>"
        );
        let mut marks = 0;
        for block in &self.blocks {
            let m = &mut marks;
            match block {
                Block::Title(t) => {
                    self.paragraph(&mut out, m, Some("Title"), 0, &[Piece::Text(t.clone())])
                }
                Block::Heading(level, t) => {
                    let style = format!("Heading{}", (*level).clamp(1, 3));
                    self.paragraph(&mut out, m, Some(&style), 0, &[Piece::Text(t.clone())]);
                }
                Block::Paragraph { indent, pieces } => {
                    self.paragraph(&mut out, m, None, *indent, pieces)
                }
                Block::Rule => {
                    self.paragraph(&mut out, m, None, 0, &[Piece::Text("__________".into())])
                }
            }
        }
        out.push_str("<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>");
        out
    }

    fn styles(&self) -> String {
        let lang = escape(&self.language);
        let heading = |n: usize, size: usize| {
            format!(
                "<w:style w:type=\"paragraph\" w:styleId=\"Heading{n}\"><w:name w:val=\"heading {n}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"{}\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr></w:style>",
                n - 1
            )
        };
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W}\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"SimSun\" w:cs=\"Times New Roman\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/><w:lang w:val=\"{lang}\" w:eastAsia=\"{lang}\" w:bidi=\"{lang}\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"120\"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style><w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>{}{}{}</w:styles>",
            heading(1, 28),
            heading(2, 26),
            heading(3, 24)
        )
    }

    /// The `.docx` file.
    pub fn to_docx(&self) -> std::io::Result<Vec<u8>> {
        let mut zip = zip::ZipWriter::default();
        zip.add(
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#,
        )?;
        zip.add(
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        )?;
        zip.add(
            "word/_rels/document.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
        )?;
        zip.add("word/styles.xml", self.styles().as_bytes())?;
        zip.add("word/document.xml", self.body().as_bytes())?;
        zip.finish()
    }
}

/// A Word file and its name, for a download.
pub struct WordFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl Document {
    pub fn file(&self, filename: String) -> crate::error::ApiResult<WordFile> {
        let bytes = self
            .to_docx()
            .map_err(|e| crate::error::ApiError::internal(format!("writing a Word file: {e}")))?;
        Ok(WordFile { filename, bytes })
    }
}

/// A paragraph's number as a UN document prints it: `12.` for a paragraph, `(a)` for an
/// item, one step in per level.
pub fn numbered(number: &str) -> (usize, String) {
    match number.rfind('(') {
        Some(i) if i > 0 => (number.matches('(').count(), number[i..].to_owned()),
        _ => (0, format!("{number}.")),
    }
}

/// Headings to open before a paragraph whose section path is `path`, after `previous`.
pub fn headings_between(previous: &[String], path: &[String]) -> Vec<Block> {
    let same = previous
        .iter()
        .zip(path)
        .take_while(|(a, b)| a == b)
        .count();
    path.iter()
        .enumerate()
        .skip(same)
        .map(|(depth, text)| Block::Heading(depth + 1, text.clone()))
        .collect()
}

/// The notes at the end: a rule, then each note with its number in superscript.
pub fn notes(footnotes: &[Footnote]) -> Vec<Block> {
    if footnotes.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![Block::Rule];
    blocks.extend(footnotes.iter().map(|f| Block::Paragraph {
        indent: 0,
        pieces: vec![
            Piece::Marker(f.number.to_string()),
            Piece::Text(format!(" {}", f.text)),
        ],
    }));
    blocks
}

/// A version as published: title, headings, numbered paragraphs with their note markers,
/// then the notes.
pub fn version(title: &str, language: &str, v: &super::view::VersionView) -> Document {
    let mut blocks = vec![Block::Title(title.to_owned()), Block::text(v.label.clone())];
    let mut path: &[String] = &[];
    for p in &v.paragraphs {
        blocks.extend(headings_between(path, &p.section_path));
        path = &p.section_path;
        let (indent, number) = numbered(&p.number);
        let mut pieces = vec![Piece::Text(format!("{number} {}", p.text))];
        pieces.extend(p.footnote_refs.iter().map(|n| Piece::Marker(n.to_string())));
        blocks.push(Block::Paragraph { indent, pieces });
    }
    blocks.extend(notes(&v.footnotes));
    Document {
        language: language.to_owned(),
        author: "Indaba".into(),
        date: v.created_at.iso(),
        blocks,
    }
}

/// The changes from one version to the next as revisions: added paragraphs inserted,
/// removed ones deleted, changed ones word by word, a new number as the old one deleted
/// and the new inserted.
pub fn diff(title: &str, language: &str, d: &super::view::DiffView, date: String) -> Document {
    use super::keys::DiffStatus;
    use super::text::DiffOp;
    let mut blocks = vec![
        Block::Title(title.to_owned()),
        Block::text(format!("{} → {}", d.from, d.to)),
    ];
    let mut section = String::new();
    for p in &d.paragraphs {
        if !p.section.is_empty() && p.section != section {
            section = p.section.clone();
            blocks.push(Block::Heading(1, section.clone()));
        }
        let (indent, number) = numbered(&p.number);
        let mut pieces = match p.previous_number.as_deref().map(numbered) {
            Some((_, before)) if before != number && p.status != DiffStatus::Removed => vec![
                Piece::Deleted(before),
                Piece::Inserted(number),
                Piece::Text(" ".into()),
            ],
            _ => vec![Piece::Text(format!("{number} "))],
        };
        let text = p.text.clone().unwrap_or_default();
        match (p.status, &p.word_diff) {
            (DiffStatus::Added, _) => pieces.push(Piece::Inserted(text)),
            (DiffStatus::Removed, _) => {
                pieces.push(Piece::Deleted(p.previous_text.clone().unwrap_or_default()))
            }
            (DiffStatus::Changed, Some(parts)) => {
                pieces.extend(parts.iter().map(|part| match part.op {
                    DiffOp::Equal => Piece::Text(part.text.clone()),
                    DiffOp::Insert => Piece::Inserted(part.text.clone()),
                    DiffOp::Delete => Piece::Deleted(part.text.clone()),
                }))
            }
            _ => pieces.push(Piece::Text(text)),
        }
        blocks.push(Block::Paragraph { indent, pieces });
    }
    Document {
        language: language.to_owned(),
        author: "Indaba".into(),
        date,
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_un_documents_print_them() {
        assert_eq!(numbered("12"), (0, "12.".into()));
        assert_eq!(numbered("12(a)"), (1, "(a)".into()));
        assert_eq!(numbered("12(a)(ii)"), (2, "(ii)".into()));
    }

    #[test]
    fn text_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(escape("a < b & \"c\"\u{1}"), "a &lt; b &amp; &quot;c&quot;");
    }

    #[test]
    fn a_package_is_a_zip_with_its_parts() {
        let doc = Document {
            language: "ar".into(),
            author: "Indaba".into(),
            date: "2026-12-05T00:00:00Z".into(),
            blocks: vec![
                Block::Title("إعلان".into()),
                Block::Paragraph {
                    indent: 0,
                    pieces: vec![
                        Piece::Text("1. ".into()),
                        Piece::Deleted("قديم".into()),
                        Piece::Inserted("جديد".into()),
                    ],
                },
            ],
        };
        let bytes = doc.to_docx().unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        let body = doc.body();
        assert!(body.contains("<w:bidi/>"));
        assert!(body.contains("<w:delText xml:space=\"preserve\">قديم</w:delText>"));
        assert!(body.contains("<w:del w:id=\"1\""));
        assert!(body.contains("<w:ins w:id=\"2\""));
        // The same document gives the same bytes.
        assert_eq!(doc.to_docx().unwrap(), bytes);
    }
}
