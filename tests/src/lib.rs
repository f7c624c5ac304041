//! The test harness: the real app on a random port with a fresh SQLite file or a fresh
//! PostgreSQL database, a real HTTP client, and readers for the mail it sends.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use awc::http::{header, Method, StatusCode};
use base64::Engine;
use diesel::{Connection, RunQueryDsl};
use serde_json::{json, Value};

pub use indaba;

pub mod browser;
pub mod web;

/// A password that meets the policy, shared by test accounts.
pub const PASSWORD: &str = "a long enough test password";
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

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

pub struct TestApp {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub client: awc::Client,
    pub data_dir: PathBuf,
    pub config: indaba::config::Config,
    running: Option<indaba::app::Running>,
    // Dropped last: the server must stop before its database goes.
    _pg: Option<PgDatabase>,
    _dir: TempDir,
}

pub struct Options {
    pub env: Vec<(String, String)>,
    /// Wait for `/readyz` before returning (not when a test means the server to be unready).
    pub wait_ready: bool,
}

impl Options {
    pub fn new() -> Options {
        Options {
            env: Vec::new(),
            wait_ready: true,
        }
    }
    pub fn unready(mut self) -> Options {
        self.wait_ready = false;
        self
    }
    pub fn with(mut self, key: &str, value: &str) -> Options {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Response {
    /// Reads a client response whole: status, headers, text and (when it is JSON) body.
    pub async fn read<S>(res: &mut awc::ClientResponse<S>) -> Response
    where
        S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
    {
        let bytes = res.body().limit(64 * 1024 * 1024).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Response {
            status: res.status(),
            headers: res.headers().clone(),
            body,
            text,
        }
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    pub fn field(&self, name: &str) -> Option<&str> {
        self.body["error"]["fields"][name].as_str()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options::new()).await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    let dir = TempDir::new();
    let pg = match &backend {
        Backend::Sqlite | Backend::Meilisearch(_) => None,
        Backend::Postgres(admin) => Some(PgDatabase::create(admin)),
    };
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let data_dir = dir.0.join("data");
    let mut env = vec![
        (
            "INDABA_DATA_DIR".to_owned(),
            data_dir.to_string_lossy().into_owned(),
        ),
        ("INDABA_BIND".to_owned(), addr.to_string()),
        ("INDABA_PUBLIC_URL".to_owned(), format!("http://{addr}")),
        ("INDABA_SECRET_KEY".to_owned(), SECRET.to_owned()),
        ("INDABA_LOG".to_owned(), "warn".to_owned()),
        ("INDABA_DB_POOL_SIZE".to_owned(), "4".to_owned()),
    ];
    if let Some(pg) = &pg {
        env.push(("INDABA_DATABASE_URL".to_owned(), pg.url.clone()));
    }
    if let Backend::Meilisearch(url) = &backend {
        env.push(("INDABA_MEILISEARCH_URL".to_owned(), url.clone()));
        env.push(("INDABA_MEILISEARCH_INDEX".to_owned(), unique("indaba_t")));
        if let Ok(key) = std::env::var("INDABA_TEST_MEILISEARCH_KEY") {
            env.push(("INDABA_MEILISEARCH_KEY".to_owned(), key));
        }
    }
    let wait_ready = options.wait_ready;
    env.extend(options.env);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let config = indaba::cli::config_from(&pairs).expect("test configuration");
    indaba::telemetry::init(&config.log, config.log_format);
    let (running, server) = indaba::app::start(config.clone(), listener)
        .await
        .expect("app starts");
    actix_web::rt::spawn(server);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    // Ready once the search index is built (at once for a new database).
    for _ in 0..if wait_ready { 600 } else { 0 } {
        let ready = client.get(format!("http://{addr}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    TestApp {
        base: format!("http://{addr}"),
        addr,
        client,
        data_dir,
        config,
        running: Some(running),
        _pg: pg,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with an optional bearer token and a raw body (sent as JSON when given).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        let mut res = match body {
            Some((content_type, body)) => req
                .insert_header((header::CONTENT_TYPE, content_type))
                .send_body(body.to_owned())
                .await
                .expect("request"),
            None => req.send().await.expect("request"),
        };
        Response::read(&mut res).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.raw(Method::GET, path, token, None).await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Response {
        self.raw(
            method,
            path,
            token,
            Some(("application/json", &body.to_string())),
        )
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(Method::POST, path, token, body).await
    }

    /// Registers an account and returns its email.
    pub async fn register(&self, name: &str, extra: Value) -> (String, Response) {
        let email = format!("{}@example.org", unique(name).to_lowercase());
        let mut body = json!({
            "email": email, "password": PASSWORD, "display_name": name,
            "stakeholder_group": "civil_society", "country": "KE",
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let res = self.post("/api/v1/auth/register", None, &body).await;
        (email, res)
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Registers, verifies through the emailed link, logs in; returns (email, access, refresh).
    pub async fn verified_user(&self, name: &str) -> (String, String, String) {
        let (email, res) = self.register(name, json!({})).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let token = self.link_token(&email, "/verify?token=").await;
        let res = self
            .post("/api/v1/auth/verify", None, &json!({"token": token}))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let res = self.login(&email, PASSWORD).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        (
            email,
            token_of(&res, "access_token"),
            token_of(&res, "refresh_token"),
        )
    }

    /// Creates an account with roles directly in the database (as `indaba user create` does).
    pub async fn user_with_roles(&self, name: &str, roles: &[&str]) -> (i64, String) {
        self.member(name, roles, "government", "BR", None).await
    }

    /// Creates a verified account of a stakeholder group and country (its region follows),
    /// with roles; returns its id and an access token.
    pub async fn member(
        &self,
        name: &str,
        roles: &[&str],
        group: &str,
        country: &str,
        gender: Option<&str>,
    ) -> (i64, String) {
        use indaba::accounts::types::{Role, StakeholderGroup};
        let db = self.db();
        let email = format!("{}@example.org", unique(name).to_lowercase());
        let roles: Vec<Role> = roles
            .iter()
            .map(|r| Role::parse(r).expect("role"))
            .collect();
        let hash = indaba::accounts::password::hash(PASSWORD).expect("hash");
        let new = indaba::accounts::store::NewUser {
            email: email.clone(),
            password_hash: hash,
            display_name: name.to_owned(),
            stakeholder_group: StakeholderGroup::parse(group).expect("stakeholder group"),
            organization: None,
            country: Some(country.into()),
            region: indaba::accounts::regions::region_of(country).map(|r| r.as_str().to_owned()),
            gender: gender.map(str::to_owned),
            preferred_language: "en".into(),
            verified: true,
        };
        let id = db
            .tx(move |conn| {
                let id = indaba::accounts::store::insert_user(conn, &new)?;
                indaba::accounts::store::set_roles(conn, id, &roles)?;
                Ok(id)
            })
            .await
            .expect("insert user");
        let res = self.login(&email, PASSWORD).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        (id, token_of(&res, "access_token"))
    }

    /// GETs `path` until its answer has `total` results: search follows the database a
    /// moment later, as every search engine does.
    pub async fn get_until_total(&self, path: &str, token: Option<&str>, total: u64) -> Response {
        for _ in 0..200 {
            let res = self.get(path, token).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            if res.body["total"] == total {
                return res;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{path}: never {total} results; last: {}",
            self.get(path, token).await.text
        );
    }

    /// The app's own database handle, for arranging states a test needs. The same pool
    /// matters on SQLite: writes then queue behind the app's one writer instead of racing it.
    pub fn db(&self) -> indaba::db::Db {
        match &self.running {
            Some(r) => r.db.clone(),
            None => indaba::db::Db::connect(&self.config.database, 2).expect("database"),
        }
    }

    /// The messages written to the mail folder for `to`, decoded to their text parts.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        read_mail_dir(&self.data_dir.join("mail"), to)
    }

    /// Waits for a message to `to` containing `marker` and returns the token after it.
    pub async fn link_token(&self, to: &str, marker: &str) -> String {
        for _ in 0..200 {
            for mail in self.mails_to(to).into_iter().rev() {
                if let Some(token) = token_after(&mail.text, marker) {
                    return token;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail to {to} with {marker}");
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

pub fn token_of(res: &Response, field: &str) -> String {
    res.body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {}", res.text))
        .to_owned()
}

pub fn token_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    Some(
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

/// Reads .eml files (the folder transport) or a Maildir's `new/` (the SMTP test server).
pub fn read_mail_dir(dir: &Path, to: &str) -> Vec<Mail> {
    let mut files: Vec<PathBuf> = Vec::new();
    for d in [dir.to_path_buf(), dir.join("new"), dir.join("cur")] {
        if let Ok(entries) = std::fs::read_dir(&d) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok())
        .map(|raw| parse_mail(&raw))
        .filter(|m| {
            m.headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("to:") && l.to_lowercase().contains(to))
        })
        .collect()
}

/// Enough MIME to read what the server sends: headers, and base64 text and HTML parts.
pub fn parse_mail(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let (headers, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let subject = headers
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .map(decode_encoded_word)
        .unwrap_or_default();
    let mut text = String::new();
    let mut html = String::new();
    for part in body.split("\n--") {
        let Some((part_headers, part_body)) = part.split_once("\n\n") else {
            continue;
        };
        let lower = part_headers.to_ascii_lowercase();
        let decoded = if lower.contains("content-transfer-encoding: base64") {
            let joined: String = part_body
                .lines()
                .take_while(|l| !l.starts_with("--"))
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(joined.trim())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        } else {
            part_body.to_owned()
        };
        if lower.contains("content-type: text/plain") {
            text = decoded;
        } else if lower.contains("content-type: text/html") {
            html = decoded;
        }
    }
    Mail {
        headers: headers.to_owned(),
        subject,
        text,
        html,
        raw: raw.clone(),
    }
}

/// RFC 2047 `=?utf-8?b?…?=` words, as lettre writes non-ASCII subjects.
fn decode_encoded_word(value: &str) -> String {
    let mut out = String::new();
    for word in value.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let inner = &word[10..word.len() - 2];
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(inner) {
                out.push_str(&String::from_utf8_lossy(&bytes));
                continue;
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The `indaba` binary built beside the test executables.
pub fn indaba_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|p| p.parent()).expect("target dir");
    let bin = dir.join("indaba");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p indaba`",
        bin.display()
    );
    bin
}

/// A small UN-style draft for tests.
pub const SMALL_DRAFT: &str = "I. Preamble\n\n1. We commit to an open, free and secure Internet for all.\n\n\
2. We recognise the following:\n\n(a) meaningful connectivity matters;\n\n(b) digital skills matter.\n\n\
II. Commitments\n\n3. We will close the digital divide by 2030.\n";

/// Creates an open consultation on [`SMALL_DRAFT`]; returns its id. Its live channel
/// then holds one event (seq 1, `version.created`).
pub async fn open_consultation(app: &TestApp, organizer: &str) -> i64 {
    let slug = unique("c-").replace('_', "-").to_lowercase();
    let res = app
        .post(
            "/api/v1/consultations",
            Some(organizer),
            &json!({"slug": slug, "title": "Live", "language": "en"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().expect("id");
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/versions"),
            Some(organizer),
            &json!({"label": "v1", "source": SMALL_DRAFT}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/consultations/{id}"),
            Some(organizer),
            &json!({"status": "open"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    id
}

/// The events in a text frame (one object, or an array of them).
pub fn frame_events(text: &str) -> Vec<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(v) => vec![v],
        Err(_) => panic!("not JSON: {text}"),
    }
}

/// Whether process `pid` holds the socket listening on 127.0.0.1:`port` (Linux /proc).
fn listens_on(pid: u32, port: u16) -> bool {
    let local = format!("0100007F:{port:04X}");
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    let inodes: Vec<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local address, state 0A (LISTEN), inode
            (fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A"))
                .then(|| fields.get(9).map(|s| format!("socket:[{s}]")))
                .flatten()
        })
        .collect();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(Result::ok).any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| inodes.iter().any(|i| target.to_string_lossy() == *i))
    })
}

/// An `indaba serve` process of its own, for tests across instances and of the CLI.
pub struct Instance {
    pub child: std::process::Child,
    pub base: String,
    pub addr: std::net::SocketAddr,
    _dir: TempDir,
}

impl Instance {
    /// Starts `indaba serve` with these settings (plus a data dir, a bind address and the
    /// test secret) and waits until it is ready.
    ///
    /// The port is picked before the process binds it, so another test's server may take
    /// it meanwhile: then ours fails to start while the other one answers our readiness
    /// check. An instance counts as started only once its own process holds the listening
    /// socket; otherwise it is tried again on another port.
    pub async fn start(env: &[(&str, &str)]) -> Instance {
        for _ in 0..5 {
            if let Some(instance) = Self::try_start(env).await {
                return instance;
            }
        }
        panic!("indaba did not start on any of five ports");
    }

    async fn try_start(env: &[(&str, &str)]) -> Option<Instance> {
        let dir = TempDir::new();
        let port = free_port();
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let mut cmd = std::process::Command::new(indaba_binary());
        cmd.current_dir(&dir.0)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("INDABA_DATA_DIR", dir.0.join("data"))
            .env("INDABA_BIND", addr.to_string())
            .env("INDABA_SECRET_KEY", SECRET)
            .env("INDABA_LOG", "warn")
            .arg("serve")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("indaba starts");
        let mut instance = Instance {
            child,
            base: format!("http://{addr}"),
            addr,
            _dir: dir,
        };
        let client = awc::Client::default();
        for _ in 0..200 {
            if !matches!(instance.child.try_wait(), Ok(None)) {
                return None;
            }
            if listens_on(instance.child.id(), port) {
                if let Ok(res) = client.get(format!("{}/readyz", instance.base)).send().await {
                    if res.status() == StatusCode::OK {
                        return Some(instance);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("indaba did not become ready on {addr}");
    }

    /// A [`TestApp`]-like client for this instance's HTTP API.
    pub fn client(&self) -> Remote {
        Remote {
            base: self.base.clone(),
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish(),
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP client bound to one base URL.
pub struct Remote {
    pub base: String,
    pub client: awc::Client,
}

impl Remote {
    pub fn new(base: &str) -> Remote {
        Remote {
            base: base.to_owned(),
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        let mut res = match body {
            Some(b) => req.send_json(b).await.expect("request"),
            None => req.send().await.expect("request"),
        };
        Response::read(&mut res).await
    }

    pub async fn login(&self, email: &str) -> String {
        let res = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        token_of(&res, "access_token")
    }
}

/// Runs `indaba` with a command line against a database (for setting up instances).
pub fn indaba_cli(database_url: &str, args: &[&str]) {
    let dir = TempDir::new();
    let out = std::process::Command::new(indaba_binary())
        .current_dir(&dir.0)
        .env("INDABA_DATA_DIR", dir.0.join("data"))
        .env("INDABA_DATABASE_URL", database_url)
        .env("INDABA_LOG", "warn")
        .args(args)
        .output()
        .expect("indaba runs");
    assert!(
        out.status.success(),
        "indaba {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Parses an iCalendar file with an independent parser (Python's `icalendar`, installed
/// by tests/run) and returns its events as JSON.
pub fn parse_ics(text: &str) -> Value {
    use std::io::Write;
    const SCRIPT: &str = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
assert cal.get('VERSION') == '2.0', 'VERSION'
assert cal.get('PRODID'), 'PRODID'
out = []
for ev in cal.walk('VEVENT'):
    out.append({k.lower(): (ev.decoded(k).isoformat() if k in ('DTSTART', 'DTEND', 'DTSTAMP') else str(ev.get(k)))
                for k in ('UID', 'SEQUENCE', 'DTSTART', 'DTEND', 'DTSTAMP', 'SUMMARY', 'DESCRIPTION', 'LOCATION', 'URL') if ev.get(k) is not None})
print(json.dumps(out))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (tests/run installs icalendar)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3 runs");
    assert!(
        out.status.success(),
        "the iCalendar parser refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parser output")
}

/// A real SMTP server (Python's aiosmtpd) writing what it receives into a Maildir.
/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct SmtpServer {
    child: std::process::Child,
    pub port: u16,
    pub maildir: TempDir,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        SmtpServer::start_on(free_port()).await
    }

    /// On a given port: a test can point a server at a port where no mail server runs
    /// yet, and start one there later.
    pub async fn start_on(port: u16) -> SmtpServer {
        let maildir = TempDir::new();
        let child = std::process::Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.0.join("Maildir"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (tests/run installs it: pip install aiosmtpd)");
        let mut server = SmtpServer {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = server.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!("aiosmtpd exited ({status}): {err}\ninstall it with: python3 -m pip install aiosmtpd");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The messages received for `to` so far.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        read_mail_dir(&self.maildir.0.join("Maildir"), to)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
