//! Whose voices are heard: contributors and contributions by stakeholder group, region
//! and gender, over the whole consultation and per paragraph. Every group and region
//! is listed even at zero, and those at zero are named as missing.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use serde_json::{json, Value};

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
struct Breakdown(BTreeMap<&'static str, BTreeMap<String, Tally>>);

impl Breakdown {
    fn with_all_values() -> Breakdown {
        let mut b = Breakdown::default();
        for g in StakeholderGroup::ALL {
            b.entry("stakeholder_group", g.as_str());
        }
        for r in Region::ALL {
            b.entry("region", r.as_str());
        }
        b.0.entry("gender").or_default();
        b
    }

    fn entry(&mut self, dimension: &'static str, value: &str) -> &mut Tally {
        self.0
            .entry(dimension)
            .or_default()
            .entry(value.to_owned())
            .or_default()
    }

    fn add(&mut self, author: i64, group: &str, region: &str, gender: &str) {
        for (dimension, value) in [
            ("stakeholder_group", group),
            ("region", region),
            ("gender", gender),
        ] {
            let t = self.entry(dimension, value);
            t.contributors.insert(author);
            t.contributions += 1;
        }
    }

    fn view(&self) -> Value {
        let dims: serde_json::Map<String, Value> = self
            .0
            .iter()
            .map(|(dimension, values)| {
                let values: serde_json::Map<String, Value> =
                    values.iter().map(|(v, t)| (v.clone(), cell(t))).collect();
                ((*dimension).to_owned(), Value::Object(values))
            })
            .collect();
        Value::Object(dims)
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

type Row = (i64, Option<String>, String, Option<String>, Option<String>);

pub fn compute(conn: &mut DbConn, consultation_id: i64) -> ApiResult<Value> {
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
        ))
        .load(conn)?;
    let mut overall = Breakdown::with_all_values();
    let mut paragraphs: BTreeMap<String, (Breakdown, BTreeSet<i64>, u64)> = BTreeMap::new();
    let mut people = BTreeSet::new();
    for (author, key, group, region, gender) in &rows {
        let region = region.as_deref().unwrap_or(UNKNOWN);
        let gender = gender.as_deref().unwrap_or(UNKNOWN);
        overall.add(*author, group, region, gender);
        people.insert(*author);
        if let Some(key) = key {
            let (b, who, count) = paragraphs
                .entry(key.clone())
                .or_insert_with(|| (Breakdown::with_all_values(), BTreeSet::new(), 0));
            b.add(*author, group, region, gender);
            who.insert(*author);
            *count += 1;
        }
    }
    let paragraphs: Vec<Value> = paragraphs
        .iter()
        .map(|(key, (b, who, count))| {
            json!({
                "paragraph_key": key,
                "contributors": who.len(),
                "contributions": count,
                "by": b.view(),
                "missing": {"stakeholder_group": b.missing("stakeholder_group"), "region": b.missing("region")},
            })
        })
        .collect();
    Ok(json!({
        "contributors": people.len(),
        "contributions": rows.len(),
        "overall": overall.view(),
        "missing": {
            "stakeholder_group": overall.missing("stakeholder_group"),
            "region": overall.missing("region"),
        },
        "paragraphs": paragraphs,
    }))
}

/// Fewer people than this in a cell and its counts are withheld: with a group, region
/// and gender known, a small cell can point at one person.
pub const MIN_CELL: usize = 5;

/// A cell's counts, or `suppressed` when from one to four people are in it (zero is
/// shown: it is how the missing voices are found).
fn cell(t: &Tally) -> Value {
    let people = t.contributors.len();
    if people > 0 && people < MIN_CELL {
        json!({"contributors": null, "contributions": null, "suppressed": true})
    } else {
        json!({"contributors": people, "contributions": t.contributions})
    }
}
