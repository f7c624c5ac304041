//! The real app on a random port, a real HTTP client, and the accounts and data the
//! tests start from.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use awc::http::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::*;

pub struct TestApp {
    pub base: String,
    pub addr: std::net::SocketAddr,
    /// Where the instance serves `/metrics` (not on its public address).
    pub metrics_addr: Option<std::net::SocketAddr>,
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
    /// The body as it came (a download).
    pub bytes: Vec<u8>,
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
            bytes: bytes.to_vec(),
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
        // Metrics on a loopback port of their own, picked by the system.
        ("INDABA_METRICS_BIND".to_owned(), "127.0.0.1:0".to_owned()),
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
    // Idle connections are dropped by the client before the server's 5 s keep-alive
    // ends them: otherwise a request can go out on a socket the server is closing.
    let client = awc::Client::builder()
        .connector(awc::Connector::new().conn_keep_alive(Duration::from_secs(2)))
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
        metrics_addr: running.metrics_addr,
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

    /// `/metrics` from the instance's metrics address.
    pub async fn metrics(&self) -> Response {
        let addr = self.metrics_addr.expect("metrics are served");
        let mut res = self
            .client
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .expect("metrics answer");
        Response::read(&mut res).await
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

    /// POSTs a `multipart/form-data` form: text fields, and a file as `(field, name, bytes)`.
    pub async fn post_form(
        &self,
        path: &str,
        token: Option<&str>,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Response {
        let body = multipart_body(fields, file);
        let mut req = self.client.post(self.url(path)).insert_header((
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"),
        ));
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        let mut res = req.send_body(body).await.expect("request");
        Response::read(&mut res).await
    }

    /// Every item of a list, page after page (200 at a time).
    pub async fn get_all(&self, path: &str, token: Option<&str>) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut url = format!("{path}{sep}limit=200");
        loop {
            let res = self.get(&url, token).await;
            assert_eq!(res.status, StatusCode::OK, "{url}: {}", res.text);
            items.extend(res.body["items"].as_array().expect("items").iter().cloned());
            match res.body["next_cursor"].as_str() {
                Some(c) => url = format!("{path}{sep}limit=200&cursor={c}"),
                None => return items,
            }
        }
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
        let a = self
            .account(name, roles, group, country, gender, None)
            .await;
        (a.id, a.token)
    }

    /// Creates a verified account (as `indaba user create` does) and signs it in.
    pub async fn account(
        &self,
        name: &str,
        roles: &[&str],
        group: &str,
        country: &str,
        gender: Option<&str>,
        organization: Option<&str>,
    ) -> Account {
        use indaba::accounts::types::{Role, StakeholderGroup};
        let db = self.db();
        let email = format!(
            "{}@example.org",
            unique(name).to_lowercase().replace(' ', ".")
        );
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
            organization: organization.map(str::to_owned),
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
        Account {
            id,
            email,
            token: token_of(&res, "access_token"),
        }
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

/// A signed-in test account.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub email: String,
    /// An access token (15 minutes).
    pub token: String,
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

/// A small UN-style draft for tests.
pub const SMALL_DRAFT: &str = "I. Preamble\n\n1. We commit to an open, free and secure Internet for all.\n\n\
2. We recognise the following:\n\n(a) meaningful connectivity matters;\n\n(b) digital skills matter.\n\n\
II. Commitments\n\n3. We will close the digital divide by 2030.\n";

/// Creates an open consultation on [`SMALL_DRAFT`]; returns its id. Its live channel
/// then holds one event (seq 1, `version.created`).
pub async fn open_consultation(app: &TestApp, organizer: &str) -> i64 {
    open_consultation_from(app, organizer, "v1", SMALL_DRAFT)
        .await
        .0
}

/// Creates an open consultation whose first version, `label`, is imported from
/// `source`; returns its id and slug.
pub async fn open_consultation_from(
    app: &TestApp,
    organizer: &str,
    label: &str,
    source: &str,
) -> (i64, String) {
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
            &json!({"label": label, "source": source}),
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
    (id, slug)
}

/// Creates an event (slug `slug`, sub-theme "Governance", Oslo, June 2026) whose call
/// for proposals is open; returns its id.
pub async fn event_with_open_call(app: &TestApp, organizer: &str, slug: &str) -> i64 {
    let res = app
        .post(
            "/api/v1/events",
            Some(organizer),
            &json!({"slug": slug, "name": format!("IGF {slug}"), "theme": "T", "venue": "V",
                    "timezone": "Europe/Oslo", "starts_on": "2026-06-22", "ends_on": "2026-06-26",
                    "subthemes": ["Governance"]}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let event = res.body["id"].as_i64().expect("id");
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{event}"),
            Some(organizer),
            &json!({"call_opens_at": "2020-01-01T00:00:00Z", "call_closes_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    event
}

/// Accepts a proposal; returns the session it became.
pub async fn accept_proposal(app: &TestApp, organizer: &str, proposal: i64) -> i64 {
    let res = app
        .post(
            &format!("/api/v1/proposals/{proposal}/decision"),
            Some(organizer),
            &json!({"decision": "accepted", "note": "Good"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    res.body["session_id"].as_i64().expect("session id")
}

/// Puts a session in a new room on 23 June 2026, 08:00–09:00 UTC, and publishes the event.
pub async fn schedule_and_publish(app: &TestApp, organizer: &str, event: i64, session: i64) {
    let res = app
        .post(
            &format!("/api/v1/events/{event}/rooms"),
            Some(organizer),
            &json!({"name": "Room 1", "capacity": 100}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let room = res.body["id"].as_i64().expect("room id");
    let res = app
        .send(
            Method::PUT,
            &format!("/api/v1/sessions/{session}/slot"),
            Some(organizer),
            &json!({"room_id": room, "starts_at": "2026-06-23T08:00:00Z", "ends_at": "2026-06-23T09:00:00Z"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{event}"),
            Some(organizer),
            &json!({"published": true}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
}

/// The events in a text frame (one object, or an array of them).
pub fn frame_events(text: &str) -> Vec<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(v) => vec![v],
        Err(_) => panic!("not JSON: {text}"),
    }
}

/// The boundary of the forms `multipart_body` writes.
pub const MULTIPART_BOUNDARY: &str = "indaba-test-boundary-7f3a";

/// A `multipart/form-data` body as a browser writes it.
pub fn multipart_body(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, filename, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{MULTIPART_BOUNDARY}--\r\n").as_bytes());
    body
}
