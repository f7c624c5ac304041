//! The compilation of inputs as a Word file: the current text paragraph by paragraph,
//! each followed by the inputs on it (comments, amendments with their proposed wording as
//! an insertion, replies one step in), with who gave them as the co-facilitators may see
//! it; then the general comments and those on paragraphs the text no longer has. Labels
//! are in the consultation's language when it is one of the six, else in English.

use std::collections::HashMap;

use super::export::ExportRow;
use crate::consultations::types::{CommentKind, Visibility};
use crate::consultations::view::VersionView;
use crate::consultations::word::{headings_between, numbered, Block, Document, Piece};
use crate::web::i18n::{Lang, Tr};

/// Who gave an input: name, organisation, group and region, as the row may show them.
fn who(t: &Tr, r: &ExportRow) -> String {
    let name = match r.author_name.as_str() {
        "anonymous" => t.get("comment-anonymous-author"),
        n if n == crate::accounts::privacy::WITHDRAWN => t.get("comment-withdrawn-author"),
        n => n.to_owned(),
    };
    let mut parts = vec![name];
    if let Some(o) = r.organization.as_deref().filter(|o| !o.is_empty()) {
        parts.push(o.to_owned());
    }
    let mut about = Vec::new();
    if let Some(g) = r.stakeholder_group {
        about.push(t.of("group", g.as_str()));
    }
    if let Some(region) = r.region {
        about.push(t.of("region", region.as_str()));
    }
    let mut out = parts.join(", ");
    if !about.is_empty() {
        out.push_str(&format!(" ({})", about.join(", ")));
    }
    out
}

/// An input and its replies, as blocks one step in from `depth`.
fn input(
    t: &Tr,
    r: &ExportRow,
    replies: &HashMap<i64, Vec<&ExportRow>>,
    depth: usize,
    out: &mut Vec<Block>,
) {
    let mut pieces = vec![Piece::Strong(format!("#{} {}", r.id, who(t, r)))];
    if r.kind != CommentKind::Comment {
        pieces.push(Piece::Text(format!(
            " · {}",
            t.of("comment-kind", r.kind.as_str())
        )));
    }
    pieces.push(Piece::Text(format!(": {}", r.body)));
    out.push(Block::Paragraph {
        indent: depth + 1,
        pieces,
    });
    if let Some(proposed) = r.proposed_text.as_deref().filter(|p| !p.is_empty()) {
        out.push(Block::Paragraph {
            indent: depth + 1,
            pieces: vec![Piece::Inserted(proposed.to_owned())],
        });
    }
    for reply in replies.get(&r.id).into_iter().flatten() {
        input(t, reply, replies, depth + 1, out);
    }
}

pub fn document(title: &str, language: &str, text: &VersionView, rows: &[ExportRow]) -> Document {
    let lang = Lang::parse(language).unwrap_or(Lang::En);
    let t = Tr::new(lang);
    let visible: Vec<&ExportRow> = rows
        .iter()
        .filter(|r| r.visibility == Visibility::Visible)
        .collect();
    let mut replies: HashMap<i64, Vec<&ExportRow>> = HashMap::new();
    let mut on: HashMap<&str, Vec<&ExportRow>> = HashMap::new();
    for r in &visible {
        match (r.parent_id, r.paragraph_key.as_deref()) {
            (Some(parent), _) => replies.entry(parent).or_default().push(r),
            (None, key) => on.entry(key.unwrap_or("")).or_default().push(r),
        }
    }
    let mut blocks = vec![
        Block::Title(title.to_owned()),
        Block::text(format!("{} · {}", t.get("compilation-title"), text.label)),
    ];
    let mut path: &[String] = &[];
    for p in &text.paragraphs {
        blocks.extend(headings_between(path, &p.section_path));
        path = &p.section_path;
        let (indent, number) = numbered(&p.number);
        blocks.push(Block::Paragraph {
            indent,
            pieces: vec![Piece::Strong(number), Piece::Text(format!(" {}", p.text))],
        });
        for r in on.remove(p.key.as_str()).into_iter().flatten() {
            input(&t, r, &replies, indent, &mut blocks);
        }
    }
    if let Some(general) = on.remove("") {
        blocks.push(Block::Heading(1, t.get("consultation-general")));
        for r in general {
            input(&t, r, &replies, 0, &mut blocks);
        }
    }
    let mut rest: Vec<&ExportRow> = on.into_values().flatten().collect();
    if !rest.is_empty() {
        rest.sort_by_key(|r| r.id);
        blocks.push(Block::Heading(1, t.get("compilation-other")));
        for r in rest {
            input(&t, r, &replies, 0, &mut blocks);
        }
    }
    Document {
        language: language.to_owned(),
        author: "Indaba".into(),
        date: text.created_at.iso(),
        blocks,
    }
}
