//! `indaba transfer`: moves every row from an SQLite database to PostgreSQL, for a
//! deployment that outgrows one machine. Both sides are migrated to this version first;
//! the copy runs in one PostgreSQL transaction (all or nothing), table after table in
//! foreign-key order, rows as JSON (`json_object` out of SQLite,
//! `json_populate_recordset` into PostgreSQL, which converts each value to its column's
//! type); then every table is verified by its count and an order-independent checksum
//! of its normalised rows, read back inside the same transaction, before it commits.

use std::collections::{BTreeMap, BTreeSet};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::DatabaseUrl;
use crate::db::Db;

const BATCH: i64 = 500;
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One table's figures on both sides.
#[derive(Debug)]
pub struct Copied {
    pub table: String,
    pub rows: i64,
    pub checksum: String,
}

/// Identifiers come from the databases' own catalogues; still, only plain names pass.
fn ident(name: &str) -> Result<String, String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(format!("\"{name}\""))
    } else {
        Err(format!("unexpected table or column name {name:?}"))
    }
}

fn e<E: std::fmt::Display>(context: &str) -> impl Fn(E) -> String + '_ {
    move |err| format!("{context}: {err}")
}

/// The tables of the target in an order where every table comes after those it
/// references (self-references are fine: rows go in id order).
fn pg_tables_in_order(pg: &mut PgConnection) -> Result<Vec<String>, String> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    .load(pg)
    .map_err(e("listing tables"))?;
    #[derive(QueryableByName)]
    struct Edge {
        #[diesel(sql_type = Text)]
        child: String,
        #[diesel(sql_type = Text)]
        parent: String,
    }
    let edges: Vec<Edge> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent \
         FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
    )
    .load(pg)
    .map_err(e("reading foreign keys"))?;
    let names: BTreeSet<String> = tables
        .into_iter()
        .map(|t| t.name)
        .filter(|n| n != MIGRATIONS_TABLE)
        .collect();
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = names
        .iter()
        .map(|n| (n.as_str(), BTreeSet::new()))
        .collect();
    for edge in &edges {
        let (child, parent) = (edge.child.trim_matches('"'), edge.parent.trim_matches('"'));
        if child != parent && names.contains(parent) {
            if let Some(p) = parents.get_mut(child) {
                p.insert(parent);
            }
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    while placed.len() < names.len() {
        let ready: Vec<&str> = parents
            .iter()
            .filter(|(t, ps)| !placed.contains(*t) && ps.iter().all(|p| placed.contains(p)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            return Err("the foreign keys form a cycle; cannot order the copy".into());
        }
        for t in ready {
            placed.insert(t);
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

fn sqlite_columns(sqlite: &mut SqliteConnection, table: &str) -> Result<Vec<String>, String> {
    let cols: Vec<Name> = diesel::sql_query(format!(
        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
    ))
    .load(sqlite)
    .map_err(e(table))?;
    Ok(cols.into_iter().map(|c| c.name).collect())
}

fn count_pg(pg: &mut PgConnection, table: &str) -> Result<i64, String> {
    let c: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {}", ident(table)?))
        .get_result(pg)
        .map_err(e(table))?;
    Ok(c.n)
}

/// A value as text that both sides agree on: booleans as 0/1, whole numbers without a
/// fraction, timestamps as `YYYY-MM-DD HH:MM:SS.ffffff`.
fn normal(v: &Value) -> String {
    match v {
        Value::Null => "\u{2205}".into(),
        Value::Bool(b) => u8::from(*b).to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9e15 => (f as i64).to_string(),
            (None, Some(f)) => format!("{f:.9}"),
            _ => n.to_string(),
        },
        Value::String(s) => timestamp(s).unwrap_or_else(|| s.clone()),
        other => other.to_string(),
    }
}

fn timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    // ASCII first: only then may the text be cut at byte offsets.
    let shaped = b.len() >= 19
        && b[..19].is_ascii()
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && b[16] == b':'
        && s[..19]
            .chars()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10 | 13 | 16) || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let frac = s[19..].strip_prefix('.').unwrap_or("");
    if !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    Some(format!("{} {}.{:0<6}", &s[..10], &s[11..19], frac))
}

/// Count and an order-independent checksum (wrapping sum of row hashes) of JSON rows.
#[derive(Default, PartialEq, Eq, Debug, Clone, Copy)]
struct Sum {
    rows: i64,
    hash: u64,
}

impl Sum {
    fn add(&mut self, json_row: &str) -> Result<(), String> {
        let v: BTreeMap<String, Value> = serde_json::from_str(json_row).map_err(e("row"))?;
        let mut h = Sha256::new();
        for (k, value) in &v {
            h.update(k.as_bytes());
            h.update([0]);
            h.update(normal(value).as_bytes());
            h.update([1]);
        }
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        self.hash = self.hash.wrapping_add(u64::from_le_bytes(first));
        self.rows += 1;
        Ok(())
    }
}

/// Copies everything from `from` (SQLite) into `to` (PostgreSQL). An empty target is
/// required unless `force`, which empties it first.
pub fn transfer(from: &DatabaseUrl, to: &DatabaseUrl, force: bool) -> Result<Vec<Copied>, String> {
    let (DatabaseUrl::Sqlite(path), DatabaseUrl::Postgres(target_url)) = (from, to) else {
        return Err("transfer copies an SQLite database (--from sqlite:PATH) into PostgreSQL (--to postgres://…)".into());
    };
    if !path.exists() {
        return Err(format!("no SQLite database at {}", path.display()));
    }
    // Both sides at this version's schema.
    Db::connect(from, 1)?.migrate()?;
    Db::connect(to, 1)?.migrate()?;
    let mut sqlite =
        SqliteConnection::establish(&path.to_string_lossy()).map_err(e("the source"))?;
    sqlite
        .batch_execute("PRAGMA busy_timeout = 10000;")
        .map_err(e("the source"))?;
    let mut pg = PgConnection::establish(target_url).map_err(e("the target"))?;
    let tables = pg_tables_in_order(&mut pg)?;

    pg.transaction::<_, Fail, _>(|pg| {
        let mut non_empty = Vec::new();
        for t in &tables {
            if count_pg(pg, t)? > 0 {
                non_empty.push(t.clone());
            }
        }
        if !non_empty.is_empty() {
            if !force {
                return Err(Fail(format!(
                    "the target is not empty ({} and more have rows): refusing to mix data; --force empties it first",
                    non_empty[0]
                )));
            }
            let list: Vec<String> = tables.iter().map(|t| ident(t)).collect::<Result<_, _>>()?;
            pg.batch_execute(&format!("TRUNCATE {} RESTART IDENTITY CASCADE", list.join(", ")))
                .map_err(e("emptying the target"))?;
        }
        // One consistent view of the source for the whole copy.
        sqlite.batch_execute("BEGIN").map_err(e("the source"))?;
        let result = copy_all(&mut sqlite, pg, &tables);
        let _ = sqlite.batch_execute("COMMIT");
        Ok(result?)
    })
    .map_err(|f| f.0)
}

/// An error inside the target's transaction (which rolls it back).
struct Fail(String);

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Fail(s)
    }
}

impl From<diesel::result::Error> for Fail {
    fn from(e: diesel::result::Error) -> Self {
        Fail(format!("the target: {e}"))
    }
}

fn copy_all(
    sqlite: &mut SqliteConnection,
    pg: &mut PgConnection,
    tables: &[String],
) -> Result<Vec<Copied>, String> {
    let mut report = Vec::new();
    for table in tables {
        let t = ident(table)?;
        let columns = sqlite_columns(sqlite, table)?;
        if columns.is_empty() {
            return Err(format!(
                "the source has no table {table}: is it an Indaba database?"
            ));
        }
        let pairs: Vec<String> = columns
            .iter()
            .map(|c| Ok(format!("'{c}', {}", ident(c)?)))
            .collect::<Result<_, String>>()?;
        let order = if columns.iter().any(|c| c == "id") {
            "ORDER BY id"
        } else {
            ""
        };
        let mut source = Sum::default();
        let mut offset = 0;
        loop {
            let rows: Vec<Row> = diesel::sql_query(format!(
                "SELECT json_object({}) AS row FROM {t} {order} LIMIT {BATCH} OFFSET {offset}",
                pairs.join(", ")
            ))
            .load(sqlite)
            .map_err(e(table))?;
            if rows.is_empty() {
                break;
            }
            offset += rows.len() as i64;
            for r in &rows {
                source.add(&r.row)?;
            }
            let batch = format!(
                "[{}]",
                rows.iter()
                    .map(|r| r.row.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            diesel::sql_query(format!(
                "INSERT INTO {t} SELECT * FROM json_populate_recordset(NULL::{t}, $1::json)"
            ))
            .bind::<Text, _>(batch)
            .execute(pg)
            .map_err(e(table))?;
        }
        // Serial ids continue after the copied ones.
        if columns.iter().any(|c| c == "id") {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(max(id), 1), max(id) IS NOT NULL) FROM {t} \
                 WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
            ))
            .execute(pg)
            .map_err(e(table))?;
        }
        // Read back what the target now holds, as it stores it.
        let mut target = Sum::default();
        let back: Vec<Row> =
            diesel::sql_query(format!("SELECT row_to_json(x)::text AS row FROM {t} x"))
                .load(pg)
                .map_err(e(table))?;
        for r in &back {
            target.add(&r.row)?;
        }
        if source != target {
            return Err(format!(
                "{table}: the copy does not match the source ({} rows, checksum {:016x}; target {} rows, {:016x}); nothing was written",
                source.rows, source.hash, target.rows, target.hash
            ));
        }
        report.push(Copied {
            table: table.clone(),
            rows: source.rows,
            checksum: format!("{:016x}", source.hash),
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_normalise_alike_on_both_sides() {
        assert_eq!(normal(&json!(true)), normal(&json!(1)));
        assert_eq!(
            normal(&json!("2026-11-29 12:00:01.5")),
            normal(&json!("2026-11-29T12:00:01.500000"))
        );
        assert_eq!(
            normal(&json!("2026-11-29 12:00:01")),
            normal(&json!("2026-11-29T12:00:01"))
        );
        assert_eq!(normal(&json!(0.55)), normal(&json!(0.55)));
        assert_ne!(normal(&json!("text")), normal(&json!(null)));
        let mut a = Sum::default();
        a.add(r#"{"id": 1, "ok": 1, "at": "2026-01-01 00:00:00"}"#)
            .unwrap();
        a.add(r#"{"id": 2, "ok": 0, "at": null}"#).unwrap();
        let mut b = Sum::default();
        b.add(r#"{"at": null, "ok": false, "id": 2}"#).unwrap();
        b.add(r#"{"at": "2026-01-01T00:00:00", "ok": true, "id": 1}"#)
            .unwrap();
        assert_eq!(a, b);
        assert!(ident("users").is_ok() && ident("x; DROP").is_err());
        // Text shaped almost like a timestamp, with a wide character where it is cut.
        assert_eq!(
            normal(&json!("2026-11-29 12:00:中文")),
            "2026-11-29 12:00:中文"
        );
    }
}
