//! Load tool for live streams: N WebSocket listeners on one channel, M comments a second
//! posted through the HTTP API, and the same load against the simplest program that
//! takes comments in and fans them out (`bare_live`) and against a bare tokio-tungstenite
//! broadcast server, the ceiling of this machine.
//!
//! cargo build --release -p indaba -p indaba-tests --bins
//! target/release/liveload [--listeners 10000] [--rate 100] [--seconds 30] [--skip-bare]
//!                         [--skip-simplest]
//!                         [--bare-bytes N] [--posters 32] [--accounts 4]
//!                         [--search-freshness]
//!                         [--database postgres://… [--instances 2]]
//!
//! It starts the servers itself (indaba on a fresh SQLite database with rate limits off,
//! or on PostgreSQL with --database postgres://…, as several instances with --instances:
//! listeners and posters then spread over them), raises its file-descriptor limit, and
//! prints delivered events/s, delivery latency p50/p99/max, lost and duplicated events,
//! listeners closed by the server, the servers' peak memory, the cores busy in the
//! servers and in this client, and how many comments were accepted and how fast. A run
//! that was disturbed says so under its row: CPU time the hypervisor took, cores other
//! processes kept busy (PostgreSQL's backends count as measured), listeners dropped or
//! events lost (`tests/src/machine.rs`).
//!
//! A campaign (`--rate 3000 --seconds 300 --listeners 1000 --accounts 100
//! --search-freshness --skip-bare`): the posts rotate over `--accounts` accounts, each
//! comment carries a word of its own, a searcher looks up the latest accepted comment's
//! word until search finds it (freshness), and at the end every comment answered 201 is
//! counted in the database and in the search index, beside the listeners' lost events.
//!
//! Indaba runs first; the simplest program and the bare server then send frames of the
//! size Indaba's events had (or `--bare-bytes`). Most of the cost of a fan-out is in
//! moving bytes through the kernel, so a ceiling measured with smaller frames would
//! flatter them. The simplest program gets the same posters as Indaba (without accounts);
//! the bare server makes its own events at the rate. `--skip-bare` leaves out both.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use indaba_tests::machine::{
    cpu_between, cpu_seconds, peak_rss_mb, postgres_cpu, CpuTimes, Window,
};
use indaba_tests::process::Spawned;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "a long enough load password";
const BUCKETS: usize = 20_000; // 1 ms each

struct Options {
    listeners: usize,
    rate: u64,
    seconds: u64,
    skip_bare: bool,
    /// Leaves out the simplest program that takes comments in (`bare_live`).
    skip_simplest: bool,
    /// The size of the bare server's frames; by default that of Indaba's events.
    bare_bytes: Option<usize>,
    database: Option<String>,
    instances: usize,
    posters: usize,
    /// Poster accounts, taken in turn.
    accounts: usize,
    search_freshness: bool,
    bin_dir: PathBuf,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let exe = std::env::current_exe().expect("exe");
    Options {
        listeners: value("--listeners")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000),
        rate: value("--rate").and_then(|v| v.parse().ok()).unwrap_or(100),
        seconds: value("--seconds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(30),
        skip_bare: args.iter().any(|a| a == "--skip-bare"),
        skip_simplest: args.iter().any(|a| a == "--skip-simplest"),
        bare_bytes: value("--bare-bytes").and_then(|v| v.parse().ok()),
        database: value("--database"),
        instances: value("--instances")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .max(1),
        posters: value("--posters")
            .and_then(|v| v.parse().ok())
            .unwrap_or(32)
            .max(1),
        accounts: value("--accounts")
            .and_then(|v| v.parse().ok())
            .unwrap_or(4)
            .max(1),
        search_freshness: args.iter().any(|a| a == "--search-freshness"),
        bin_dir: value("--bin-dir")
            .map(PathBuf::from)
            .unwrap_or_else(|| exe.parent().expect("dir").to_path_buf()),
    }
}

fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            return lim.rlim_cur;
        }
    }
    0
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A tiny HTTP/1.1 client with keep-alive, for the poster threads and setup.
struct Http {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Http {
    fn connect(addr: &str) -> Http {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).ok();
        Http {
            stream: BufReader::new(stream),
            host: addr.to_owned(),
        }
    }

    fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, String) {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.stream
            .get_mut()
            .write_all(req.as_bytes())
            .expect("write");
        let mut status_line = String::new();
        self.stream.read_line(&mut status_line).expect("read");
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).expect("read");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut buf = vec![0; length];
        self.stream.read_exact(&mut buf).expect("body");
        (status, String::from_utf8_lossy(&buf).into_owned())
    }
}

fn json_field(body: &str, field: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    match &v[field] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Latencies in 1 ms buckets (the last one holds everything slower).
struct Histogram {
    buckets: Vec<AtomicU64>,
    max_us: AtomicU64,
}

impl Histogram {
    fn new() -> Histogram {
        Histogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max_us: AtomicU64::new(0),
        }
    }

    fn record(&self, us: u64) {
        self.buckets[((us / 1000) as usize).min(BUCKETS - 1)].fetch_add(1, Ordering::Relaxed);
        self.max_us.fetch_max(us, Ordering::Relaxed);
    }

    fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    fn percentile(&self, p: f64) -> u64 {
        let target = (self.count() as f64 * p).ceil() as u64;
        let mut seen = 0;
        for (ms, b) in self.buckets.iter().enumerate() {
            seen += b.load(Ordering::Relaxed);
            if seen >= target && target > 0 {
                return ms as u64;
            }
        }
        BUCKETS as u64
    }

    fn max_ms(&self) -> f64 {
        self.max_us.load(Ordering::Relaxed) as f64 / 1000.0
    }
}

struct Stats {
    /// Only events sent within [from, to) (microseconds since the epoch) are counted.
    from: AtomicU64,
    to: AtomicU64,
    delivery: Histogram,
    /// How long each accepted POST took to answer, from the moment it was due.
    posts: Histogram,
    /// Posts in the window answered with anything but 201.
    refused: AtomicU64,
    lost: AtomicU64,
    duplicated: AtomicU64,
    disconnected: AtomicU64,
    /// Text received and the events in it, over the whole run.
    bytes: AtomicU64,
    events: AtomicU64,
}

impl Stats {
    fn new() -> Arc<Stats> {
        Arc::new(Stats {
            from: AtomicU64::new(u64::MAX),
            to: AtomicU64::new(u64::MAX),
            delivery: Histogram::new(),
            posts: Histogram::new(),
            refused: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            duplicated: AtomicU64::new(0),
            disconnected: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            events: AtomicU64::new(0),
        })
    }
}

/// The number at the start of `s`, and the rest.
fn number(s: &[u8]) -> (Option<u64>, &[u8]) {
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return (None, s);
    }
    let n = s[..digits]
        .iter()
        .fold(0u64, |n, c| n * 10 + u64::from(c - b'0'));
    (Some(n), &s[digits..])
}

/// Scans a frame without a full JSON parse: every `"seq":N` and the `ts=T` that follows
/// it, in order. At 10,000 listeners the client reads hundreds of megabytes a second on
/// the two cores it shares with the server, so the search is SIMD (memchr): a
/// byte-by-byte search, as this was, took more than a core, and the benchmark measured
/// the client instead of the server.
fn scan(text: &str, mut on_event: impl FnMut(i64, Option<u64>)) {
    static SEQ: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"seq\":"));
    static TS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"ts="));
    let mut rest = text.as_bytes();
    // Each stretch is searched once: where the next event starts also ends this one.
    let mut at = SEQ.find(rest);
    while let Some(i) = at {
        let (seq, after) = number(&rest[i + 6..]);
        rest = after;
        at = SEQ.find(rest);
        let Some(seq) = seq else { continue };
        let end = at.unwrap_or(rest.len());
        let ts = TS.find(&rest[..end]).and_then(|j| number(&rest[j + 3..]).0);
        on_event(seq as i64, ts);
    }
}

async fn listen(url: String, stats: Arc<Stats>, connected: Arc<AtomicU64>) {
    // Small buffers: tungstenite zero-fills its read buffer before every read, and ten
    // thousand listeners share two cores with the server.
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = 4 * 1024;
    config.write_buffer_size = 0;
    let mut ws = loop {
        match tokio_tungstenite::connect_async_with_config(&url, Some(config), true).await {
            Ok((ws, _)) => break ws,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    connected.fetch_add(1, Ordering::Relaxed);
    let mut last: Option<i64> = None;
    // Counted here and added to the totals now and then: a shared counter per frame
    // would be one more contended write per delivery.
    let (mut bytes, mut events, mut frames) = (0u64, 0u64, 0u32);
    // Read until the server closes (counted) or the run ends (the task is aborted). Pings
    // are answered by tungstenite as it reads.
    while let Some(Ok(msg)) = ws.next().await {
        let text = match msg {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        let now = now_micros();
        let window = stats.from.load(Ordering::Relaxed)..stats.to.load(Ordering::Relaxed);
        bytes += text.len() as u64;
        frames += 1;
        if frames % 16 == 0 {
            stats
                .bytes
                .fetch_add(std::mem::take(&mut bytes), Ordering::Relaxed);
            stats
                .events
                .fetch_add(std::mem::take(&mut events), Ordering::Relaxed);
        }
        scan(&text, |seq, ts| {
            events += 1;
            match last {
                Some(l) if seq <= l => {
                    stats.duplicated.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Some(l) if seq > l + 1 => {
                    stats
                        .lost
                        .fetch_add((seq - l - 1) as u64, Ordering::Relaxed);
                }
                _ => {}
            }
            last = Some(seq);
            if let Some(ts) = ts.filter(|t| window.contains(t)) {
                stats.delivery.record(now.saturating_sub(ts));
            }
        });
    }
    stats.disconnected.fetch_add(1, Ordering::Relaxed);
}

struct Outcome {
    delivered_per_s: f64,
    p50: u64,
    p99: u64,
    max_ms: f64,
    lost: u64,
    duplicated: u64,
    disconnected: u64,
    peak_mb: f64,
    /// Cores the servers and this load client kept busy over the window.
    server_cores: f64,
    client_cores: f64,
    posts: u64,
    refused: u64,
    post_p50: u64,
    post_p99: u64,
    post_max_ms: f64,
    /// Text received per event, on average; none when no event arrived.
    bytes_per_event: Option<f64>,
    /// What else took the machine during the window, when something did.
    disturbed: Option<String>,
}

async fn run_listeners(
    urls: &[String],
    options: &Options,
    server_pids: &[u32],
    produce: impl FnOnce(Arc<AtomicBool>, Arc<Stats>) -> std::thread::JoinHandle<()>,
) -> Outcome {
    let stats = Stats::new();
    let connected = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..options.listeners {
        tasks.push(tokio::spawn(listen(
            urls[i % urls.len()].clone(),
            stats.clone(),
            connected.clone(),
        )));
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    while connected.load(Ordering::Relaxed) < options.listeners as u64 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "listeners did not all connect"
        );
    }
    eprintln!(
        "  {} listeners connected in {:.1} s",
        options.listeners,
        started.elapsed().as_secs_f64()
    );
    let producing = Arc::new(AtomicBool::new(true));
    let producer = produce(producing.clone(), stats.clone());
    // Warm up for a second, then measure what is sent within the window.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let me = std::process::id();
    let cpu = |pids: &[u32]| pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>();
    let (server_cpu, client_cpu) = (cpu(server_pids), cpu_seconds(me));
    let machine_before = CpuTimes::now();
    // PostgreSQL's backends work for the servers: measured with them.
    let database_before = postgres_cpu(options.database.is_some());
    stats.from.store(now_micros(), Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(options.seconds)).await;
    stats.to.store(now_micros(), Ordering::Relaxed);
    let elapsed = options.seconds as f64;
    let server_cores = (cpu(server_pids) - server_cpu) / elapsed;
    let client_cores = (cpu_seconds(me) - client_cpu) / elapsed;
    let disturbed = machine_before
        .zip(CpuTimes::now())
        .and_then(|(before, after)| Window::between(before, after))
        .and_then(|w| {
            let database_cores =
                cpu_between(&database_before, &postgres_cpu(options.database.is_some())) / elapsed;
            w.disturbance(server_cores + client_cores + database_cores)
        });
    producing.store(false, Ordering::Relaxed);
    // Let the last events arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = tokio::task::spawn_blocking(move || producer.join()).await;
    let peak_mb = server_pids.iter().map(|pid| peak_rss_mb(*pid)).sum();
    let disconnected = stats.disconnected.load(Ordering::Relaxed);
    for t in tasks {
        t.abort();
        let _ = t.await;
    }
    Outcome {
        delivered_per_s: stats.delivery.count() as f64 / elapsed,
        p50: stats.delivery.percentile(0.50),
        p99: stats.delivery.percentile(0.99),
        max_ms: stats.delivery.max_ms(),
        lost: stats.lost.load(Ordering::Relaxed),
        duplicated: stats.duplicated.load(Ordering::Relaxed),
        disconnected,
        peak_mb,
        server_cores,
        client_cores,
        posts: stats.posts.count(),
        refused: stats.refused.load(Ordering::Relaxed),
        post_p50: stats.posts.percentile(0.50),
        post_p99: stats.posts.percentile(0.99),
        post_max_ms: stats.posts.max_ms(),
        // Presence frames count in the bytes but carry no event: a few, at the start.
        bytes_per_event: match stats.events.load(Ordering::Relaxed) {
            0 => None,
            events => Some(stats.bytes.load(Ordering::Relaxed) as f64 / events as f64),
        },
        disturbed,
    }
}

fn print(name: &str, o: &Outcome) {
    println!(
        "| {name} | {:.0} | {} / {} / {:.0} ms | {} | {} | {} | {:.0} MB | {:.2} / {:.2} |",
        o.delivered_per_s,
        o.p50,
        o.p99,
        o.max_ms,
        o.lost,
        o.duplicated,
        o.disconnected,
        o.peak_mb,
        o.server_cores,
        o.client_cores
    );
}

/// What made a run unclean, said under the table (a line inside it would split it).
fn print_notes(name: &str, o: &Outcome) {
    if let Some(said) = &o.disturbed {
        println!("{name}: {said}");
    }
    if o.disconnected > 0 || o.lost > 0 {
        println!(
            "{name}: NOT A CLEAN RUN: {} listeners were closed by the server and {} events lost; the latency figures cover only what arrived",
            o.disconnected, o.lost
        );
    }
}

fn wait_ready(addr: &str) {
    for _ in 0..300 {
        if let Ok(mut s) = TcpStream::connect(addr) {
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server on {addr} not ready");
}

/// What a campaign run counts besides the listeners.
struct Campaign {
    /// Posts sent (each one's number makes its word).
    sent: AtomicU64,
    /// Posts answered 201, over the whole run.
    accepted: AtomicU64,
    /// The latest accepted comment's word, and when its 201 arrived.
    latest: std::sync::Mutex<Option<(String, Instant)>>,
    fresh: Histogram,
    unfound: AtomicU64,
}

impl Campaign {
    fn new() -> Arc<Campaign> {
        Arc::new(Campaign {
            sent: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            latest: std::sync::Mutex::new(None),
            fresh: Histogram::new(),
            unfound: AtomicU64::new(0),
        })
    }
}

/// A word of letters only, one per comment: `qz` then the number in base 26.
fn marker(mut n: u64) -> String {
    let mut word = String::from("qz");
    loop {
        word.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return word;
        }
    }
}

/// A run's poster connections: where they post, as whom, and where they count.
struct Posters {
    /// The connections go to these servers in turn.
    addrs: Vec<String>,
    path: String,
    /// Taken in turn; none for a server without accounts.
    tokens: Vec<String>,
    /// Connections.
    count: usize,
    /// Comments a second, over all the connections.
    rate: u64,
    campaign: Arc<Campaign>,
}

/// Posts from every connection until the run ends; returns when they all have.
fn post(posters: Arc<Posters>, producing: Arc<AtomicBool>, stats: Arc<Stats>) {
    let threads: Vec<_> = (0..posters.count)
        .map(|n| {
            let (posters, producing, stats) = (posters.clone(), producing.clone(), stats.clone());
            std::thread::spawn(move || post_from(n, &posters, &producing, &stats))
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

/// Connection `n` posts comments on its own fixed schedule until the run ends. Open
/// loop, as real participants are: each connection keeps its schedule (rate /
/// connections), so a slow answer delays that connection's next post but not the
/// others'.
fn post_from(n: usize, p: &Posters, producing: &AtomicBool, stats: &Stats) {
    let mut http = Http::connect(&p.addrs[n % p.addrs.len()]);
    let interval = Duration::from_micros(p.count as u64 * 1_000_000 / p.rate.max(1));
    // Spread the connections' schedules over one interval.
    let mut next = Instant::now() + interval * n as u32 / p.count as u32;
    while producing.load(Ordering::Relaxed) {
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        // Stamped with the moment it was due, not the moment it left: a post held up
        // behind a slow answer counts its wait in both its POST latency and its delivery
        // latency.
        let late = Instant::now().saturating_duration_since(next);
        let sent = now_micros().saturating_sub(late.as_micros() as u64);
        next += interval;
        // Each post from the next account, and with a word no other comment has (for the
        // searcher).
        let k = p.campaign.sent.fetch_add(1, Ordering::Relaxed);
        let token = (!p.tokens.is_empty()).then(|| p.tokens[k as usize % p.tokens.len()].as_str());
        let word = marker(k);
        let body = format!(
            r#"{{"body":"ts={sent} A comment for the load test, about as long as a real one: {word}.","language":"en"}}"#
        );
        let (status, _) = http.request("POST", &p.path, token, &body);
        if status == 201 {
            p.campaign.accepted.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut latest) = p.campaign.latest.lock() {
                *latest = Some((word, Instant::now()));
            }
        }
        let window = stats.from.load(Ordering::Relaxed)..stats.to.load(Ordering::Relaxed);
        if window.contains(&sent) {
            if status == 201 {
                stats.posts.record(now_micros().saturating_sub(sent));
            } else {
                stats.refused.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Every 100–300 ms, the latest accepted comment is looked up by its word until search
/// finds it: the time from its 201 to then is its freshness. The pause varies: a fixed
/// one kept step with the index's commits (a lookup found its comment at a commit, and
/// the next began a fixed time after it), and measured the pause's phase instead.
fn search_freshness(addr: &str, id: &str, producing: &AtomicBool, campaign: &Campaign) {
    let mut http = Http::connect(addr);
    // xorshift, seeded from the clock: no two runs pause alike, and no dependency.
    let mut state = now_micros() | 1;
    while producing.load(Ordering::Relaxed) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::thread::sleep(Duration::from_millis(100 + state % 200));
        let latest = campaign.latest.lock().ok().and_then(|l| l.clone());
        let Some((word, accepted_at)) = latest else {
            continue;
        };
        loop {
            let (status, body) = http.request(
                "GET",
                &format!("/api/v1/consultations/{id}/search?q={word}&limit=1"),
                None,
                "",
            );
            // Found as typed, not by one letter of tolerance: the markers of comments
            // posted just before are a letter away from it.
            let found = status == 200
                && json_field(&body, "total") != "0"
                && json_field(&body, "approximate") == "false";
            if found {
                campaign
                    .fresh
                    .record(accepted_at.elapsed().as_micros() as u64);
                break;
            }
            if accepted_at.elapsed() > Duration::from_secs(10) {
                campaign.unfound.fetch_add(1, Ordering::Relaxed);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

struct Kept {
    in_database: u64,
    in_index: u64,
}

/// The comments the database and the search index hold, once the index has caught up
/// with `accepted` (or 60 s have passed).
fn count_kept(addr: &str, id: &str, accepted: u64) -> Kept {
    let mut http = Http::connect(addr);
    let (_, body) = http.request("GET", &format!("/api/v1/consultations/{id}"), None, "");
    // Comments on no paragraph are the current version's general ones.
    let detail: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let in_database = detail["version"]["general_comment_count"]
        .as_u64()
        .unwrap_or(0);
    let started = Instant::now();
    loop {
        let (_, body) = http.request(
            "GET",
            &format!("/api/v1/consultations/{id}/search?q=load&limit=1"),
            None,
            "",
        );
        let in_index: u64 = json_field(&body, "total").parse().unwrap_or(0);
        if in_index >= accepted || started.elapsed() > Duration::from_secs(60) {
            return Kept {
                in_database,
                in_index,
            };
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn main() {
    let options = options();
    let limit = raise_fd_limit();
    eprintln!(
        "file descriptors: {limit}; {} listeners, {} messages/s, {} s",
        options.listeners, options.rate, options.seconds
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!("| server | delivered events/s | latency p50 / p99 / max | lost | duplicated | closed by the server | server peak memory | cores busy: server / load client |");
    println!("|---|---|---|---|---|---|---|---|");

    // Indaba, on a fresh database: one instance, or several sharing PostgreSQL.
    assert!(
        options.instances == 1 || options.database.is_some(),
        "--instances needs --database postgres://…"
    );
    let dir = std::env::temp_dir().join(format!("liveload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let addrs: Vec<String> = (0..options.instances)
        .map(|_| format!("127.0.0.1:{}", free_port()))
        .collect();
    let addr = addrs[0].clone();
    let env_for = |n: usize| -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = vec![
            (
                "INDABA_DATA_DIR".into(),
                dir.join(format!("data-{n}")).to_string_lossy().into_owned(),
            ),
            ("INDABA_BIND".into(), addrs[n].clone()),
            ("INDABA_RATE_LIMITS".into(), "off".into()),
            ("INDABA_LOG".into(), "warn".into()),
            ("INDABA_LIVE_BUFFER".into(), "1024".into()),
            // Instances share the signing secret, as a deployment's must.
            (
                "INDABA_SECRET_KEY".into(),
                "liveload-secret-liveload-secret-0123456789".into(),
            ),
        ];
        if let Some(db) = &options.database {
            env.push(("INDABA_DATABASE_URL".into(), db.clone()));
        }
        env
    };
    let env = env_for(0);
    let indaba = options.bin_dir.join("indaba");
    let cli = |args: &[&str]| {
        let status = Command::new(&indaba)
            .envs(env.iter().cloned())
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("indaba");
        assert!(status.success(), "indaba {args:?}");
    };
    cli(&["migrate"]);
    cli(&[
        "user",
        "create",
        "--email",
        "load-org@example.org",
        "--name",
        "Org",
        "--stakeholder-group",
        "government",
        "--password",
        PASSWORD,
        "--role",
        "organizer",
    ]);
    for i in 0..options.accounts {
        let email = format!("load-poster-{i}@example.org");
        cli(&[
            "user",
            "create",
            "--email",
            &email,
            "--name",
            "Poster",
            "--stakeholder-group",
            "civil_society",
            "--password",
            PASSWORD,
        ]);
    }
    let servers: Vec<Spawned> = (0..options.instances)
        .map(|n| {
            Spawned::new(
                Command::new(&indaba)
                    .envs(env_for(n))
                    .arg("serve")
                    .spawn()
                    .expect("indaba serve"),
            )
        })
        .collect();
    for a in &addrs {
        wait_ready(a);
    }
    let mut http = Http::connect(&addr);
    let login = |http: &mut Http, email: &str| {
        let (status, body) = http.request(
            "POST",
            "/api/v1/auth/login",
            None,
            &format!(r#"{{"email":"{email}","password":"{PASSWORD}"}}"#),
        );
        assert_eq!(status, 200, "{body}");
        json_field(&body, "access_token")
    };
    let org = login(&mut http, "load-org@example.org");
    let (_, body) = http.request(
        "POST",
        "/api/v1/consultations",
        Some(&org),
        r#"{"slug":"load","title":"Load","language":"en"}"#,
    );
    let id = json_field(&body, "id");
    let source = serde_json::to_string(
        "1. We commit to an open Internet.\n\n2. We will close the digital divide.\n",
    )
    .unwrap_or_default();
    http.request(
        "POST",
        &format!("/api/v1/consultations/{id}/versions"),
        Some(&org),
        &format!(r#"{{"label":"v1","source":{source}}}"#),
    );
    let (status, _) = http.request(
        "PATCH",
        &format!("/api/v1/consultations/{id}"),
        Some(&org),
        r#"{"status":"open"}"#,
    );
    assert_eq!(status, 200);
    let campaign = Campaign::new();
    let posters = Arc::new(Posters {
        addrs: addrs.clone(),
        path: format!("/api/v1/consultations/{id}/comments"),
        tokens: (0..options.accounts)
            .map(|i| login(&mut http, &format!("load-poster-{i}@example.org")))
            .collect(),
        count: options.posters,
        rate: options.rate,
        campaign: campaign.clone(),
    });
    let (search_addr, search_id, searching) = (addr.clone(), id.clone(), options.search_freshness);

    let urls: Vec<String> = addrs
        .iter()
        .map(|a| format!("ws://{a}/api/v1/live/consultations/{id}"))
        .collect();
    let pids: Vec<u32> = servers.iter().map(|s| s.id()).collect();
    let counted = campaign.clone();
    let counted_id = id.clone();
    let outcome = runtime.block_on(run_listeners(
        &urls,
        &options,
        &pids,
        move |producing, stats| {
            std::thread::spawn(move || {
                let searcher = searching.then(|| {
                    let (producing, campaign) = (producing.clone(), campaign.clone());
                    std::thread::spawn(move || {
                        search_freshness(&search_addr, &search_id, &producing, &campaign)
                    })
                });
                post(posters, producing, stats);
                if let Some(s) = searcher {
                    let _ = s.join();
                }
            })
        },
    ));
    let kept = count_kept(&addr, &counted_id, counted.accepted.load(Ordering::Relaxed));
    for server in servers {
        server.stop();
    }
    let _ = std::fs::remove_dir_all(&dir);
    let backend = match (&options.database, options.instances) {
        (None, _) => "SQLite".to_owned(),
        (Some(_), 1) => "PostgreSQL".to_owned(),
        (Some(_), n) => format!("PostgreSQL, {n} instances"),
    };
    let indaba = format!("indaba ({backend})");
    print(&indaba, &outcome);
    // The other servers' rows, each with its name, after Indaba's.
    let mut simplest = None;
    let mut bare = None;
    if !options.skip_bare {
        // 300 bytes when the run delivered nothing to measure.
        let measured = outcome.bytes_per_event.map(|b| b.round() as usize);
        let frame_bytes = options.bare_bytes.or(measured).unwrap_or(300);
        if !options.skip_simplest {
            let name = format!(
                "simplest program: POST, SQLite, the same fan-out, {frame_bytes}-byte frames"
            );
            let run = run_simplest(&runtime, &options, frame_bytes);
            print(&name, &run);
            simplest = Some((name, run));
        }
        let name = format!("bare tokio-tungstenite broadcast, {frame_bytes}-byte frames");
        let run = run_bare(&runtime, &options, frame_bytes);
        print(&name, &run);
        bare = Some((name, run));
    }
    println!();
    print_notes(&indaba, &outcome);
    for (name, other) in simplest.iter().chain(&bare) {
        print_notes(name, other);
    }
    println!("{}", posts_line(&outcome, &options));
    if let Some(bytes) = outcome.bytes_per_event {
        println!("Indaba's event frames: {bytes:.0} bytes of text per event on average");
    }
    println!(
        "every comment answered 201, over the whole run: {}; in the database: {}; in the search index: {}; lost: {}",
        counted.accepted.load(Ordering::Relaxed),
        kept.in_database,
        kept.in_index,
        counted.accepted.load(Ordering::Relaxed).saturating_sub(kept.in_database.min(kept.in_index))
    );
    if options.search_freshness {
        println!(
            "search freshness (201 to found by its word): p50 / p99 / max {} / {} / {:.0} ms over {} lookups, {} not found within 10 s",
            counted.fresh.percentile(0.50),
            counted.fresh.percentile(0.99),
            counted.fresh.max_ms(),
            counted.fresh.count(),
            counted.unfound.load(Ordering::Relaxed)
        );
    }
    if let Some((name, run)) = &simplest {
        println!("{name}: {}", posts_line(run, &options));
    }
    // Each server's latency as a multiple of the bare server's.
    if let Some((_, bare)) = &bare {
        let ratio = |a: u64, b: u64| a as f64 / b.max(1) as f64;
        println!(
            "indaba / bare: delivered events per second {:.0}%, latency p50 {:.2}x, p99 {:.2}x",
            100.0 * outcome.delivered_per_s / bare.delivered_per_s.max(1.0),
            ratio(outcome.p50, bare.p50),
            ratio(outcome.p99, bare.p99)
        );
        if let Some((_, simplest)) = &simplest {
            println!(
                "simplest program / bare: latency p50 {:.2}x, p99 {:.2}x",
                ratio(simplest.p50, bare.p50),
                ratio(simplest.p99, bare.p99)
            );
        }
    }
}

/// The comments a server accepted in the window and how fast it answered them.
fn posts_line(o: &Outcome, options: &Options) -> String {
    format!(
        "comments accepted in the window: {} ({:.1}/s, from {} connections), refused: {}; POST answered, from the moment it was due, in p50 / p99 / max {} / {} / {:.0} ms",
        o.posts,
        o.posts as f64 / options.seconds as f64,
        options.posters,
        o.refused,
        o.post_p50,
        o.post_p99,
        o.post_max_ms
    )
}

/// The same listeners and posters against the simplest program that takes comments in
/// and fans them out (`bare_live`), with frames of `frame_bytes`.
fn run_simplest(
    runtime: &tokio::runtime::Runtime,
    options: &Options,
    frame_bytes: usize,
) -> Outcome {
    let (http_port, ws_port) = (free_port(), free_port());
    let file =
        std::env::temp_dir().join(format!("liveload-simplest-{}.sqlite", std::process::id()));
    let server = Spawned::new(
        Command::new(options.bin_dir.join("bare_live"))
            .args([
                format!("127.0.0.1:{http_port}"),
                format!("127.0.0.1:{ws_port}"),
                file.to_string_lossy().into_owned(),
                frame_bytes.to_string(),
            ])
            .spawn()
            .expect("bare_live (build it with --bins)"),
    );
    let addr = format!("127.0.0.1:{http_port}");
    wait_ready(&addr);
    let pid = server.id();
    let url = format!("ws://127.0.0.1:{ws_port}/");
    let posters = Arc::new(Posters {
        addrs: vec![addr],
        path: "/comments".into(),
        tokens: Vec::new(),
        count: options.posters,
        rate: options.rate,
        campaign: Campaign::new(),
    });
    let outcome = runtime.block_on(run_listeners(
        &[url],
        options,
        &[pid],
        move |producing, stats| std::thread::spawn(move || post(posters, producing, stats)),
    ));
    server.stop();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.to_string_lossy()));
    }
    outcome
}

/// The same listeners against the bare broadcast server, with frames of `frame_bytes`.
fn run_bare(runtime: &tokio::runtime::Runtime, options: &Options, frame_bytes: usize) -> Outcome {
    let port = free_port();
    let bare = Spawned::new(
        Command::new(options.bin_dir.join("bare_broadcast"))
            .args([
                format!("127.0.0.1:{port}"),
                options.rate.to_string(),
                frame_bytes.to_string(),
            ])
            .spawn()
            .expect("bare_broadcast (build it with --bins)"),
    );
    std::thread::sleep(Duration::from_millis(300));
    let pid = bare.id();
    let url = format!("ws://127.0.0.1:{port}/");
    let outcome = runtime.block_on(run_listeners(&[url], options, &[pid], |producing, _| {
        std::thread::spawn(move || {
            while producing.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    }));
    bare.stop();
    outcome
}
