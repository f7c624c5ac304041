//! Whose voices are heard: contributors and contributions by stakeholder group, region,
//! gender and the language they wrote in, over the whole consultation and per paragraph. Every group and region
//! is listed even at zero, and those at zero are named as missing.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use crate::accounts::types::{Region, StakeholderGroup};
use crate::consultations::types::Visibility;
use crate::db::schema::{comments, users};
use crate::db::DbConn;
use crate::error::ApiResult;

const UNKNOWN: &str = "unknown";

/// Contributors (distinct people) and contributions for one value of a dimension.
#[derive(Default)]
struct Tally {
    contributors: BTreeSet<i64>,
    contributions: u64,
}

/// dimension → value → tally.
#[derive(Default)]
struct Tallies(BTreeMap<&'static str, BTreeMap<String, Tally>>);

impl Tallies {
    fn with_all_values() -> Tallies {
        let mut b = Tallies::default();
        for g in StakeholderGroup::ALL {
            b.entry("stakeholder_group", g.as_str());
        }
        for r in Region::ALL {
            b.entry("region", r.as_str());
        }
        b.0.entry("gender").or_default();
        b.0.entry("language").or_default();
        b
    }

    fn entry(&mut self, dimension: &'static str, value: &str) -> &mut Tally {
        self.0
            .entry(dimension)
            .or_default()
            .entry(value.to_owned())
            .or_default()
    }

    fn add(&mut self, author: i64, group: &str, region: &str, gender: &str, language: &str) {
        for (dimension, value) in [
            ("stakeholder_group", group),
            ("region", region),
            ("gender", gender),
            ("language", language),
        ] {
            let t = self.entry(dimension, value);
            t.contributors.insert(author);
            t.contributions += 1;
        }
    }

    fn cells(&self, dimension: &str) -> BTreeMap<String, Cell> {
        self.0
            .get(dimension)
            .map(|values| values.iter().map(|(v, t)| (v.clone(), cell(t))).collect())
            .unwrap_or_default()
    }

    fn view(&self) -> Breakdown {
        Breakdown {
            stakeholder_group: self.cells("stakeholder_group"),
            region: self.cells("region"),
            gender: self.cells("gender"),
            language: self.cells("language"),
        }
    }

    fn missing_view(&self) -> Missing {
        Missing {
            stakeholder_group: self.missing("stakeholder_group"),
            region: self.missing("region"),
        }
    }

    fn missing(&self, dimension: &str) -> Vec<String> {
        self.0
            .get(dimension)
            .map(|values| {
                values
                    .iter()
                    .filter(|(v, t)| t.contributions == 0 && v.as_str() != UNKNOWN)
                    .map(|(v, _)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

type Row = (
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
);

pub fn compute(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Balance> {
    let rows: Vec<Row> = comments::table
        .inner_join(users::table)
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.eq(Visibility::Visible.as_str()))
        .select((
            comments::author_id,
            comments::paragraph_key,
            users::stakeholder_group,
            users::region,
            users::gender,
            comments::language,
        ))
        .load(conn)?;
    let mut overall = Tallies::with_all_values();
    let mut paragraphs: BTreeMap<String, (Tallies, BTreeSet<i64>, u64)> = BTreeMap::new();
    let mut people = BTreeSet::new();
    for (author, key, group, region, gender, language) in &rows {
        let region = region.as_deref().unwrap_or(UNKNOWN);
        let gender = gender.as_deref().unwrap_or(UNKNOWN);
        // `fr-CA` counts with `fr`: the figures are by language, not by variety.
        let language = language.split('-').next().unwrap_or(UNKNOWN);
        overall.add(*author, group, region, gender, language);
        people.insert(*author);
        if let Some(key) = key {
            let (b, who, count) = paragraphs
                .entry(key.clone())
                .or_insert_with(|| (Tallies::with_all_values(), BTreeSet::new(), 0));
            b.add(*author, group, region, gender, language);
            who.insert(*author);
            *count += 1;
        }
    }
    let paragraphs = paragraphs
        .iter()
        .map(|(key, (b, who, count))| ParagraphBalance {
            paragraph_key: key.clone(),
            contributors: who.len(),
            contributions: *count,
            by: b.view(),
            missing: b.missing_view(),
        })
        .collect();
    Ok(Balance {
        contributors: people.len(),
        contributions: rows.len(),
        overall: overall.view(),
        missing: overall.missing_view(),
        paragraphs,
    })
}

/// Contributors (distinct people) and visible contributions, overall and per paragraph.
#[derive(Serialize, JsonSchema, Debug)]
pub struct Balance {
    pub contributors: usize,
    pub contributions: usize,
    pub overall: Breakdown,
    /// Groups and regions nobody spoke for.
    pub missing: Missing,
    pub paragraphs: Vec<ParagraphBalance>,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct ParagraphBalance {
    pub paragraph_key: String,
    pub contributors: usize,
    pub contributions: u64,
    pub by: Breakdown,
    pub missing: Missing,
}

/// Value → counts, per dimension. Every stakeholder group and region is listed, even at
/// zero; `unknown` counts those who did not say.
#[derive(Serialize, JsonSchema, Debug)]
#[schemars(rename = "BalanceBreakdown")]
pub struct Breakdown {
    pub stakeholder_group: BTreeMap<String, Cell>,
    pub region: BTreeMap<String, Cell>,
    pub gender: BTreeMap<String, Cell>,
    /// By the language each input is written in (its primary subtag).
    pub language: BTreeMap<String, Cell>,
}

#[derive(Serialize, JsonSchema, Debug)]
#[schemars(rename = "BalanceMissing")]
pub struct Missing {
    pub stakeholder_group: Vec<String>,
    pub region: Vec<String>,
}

/// The counts of one value; both null, with `suppressed`, when one to four people are
/// in it.
#[derive(Serialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[schemars(rename = "BalanceCell")]
pub struct Cell {
    pub contributors: Option<usize>,
    pub contributions: Option<u64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
}

/// Fewer people than this in a cell and its counts are withheld: with a group, region
/// and gender known, a small cell can point at one person.
pub const MIN_CELL: usize = 5;

/// A cell's counts, or `suppressed` when from one to four people are in it (zero is
/// shown: it is how the missing voices are found).
fn cell(t: &Tally) -> Cell {
    let people = t.contributors.len();
    if people > 0 && people < MIN_CELL {
        Cell {
            contributors: None,
            contributions: None,
            suppressed: true,
        }
    } else {
        Cell {
            contributors: Some(people),
            contributions: Some(t.contributions),
            suppressed: false,
        }
    }
}
