//! The compilation text: every paragraph of the current version with the amendments
//! tabled to it, identical ones grouped, with who tabled and who supported each, the
//! co-facilitators' disposition and the paragraph's status. Built from rows here once;
//! the API answers it as JSON, and as a Word file and an HTML page to download.

use std::collections::HashMap;

use super::store::DispositionRow;
use super::types::{
    AmendmentGroup, CompilationView, CompiledParagraph, Disposition, ParagraphStatus,
    RemovedParagraph, TabledAmendment,
};
use crate::consultations::comments::CommentView;
use crate::consultations::view::ParagraphView;
use crate::consultations::word::{headings_between, numbered, Block, Document, Piece};
use crate::delegations::types::Represented;
use crate::web::i18n::{Lang, Tr};

/// Two proposals are the same when their words are, spaces aside.
pub fn same_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What `build` needs, read by the use case.
pub struct Parts<'a> {
    pub paragraphs: &'a [ParagraphView],
    /// Visible amendments as the reader sees them, oldest first.
    pub amendments: Vec<CommentView>,
    pub dispositions: &'a HashMap<i64, DispositionRow>,
    /// Delegations' and groups' endorsements, by amendment.
    pub support: HashMap<i64, Vec<Represented>>,
    pub statuses: &'a HashMap<String, ParagraphStatus>,
    /// The last number of each paragraph the text no longer has.
    pub last_numbers: HashMap<String, String>,
}

/// The amendments of one paragraph, grouped by identical proposed text, in the order
/// each group was first tabled.
pub fn groups(
    amendments: Vec<CommentView>,
    dispositions: &HashMap<i64, DispositionRow>,
    support: &HashMap<i64, Vec<Represented>>,
) -> Vec<AmendmentGroup> {
    let mut order: Vec<String> = Vec::new();
    let mut by_text: HashMap<String, Vec<CommentView>> = HashMap::new();
    for a in amendments {
        let text = same_text(a.proposed_text.as_deref().unwrap_or_default());
        if !by_text.contains_key(&text) {
            order.push(text.clone());
        }
        by_text.entry(text).or_default().push(a);
    }
    order
        .into_iter()
        .filter_map(|text| {
            let members = by_text.remove(&text)?;
            let mut tabled_by: Vec<Represented> = Vec::new();
            for m in &members {
                if let Some(r) = &m.speaks_for {
                    if !tabled_by.contains(r) {
                        tabled_by.push(r.clone());
                    }
                }
            }
            let mut supported_by: Vec<Represented> = Vec::new();
            for r in members
                .iter()
                .flat_map(|m| support.get(&m.id).into_iter().flatten())
            {
                if !tabled_by.contains(r) && !supported_by.contains(r) {
                    supported_by.push(r.clone());
                }
            }
            // Given to the whole group at once: the latest is the group's.
            let decided = members
                .iter()
                .filter_map(|m| dispositions.get(&m.id))
                .max_by_key(|d| d.set_at);
            Some(AmendmentGroup {
                proposed_text: text,
                tabled_by,
                supported_by,
                disposition: decided.map_or(Disposition::Pending, |d| d.disposition),
                merged_into: decided.and_then(|d| d.merged_into),
                reason: decided.map(|d| d.reason.clone()).unwrap_or_default(),
                amendments: members
                    .into_iter()
                    .map(|m| TabledAmendment {
                        id: m.id,
                        author: m.author,
                        speaks_for: m.speaks_for,
                        body: m.body,
                        created_at: m.created_at,
                    })
                    .collect(),
            })
        })
        .collect()
}

pub fn build(
    consultation_id: i64,
    title: &str,
    language: &str,
    version: Option<String>,
    parts: Parts<'_>,
) -> CompilationView {
    let mut on: HashMap<String, Vec<CommentView>> = HashMap::new();
    let mut removed_order: Vec<String> = Vec::new();
    for a in parts.amendments {
        let Some(key) = a.paragraph_key.clone() else {
            continue;
        };
        if !parts.paragraphs.iter().any(|p| p.key == key) && !on.contains_key(&key) {
            removed_order.push(key.clone());
        }
        on.entry(key).or_default().push(a);
    }
    let paragraphs = parts
        .paragraphs
        .iter()
        .map(|p| CompiledParagraph {
            key: p.key.clone(),
            number: p.number.clone(),
            section_path: p.section_path.clone(),
            text: p.text.clone(),
            status: parts
                .statuses
                .get(&p.key)
                .copied()
                .unwrap_or(ParagraphStatus::Pending),
            amendments: groups(
                on.remove(&p.key).unwrap_or_default(),
                parts.dispositions,
                &parts.support,
            ),
        })
        .collect();
    let removed = removed_order
        .into_iter()
        .map(|key| RemovedParagraph {
            last_number: parts.last_numbers.get(&key).cloned(),
            amendments: groups(
                on.remove(&key).unwrap_or_default(),
                parts.dispositions,
                &parts.support,
            ),
            key,
        })
        .collect();
    CompilationView {
        consultation_id,
        title: title.to_owned(),
        language: language.to_owned(),
        version,
        paragraphs,
        removed,
    }
}

/// Labels in the text's language when it is one of the six, else in English.
pub fn tr_for(language: &str) -> Tr {
    Tr::new(Lang::parse(language).unwrap_or(Lang::En))
}

/// "Brazil, G77 and China".
pub fn names(list: &[Represented]) -> String {
    list.iter()
        .map(Represented::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How one group of amendments reads: tabled by whom, supported by whom, its
/// disposition (with the reason or the amendment it was merged into).
pub fn group_line(t: &Tr, g: &AmendmentGroup) -> String {
    let ids: Vec<String> = g.amendments.iter().map(|a| format!("#{}", a.id)).collect();
    let mut line = ids.join(", ");
    if !g.tabled_by.is_empty() {
        line.push_str(&format!(
            " · {}",
            t.arg("compilation-tabled-by", "names", &names(&g.tabled_by))
        ));
    }
    let others = g
        .amendments
        .iter()
        .filter(|a| a.speaks_for.is_none())
        .count();
    if others > 0 {
        line.push_str(&format!(
            " · {}",
            t.count("compilation-stakeholders", others as i64)
        ));
    }
    if !g.supported_by.is_empty() {
        line.push_str(&format!(
            " · {}",
            t.arg("compilation-supported-by", "names", &names(&g.supported_by))
        ));
    }
    line.push_str(&format!(
        " · {}",
        t.of("disposition", g.disposition.as_str())
    ));
    if let Some(target) = g.merged_into {
        line.push_str(&format!(" (#{target})"));
    }
    if !g.reason.is_empty() {
        line.push_str(&format!(": {}", g.reason));
    }
    line
}

/// The compilation text as a Word file: each paragraph with its status, then its
/// amendments, each group's wording as an insertion.
pub fn document(c: &CompilationView, date: &str) -> Document {
    let t = tr_for(&c.language);
    let mut blocks = vec![
        Block::Title(c.title.clone()),
        Block::text(format!(
            "{} · {}",
            t.get("compilation-text-title"),
            c.version.as_deref().unwrap_or_default()
        )),
    ];
    let mut path: &[String] = &[];
    for p in &c.paragraphs {
        blocks.extend(headings_between(path, &p.section_path));
        path = &p.section_path;
        let (indent, number) = numbered(&p.number);
        blocks.push(Block::Paragraph {
            indent,
            pieces: vec![
                Piece::Strong(number),
                Piece::Text(format!(" {} ", p.text)),
                Piece::Strong(format!("[{}]", t.of("paragraph-status", p.status.as_str()))),
            ],
        });
        amendments(&t, &p.amendments, indent + 1, &mut blocks);
    }
    if !c.removed.is_empty() {
        blocks.push(Block::Heading(1, t.get("compilation-removed")));
        for r in &c.removed {
            blocks.push(Block::Paragraph {
                indent: 0,
                pieces: vec![Piece::Strong(r.last_number.clone().unwrap_or_default())],
            });
            amendments(&t, &r.amendments, 1, &mut blocks);
        }
    }
    Document {
        language: c.language.clone(),
        author: "Indaba".into(),
        date: date.to_owned(),
        blocks,
    }
}

fn amendments(t: &Tr, groups: &[AmendmentGroup], indent: usize, out: &mut Vec<Block>) {
    for g in groups {
        out.push(Block::Paragraph {
            indent,
            pieces: vec![Piece::Text(group_line(t, g))],
        });
        out.push(Block::Paragraph {
            indent,
            pieces: vec![Piece::Inserted(g.proposed_text.clone())],
        });
    }
}
