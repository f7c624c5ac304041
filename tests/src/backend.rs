//! Databases for tests: SQLite files and fresh PostgreSQL databases, and the macros
//! that make one test per backend.

use std::path::PathBuf;

use diesel::{Connection, RunQueryDsl};

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
    /// SQLite, searching with the Meilisearch server at this URL.
    Meilisearch(String),
}

impl Backend {
    /// PostgreSQL from `INDABA_TEST_POSTGRES_URL`. The tests that need it are ignored
    /// unless `tests/run` finds the variable, so a test that did not run is counted as
    /// skipped, never as passed; run one by hand without it and it fails, saying why.
    pub fn postgres() -> Backend {
        match std::env::var("INDABA_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Backend::Postgres(url),
            _ => panic!(
                "this test needs PostgreSQL: set INDABA_TEST_POSTGRES_URL (a role that may create databases)"
            ),
        }
    }

    /// The PostgreSQL URL of a role that may create databases (`INDABA_TEST_POSTGRES_URL`).
    pub fn postgres_admin_url() -> String {
        match Backend::postgres() {
            Backend::Postgres(url) => url,
            _ => unreachable!("Backend::postgres is PostgreSQL"),
        }
    }

    /// Meilisearch from `INDABA_TEST_MEILISEARCH_URL` (and `INDABA_TEST_MEILISEARCH_KEY`),
    /// as for [`Backend::postgres`].
    pub fn meilisearch() -> Backend {
        match std::env::var("INDABA_TEST_MEILISEARCH_URL") {
            Ok(url) if !url.is_empty() => Backend::Meilisearch(url),
            _ => panic!("this test needs Meilisearch: set INDABA_TEST_MEILISEARCH_URL"),
        }
    }
}

/// Generates `sqlite::name`, `postgres::name` and `meilisearch::name` tests (the search
/// suite, run on each database and each search backend).
#[macro_export]
macro_rules! every_backend {
    ($($name:ident),* $(,)?) => {
        $crate::both_backends!($($name),*);
        mod meilisearch {
            $(#[actix_web::test]
            #[ignore = "needs Meilisearch: INDABA_TEST_MEILISEARCH_URL (tests/run runs it when set)"]
            async fn $name() { super::$name($crate::Backend::meilisearch()).await })*
        }
    };
}

/// Generates `sqlite::name` and `postgres::name` tests from `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[actix_web::test] async fn $name() { super::$name($crate::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[actix_web::test]
            #[ignore = "needs PostgreSQL: INDABA_TEST_POSTGRES_URL (tests/run runs it when set)"]
            async fn $name() { super::$name($crate::Backend::postgres()).await })*
        }
    };
}

/// A value percent-encoded for a URL's query string.
pub fn encode_query(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    )
}

/// A fresh PostgreSQL database, dropped again when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(admin_url: &str) -> PgDatabase {
        let name = unique("indaba_t");
        let mut conn = diesel::PgConnection::establish(admin_url)
            .expect("connect to INDABA_TEST_POSTGRES_URL");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .expect("create database");
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url, String::new()),
        };
        let (server, _) = base.rsplit_once('/').expect("a database URL with a path");
        let url = format!("{server}/{name}{query}");
        PgDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(unique("indaba-test-"));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
