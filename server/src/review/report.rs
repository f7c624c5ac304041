//! "What we heard" on one version: for each paragraph, the inputs written on that
//! version counted by stakeholder group, region, gender and language (the balance's
//! small-cell protection), the campaigns folded into one line each, the main themes as groups of
//! similar inputs with a representative quote, and which inputs informed the next text.
//! Every sentence carries the ids of the inputs behind it; a sentence with none is not
//! written. Only visible inputs are read, as the reader may see them: hidden and
//! withdrawn ones are neither counted in the prose nor quoted.

use std::collections::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::balance::{self, Breakdown};
use super::duplicates;
use crate::consultations::comments::{view as comment_view, CommentView};
use crate::consultations::store::{self as consultations, ConsultationRow};
use crate::consultations::text::similarity;
use crate::consultations::view as kview;
use crate::consultations::word::{Block, Document, Piece};
use crate::db::{now, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult};
use crate::policy::audit::Surface;
use crate::policy::Reader;
use crate::web::i18n::{Lang, Tr};

/// Campaigns: at least this many near-identical inputs.
const CAMPAIGN_SIZE: usize = 3;
/// Two inputs make the same point from this similarity on (word features, Dice).
const THEME_SIMILARITY: f64 = 0.3;
/// Themes shown per paragraph.
const THEMES: usize = 5;
/// A quote is cut after this many characters.
const QUOTE_CHARS: usize = 280;

#[derive(Serialize, JsonSchema, Debug)]
pub struct ReportView {
    pub consultation_id: i64,
    pub title: String,
    /// BCP 47: the language its sentences are written in.
    pub language: String,
    pub version: String,
    /// The version after it, whose paragraphs the inputs informed.
    pub next_version: Option<String>,
    pub summary: Vec<Sentence>,
    /// The paragraphs of the version that received inputs, in order; then the general
    /// comments (`key` null).
    pub paragraphs: Vec<ParagraphReport>,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct ParagraphReport {
    pub key: Option<String>,
    pub number: Option<String>,
    /// The inputs on it, by stakeholder group, region, gender and language; small cells
    /// withheld as in the balance view (absent for the general comments).
    pub counts: Option<Breakdown>,
    pub campaigns: Vec<InputGroup>,
    pub themes: Vec<InputGroup>,
    pub sentences: Vec<Sentence>,
}

/// Inputs that say the same, with the one that says it best.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct InputGroup {
    pub ids: Vec<i64>,
    pub quote: Quote,
}

#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct Quote {
    pub id: i64,
    pub text: String,
    pub language: String,
}

/// One sentence of the report and the inputs behind it.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct Sentence {
    pub text: String,
    pub cites: Vec<i64>,
    pub quote: Option<Quote>,
}

fn quote(v: &CommentView) -> Quote {
    let mut text: String = v.body.chars().take(QUOTE_CHARS).collect();
    if v.body.chars().count() > QUOTE_CHARS {
        text.push('…');
    }
    Quote {
        id: v.id,
        text,
        language: v.language.clone(),
    }
}

/// The member closest to all the others: it stands for the group.
fn representative<'a>(members: &[&'a CommentView]) -> &'a CommentView {
    let sample = &members[..members.len().min(50)];
    let mut best = (f64::MIN, sample[0]);
    for a in sample {
        let score: f64 = sample
            .iter()
            .filter(|b| b.id != a.id)
            .map(|b| similarity(&a.body, &b.body))
            .sum();
        if score > best.0 {
            best = (score, a);
        }
    }
    best.1
}

/// Greedy grouping: each input joins the first theme whose first input it resembles.
fn themes<'a>(inputs: &[&'a CommentView]) -> Vec<Vec<&'a CommentView>> {
    let mut groups: Vec<Vec<&CommentView>> = Vec::new();
    for v in inputs {
        match groups
            .iter_mut()
            .find(|g| similarity(&g[0].body, &v.body) >= THEME_SIMILARITY)
        {
            Some(g) => g.push(v),
            None => groups.push(vec![v]),
        }
    }
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].id.cmp(&b[0].id)));
    groups
}

fn ids(list: &[&CommentView]) -> Vec<i64> {
    let mut ids: Vec<i64> = list.iter().map(|v| v.id).collect();
    ids.sort_unstable();
    ids
}

/// The sentences, campaigns and themes of one paragraph's inputs.
fn paragraph(
    t: &Tr,
    inputs: &[&CommentView],
    informed: &[(String, Vec<i64>)],
    next: Option<&str>,
) -> (Vec<InputGroup>, Vec<InputGroup>, Vec<Sentence>) {
    let mut sentences = vec![Sentence {
        text: t.count("report-inputs", inputs.len() as i64),
        cites: ids(inputs),
        quote: None,
    }];
    let items: Vec<(i64, String)> = inputs.iter().map(|v| (v.id, v.body.clone())).collect();
    let by_id: HashMap<i64, &CommentView> = inputs.iter().map(|v| (v.id, *v)).collect();
    let mut folded: HashSet<i64> = HashSet::new();
    let mut campaigns = Vec::new();
    for cluster in duplicates::clusters(&items, CAMPAIGN_SIZE) {
        let members: Vec<&CommentView> = cluster
            .iter()
            .filter_map(|id| by_id.get(id).copied())
            .collect();
        if members.is_empty() {
            continue;
        }
        folded.extend(cluster.iter().copied());
        let q = quote(representative(&members));
        sentences.push(Sentence {
            text: t.count("report-campaign", members.len() as i64),
            cites: ids(&members),
            quote: Some(q.clone()),
        });
        campaigns.push(InputGroup {
            ids: ids(&members),
            quote: q,
        });
    }
    let rest: Vec<&CommentView> = inputs
        .iter()
        .filter(|v| !folded.contains(&v.id))
        .copied()
        .collect();
    let mut shown = Vec::new();
    let mut others: Vec<&CommentView> = Vec::new();
    for group in themes(&rest) {
        if group.len() >= 2 && shown.len() < THEMES {
            let q = quote(representative(&group));
            sentences.push(Sentence {
                text: t.count("report-theme", group.len() as i64),
                cites: ids(&group),
                quote: Some(q.clone()),
            });
            shown.push(InputGroup {
                ids: ids(&group),
                quote: q,
            });
        } else {
            others.extend(group);
        }
    }
    if !others.is_empty() {
        let first = others.iter().min_by_key(|v| v.id).copied();
        sentences.push(Sentence {
            text: t.count("report-others", others.len() as i64),
            cites: ids(&others),
            quote: first.filter(|_| others.len() == 1).map(quote),
        });
    }
    if let Some(next) = next {
        let mine: HashSet<i64> = inputs.iter().map(|v| v.id).collect();
        for (number, list) in informed {
            let cited: Vec<i64> = list
                .iter()
                .copied()
                .filter(|id| mine.contains(id))
                .collect();
            if !cited.is_empty() {
                sentences.push(Sentence {
                    text: t.args(
                        "report-informed",
                        &[
                            ("count", &cited.len().to_string()),
                            ("number", number),
                            ("version", next),
                        ],
                    ),
                    cites: cited,
                    quote: None,
                });
            }
        }
    }
    (campaigns, shown, sentences)
}

/// The report on version `label` of `row`, as `reader` may see its inputs.
pub fn build(
    conn: &mut DbConn,
    row: &ConsultationRow,
    reader: &Reader,
    label: &str,
) -> ApiResult<ReportView> {
    let version = consultations::find_version(conn, row.id, label)?;
    let text = kview::version(conn, &version, false)?;
    let versions = consultations::versions(conn, row.id)?;
    let next = versions
        .iter()
        .filter(|v| v.position > version.position)
        .min_by_key(|v| v.position)
        .map(|v| v.label.clone());
    let rows = crate::consultations::comments::store::written_on(conn, row.id, label)?;
    let views: Vec<CommentView> = comment_view::render(conn, &rows, reader, Surface::Api)?
        .into_iter()
        .filter(CommentView::is_visible)
        .collect();
    let counts = balance::compute_for(conn, row.id, Some(label))?;
    let mut counts: HashMap<String, Breakdown> = counts
        .paragraphs
        .into_iter()
        .map(|p| (p.paragraph_key, p.by))
        .collect();
    // The next version's paragraphs, in order, with the inputs each took.
    let informed: Vec<(String, Vec<i64>)> = match &next {
        Some(next) => crate::consultations::comments::store::informing_paragraphs(conn, row.id)?
            .into_iter()
            .filter(|(l, _, _)| l == next)
            .map(|(_, number, list)| (number, serde_json::from_str(&list).unwrap_or_default()))
            .collect(),
        None => vec![],
    };
    let t = Tr::new(Lang::parse(&row.language).unwrap_or(Lang::En));
    let mut on: HashMap<Option<String>, Vec<&CommentView>> = HashMap::new();
    for v in &views {
        on.entry(v.paragraph_key.clone()).or_default().push(v);
    }
    let mut paragraphs = Vec::new();
    let order = text
        .paragraphs
        .iter()
        .map(|p| (Some(p.key.clone()), Some(p.number.clone())))
        .chain([(None, None)]);
    for (key, number) in order {
        let Some(inputs) = on.remove(&key) else {
            continue;
        };
        let (campaigns, themes, sentences) = paragraph(&t, &inputs, &informed, next.as_deref());
        paragraphs.push(ParagraphReport {
            counts: key.as_ref().and_then(|k| counts.remove(k)),
            key,
            number,
            campaigns,
            themes,
            sentences,
        });
    }
    let all: Vec<&CommentView> = views.iter().collect();
    let summary = if all.is_empty() {
        vec![]
    } else {
        vec![Sentence {
            text: t.args(
                "report-summary",
                &[("count", &all.len().to_string()), ("version", label)],
            ),
            cites: ids(&all),
            quote: None,
        }]
    };
    Ok(ReportView {
        consultation_id: row.id,
        title: row.title.clone(),
        language: row.language.clone(),
        version: label.to_owned(),
        next_version: next,
        summary,
        paragraphs,
    })
}

fn cites(list: &[i64]) -> String {
    let ids: Vec<String> = list.iter().map(|id| format!("#{id}")).collect();
    format!("[{}]", ids.join(", "))
}

/// The report as a Word file: each sentence followed by the ids it rests on, quotes one
/// step in.
pub fn document(r: &ReportView) -> Document {
    let t = Tr::new(Lang::parse(&r.language).unwrap_or(Lang::En));
    let mut blocks = vec![
        Block::Title(r.title.clone()),
        Block::text(t.arg("report-title", "version", &r.version)),
    ];
    let sentences = |list: &[Sentence], out: &mut Vec<Block>| {
        for s in list {
            out.push(Block::Paragraph {
                indent: 0,
                pieces: vec![
                    Piece::Text(format!("{} ", s.text)),
                    Piece::Strong(cites(&s.cites)),
                ],
            });
            if let Some(q) = &s.quote {
                out.push(Block::Paragraph {
                    indent: 1,
                    pieces: vec![Piece::Text(format!("“{}” (#{})", q.text, q.id))],
                });
            }
        }
    };
    sentences(&r.summary, &mut blocks);
    for p in &r.paragraphs {
        let heading = match &p.number {
            Some(n) => t.arg("report-paragraph", "number", n),
            None => t.get("consultation-general"),
        };
        blocks.push(Block::Heading(1, heading));
        sentences(&p.sentences, &mut blocks);
    }
    Document {
        language: r.language.clone(),
        author: "Indaba".into(),
        date: Timestamp(now()).iso(),
        blocks,
    }
}

/// The report as one HTML file, every id a link to its input on this site.
pub fn html(r: &ReportView, site: &str) -> ApiResult<String> {
    use askama::Template;
    #[derive(Template)]
    #[template(path = "report.html")]
    struct ReportPage<'a> {
        t: Tr,
        r: &'a ReportView,
        site: &'a str,
        dir: &'static str,
    }
    impl ReportPage<'_> {
        fn heading(&self, p: &ParagraphReport) -> String {
            match &p.number {
                Some(n) => self.t.arg("report-paragraph", "number", n),
                None => self.t.get("consultation-general"),
            }
        }
    }
    ReportPage {
        t: Tr::new(Lang::parse(&r.language).unwrap_or(Lang::En)),
        r,
        site: site.trim_end_matches('/'),
        dir: crate::web::i18n::dir_of(&r.language),
    }
    .render()
    .map_err(ApiError::internal)
}
