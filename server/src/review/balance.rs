//! Whose voices are heard: contributors and contributions by stakeholder group, region,
//! gender and the language they wrote in, over the whole consultation and per paragraph. Every group and region
//! is listed even at zero, and those at zero are named as missing.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

use crate::accounts::types::{Gender, Region, StakeholderGroup};
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
        // Every gender is listed, at zero too: a table listing only the genders seen
        // would tell a paragraph's one author's gender by its one line.
        for g in Gender::ALL {
            b.entry("gender", g.as_str());
        }
        b.entry("gender", UNKNOWN);
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

    fn cells(&self, dimension: &str, totals: Totals) -> Option<BTreeMap<String, Cell>> {
        let values = self.0.get(dimension)?;
        // Each author has one group, one region and one gender (`unknown` counted), so
        // those tables' people add up to the total; an author may write in several
        // languages, so that table's people do not. Every input has one of each.
        let people = (dimension != "language").then_some(totals.people).flatten();
        // A gender is private; groups, regions and languages are on every input's card,
        // and the zero groups and regions are named as missing: only gender tables hide
        // zeros when they must.
        protect(values, people, totals.contributions, dimension == "gender")
    }

    /// The four tables, with their small cells withheld and enough others to keep
    /// them so; a table that cannot be kept so is withheld whole, alone.
    fn tables(&self, totals: Totals) -> Breakdown {
        let table = |dimension: &str| {
            self.cells(dimension, totals)
                .unwrap_or_else(|| self.withheld(dimension))
        };
        Breakdown {
            stakeholder_group: table("stakeholder_group"),
            region: table("region"),
            gender: table("gender"),
            language: table("language"),
        }
    }

    /// The tables and the totals as published: the totals are withheld when they are a
    /// small cell themselves, or when showing them would give a withheld cell of the
    /// tables whose people add up to them away. The number of inputs is protected
    /// against even when withheld: anyone can count the inputs listed on a paragraph,
    /// and the report cites each of them.
    fn publish(
        &self,
        people: usize,
        contributions: u64,
    ) -> (Option<usize>, Option<u64>, Breakdown) {
        let shown = Totals {
            people: Some(people as u64),
            contributions,
        };
        let keeps = |dimension: &str| self.cells(dimension, shown).is_some();
        if (people == 0 || people >= MIN_CELL)
            && ["stakeholder_group", "region", "gender"]
                .into_iter()
                .all(keeps)
        {
            return (Some(people), Some(contributions), self.tables(shown));
        }
        let hidden = Totals {
            people: None,
            contributions,
        };
        (None, None, self.tables(hidden))
    }

    /// One table with every non-zero cell withheld, its zeros too for gender: the last
    /// resort, when a table cannot be kept otherwise (a group's, a region's or a
    /// language's count then given away is one that its inputs' cards show anyway).
    fn withheld(&self, dimension: &str) -> BTreeMap<String, Cell> {
        self.0
            .get(dimension)
            .map(|values| {
                values
                    .iter()
                    .map(|(v, t)| {
                        let cell = if t.contributors.is_empty() && dimension != "gender" {
                            Cell::shown(0, 0)
                        } else {
                            Cell::SUPPRESSED
                        };
                        (v.clone(), cell)
                    })
                    .collect()
            })
            .unwrap_or_default()
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
    compute_for(conn, consultation_id, None)
}

/// The balance of the inputs written on one version (`None`: on every version).
pub fn compute_for(
    conn: &mut DbConn,
    consultation_id: i64,
    version: Option<&str>,
) -> ApiResult<Balance> {
    let mut query = comments::table
        .inner_join(users::table)
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.eq(Visibility::Visible.as_str()))
        .into_boxed();
    if let Some(label) = version {
        query = query.filter(comments::version_label.eq(label));
    }
    let rows: Vec<Row> = query
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
        let language = crate::consultations::translation::primary(language);
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
        .map(|(key, (b, who, count))| {
            let (contributors, contributions, by) = b.publish(who.len(), *count);
            ParagraphBalance {
                paragraph_key: key.clone(),
                contributors,
                contributions,
                by,
                missing: b.missing_view(),
            }
        })
        .collect();
    let (contributors, contributions, by) = overall.publish(people.len(), rows.len() as u64);
    Ok(Balance {
        contributors,
        contributions,
        overall: by,
        missing: overall.missing_view(),
        paragraphs,
    })
}

/// Contributors (distinct people) and visible contributions, overall and per paragraph.
/// A total is `null` when it is a small cell itself (one to four people) or when showing
/// it would let a withheld cell be worked out by subtraction.
#[derive(Serialize, JsonSchema, Debug)]
pub struct Balance {
    pub contributors: Option<usize>,
    pub contributions: Option<u64>,
    pub overall: Breakdown,
    /// Groups and regions nobody spoke for.
    pub missing: Missing,
    pub paragraphs: Vec<ParagraphBalance>,
}

#[derive(Serialize, JsonSchema, Debug)]
pub struct ParagraphBalance {
    pub paragraph_key: String,
    pub contributors: Option<usize>,
    pub contributions: Option<u64>,
    pub by: Breakdown,
    pub missing: Missing,
}

/// Value → counts, per dimension. Every stakeholder group, region and gender is listed,
/// even at zero; `unknown` counts those who did not say.
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
/// in it, or when withholding it keeps another withheld cell from being worked out by
/// subtraction (a gender's zero among them).
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

impl Cell {
    const SUPPRESSED: Cell = Cell {
        contributors: None,
        contributions: None,
        suppressed: true,
    };

    fn shown(people: usize, contributions: u64) -> Cell {
        Cell {
            contributors: Some(people),
            contributions: Some(contributions),
            suppressed: false,
        }
    }
}

/// The totals a table's cells add up to, as an attacker knows them: the people as
/// published (`None`: withheld), the inputs always (they are listed for all to count).
#[derive(Clone, Copy)]
struct Totals {
    people: Option<u64>,
    contributions: u64,
}

/// No upper bound: a withheld cell of five people or more, or a count of inputs.
const UNBOUNDED: u64 = u64::MAX / 4;

/// One table's cells as published. Cells of one to four people are withheld (primary
/// suppression; zero is shown: it is how the missing voices are found, but a gender
/// table may withhold its zeros, below). Then, as
/// statistical offices do, more cells are withheld, the smallest first, until no
/// withheld cell can be worked out from the totals and the cells shown (secondary
/// suppression): for each withheld cell, the values it could take, given the others'
/// bounds (one to four people for a small cell, five or more for the others; at least
/// as many inputs as people) and what the total leaves them, must be two or more.
/// With `hide_zeros`, the zero cells are withheld last, all at once, and then every
/// withheld cell of under five people may as well be zero. `None` when even withholding every cell that
/// may be withheld leaves one exact.
fn protect(
    values: &BTreeMap<String, Tally>,
    people_total: Option<u64>,
    contributions_total: u64,
    hide_zeros: bool,
) -> Option<BTreeMap<String, Cell>> {
    let raw: Vec<(&String, u64, u64)> = values
        .iter()
        .map(|(v, t)| (v, t.contributors.len() as u64, t.contributions))
        .collect();
    let small = |people: u64| people > 0 && people < MIN_CELL as u64;
    let mut hidden: BTreeSet<&String> = raw
        .iter()
        .filter(|(_, p, _)| small(*p))
        .map(|(v, _, _)| *v)
        .collect();
    loop {
        if hidden.is_empty() || is_safe(&raw, &hidden, people_total, contributions_total) {
            break;
        }
        let next = raw
            .iter()
            .filter(|(v, p, _)| *p > 0 && !hidden.contains(v))
            .min_by_key(|(v, p, c)| (*p, *c, *v));
        match next {
            Some(next) => {
                hidden.insert(next.0);
            }
            // Zeros go all at once: which zero were withheld would tell which small
            // cell is not empty.
            None if hide_zeros && raw.iter().any(|(v, p, _)| *p == 0 && !hidden.contains(v)) => {
                hidden.extend(raw.iter().filter(|(_, p, _)| *p == 0).map(|(v, _, _)| *v));
            }
            None => return None,
        }
    }
    Some(
        raw.iter()
            .map(|(v, p, c)| {
                let cell = if hidden.contains(v) {
                    Cell::SUPPRESSED
                } else {
                    Cell::shown(*p as usize, *c)
                };
                ((*v).clone(), cell)
            })
            .collect(),
    )
}

/// Whether every withheld cell could take two or more values, for each total shown.
fn is_safe(
    raw: &[(&String, u64, u64)],
    hidden: &BTreeSet<&String>,
    people_total: Option<u64>,
    contributions_total: u64,
) -> bool {
    let withheld: Vec<&(&String, u64, u64)> =
        raw.iter().filter(|(v, _, _)| hidden.contains(v)).collect();
    // What an attacker knows of each withheld cell: (least, most) people. Once zeros
    // are withheld too, a cell of under five people may be empty.
    let least_small = if withheld.iter().any(|(_, p, _)| *p == 0) {
        0
    } else {
        1
    };
    let people_bounds: Vec<(u64, u64)> = withheld
        .iter()
        .map(|(_, p, _)| {
            if *p < MIN_CELL as u64 {
                (least_small, MIN_CELL as u64 - 1)
            } else {
                (MIN_CELL as u64, UNBOUNDED)
            }
        })
        .collect();
    let inputs_bounds: Vec<(u64, u64)> = people_bounds
        .iter()
        .map(|(lo, _)| (*lo, UNBOUNDED))
        .collect();
    let shown_people: u64 = raw
        .iter()
        .filter(|(v, _, _)| !hidden.contains(v))
        .map(|(_, p, _)| p)
        .sum();
    let shown_inputs: u64 = raw
        .iter()
        .filter(|(v, _, _)| !hidden.contains(v))
        .map(|(_, _, c)| c)
        .sum();
    let people_ok =
        people_total.is_none_or(|t| ranges_open(&people_bounds, t.saturating_sub(shown_people)));
    let inputs_ok = ranges_open(
        &inputs_bounds,
        contributions_total.saturating_sub(shown_inputs),
    );
    people_ok && inputs_ok
}

/// Given each unknown's bounds and their sum, whether every unknown could still take
/// two or more values.
fn ranges_open(bounds: &[(u64, u64)], sum: u64) -> bool {
    let lows: u64 = bounds.iter().map(|(lo, _)| lo).sum();
    let highs: u64 = bounds
        .iter()
        .map(|(_, hi)| *hi)
        .fold(0, u64::saturating_add);
    bounds.iter().all(|(lo, hi)| {
        let others_low = lows - lo;
        let others_high = highs.saturating_sub(*hi);
        let least = (*lo).max(sum.saturating_sub(others_high));
        let most = (*hi).min(sum.saturating_sub(others_low));
        most > least
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One author per entry: (group, region, gender, inputs).
    fn tallies(people: &[(&str, &str, &str, u64)]) -> (Tallies, usize, u64) {
        let mut t = Tallies::with_all_values();
        let mut inputs = 0;
        for (author, (group, region, gender, n)) in people.iter().enumerate() {
            for _ in 0..*n {
                t.add(author as i64, group, region, gender, "en");
                inputs += 1;
            }
        }
        (t, people.len(), inputs)
    }

    /// Every way to fill cells within their bounds that adds up to `sum`: the values
    /// each cell could have.
    fn fillings(bounds: &[(usize, usize)], sum: usize) -> Vec<BTreeSet<usize>> {
        fn fill(
            cells: &[(usize, usize)],
            left: usize,
            chosen: &mut Vec<usize>,
            out: &mut [BTreeSet<usize>],
        ) {
            match cells.split_first() {
                None if left == 0 => {
                    for (i, v) in chosen.iter().enumerate() {
                        out[i].insert(*v);
                    }
                }
                None => {}
                Some(((lo, hi), rest)) => {
                    for v in *lo..=(*hi).min(left) {
                        chosen.push(v);
                        fill(rest, left - v, chosen, out);
                        chosen.pop();
                    }
                }
            }
        }
        let mut out = vec![BTreeSet::new(); bounds.len()];
        fill(bounds, sum, &mut Vec::new(), &mut out);
        out
    }

    /// The subtraction attack on one table, by someone who even knows which withheld
    /// cells are under five people and which are not (and, once zeros are withheld,
    /// that an under-five cell may be zero), who knows the inputs' total (they are
    /// listed for all to count) and the people's total when it is shown: for each
    /// withheld cell, the people (when their total is shown) and the inputs it could
    /// have. A cell with one possible value is given away.
    fn attack(
        table: &BTreeMap<String, Cell>,
        truth: &BTreeMap<String, Tally>,
        people: Option<usize>,
        inputs: usize,
    ) -> Vec<(String, BTreeSet<usize>, BTreeSet<usize>)> {
        let withheld: Vec<&String> = table
            .iter()
            .filter(|(_, c)| c.suppressed)
            .map(|(v, _)| v)
            .collect();
        let zeros_withheld = withheld.iter().any(|v| truth[*v].contributors.is_empty());
        let least: Vec<usize> = withheld
            .iter()
            .map(|v| match truth[*v].contributors.len() {
                n if n >= MIN_CELL => MIN_CELL,
                _ if zeros_withheld => 0,
                _ => 1,
            })
            .collect();
        let shown_people: usize = table.values().filter_map(|c| c.contributors).sum();
        let shown_inputs: u64 = table.values().filter_map(|c| c.contributions).sum();
        let by_people = match people {
            Some(total) => {
                let bounds: Vec<(usize, usize)> = least
                    .iter()
                    .map(|l| (*l, if *l == MIN_CELL { total } else { MIN_CELL - 1 }))
                    .collect();
                fillings(&bounds, total - shown_people)
            }
            // Withheld: nothing to subtract from but the inputs, which bound the people.
            None => least
                .iter()
                .map(|l| {
                    let most = if *l == MIN_CELL { inputs } else { MIN_CELL - 1 };
                    (*l..=most.min(inputs)).collect()
                })
                .collect(),
        };
        // Inputs: at least as many as people, with no upper bound but the total.
        let input_bounds: Vec<(usize, usize)> = least.iter().map(|l| (*l, inputs)).collect();
        let by_inputs = fillings(&input_bounds, inputs - shown_inputs as usize);
        withheld
            .iter()
            .zip(by_people.into_iter().zip(by_inputs))
            .map(|(v, (p, i))| ((*v).clone(), p, i))
            .collect()
    }

    /// No withheld cell of the partition tables can be worked out, in people or inputs.
    fn assert_kept(t: &Tallies, by: &Breakdown, people: Option<usize>, inputs: u64) {
        for (dimension, table) in [
            ("stakeholder_group", &by.stakeholder_group),
            ("region", &by.region),
            ("gender", &by.gender),
        ] {
            for (cell, p, i) in attack(table, &t.0[dimension], people, inputs as usize) {
                assert!(
                    p.len() >= 2,
                    "{dimension} {cell}: its people are given away: {p:?}"
                );
                assert!(
                    i.len() >= 2,
                    "{dimension} {cell}: its inputs are given away: {i:?}"
                );
            }
        }
    }

    #[test]
    fn a_lone_small_cell_takes_another_with_it() {
        // Civil society 3, government 7: without more, 10 − 7 gives the 3 away.
        let mut people = vec![("civil_society", "african", "female", 1); 3];
        people.extend(vec![("government", "african", "female", 1); 7]);
        let (t, n, inputs) = tallies(&people);
        let (total, _, by) = t.publish(n, inputs);
        assert_eq!(total, Some(10));
        assert!(by.stakeholder_group["civil_society"].suppressed);
        assert!(by.stakeholder_group["government"].suppressed);
        assert_eq!(
            by.stakeholder_group["academia"],
            Cell::shown(0, 0),
            "zeros stay: they name the missing"
        );
        assert_kept(&t, &by, total, inputs);
    }

    #[test]
    fn two_ones_are_not_left_to_add_up() {
        // Gender: six women, one man, one not given. Withholding the two ones alone lets
        // 8 − 6 = 2 over two cells tell each is one.
        let mut people = vec![("civil_society", "african", "female", 1); 6];
        people.push(("civil_society", "african", "male", 2));
        people.push(("civil_society", "african", "unknown", 1));
        let (t, n, inputs) = tallies(&people);
        let (total, contributions, by) = t.publish(n, inputs);
        assert_eq!((total, contributions), (Some(8), Some(9)));
        assert!(by.gender["female"].suppressed, "{:?}", by.gender);
        assert!(by.gender["male"].suppressed && by.gender["unknown"].suppressed);
        assert_kept(&t, &by, total, inputs);
        // The attack is real: on the small cells alone it gives both away.
        let primary_only: BTreeMap<String, Cell> = t.0["gender"]
            .iter()
            .map(|(v, tally)| {
                let n = tally.contributors.len();
                let cell = if n > 0 && n < MIN_CELL {
                    Cell::SUPPRESSED
                } else {
                    Cell::shown(n, tally.contributions)
                };
                (v.clone(), cell)
            })
            .collect();
        let found = attack(&primary_only, &t.0["gender"], Some(8), 9);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|(_, p, _)| p.len() == 1), "{found:?}");
    }

    #[test]
    fn totals_are_withheld_when_nothing_else_would_do() {
        // Two groups of four: 8 over two cells of at most four each is four and four.
        let mut people = vec![("academia", "african", "female", 1); 4];
        people.extend(vec![("government", "african", "male", 1); 4]);
        let (t, n, inputs) = tallies(&people);
        let (total, contributions, by) = t.publish(n, inputs);
        assert_eq!((total, contributions), (None, None));
        assert!(by.stakeholder_group["academia"].suppressed);
        // A small total is a small cell itself.
        let (t, n, inputs) = tallies(&[("academia", "african", "female", 3); 3]);
        assert_eq!(t.publish(n, inputs).0, None);
    }

    #[test]
    fn one_input_tells_nothing_of_its_authors_gender() {
        let (t, n, inputs) = tallies(&[("civil_society", "african", "female", 1)]);
        let (total, contributions, by) = t.publish(n, inputs);
        assert_eq!((total, contributions), (None, None));
        assert_eq!(
            by.gender.len(),
            Gender::ALL.len() + 1,
            "every gender listed"
        );
        assert!(by.gender.values().all(|c| c.suppressed), "{:?}", by.gender);
        let found = attack(&by.gender, &t.0["gender"], None, 1);
        assert!(found.iter().all(|(_, _, i)| i.len() >= 2), "{found:?}");
    }

    #[test]
    fn no_gender_cell_is_given_away_by_the_inputs_listed() {
        // Every mix of up to six women, men and non-binary people, one of whom may have
        // written twice: the attacker knows how many inputs there are (they are listed)
        // and the people's total when it is shown.
        for women in 0..=5 {
            for men in 0..=5 {
                for others in 0..=1 {
                    for unknown in [0, 1, 5] {
                        for twice in [false, true] {
                            let mut people = vec![("civil_society", "african", "female", 1); women];
                            people.extend(vec![("civil_society", "african", "male", 1); men]);
                            people.extend(vec![
                                ("civil_society", "african", "non_binary", 1);
                                others
                            ]);
                            people
                                .extend(vec![("civil_society", "african", "unknown", 1); unknown]);
                            if people.is_empty() {
                                continue;
                            }
                            if twice {
                                people[0].3 = 2;
                            }
                            let (t, n, inputs) = tallies(&people);
                            let (total, _, by) = t.publish(n, inputs);
                            let found = attack(&by.gender, &t.0["gender"], total, inputs as usize);
                            let case = (women, men, others, unknown, twice);
                            for (cell, p, i) in found {
                                assert!(p.len() >= 2, "{case:?} {cell}: people given away: {p:?}");
                                assert!(i.len() >= 2, "{case:?} {cell}: inputs given away: {i:?}");
                            }
                            // Zeros are withheld all together or not at all: which ones
                            // were would tell which small cell is not empty.
                            let zeros: Vec<bool> = t.0["gender"]
                                .iter()
                                .filter(|(_, tally)| tally.contributors.is_empty())
                                .map(|(v, _)| by.gender[v].suppressed)
                                .collect();
                            assert!(
                                zeros.iter().all(|z| *z) || zeros.iter().all(|z| !*z),
                                "{case:?}: {:?}",
                                by.gender
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_table_that_cannot_be_kept_is_withheld_alone() {
        // Five in English, one in French: the language table cannot be kept once the
        // inputs are counted (6 − 5), so it is withheld; the six people of civil
        // society stay shown.
        let mut t = Tallies::with_all_values();
        for author in 0..6 {
            let language = if author == 5 { "fr" } else { "en" };
            t.add(author, "civil_society", "african", "female", language);
        }
        let (total, _, by) = t.publish(6, 6);
        assert_eq!(total, Some(6));
        assert_eq!(by.stakeholder_group["civil_society"], Cell::shown(6, 6));
        assert_eq!(by.gender["female"], Cell::shown(6, 6));
        assert!(
            by.language.values().all(|c| c.suppressed),
            "{:?}",
            by.language
        );
    }

    #[test]
    fn big_cells_alone_are_all_shown() {
        let mut people = vec![("academia", "african", "female", 1); 5];
        people.extend(vec![("government", "african", "male", 1); 6]);
        let (t, n, inputs) = tallies(&people);
        let (total, _, by) = t.publish(n, inputs);
        assert_eq!(total, Some(11));
        assert_eq!(by.stakeholder_group["academia"], Cell::shown(5, 5));
        assert_eq!(by.gender["male"], Cell::shown(6, 6));
    }
}
