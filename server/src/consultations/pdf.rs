//! Text PDFs in: the text of each page, laid out in lines by pdf-extract (over lopdf),
//! then read by the same importer as a pasted text. Page after page with a blank line
//! between, so that a paragraph cut by a page break goes on after the page's foot, as in
//! the UN's plain-text documents. A scanned PDF has no text to read: it is refused, and
//! said so, rather than imported empty.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};

/// Longer documents are refused: a UN report runs to tens of pages, and each page is
/// read on the blocking pool.
pub const MAX_PAGES: usize = 300;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PdfError {
    #[error("is not a PDF file")]
    NotPdf,
    #[error("is a damaged PDF that cannot be read")]
    Damaged,
    #[error("is protected by a password: save it without one, or as .docx")]
    Password,
    #[error("has {0} pages: at most {MAX_PAGES} are read; split the document or paste its text")]
    TooLong(usize),
    #[error("holds more text than a draft can: split the document or paste its text")]
    TooMuchText,
    #[error(
        "has no text to read: it looks like a scanned image. Run text recognition (OCR) on it, save it as .docx, or paste its text"
    )]
    NoText,
}

/// The text of a PDF, page after page.
pub fn to_text(data: &[u8]) -> Result<String, PdfError> {
    if !data.starts_with(b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    // pdf-extract and lopdf index into what the file says; a damaged file can make them
    // panic, which must cost the request, not the worker.
    catch_unwind(AssertUnwindSafe(|| read(data))).unwrap_or(Err(PdfError::Damaged))
}

fn read(data: &[u8]) -> Result<String, PdfError> {
    let mut doc = Document::load_mem(data).map_err(|_| PdfError::Damaged)?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        // Encrypted with an empty user password (print or copy restrictions only) reads
        // on; anything else needs the password.
        return Err(PdfError::Password);
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.len() > MAX_PAGES {
        return Err(PdfError::TooLong(pages.len()));
    }
    let mut lines = Lines::default();
    for page in pages {
        // A page that cannot be read is left out, as a reader would skip it.
        if pdf_extract::output_doc_page(&doc, &mut lines, page).is_err() {
            lines.glyphs.clear();
        }
    }
    if lines.overflow {
        return Err(PdfError::TooMuchText);
    }
    let text = lines.text;
    if text.trim().is_empty() {
        return Err(PdfError::NoText);
    }
    Ok(text)
}

/// One character as the page places it: where it starts and ends on its baseline, and
/// its size (PDF units: y grows up the page).
struct Glyph {
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    text: String,
}

/// The page's characters in reading order. PDF writers may draw a line's characters in
/// any order (LibreOffice draws full-width quotes after the rest of their line), so the
/// characters of a page are gathered, grouped into lines by baseline, and each line read
/// left to right; a wider gap than a line's is a blank line (a new block).
#[derive(Default)]
struct Lines {
    glyphs: Vec<Glyph>,
    text: String,
    /// Characters read in all, and whether a cap was passed.
    count: usize,
    overflow: bool,
}

/// Far more characters than any page or draft has (a dense page holds about 5,000): a
/// file past them is refused rather than read at length.
const MAX_GLYPHS_PER_PAGE: usize = 50_000;
const MAX_GLYPHS: usize = 3_000_000;

impl Lines {
    fn flush_page(&mut self) {
        // Top to bottom; a glyph within half a size of the line's baseline joins it (a
        // raised note marker, a quote in another font), else it starts the next line.
        let mut glyphs = std::mem::take(&mut self.glyphs);
        glyphs.sort_by(|a, b| b.y.total_cmp(&a.y));
        let mut lines: Vec<(f64, f64, Vec<Glyph>)> = Vec::new(); // (baseline, size, glyphs)
        for g in glyphs {
            match lines.last_mut() {
                Some((y, size, line)) if (g.y - *y).abs() < 0.5 * size.max(g.size) => {
                    // The line's baseline is its body text's, below any raised marker.
                    if g.size >= *size {
                        *y = g.y;
                    }
                    *size = size.max(g.size);
                    line.push(g);
                }
                _ => lines.push((g.y, g.size, vec![g])),
            }
        }
        let mut previous: Option<(f64, f64)> = None;
        let mut out: Vec<(String, bool)> = Vec::new(); // (line, after a gap)
        for (y, size, mut line) in lines {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            let mut text = String::new();
            let mut end: Option<f64> = None;
            for g in &line {
                // A note's marker (superscript digits) is glued to its word, however
                // far the layout set it.
                let marker = is_marker(&g.text);
                if end.is_some_and(|e| g.x > e + 0.12 * size) && !marker && !text.ends_with(' ') {
                    text.push(' ');
                }
                text.push_str(&g.text);
                end = Some(g.end);
            }
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            // Lines of a block are about 1.2 sizes apart; a block's spacing is more.
            let gap = previous.is_some_and(|(py, psize)| py - y > 1.6 * f64::max(psize, size));
            previous = Some((y, size));
            match out.last_mut() {
                // A note's number alone on its line, its long address wrapped to the next.
                Some((last, _)) if !gap && is_marker(last) => {
                    last.push(' ');
                    last.push_str(text);
                }
                _ => out.push((text.to_owned(), gap)),
            }
        }
        for (line, gap) in out {
            if gap {
                self.text.push('\n');
            }
            self.text.push_str(&line);
            self.text.push('\n');
        }
        self.text.push('\n');
    }
}

/// Superscript digits: a note's number.
fn is_marker(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| "¹²³⁴⁵⁶⁷⁸⁹⁰".contains(c))
}

impl OutputDev for Lines {
    fn begin_page(
        &mut self,
        _page: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.glyphs.clear();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.flush_page();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        self.count += 1;
        if self.glyphs.len() >= MAX_GLYPHS_PER_PAGE || self.count > MAX_GLYPHS {
            self.overflow = true;
            return Ok(());
        }
        // The size on the page: the side of the square of the same area as the
        // transformed (size, size) vector, as pdf-extract's own text output measures it.
        let size = ((trm.m11 + trm.m21) * font_size * (trm.m12 + trm.m22) * font_size)
            .abs()
            .sqrt();
        self.glyphs.push(Glyph {
            x: trm.m31,
            end: trm.m31 + width * size,
            y: trm.m32,
            size,
            text: char.to_owned(),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/pdf")
            .join(name);
        std::fs::read(path).unwrap()
    }

    #[test]
    fn what_is_not_a_readable_pdf_is_named() {
        assert_eq!(to_text(b"PK\x03\x04 a zip"), Err(PdfError::NotPdf));
        assert_eq!(to_text(b"%PDF-1.7\n garbage"), Err(PdfError::Damaged));
        assert_eq!(to_text(&fixture("locked.pdf")), Err(PdfError::Password));
        assert_eq!(to_text(&fixture("scanned.pdf")), Err(PdfError::NoText));
        assert_eq!(to_text(&fixture("long.pdf")), Err(PdfError::TooLong(301)));
    }

    #[test]
    fn lines_read_left_to_right_and_notes_keep_their_numbers() {
        let text = to_text(&fixture("wsis-progress-report-2021.zh.pdf")).unwrap();
        // LibreOffice draws full-width quotes after the rest of their line.
        assert!(text.contains("以“信通技术促进包容"), "{text}");
        // A marker set apart by the layout stays on its word; a note whose long address
        // wrapped keeps its number on the address's line.
        assert!(text.contains("举措²²"), "{text}");
        assert!(text.contains("²² <https://www.itu.int/net4/wsis/forum/2021/Files/"));
        // Blocks are apart by a blank line; a block's lines follow one another.
        assert!(
            text.contains("\n\nE. 民间社会、企业和多利益攸关方伙伴关系\n38. "),
            "{text}"
        );
    }
}
