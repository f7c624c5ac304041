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
    /// PostgreSQL from `INDABA_TEST_POSTGRES_URL`; without it the PostgreSQL variant of a
    /// test is skipped, with a message, unless `INDABA_TEST_REQUIRE_POSTGRES` says it must run.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("INDABA_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                assert!(
                    std::env::var_os("INDABA_TEST_REQUIRE_POSTGRES").is_none(),
                    "INDABA_TEST_REQUIRE_POSTGRES is set but INDABA_TEST_POSTGRES_URL is not"
                );
                eprintln!("skipped: set INDABA_TEST_POSTGRES_URL to run this test on PostgreSQL");
                None
            }
        }
    }
}

impl Backend {
    /// Meilisearch from `INDABA_TEST_MEILISEARCH_URL` (and `INDABA_TEST_MEILISEARCH_KEY`);
    /// without it the Meilisearch variant of a test is skipped, with a message, unless
    /// `INDABA_TEST_REQUIRE_MEILISEARCH` says it must run.
    pub fn meilisearch() -> Option<Backend> {
        match std::env::var("INDABA_TEST_MEILISEARCH_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Meilisearch(url)),
            _ => {
                assert!(
                    std::env::var_os("INDABA_TEST_REQUIRE_MEILISEARCH").is_none(),
                    "INDABA_TEST_REQUIRE_MEILISEARCH is set but INDABA_TEST_MEILISEARCH_URL is not"
                );
                eprintln!(
                    "skipped: set INDABA_TEST_MEILISEARCH_URL to run this test on Meilisearch"
                );
                None
            }
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
            $(#[actix_web::test] async fn $name() {
                if let Some(b) = $crate::Backend::meilisearch() { super::$name(b).await }
            })*
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
            $(#[actix_web::test] async fn $name() {
                if let Some(b) = $crate::Backend::postgres() { super::$name(b).await }
            })*
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
