//! Soak and fault test: a mixed load (readers, commenters, searchers, live listeners, an
//! importer, and registrations that send mail) against the real `indaba serve`, which is
//! killed with SIGKILL at random moments and started again on the same database; on
//! PostgreSQL the database server is also restarted once (`pg_ctl restart -m
//! immediate`, a crash and recovery). At the end it checks that nothing was lost:
//!
//! - every comment whose POST got 201 is in the database, in the search index (found by a
//!   word only it contains) and in every live listener's stream (listeners resume with
//!   `since` after each fault);
//! - every channel's event seqs run 1, 2, 3… in the database and in each listener's
//!   stream: no gap, no duplicate;
//! - every message in the mail outbox was delivered exactly once to a real SMTP server
//!   (aiosmtpd writing a Maildir, as the mail tests use);
//! - `/readyz` answered 200 within 10 s of each fault.
//!
//! cargo build -p indaba --bin indaba -p indaba-tests --bin soak
//! $CARGO_TARGET_DIR/debug/soak --backend sqlite|postgres [--seconds 300] [--seed N]
//!
//! `tests/soak/run` runs it on both backends. On PostgreSQL it starts a private cluster
//! (initdb into a temporary directory, as the `postgres` user when run as root) so that it
//! can crash and restart it without disturbing anything else; without initdb it uses
//! `INDABA_TEST_POSTGRES_URL` and says that the PostgreSQL restart did not run.
//! With `--meilisearch BIN` (or `INDABA_SOAK_MEILISEARCH=BIN`), the server searches with
//! a private Meilisearch started from that binary, which the soak kills once (SIGKILL)
//! in the middle of the run and starts again on the same data a few seconds later: the
//! search check then proves that comments accepted while it was down were indexed on its
//! return. Without it, the soak says that the Meilisearch stop did not run. The seed is
//! printed; the same seed gives the same schedule of faults and load.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use awc::http::Method;
use diesel::prelude::*;
use futures_util::StreamExt;
use indaba::config::DatabaseUrl;
use indaba_tests::{parse_mail, SmtpServer, TempDir, PASSWORD, SECRET};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// `/readyz` must answer 200 within this long after each fault.
const RECOVERY_LIMIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// A small seeded generator (SplitMix64): the schedule is reproducible from the printed seed.

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in [lo, hi).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }

    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(self.range(lo, hi))
    }

    fn fork(&mut self) -> Rng {
        Rng(self.next())
    }
}

// ---------------------------------------------------------------------------------------
// Options

struct Options {
    postgres: bool,
    seconds: u64,
    seed: u64,
    bin_dir: PathBuf,
    /// A Meilisearch binary: search with a private instance of it, stopped once.
    meilisearch: Option<PathBuf>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let backend = value("--backend").unwrap_or_else(|| "sqlite".into());
    assert!(
        backend == "sqlite" || backend == "postgres",
        "--backend sqlite|postgres, not {backend}"
    );
    let seed = value("--seed")
        .or_else(|| std::env::var("INDABA_SOAK_SEED").ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    let exe = std::env::current_exe().expect("exe");
    Options {
        postgres: backend == "postgres",
        seconds: value("--seconds")
            .and_then(|s| s.parse().ok())
            .unwrap_or(300),
        seed,
        bin_dir: value("--bin-dir")
            .map(PathBuf::from)
            .unwrap_or_else(|| exe.parent().expect("dir").to_path_buf()),
        meilisearch: value("--meilisearch")
            .or_else(|| std::env::var("INDABA_SOAK_MEILISEARCH").ok())
            .filter(|b| !b.is_empty())
            .map(PathBuf::from),
    }
}

// ---------------------------------------------------------------------------------------
// A private Meilisearch, so that the soak may kill it and start it again.

struct PrivateMeili {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

/// The private instance's master key (loopback only, for the run's length).
const MEILI_KEY: &str = "indaba-soak-master-key-0123456789";

impl PrivateMeili {
    fn start(bin: PathBuf) -> Result<PrivateMeili, String> {
        let dir = std::env::temp_dir().join(format!("indaba-soak-meili-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let mut m = PrivateMeili {
            bin,
            dir,
            port: indaba_tests::free_port(),
            child: None,
        };
        m.spawn()?;
        Ok(m)
    }

    /// Starts it on its data (kept across kills) and waits until it listens.
    fn spawn(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("log"))
            .map_err(|e| e.to_string())?;
        let child = Command::new(&self.bin)
            .arg("--db-path")
            .arg(self.dir.join("data.ms"))
            .args(["--http-addr", &format!("127.0.0.1:{}", self.port)])
            .args(["--master-key", MEILI_KEY, "--no-analytics"])
            .current_dir(&self.dir)
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", self.bin.display()))?;
        self.child = Some(child);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("Meilisearch did not listen within 60 s".into())
    }

    /// SIGKILL, as a crash.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateMeili {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How long the private Meilisearch stays down when the soak stops it.
const MEILI_DOWN: Duration = Duration::from_secs(3);

// ---------------------------------------------------------------------------------------
// A private PostgreSQL cluster, so that the soak may crash and restart it.

/// How to reach and drive the cluster; [`PrivatePg`] owns it and removes it when dropped.
#[derive(Clone)]
struct PgCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// initdb refuses to run as root: then every pg_ctl runs as `postgres`.
    as_postgres: bool,
}

struct PrivatePg(PgCluster);

impl PgCluster {
    fn find_bin() -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
            .collect();
        versions.sort_by_key(|p| {
            p.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        });
        versions.pop()
    }

    fn command(&self, tool: &str) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(tool));
            c
        } else {
            Command::new(self.bin.join(tool))
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let out = self
            .command(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{tool}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn start() -> Result<PrivatePg, String> {
        let bin = Self::find_bin().ok_or("no initdb under /usr/lib/postgresql")?;
        // SAFETY: geteuid only reads the process's effective user id.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = std::env::temp_dir().join(format!("indaba-soak-pg-{}", std::process::id()));
        let pg = PgCluster {
            bin,
            dir: dir.clone(),
            port: indaba_tests::free_port(),
            as_postgres,
        };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if as_postgres {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err("chown postgres failed".into());
            }
        }
        let d = dir.to_string_lossy().into_owned();
        pg.run(
            "initdb",
            &[
                "-D",
                &format!("{d}/data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        pg.pg_ctl("start")?;
        Ok(PrivatePg(pg))
    }

    /// `pg_ctl start`, or `restart -m immediate`: the server stops as in a crash (no
    /// checkpoint, connections cut) and recovers from the WAL as it starts again.
    fn pg_ctl(&self, action: &str) -> Result<(), String> {
        let d = self.dir.to_string_lossy().into_owned();
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={d} -c max_connections=100",
            self.port
        );
        let data = format!("{d}/data");
        let log = format!("{d}/log");
        let mut args = vec!["-D", &data, "-l", &log, "-w", "-t", "60", "-o", &opts];
        if action == "restart" {
            args.extend(["-m", "immediate"]);
        }
        args.push(action);
        self.run("pg_ctl", &args)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let d = self.0.dir.join("data").to_string_lossy().into_owned();
        let _ = self.0.run("pg_ctl", &["-D", &d, "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.0.dir);
    }
}

// ---------------------------------------------------------------------------------------
// The server under test, as a child process that can be killed and started again.

struct Server {
    bin: PathBuf,
    env: Vec<(String, String)>,
    addr: String,
    log: PathBuf,
    child: Option<Child>,
}

impl Server {
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log");
        let child = Command::new(&self.bin)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().cloned())
            .arg("serve")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("indaba serve");
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no flush, no close frames (std's `Child::kill` is SIGKILL).
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits for `/readyz` to answer 200 (starting the process again if it exited, for
    /// example because the port was still held for a moment). Returns when it did.
    async fn wait_ready(&mut self, client: &awc::Client, limit: Duration) -> Option<Instant> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(child) = self.child.as_mut() {
                if !matches!(child.try_wait(), Ok(None)) {
                    eprintln!("  the server exited on its own; starting it again");
                    self.child = None;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    self.spawn();
                }
            }
            if let Ok(Ok(res)) = tokio::time::timeout(
                Duration::from_secs(2),
                client.get(format!("http://{}/readyz", self.addr)).send(),
            )
            .await
            {
                if res.status().as_u16() == 200 {
                    return Some(Instant::now());
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        None
    }

    fn cli(&self, args: &[&str]) {
        let out = Command::new(&self.bin)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().cloned())
            .args(args)
            .output()
            .expect("indaba runs");
        assert!(
            out.status.success(),
            "indaba {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------
// HTTP

struct Answer {
    status: u16,
    body: Value,
}

fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish()
}

/// One request; `Err` when no answer came (refused, reset, timed out: the server died).
async fn call(
    client: &awc::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<Answer, String> {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let sent = match body {
        Some(b) => req.send_json(b).await,
        None => req.send().await,
    };
    let mut res = sent.map_err(|e| e.to_string())?;
    let bytes = res
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Answer {
        status: res.status().as_u16(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    })
}

// ---------------------------------------------------------------------------------------
// What the load saw

#[derive(Default)]
struct Counts {
    /// Requests that got an answer (any status), by kind.
    served: BTreeMap<&'static str, u64>,
    /// Requests that got no answer (the server died under them), by kind.
    unanswered: BTreeMap<&'static str, u64>,
    /// Answers with a 5xx status, by status.
    server_errors: BTreeMap<u16, u64>,
    /// Comments whose POST got 201: id → the word only its body contains.
    accepted: Vec<(i64, String)>,
    /// Registrations that got 201 (each queues a verification mail).
    registered: Vec<String>,
    versions: u64,
}

type Shared<T> = Rc<RefCell<T>>;

fn note(counts: &Shared<Counts>, kind: &'static str, result: &Result<Answer, String>) {
    let mut c = counts.borrow_mut();
    match result {
        Ok(a) => {
            *c.served.entry(kind).or_default() += 1;
            if a.status >= 500 {
                *c.server_errors.entry(a.status).or_default() += 1;
            }
        }
        Err(_) => *c.unanswered.entry(kind).or_default() += 1,
    }
}

/// A word made of letters only (so every analyser keeps it whole) that no other text has.
fn marker(n: u64) -> String {
    let mut s = String::from("soakmark");
    let mut n = n;
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    s.push('z');
    s
}

struct Ctx {
    base: String,
    consultation: i64,
    slug: String,
    stop: Rc<Cell<bool>>,
    counts: Shared<Counts>,
    next_marker: Cell<u64>,
}

async fn login(client: &awc::Client, base: &str, email: &str) -> Option<String> {
    let res = call(
        client,
        Method::POST,
        &format!("{base}/api/v1/auth/login"),
        None,
        Some(&json!({"email": email, "password": PASSWORD})),
    )
    .await
    .ok()?;
    res.body["access_token"].as_str().map(str::to_owned)
}

async fn pause_after(result: &Result<Answer, String>) {
    // The server is down or restarting: do not spin against a closed port.
    if !matches!(result, Ok(a) if a.status < 500) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn commenter(ctx: Rc<Ctx>, email: String, mut rng: Rng) {
    let client = client();
    let mut token = None;
    let url = format!(
        "{}/api/v1/consultations/{}/comments",
        ctx.base, ctx.consultation
    );
    while !ctx.stop.get() {
        if token.is_none() {
            token = login(&client, &ctx.base, &email).await;
            if token.is_none() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        }
        let n = ctx.next_marker.get();
        ctx.next_marker.set(n + 1);
        let word = marker(n);
        let body = json!({
            "body": format!("Soak comment {word}: meaningful connectivity and digital skills for everyone."),
            "language": "en",
        });
        let result = call(&client, Method::POST, &url, token.as_deref(), Some(&body)).await;
        note(&ctx.counts, "comment", &result);
        match &result {
            Ok(a) if a.status == 201 => {
                let id = a.body["id"].as_i64().expect("id of the comment");
                ctx.counts.borrow_mut().accepted.push((id, word));
            }
            Ok(a) if a.status == 401 => token = None,
            _ => {}
        }
        pause_after(&result).await;
        tokio::time::sleep(rng.millis(50, 300)).await;
    }
}

async fn reader(ctx: Rc<Ctx>, mut rng: Rng) {
    let client = client();
    let (base, id) = (&ctx.base, ctx.consultation);
    let paths = [
        format!("/api/v1/consultations/{id}"),
        format!("/api/v1/consultations/{id}/comments?limit=50"),
        format!("/api/v1/consultations/{id}/versions"),
        format!("/consultations/{}", ctx.slug),
        "/api/v1/consultations".to_owned(),
    ];
    while !ctx.stop.get() {
        let path = &paths[rng.range(0, paths.len() as u64) as usize];
        let result = call(&client, Method::GET, &format!("{base}{path}"), None, None).await;
        note(&ctx.counts, "read", &result);
        pause_after(&result).await;
        tokio::time::sleep(rng.millis(20, 150)).await;
    }
}

async fn searcher(ctx: Rc<Ctx>, mut rng: Rng) {
    let client = client();
    let words = ["connectivity", "digital", "skills", "internet", "soak"];
    while !ctx.stop.get() {
        let q = words[rng.range(0, words.len() as u64) as usize];
        let url = if rng.range(0, 2) == 0 {
            format!("{}/api/v1/search?q={q}", ctx.base)
        } else {
            format!(
                "{}/api/v1/consultations/{}/search?q={q}",
                ctx.base, ctx.consultation
            )
        };
        let result = call(&client, Method::GET, &url, None, None).await;
        note(&ctx.counts, "search", &result);
        pause_after(&result).await;
        tokio::time::sleep(rng.millis(100, 400)).await;
    }
}

/// Registrations: each queues a verification mail in the outbox.
async fn registrar(ctx: Rc<Ctx>, mut rng: Rng) {
    let client = client();
    let mut n = 0;
    while !ctx.stop.get() {
        n += 1;
        let email = format!("soak-{n}-{}@example.org", rng.range(0, 1 << 40));
        let body = json!({
            "email": email, "password": PASSWORD, "display_name": format!("Soak {n}"),
            "stakeholder_group": "civil_society", "country": "KE",
        });
        let url = format!("{}/api/v1/auth/register", ctx.base);
        let result = call(&client, Method::POST, &url, None, Some(&body)).await;
        note(&ctx.counts, "register", &result);
        if matches!(&result, Ok(a) if a.status == 201) {
            ctx.counts.borrow_mut().registered.push(email);
        }
        pause_after(&result).await;
        tokio::time::sleep(rng.millis(300, 1200)).await;
    }
}

/// New versions of the text, imported now and then (each is a `version.created` event).
async fn importer(ctx: Rc<Ctx>, organizer: String, mut rng: Rng) {
    let client = client();
    let mut token = None;
    let mut v = 1;
    while !ctx.stop.get() {
        let wake = Instant::now() + rng.millis(4000, 10000);
        while Instant::now() < wake && !ctx.stop.get() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if ctx.stop.get() {
            break;
        }
        if token.is_none() {
            token = login(&client, &ctx.base, &organizer).await;
        }
        v += 1;
        let paragraphs = rng.range(20, 60);
        let mut source = String::from("I. Preamble\n\n");
        for p in 1..=paragraphs {
            source.push_str(&format!(
                "{p}. In revision {v} the parties note item {p}: connectivity, capacity and trust, paragraph {}.\n\n",
                rng.range(0, 1000)
            ));
        }
        let url = format!(
            "{}/api/v1/consultations/{}/versions",
            ctx.base, ctx.consultation
        );
        let body = json!({"label": format!("v{v}"), "source": source});
        let result = call(&client, Method::POST, &url, token.as_deref(), Some(&body)).await;
        note(&ctx.counts, "import", &result);
        match &result {
            Ok(a) if a.status == 201 => ctx.counts.borrow_mut().versions += 1,
            Ok(a) if a.status == 401 => token = None,
            _ => {}
        }
    }
}

/// What one live listener received, over all its connections.
#[derive(Default)]
struct Heard {
    seqs: Vec<i64>,
    comments: HashSet<i64>,
    duplicates: u64,
    gaps: u64,
    connections: u64,
}

/// A WebSocket listener that resumes with `since` = the last seq it saw whenever its
/// connection ends, until `stop` is set and it has seen `until` (set at the end).
async fn listener(url: String, heard: Shared<Heard>, until: Rc<Cell<i64>>) {
    loop {
        let last = heard.borrow().seqs.last().copied().unwrap_or(0);
        let target = until.get();
        if target > 0 && last >= target {
            return;
        }
        let Ok(Ok((mut ws, _))) = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(format!("{url}?since={last}")),
        )
        .await
        else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        heard.borrow_mut().connections += 1;
        loop {
            let target = until.get();
            if target > 0 && heard.borrow().seqs.last().copied().unwrap_or(0) >= target {
                return;
            }
            match tokio::time::timeout(Duration::from_millis(500), ws.next()).await {
                Err(_) => continue,
                Ok(Some(Ok(Message::Text(text)))) => {
                    let events = match serde_json::from_str::<Value>(&text) {
                        Ok(Value::Array(items)) => items,
                        Ok(v) => vec![v],
                        Err(_) => panic!("a frame that is not JSON: {text}"),
                    };
                    let mut h = heard.borrow_mut();
                    for e in events {
                        let Some(seq) = e["seq"].as_i64() else {
                            continue; // presence
                        };
                        let last = h.seqs.last().copied().unwrap_or(0);
                        if seq <= last {
                            h.duplicates += 1;
                            continue;
                        }
                        if seq > last + 1 {
                            h.gaps += 1;
                        }
                        h.seqs.push(seq);
                        if e["type"] == "comment.created" {
                            if let Some(id) = e["data"]["id"].as_i64() {
                                h.comments.insert(id);
                            }
                        }
                    }
                }
                Ok(Some(Ok(_))) => {}
                // Closed (1013 when too slow, or the process died): resume with since.
                Ok(Some(Err(_)) | None) => break,
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Mail received by the SMTP server

/// Messages in the Maildir, one entry per delivery: (Message-ID, recipient).
fn received_mail(maildir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for d in [maildir.join("new"), maildir.join("cur")] {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(raw) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let mail = parse_mail(&raw);
            let header = |name: &str| {
                mail.headers
                    .lines()
                    .find(|l| l.to_ascii_lowercase().starts_with(name))
                    .map(|l| l[name.len()..].trim().to_owned())
                    .unwrap_or_default()
            };
            let to = header("to:").to_lowercase();
            let to = to
                .rsplit_once('<')
                .map(|(_, a)| a.trim_end_matches('>').to_owned())
                .unwrap_or(to);
            out.push((header("message-id:"), to));
        }
    }
    out
}

/// The outbox row a Message-ID names: `<{row}.{queued, µs}.outbox@{domain}>`.
fn outbox_id(message_id: &str) -> Option<i64> {
    let local = message_id.strip_prefix('<')?.split_once('@')?.0;
    let row = local.strip_suffix(".outbox")?.split('.').next()?;
    row.parse().ok()
}

/// Waits until a search answers 200; when it did.
async fn wait_search(client: &awc::Client, base: &str, limit: Duration) -> Option<Instant> {
    let start = Instant::now();
    while start.elapsed() < limit {
        let url = format!("{base}/api/v1/search?q=soak");
        if matches!(call(client, Method::GET, &url, None, None).await, Ok(a) if a.status == 200) {
            return Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

// ---------------------------------------------------------------------------------------
// The run

#[derive(Default)]
struct Faults {
    kills: u32,
    pg_restarts: u32,
    meili_stops: u32,
    /// For each fault: what, from the fault to /readyz 200, and from the moment the
    /// faulty part was back (the killed server is started again at once; PostgreSQL is
    /// back when `pg_ctl restart` has seen it accept connections) to /readyz 200.
    recoveries: Vec<(String, Duration, Duration)>,
}

fn main() {
    let options = options();
    let backend = if options.postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "soak on {backend}: {} s, seed {} (INDABA_SOAK_SEED={} repeats the schedule)",
        options.seconds, options.seed, options.seed
    );
    let system = actix_web::rt::System::new();
    let ok = system.block_on(run(options));
    std::process::exit(if ok { 0 } else { 1 });
}

async fn run(options: Options) -> bool {
    let backend = if options.postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut rng = Rng(options.seed);
    let work = TempDir::new();
    let smtp = SmtpServer::start().await;
    let maildir = smtp.maildir.0.join("Maildir");

    // The database: a private PostgreSQL cluster (restartable), or a SQLite file.
    let mut pg = None;
    let mut pg_note = String::new();
    let database_url = if options.postgres {
        match PgCluster::start() {
            Ok(p) => {
                let url = p.0.url();
                pg = Some(p);
                url
            }
            Err(e) => {
                let url = std::env::var("INDABA_TEST_POSTGRES_URL").unwrap_or_else(|_| {
                    panic!("no private PostgreSQL ({e}) and INDABA_TEST_POSTGRES_URL is not set")
                });
                pg_note = format!(
                    "PostgreSQL restart: not run (no private cluster: {e}; using INDABA_TEST_POSTGRES_URL, which the soak may not restart)"
                );
                url
            }
        }
    } else {
        format!("sqlite:{}", work.0.join("indaba.db").display())
    };
    // Against a shared server, a database of our own.
    let _shared_db;
    let database_url = if options.postgres && pg.is_none() {
        let db = indaba_tests::PgDatabase::create(&database_url);
        let url = db.url.clone();
        _shared_db = Some(db);
        url
    } else {
        _shared_db = None;
        database_url
    };

    // Search: a private Meilisearch when one is given, else the built-in tantivy index.
    let mut meili = options
        .meilisearch
        .clone()
        .map(|bin| PrivateMeili::start(bin).unwrap_or_else(|e| panic!("private Meilisearch: {e}")));

    let addr = format!("127.0.0.1:{}", indaba_tests::free_port());
    let base = format!("http://{addr}");
    let mut env: Vec<(String, String)> = vec![
        (
            "INDABA_DATA_DIR".into(),
            work.0.join("data").to_string_lossy().into(),
        ),
        ("INDABA_DATABASE_URL".into(), database_url.clone()),
        ("INDABA_BIND".into(), addr.clone()),
        ("INDABA_SECRET_KEY".into(), SECRET.into()),
        ("INDABA_RATE_LIMITS".into(), "off".into()),
        ("INDABA_LOG".into(), "warn".into()),
        ("INDABA_METRICS_BIND".into(), "off".into()),
        (
            "INDABA_SMTP_URL".into(),
            format!("smtp://127.0.0.1:{}", smtp.port),
        ),
    ];
    if let Some(m) = &meili {
        env.push(("INDABA_MEILISEARCH_URL".into(), m.url()));
        env.push(("INDABA_MEILISEARCH_KEY".into(), MEILI_KEY.into()));
        env.push(("INDABA_MEILISEARCH_INDEX".into(), "soak".into()));
    }
    let mut server = Server {
        bin: options.bin_dir.join("indaba"),
        env,
        addr: addr.clone(),
        log: work.0.join("server.log"),
        child: None,
    };
    assert!(
        server.bin.exists(),
        "{} is missing: cargo build -p indaba --bin indaba",
        server.bin.display()
    );

    // Accounts through the CLI, the consultation through the API.
    server.cli(&["migrate"]);
    let organizer = "soak-org@example.org".to_owned();
    let create = |email: &str, role: Option<&str>| {
        let mut args = vec![
            "user",
            "create",
            "--email",
            email,
            "--name",
            "Soak",
            "--stakeholder-group",
            "academia",
            "--password",
            PASSWORD,
        ];
        if let Some(r) = role {
            args.extend(["--role", r]);
        }
        server.cli(&args);
    };
    create(&organizer, Some("organizer"));
    let commenters: Vec<String> = (0..4)
        .map(|i| format!("soak-commenter-{i}@example.org"))
        .collect();
    for c in &commenters {
        create(c, None);
    }
    server.spawn();
    let http = client();
    assert!(
        server
            .wait_ready(&http, Duration::from_secs(60))
            .await
            .is_some(),
        "the server did not start; see its log"
    );
    let org_token = login(&http, &base, &organizer).await.expect("organizer");
    let slug = "soak".to_owned();
    let res = call(
        &http,
        Method::POST,
        &format!("{base}/api/v1/consultations"),
        Some(&org_token),
        Some(&json!({"slug": slug, "title": "Soak", "language": "en"})),
    )
    .await
    .expect("create consultation");
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_i64().expect("id");
    let res = call(
        &http,
        Method::POST,
        &format!("{base}/api/v1/consultations/{id}/versions"),
        Some(&org_token),
        Some(&json!({"label": "v1", "source": indaba_tests::SMALL_DRAFT})),
    )
    .await
    .expect("version");
    assert_eq!(res.status, 201, "{}", res.body);
    let res = call(
        &http,
        Method::PATCH,
        &format!("{base}/api/v1/consultations/{id}"),
        Some(&org_token),
        Some(&json!({"status": "open"})),
    )
    .await
    .expect("open");
    assert_eq!(res.status, 200, "{}", res.body);

    // The load.
    let ctx = Rc::new(Ctx {
        base: base.clone(),
        consultation: id,
        slug,
        stop: Rc::new(Cell::new(false)),
        counts: Rc::new(RefCell::new(Counts::default())),
        next_marker: Cell::new(0),
    });
    let until = Rc::new(Cell::new(0i64));
    let live_url = format!("ws://{addr}/api/v1/live/consultations/{id}");
    let heard: Vec<Shared<Heard>> = (0..3).map(|_| Shared::default()).collect();
    let listeners: Vec<_> = heard
        .iter()
        .map(|h| actix_web::rt::spawn(listener(live_url.clone(), h.clone(), until.clone())))
        .collect();
    let mut tasks = Vec::new();
    for email in &commenters {
        tasks.push(actix_web::rt::spawn(commenter(
            ctx.clone(),
            email.clone(),
            rng.fork(),
        )));
    }
    for _ in 0..3 {
        tasks.push(actix_web::rt::spawn(reader(ctx.clone(), rng.fork())));
    }
    for _ in 0..2 {
        tasks.push(actix_web::rt::spawn(searcher(ctx.clone(), rng.fork())));
    }
    tasks.push(actix_web::rt::spawn(registrar(ctx.clone(), rng.fork())));
    tasks.push(actix_web::rt::spawn(importer(
        ctx.clone(),
        organizer.clone(),
        rng.fork(),
    )));

    // Faults at random moments: SIGKILL every 8–25 s; on a private PostgreSQL one crash
    // restart of the database somewhere in the middle third of the run.
    let started = Instant::now();
    let total = Duration::from_secs(options.seconds);
    let pg_at = pg.as_ref().map(|_| {
        Duration::from_millis(rng.range(options.seconds * 1000 / 3, options.seconds * 2000 / 3))
    });
    // A Meilisearch stop somewhere in the middle half (after the PostgreSQL restart when
    // both fall due together).
    let meili_at = meili.as_ref().map(|_| {
        Duration::from_millis(rng.range(options.seconds * 1000 / 4, options.seconds * 3000 / 4))
    });
    let mut faults = Faults::default();
    let mut ok = true;
    loop {
        let next = started.elapsed() + rng.millis(8_000, 25_000);
        // Leave the last few seconds for the load to run on a server that stayed up.
        if next + Duration::from_secs(5) > total {
            break;
        }
        let pg_now = matches!(pg_at, Some(at) if faults.pg_restarts == 0 && at <= next);
        let meili_now =
            !pg_now && matches!(meili_at, Some(at) if faults.meili_stops == 0 && at <= next);
        let at = match (pg_now, meili_now) {
            (true, _) => pg_at.unwrap_or(next),
            (_, true) => meili_at.unwrap_or(next),
            _ => next,
        };
        tokio::time::sleep(at.saturating_sub(started.elapsed())).await;
        let t = Instant::now();
        let mut back = t;
        let what = if pg_now {
            let cluster = pg.as_ref().expect("private pg").0.clone();
            let result = tokio::task::spawn_blocking(move || cluster.pg_ctl("restart"))
                .await
                .expect("pg_ctl");
            if let Err(e) = result {
                eprintln!("  PostgreSQL did not restart: {e}");
                ok = false;
            }
            faults.pg_restarts += 1;
            back = Instant::now();
            "PostgreSQL restart (pg_ctl restart -m immediate)".to_owned()
        } else if meili_now {
            let m = meili.as_mut().expect("private Meilisearch");
            m.kill();
            // Down while the load goes on: what is accepted meanwhile must be indexed
            // once it is back.
            tokio::time::sleep(MEILI_DOWN).await;
            if let Err(e) = m.spawn() {
                eprintln!("  Meilisearch did not start again: {e}");
                ok = false;
            }
            faults.meili_stops += 1;
            back = Instant::now();
            // Readiness does not depend on Meilisearch (the database is the truth):
            // recovery is a search answered again.
            let searched = wait_search(&http, &base, Duration::from_secs(60)).await;
            let ready = searched.unwrap_or(t + Duration::from_secs(60));
            let (took, after_back) = (ready - t, ready - back);
            let what = format!("Meilisearch SIGKILL, {} s down", MEILI_DOWN.as_secs());
            eprintln!(
                "  {:>5.1} s: {what}; a search answered after {:.2} s ({:.2} s after it was back)",
                started.elapsed().as_secs_f64(),
                took.as_secs_f64(),
                after_back.as_secs_f64()
            );
            faults.recoveries.push((what, took, after_back));
            continue;
        } else {
            server.kill();
            server.spawn();
            faults.kills += 1;
            "SIGKILL of indaba".to_owned()
        };
        let ready = server.wait_ready(&http, Duration::from_secs(60)).await;
        let ready = ready.unwrap_or(t + Duration::from_secs(60));
        let (took, after_back) = (ready - t, ready - back);
        eprintln!(
            "  {:>5.1} s: {what}; /readyz 200 after {:.2} s ({:.2} s after it was back)",
            started.elapsed().as_secs_f64(),
            took.as_secs_f64(),
            after_back.as_secs_f64()
        );
        faults.recoveries.push((what, took, after_back));
    }
    tokio::time::sleep(total.saturating_sub(started.elapsed())).await;
    ctx.stop.set(true);
    for t in tasks {
        let _ = t.await;
    }
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!("  load stopped after {load_seconds:.0} s; checking");
    let checks_start = Instant::now();

    // ---- The checks ----
    let db_url = DatabaseUrl::parse(&database_url).expect("database url");
    let db = indaba::db::Db::connect(&db_url, 1).expect("database");
    let read_db = {
        let db = db.clone();
        move || {
            let mut conn = db.get().expect("connection");
            use indaba::db::schema::{channel_seqs, comments, live_events, mail_outbox};
            let stored: HashSet<i64> = comments::table
                .filter(comments::consultation_id.eq(id))
                .select(comments::id)
                .load::<i64>(&mut **conn)
                .expect("comments")
                .into_iter()
                .collect();
            let events: Vec<(String, i64)> = live_events::table
                .select((live_events::channel, live_events::seq))
                .order((live_events::channel, live_events::seq))
                .load(&mut **conn)
                .expect("events");
            let heads: Vec<(String, i64)> = channel_seqs::table
                .select((channel_seqs::channel, channel_seqs::last_seq))
                .load(&mut **conn)
                .expect("channel seqs");
            let outbox: Vec<(i64, String, bool, bool)> = mail_outbox::table
                .select((
                    mail_outbox::id,
                    mail_outbox::recipient,
                    mail_outbox::sent_at.is_not_null(),
                    mail_outbox::failed_at.is_not_null(),
                ))
                .load(&mut **conn)
                .expect("outbox");
            (stored, events, heads, outbox)
        }
    };
    let mut problems: Vec<String> = Vec::new();
    let counts = std::mem::take(&mut *ctx.counts.borrow_mut());
    // Comments missing anywhere (database, search, a listener), each counted once.
    let mut missing: HashSet<i64> = HashSet::new();
    // The server that runs now has stayed up since the last fault; wait until everything
    // queued is done: every mail sent (a message claimed by a killed process waits for
    // its lease, 120 s, to lapse) and every listener caught up.
    let drain_start = Instant::now();
    let (stored, events, heads, outbox) = loop {
        let r = read_db();
        let pending = r.3.iter().filter(|m| !m.2 && !m.3).count();
        if pending == 0 || drain_start.elapsed() > Duration::from_secs(180) {
            if pending > 0 {
                problems.push(format!("{pending} mails still unsent after 180 s"));
            }
            break r;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let drained = drain_start.elapsed();

    // Comments: every accepted one is stored.
    let lost_db: Vec<i64> = counts
        .accepted
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !stored.contains(c))
        .collect();
    missing.extend(&lost_db);
    if !lost_db.is_empty() {
        problems.push(format!(
            "{} accepted comments are not in the database: {lost_db:?}",
            lost_db.len()
        ));
    }

    // Seqs in the database: every channel 1..=head, and its counter at the head.
    let mut by_channel: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (channel, seq) in events {
        by_channel.entry(channel).or_default().push(seq);
    }
    let heads: HashMap<String, i64> = heads.into_iter().collect();
    for (channel, seqs) in &by_channel {
        let n = seqs.len() as i64;
        if *seqs != (1..=n).collect::<Vec<_>>() {
            problems.push(format!(
                "channel {channel}: seqs in the database are not 1..={n} without gaps or duplicates"
            ));
        }
        if heads.get(channel) != Some(&n) {
            problems.push(format!(
                "channel {channel}: counter {:?}, events up to {n}",
                heads.get(channel)
            ));
        }
    }
    let channel = format!("consultation:{id}");
    let head = by_channel
        .get(&channel)
        .map(|s| s.len() as i64)
        .unwrap_or(0);

    // Listeners: each catches up to the head, then holds 1..=head and every comment.
    until.set(head);
    for (i, l) in listeners.into_iter().enumerate() {
        if tokio::time::timeout(Duration::from_secs(60), l)
            .await
            .is_err()
        {
            problems.push(format!("listener {i} did not reach seq {head} in 60 s"));
        }
    }
    let mut reconnects = 0;
    for (i, h) in heard.iter().enumerate() {
        let h = h.borrow();
        reconnects += h.connections.saturating_sub(1);
        if h.seqs != (1..=head).collect::<Vec<_>>() || h.gaps > 0 || h.duplicates > 0 {
            problems.push(format!(
                "listener {i}: {} events, {} gaps, {} duplicates, last {:?}, head {head}",
                h.seqs.len(),
                h.gaps,
                h.duplicates,
                h.seqs.last()
            ));
        }
        let missed: Vec<i64> = counts
            .accepted
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| !h.comments.contains(c))
            .collect();
        missing.extend(&missed);
        if !missed.is_empty() {
            problems.push(format!(
                "listener {i} never heard of {} accepted comments: {missed:?}",
                missed.len()
            ));
        }
    }

    // Search: each accepted comment is found by its own word (the indexer may lag).
    let search_start = Instant::now();
    let mut unfound: Vec<(i64, String)> = counts.accepted.clone();
    while !unfound.is_empty() && search_start.elapsed() < Duration::from_secs(60) {
        let mut still = Vec::new();
        for (cid, word) in unfound {
            let url = format!("{base}/api/v1/consultations/{id}/search?q={word}");
            let found = match call(&http, Method::GET, &url, None, None).await {
                Ok(a) if a.status == 200 => a.body["items"]
                    .as_array()
                    .is_some_and(|items| items.iter().any(|h| h["comment"]["id"] == cid)),
                _ => false,
            };
            if !found {
                still.push((cid, word));
            }
        }
        unfound = still;
        if !unfound.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let search_took = search_start.elapsed();
    missing.extend(unfound.iter().map(|(c, _)| *c));
    if !unfound.is_empty() {
        problems.push(format!(
            "{} accepted comments are not found in search: {:?}",
            unfound.len(),
            unfound.iter().take(20).collect::<Vec<_>>()
        ));
    }

    // Mail: each outbox row delivered exactly once, counted by its Message-ID (which names
    // the row); each registration has its mail. SMTP cannot do better than at least once
    // across a crash: a kill after the SMTP server's 250 and before the worker records
    // the row as sent makes the next instance send it again, with the same Message-ID,
    // which the receiving side folds. Such resends are counted and reported; more than
    // one per kill (the worker sends one message at a time) would be a bug.
    let received = received_mail(&maildir);
    let mut per_row: HashMap<i64, usize> = HashMap::new();
    for (message_id, _) in &received {
        match outbox_id(message_id) {
            Some(row) => *per_row.entry(row).or_default() += 1,
            None => problems.push(format!(
                "a message whose Message-ID names no outbox row: {message_id:?}"
            )),
        }
    }
    let (mut delivered, mut resent, mut undelivered) = (0, 0, 0);
    for (row, recipient, _, _) in &outbox {
        match per_row.get(row).copied().unwrap_or(0) {
            1 => delivered += 1,
            0 => {
                undelivered += 1;
                problems.push(format!("outbox mail {row} to {recipient} never arrived"));
            }
            n => {
                delivered += 1;
                resent += n - 1;
                eprintln!(
                    "  outbox mail {row} to {recipient} arrived {n} times, with one Message-ID"
                );
            }
        }
        let to = received
            .iter()
            .filter(|(m, _)| outbox_id(m) == Some(*row))
            .all(|(_, to)| *to == recipient.to_lowercase());
        if !to {
            problems.push(format!(
                "outbox mail {row} reached someone else than {recipient}"
            ));
        }
    }
    let rows: HashSet<i64> = outbox.iter().map(|m| m.0).collect();
    let strangers = per_row.keys().filter(|r| !rows.contains(r)).count();
    if strangers > 0 {
        problems.push(format!(
            "{strangers} messages name outbox rows that do not exist"
        ));
    }
    let recipients: HashSet<&str> = outbox.iter().map(|m| m.1.as_str()).collect();
    for email in &counts.registered {
        if !recipients.contains(email.as_str()) {
            problems.push(format!("registration {email} has no mail in the outbox"));
        }
    }
    if resent > faults.kills as usize {
        problems.push(format!(
            "{resent} mails were sent again, more than one per kill ({})",
            faults.kills
        ));
    }
    let failed_mail = outbox.iter().filter(|m| m.3).count();
    if failed_mail > 0 {
        problems.push(format!("{failed_mail} mails gave up (failed_at set)"));
    }

    // A run long enough for faults must have had them: a soak whose faults silently did
    // not happen would pass without having tested anything.
    if options.seconds >= 60 {
        if faults.kills == 0 {
            problems.push("no SIGKILL happened".into());
        }
        if pg.is_some() && faults.pg_restarts != 1 {
            problems.push(format!("{} PostgreSQL restarts, not 1", faults.pg_restarts));
        }
        if meili.is_some() && faults.meili_stops != 1 {
            problems.push(format!("{} Meilisearch stops, not 1", faults.meili_stops));
        }
    }

    // A panic in the server is a bug even when nothing was lost.
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    let panics: Vec<&str> = log.lines().filter(|l| l.contains("panicked")).collect();
    if !panics.is_empty() {
        problems.push(format!(
            "the server panicked {} times: {:?}",
            panics.len(),
            panics.iter().take(5).collect::<Vec<_>>()
        ));
    }

    // Recovery after each fault.
    for (what, took, after_back) in &faults.recoveries {
        if *after_back > RECOVERY_LIMIT {
            problems.push(format!(
                "{what}: /readyz (a search, for Meilisearch) answered 200 only {:.1} s after it was back ({:.1} s after the fault)",
                after_back.as_secs_f64(),
                took.as_secs_f64()
            ));
        }
    }
    let max_of = |pick: fn(&(String, Duration, Duration)) -> Duration| {
        faults.recoveries.iter().map(pick).max().unwrap_or_default()
    };
    let max_recovery = max_of(|r| r.1);
    let max_after_back = max_of(|r| r.2);
    let mean_recovery = if faults.recoveries.is_empty() {
        0.0
    } else {
        faults
            .recoveries
            .iter()
            .map(|r| r.1.as_secs_f64())
            .sum::<f64>()
            / faults.recoveries.len() as f64
    };

    // ---- Figures ----
    let served: u64 = counts.served.values().sum();
    let unanswered: u64 = counts.unanswered.values().sum();
    let join = |m: &BTreeMap<&'static str, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lost = missing.len() + undelivered;
    println!(
        "soak on {backend}, {load_seconds:.0} s of load, seed {}:",
        options.seed
    );
    println!(
        "  requests served: {served} ({}), of them 5xx: {:?}; without an answer (in flight at a kill, or sent while the server was down): {unanswered} ({})",
        join(&counts.served),
        counts.server_errors,
        join(&counts.unanswered)
    );
    println!(
        "  comments accepted (201): {}; versions imported: {}; registrations: {}",
        counts.accepted.len(),
        counts.versions,
        counts.registered.len()
    );
    println!(
        "  live: {} listeners, {head} events each (seq 1..{head}), {reconnects} resumptions with since",
        heard.len()
    );
    println!(
        "  mail: {} in the outbox, {delivered} delivered once by Message-ID ({resent} sent again after a kill), {undelivered} not delivered (outbox drained {:.1} s after the load)",
        outbox.len(),
        drained.as_secs_f64()
    );
    println!(
        "  faults survived: {} SIGKILLs, {} PostgreSQL restarts, {} Meilisearch stops; /readyz 200 (a search, for Meilisearch) at most {:.2} s after a fault ({mean_recovery:.2} s mean), at most {:.2} s after the faulty part was back",
        faults.kills,
        faults.pg_restarts,
        faults.meili_stops,
        max_recovery.as_secs_f64(),
        max_after_back.as_secs_f64()
    );
    if options.postgres {
        if pg.is_some() {
            println!("  PostgreSQL: a private cluster, crashed and restarted once");
        } else {
            println!("  {pg_note}");
        }
    }
    match &meili {
        Some(_) => println!(
            "  Meilisearch: a private instance, killed once and started again on its data"
        ),
        None => println!(
            "  Meilisearch stop: not run (no Meilisearch binary given with --meilisearch or INDABA_SOAK_MEILISEARCH; the soak searched with the built-in tantivy index)"
        ),
    }
    println!(
        "  checks took {:.1} s (search: {:.1} s)",
        checks_start.elapsed().as_secs_f64(),
        search_took.as_secs_f64()
    );
    println!("  lost: {lost}");
    server.kill();
    // The server's log outlives the run's directory, for a look after a failure.
    let kept =
        std::env::temp_dir().join(format!("indaba-soak-{}-server.log", backend.to_lowercase()));
    if std::fs::copy(&server.log, &kept).is_ok() {
        println!("  the server's log: {}", kept.display());
    }
    if problems.is_empty() && ok {
        println!("soak on {backend}: passed");
        true
    } else {
        for p in &problems {
            println!("  PROBLEM: {p}");
        }
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        println!("  last lines of the server's log:");
        for l in tail.into_iter().rev() {
            println!("    {l}");
        }
        println!("soak on {backend}: FAILED");
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_names_its_outbox_row() {
        assert_eq!(
            outbox_id("<154.1796499276022047.outbox@example.org>"),
            Some(154)
        );
        assert_eq!(outbox_id("<abc@lettre.example>"), None);
        assert_eq!(outbox_id(""), None);
    }

    #[test]
    fn markers_are_distinct_words_of_letters() {
        let words: HashSet<String> = (0..100_000).map(marker).collect();
        assert_eq!(words.len(), 100_000);
        assert!(words
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_lowercase())));
    }
}
