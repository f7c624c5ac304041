//! Search benchmark: N multilingual contributions (default 100,000: zh 25%, en 35%,
//! fr/es/ar/ru 10% each, 1–6 sentences), the anchors' query mix (8 Chinese, 12 English of
//! which 2 misspelt, 5 each French, Spanish, Russian, Arabic; each with two facet
//! filters, four facet distributions, highlighting, 20 hits), and freshness (post to
//! searchable). Chinese hit counts are checked against an exact substring count.
//!
//! cargo build --release -p indaba -p indaba-tests --bins
//! target/release/searchload [--contributions 100000] [--rounds 5] [--posts-per-second 200]
//!     [--meilisearch http://127.0.0.1:7700 [--meilisearch-pid PID] [--meilisearch-dir DIR]]
//!     [--data DIR] [--database postgres://…]
//!
//! `--database postgres://…` keeps the database in that PostgreSQL database instead of a
//! SQLite file (empty, or holding a previous run's contributions, which are reused when
//! there are at least N); the search index stays in the data directory.
//! `--data DIR` keeps the data directory (database and index) in DIR, and when DIR
//! already holds a database, reuses its contributions instead of writing them again (to
//! try a change to indexing or querying without waiting for the corpus each time).
//! The slowest queries are listed on stderr, with the server's own `took_ms`. Indexing,
//! and the queries with freshness, each say so when the machine was disturbed meanwhile
//! (CPU stolen, other processes busy; `tests/src/machine.rs`).
//!
//! With `--meilisearch`, Indaba indexes into and searches with that Meilisearch (key from
//! `MEILI_MASTER_KEY`); its pid and data directory, when given, give its peak memory and
//! size on disk. Freshness is measured while a second client posts
//! `--posts-per-second` comments (default 200) through the API.
//!
//! Chinese sentences come from ../shared/corpus (real UN texts; skipped with a message
//! when absent); the other languages from our own seeds and the sentences below.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use indaba_tests::machine::{
    cpu_between, cpu_seconds, ended_children_cpu_seconds, peak_rss_mb, postgres_cpu, CpuTimes,
    Window,
};
use indaba_tests::process::Spawned;
use serde_json::Value;

const DEMO_PASSWORD: &str = "indaba-demo-2026";

/// Sentences written for this benchmark, so that every query language has material.
const EXTRA: &[(&str, &str)] = &[
    (
        "en",
        "Community networks bring affordable connectivity to rural areas.",
    ),
    (
        "en",
        "Data protection and privacy must be guaranteed online as offline.",
    ),
    (
        "en",
        "Cybersecurity capacity building matters for developing countries.",
    ),
    (
        "en",
        "Gender equality and accessibility should be measured with disaggregated data.",
    ),
    (
        "en",
        "Human rights apply to artificial intelligence as to every technology.",
    ),
    (
        "fr",
        "La connectivité abordable reste un défi pour les zones rurales.",
    ),
    (
        "fr",
        "La vie privée et les droits humains doivent être protégés en ligne.",
    ),
    (
        "fr",
        "Réduire la fracture numérique exige des investissements publics.",
    ),
    (
        "es",
        "La conectividad asequible sigue siendo un reto en las zonas rurales.",
    ),
    (
        "es",
        "La privacidad y los derechos humanos deben protegerse en línea.",
    ),
    (
        "es",
        "Cerrar la brecha digital requiere inversión pública sostenida.",
    ),
    (
        "ru",
        "Цифровой разрыв между странами остаётся значительным.",
    ),
    (
        "ru",
        "Права человека должны соблюдаться в интернете так же, как и вне его.",
    ),
    (
        "ru",
        "Доступность связи и конфиденциальность данных требуют внимания.",
    ),
    ("ar", "يجب سد الفجوة الرقمية بين البلدان المتقدمة والنامية."),
    ("ar", "ينبغي احترام حقوق الإنسان والخصوصية على الإنترنت."),
    (
        "ar",
        "الاتصال الميسور التكلفة والأمن السيبراني أولويتان للمنطقة.",
    ),
];

const QUERIES: &[(&str, &str)] = &[
    ("zh", "数字鸿沟"),
    ("zh", "数据治理"),
    ("zh", "人工智能"),
    ("zh", "可持续发展"),
    ("zh", "网络安全"),
    ("zh", "人权"),
    ("zh", "互联网治理"),
    ("zh", "能力建设"),
    ("en", "affordability"),
    ("en", "community networks"),
    ("en", "privacy"),
    ("en", "digital divide"),
    ("en", "accessibility"),
    ("en", "gender"),
    ("en", "human rights"),
    ("en", "connectivity"),
    ("en", "cybersecurity"),
    ("en", "data protection"),
    ("en", "affordabilty"),
    ("en", "conectivity"),
    ("fr", "connectivité"),
    ("fr", "vie privée"),
    ("fr", "droits humains"),
    ("fr", "fracture numérique"),
    ("fr", "abordable"),
    ("es", "conectividad"),
    ("es", "privacidad"),
    ("es", "brecha digital"),
    ("es", "derechos humanos"),
    ("es", "asequible"),
    ("ru", "цифровой разрыв"),
    ("ru", "права человека"),
    ("ru", "доступность"),
    ("ru", "конфиденциальность"),
    ("ru", "связь"),
    ("ar", "الفجوة الرقمية"),
    ("ar", "حقوق الإنسان"),
    ("ar", "الخصوصية"),
    ("ar", "الاتصال"),
    ("ar", "الأمن السيبراني"),
];

const GROUPS: [&str; 6] = [
    "government",
    "intergovernmental",
    "private_sector",
    "civil_society",
    "technical_community",
    "academia",
];
const REGIONS: [&str; 5] = [
    "african",
    "asia_pacific",
    "eastern_european",
    "latin_american_caribbean",
    "western_european_others",
];

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// A small deterministic generator (xorshift): the same corpus every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn chinese_sentences(corpus: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for f in [
        "global-digital-compact.zh.txt",
        "wsis-progress-report-2021.zh.txt",
        "hrc-panel-digital-divides-2024.zh.txt",
    ] {
        let Ok(text) = std::fs::read_to_string(corpus.join(f)) else {
            continue;
        };
        for s in text.split(['。', '；']) {
            let s: String = s.split_whitespace().collect::<Vec<_>>().join("");
            if s.chars().count() >= 12 {
                out.push(format!("{s}。"));
            }
        }
    }
    out
}

fn sentences(root: &Path) -> Vec<(String, Vec<String>)> {
    let seeds: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("seeds/comments.json")).expect("seeds/comments.json"),
    )
    .expect("json");
    let mut pools: Vec<(String, Vec<String>)> = Vec::new();
    for lang in ["en", "fr", "es", "ru", "ar"] {
        let mut pool: Vec<String> = Vec::new();
        for part in ["comments", "replies"] {
            for s in seeds[part][lang].as_array().into_iter().flatten() {
                pool.push(s.as_str().unwrap_or_default().to_owned());
            }
        }
        if let Ok(draft) = std::fs::read_to_string(root.join(format!("seeds/draft.{lang}.md"))) {
            for s in draft.split(". ") {
                let s = s
                    .trim()
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '#')
                    .trim();
                if s.len() > 30 {
                    pool.push(format!("{s}."));
                }
            }
        }
        pool.extend(
            EXTRA
                .iter()
                .filter(|(l, _)| *l == lang)
                .map(|(_, s)| (*s).to_owned()),
        );
        pools.push((lang.to_owned(), pool));
    }
    pools
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The comments a PostgreSQL database holds already: none when it is empty (no tables).
fn stored_contributions(url: &indaba::config::DatabaseUrl) -> i64 {
    use indaba::db::schema::comments;
    let db = indaba::db::Db::connect(url, 1).expect("cannot connect to --database");
    let mut conn = db.get().expect("cannot connect to --database");
    comments::table.count().get_result(&mut **conn).unwrap_or(0)
}

/// Runs a command to its end and returns (seconds, peak resident MB, stdout, what
/// disturbed the run when something did). `also` are processes that work for it
/// (Meilisearch), counted with it as measured.
fn timed(mut cmd: Command, also: &[u32], database: bool) -> (f64, f64, String, Option<String>) {
    let started = Instant::now();
    let also_before: f64 = also.iter().map(|p| cpu_seconds(*p)).sum();
    let postgres = move || postgres_cpu(database);
    let postgres_before = postgres();
    let me = std::process::id();
    let (children_before, me_before, machine_before) = (
        ended_children_cpu_seconds(),
        cpu_seconds(me),
        CpuTimes::now(),
    );
    let child = cmd.stdout(Stdio::piped()).spawn().expect("spawn");
    let pid = child.id();
    let watcher = std::thread::spawn(move || {
        let mut peak = 0.0f64;
        // PostgreSQL's processes as last seen: the backend serving the command ends
        // with it, before the last reading.
        let mut postgres_seen = postgres();
        let mut tick = 0u32;
        while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            tick += 1;
            if tick.is_multiple_of(10) {
                for (p, seconds) in postgres() {
                    postgres_seen.insert(p, seconds);
                }
            }
            if let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            {
                peak = peak.max(kb / 1024.0);
            }
            if status.contains("State:\tZ") {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        for (p, seconds) in postgres() {
            postgres_seen.insert(p, seconds);
        }
        (peak, postgres_seen)
    });
    let out = child.wait_with_output().expect("wait");
    let seconds = started.elapsed().as_secs_f64();
    let (peak, postgres_seen) = watcher.join().unwrap_or_default();
    assert!(out.status.success(), "command failed");
    let measured = ended_children_cpu_seconds() - children_before + cpu_seconds(me) - me_before
        + also.iter().map(|p| cpu_seconds(*p)).sum::<f64>()
        - also_before
        + cpu_between(&postgres_before, &postgres_seen);
    let disturbed = machine_before
        .zip(CpuTimes::now())
        .and_then(|(before, after)| Window::between(before, after))
        .and_then(|w| w.disturbance(measured / seconds.max(0.001)));
    (
        seconds,
        peak,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        disturbed,
    )
}

fn main() {
    let n: usize = arg("--contributions")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rounds: usize = arg("--rounds").and_then(|v| v.parse().ok()).unwrap_or(5);
    let rate: u64 = arg("--posts-per-second")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let meili = arg("--meilisearch");
    let meili_pid = arg("--meilisearch-pid");
    let meili_dir = arg("--meilisearch-dir");
    let database = arg("--database");
    let exe = std::env::current_exe().expect("exe");
    let bin_dir = arg("--bin-dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| exe.parent().expect("dir").to_path_buf());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let chinese = chinese_sentences(&root.join("../shared/corpus"));
    if chinese.is_empty() {
        eprintln!(
            "skipped: ../shared/corpus is absent (the Chinese quarter of the corpus comes from it)"
        );
        return;
    }
    let pools = sentences(&root);
    let kept = arg("--data").map(PathBuf::from);
    let dir = kept
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("searchload-{}", std::process::id())));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("dir");
    let url = match &database {
        Some(url) => {
            assert!(
                url.contains("@127.0.0.1") || url.contains("@localhost"),
                "--database must be a PostgreSQL on this machine (loopback)"
            );
            indaba::config::DatabaseUrl::parse(url).expect("--database postgres://…")
        }
        None => indaba::config::DatabaseUrl::Sqlite(data.join("indaba.db")),
    };
    let reuse = match &url {
        indaba::config::DatabaseUrl::Sqlite(path) => path.exists(),
        indaba::config::DatabaseUrl::Postgres(_) => match stored_contributions(&url) {
            0 => false,
            held if held >= n as i64 => {
                eprintln!("--database holds {held} comments already: reused as the corpus");
                true
            }
            held => panic!(
                "--database holds {held} comments, fewer than {n}: give an empty database (or one a run of {n} left)"
            ),
        },
    };
    let indaba = bin_dir.join("indaba");
    let meili_index = format!("searchload_{}", std::process::id());
    let env = |c: &mut Command| {
        c.env("INDABA_DATA_DIR", &data)
            .env("INDABA_LOG", "warn")
            .env("INDABA_RATE_LIMITS", "off");
        if let Some(url) = &database {
            c.env("INDABA_DATABASE_URL", url);
        }
        if let Some(url) = &meili {
            c.env("INDABA_MEILISEARCH_URL", url)
                .env("INDABA_MEILISEARCH_INDEX", &meili_index);
            if let Ok(key) = std::env::var("MEILI_MASTER_KEY") {
                c.env("INDABA_MEILISEARCH_KEY", key);
            }
        }
    };
    if !reuse {
        let mut seed = Command::new(&indaba);
        env(&mut seed);
        seed.args(["seed", "demo"]);
        timed(seed, &[], false);
    }

    // The contributions, straight into the database.
    let db = indaba::db::Db::connect(&url, 2).expect("db");
    let (consultation, keys, authors) = {
        use indaba::db::schema::{consultations, paragraphs, users};
        let mut conn = db.get().expect("conn");
        let (id, version): (i64, Option<i64>) = consultations::table
            .filter(consultations::slug.eq("declaration-digital-cooperation"))
            .select((consultations::id, consultations::current_version_id))
            .first(&mut **conn)
            .expect("demo consultation");
        let keys: Vec<String> = paragraphs::table
            .filter(paragraphs::version_id.eq(version.expect("version")))
            .select(paragraphs::key)
            .load(&mut **conn)
            .expect("keys");
        let authors: Vec<i64> = users::table
            .select(users::id)
            .load(&mut **conn)
            .expect("users");
        (id, keys, authors)
    };
    let mut rng = Rng(0x5EED_1234_ABCD_9876);
    let started = Instant::now();
    let base = chrono::Utc::now().naive_utc() - chrono::Duration::days(60);
    let chunks = if reuse { 0 } else { n.div_ceil(1000) };
    for chunk in 0..chunks {
        let mut rows = Vec::new();
        for i in chunk * 1000..((chunk + 1) * 1000).min(n) {
            let roll = rng.below(100);
            let (lang, pool): (&str, &Vec<String>) = match roll {
                0..=24 => ("zh", &chinese),
                25..=59 => ("en", &pools[0].1),
                60..=69 => ("fr", &pools[1].1),
                70..=79 => ("es", &pools[2].1),
                80..=89 => ("ru", &pools[3].1),
                _ => ("ar", &pools[4].1),
            };
            let count = 1 + rng.below(6);
            let sep = if lang == "zh" { "" } else { " " };
            let body: Vec<&str> = (0..count)
                .map(|_| pool[rng.below(pool.len())].as_str())
                .collect();
            let body = body.join(sep);
            use indaba::db::schema::comments as c;
            rows.push((
                c::consultation_id.eq(Some(consultation)),
                c::paragraph_key.eq(Some(keys[rng.below(keys.len())].clone())),
                c::author_id.eq(authors[rng.below(authors.len())]),
                c::kind.eq(if rng.below(10) == 0 {
                    "amendment"
                } else {
                    "comment"
                }),
                c::body.eq(body),
                c::language.eq(lang),
                c::status.eq("visible"),
                c::created_at.eq(base + chrono::Duration::seconds((i as i64) * 50)),
            ));
        }
        let mut conn = db.get().expect("conn");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            for row in rows {
                diesel::insert_into(indaba::db::schema::comments::table)
                    .values(row)
                    .execute(conn)?;
            }
            Ok(())
        })
        .expect("insert");
    }
    if reuse {
        eprintln!("contributions reused from {}", data.display());
    } else {
        eprintln!(
            "{n} contributions written in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    // The truth for the Chinese count check: every text of the consultation (the demo's
    // own inputs too), with amendments' proposed text.
    let zh_texts: Vec<String> = {
        use indaba::db::schema::comments as c;
        let mut conn = db.get().expect("conn");
        let all: Vec<(String, Option<String>)> = c::table
            .filter(c::consultation_id.eq(consultation))
            .filter(c::status.eq("visible"))
            .select((c::body, c::proposed_text))
            .load(&mut **conn)
            .expect("texts");
        all.into_iter()
            .map(|(body, proposed)| format!("{body}\n\n{}", proposed.unwrap_or_default()))
            .collect()
    };

    // Indexing: a full build from the database, as a new instance does.
    let mut reindex = Command::new(&indaba);
    env(&mut reindex);
    reindex.arg("reindex");
    let meili_pids: Vec<u32> = meili_pid.iter().filter_map(|p| p.parse().ok()).collect();
    let (index_s, index_mb, out, index_disturbed) = timed(reindex, &meili_pids, database.is_some());
    let documents: f64 = out
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or(0.0);
    let disk_mb = match (&meili, &meili_dir) {
        (None, _) => dir_size(&data.join("search")) as f64 / 1e6,
        (Some(_), Some(dir)) => dir_size(Path::new(dir)) as f64 / 1e6,
        (Some(_), None) => 0.0,
    };

    // Queries over HTTP against the server, as a client sees them.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut server = Command::new(&indaba);
    env(&mut server);
    let server = Spawned::new(
        server
            .env("INDABA_BIND", format!("127.0.0.1:{port}"))
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()
            .expect("serve"),
    );
    let base_url = format!("http://127.0.0.1:{port}");
    // The processes measured: the server, this client, and Meilisearch when given.
    let measured: Vec<u32> = [server.id(), std::process::id()]
        .into_iter()
        .chain(meili_pids.iter().copied())
        .collect();
    let busy = |pids: &[u32]| pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>();
    let postgres = || postgres_cpu(database.is_some());
    let (measured_before, postgres_before, machine_before, window_started) =
        (busy(&measured), postgres(), CpuTimes::now(), Instant::now());
    let system = actix_web::rt::System::new();
    let (latencies, counts, fresh, achieved) = system.block_on(async {
        let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
        for _ in 0..300 {
            if let Ok(r) = client.get(format!("{base_url}/readyz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut latencies: Vec<f64> = Vec::new();
        let mut took: Vec<f64> = Vec::new();
        let mut slowest: Vec<(f64, f64, &str)> = Vec::new();
        let mut counts: Vec<(String, u64)> = Vec::new();
        for round in 0..=rounds {
            for (i, (_, q)) in QUERIES.iter().enumerate() {
                let url = format!(
                    "{base_url}/api/v1/consultations/{consultation}/search?q={}&stakeholder_group={},{}&region={},{},{}&limit=20",
                    indaba_tests::encode_query(q),
                    GROUPS[i % 6],
                    GROUPS[(i + 2) % 6],
                    REGIONS[i % 5],
                    REGIONS[(i + 1) % 5],
                    REGIONS[(i + 3) % 5],
                );
                let t = Instant::now();
                let mut res = client.get(url).send().await.expect("search");
                let body: Value = res.json().limit(10_000_000).await.expect("json");
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                if round > 0 {
                    latencies.push(ms);
                    let server_ms = body["took_ms"].as_f64().unwrap_or(0.0);
                    took.push(server_ms);
                    slowest.push((ms, server_ms, *q));
                } else {
                    // Unfiltered totals for the Chinese count check (warm-up round).
                    let url = format!("{base_url}/api/v1/consultations/{consultation}/search?q={}&limit=1", indaba_tests::encode_query(q));
                    let mut res = client.get(url).send().await.expect("search");
                    let all: Value = res.json().await.expect("json");
                    counts.push(((*q).to_owned(), all["total"].as_u64().unwrap_or(0)));
                    assert!(body["items"].is_array());
                }
            }
        }
        // Freshness: post, then search until found.
        let mut res = client
            .post(format!("{base_url}/api/v1/auth/login"))
            .send_json(&serde_json::json!({"email": "wanjiru@demo.indaba.example", "password": DEMO_PASSWORD}))
            .await
            .expect("login");
        let login: Value = res.json().await.expect("json");
        let token = login["access_token"].as_str().expect("token").to_owned();
        // A second client posts at `rate` per second while freshness is measured.
        let posting = std::rc::Rc::new(std::cell::Cell::new(true));
        let posted = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let background = {
            let (client, token, base_url) = (client.clone(), token.clone(), base_url.clone());
            let (posting, posted) = (posting.clone(), posted.clone());
            actix_web::rt::spawn(async move {
                if rate == 0 {
                    return;
                }
                let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
                let mut n = 0u64;
                while posting.get() {
                    tick.tick().await;
                    n += 1;
                    let (client, token, base_url, posted) =
                        (client.clone(), token.clone(), base_url.clone(), posted.clone());
                    actix_web::rt::spawn(async move {
                        let res = client
                            .post(format!("{base_url}/api/v1/consultations/{consultation}/comments"))
                            .bearer_auth(&token)
                            .send_json(&serde_json::json!({"body": format!("Background input number {n} on connectivity."), "language": "en"}))
                            .await;
                        if res.is_ok_and(|r| r.status().as_u16() == 201) {
                            posted.set(posted.get() + 1);
                        }
                    });
                }
            })
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        let load_started = Instant::now();
        let posted_before = posted.get();
        let mut fresh = Vec::new();
        for i in 0..50 {
            let word = format!("freshness{i}x{}", std::process::id());
            let t = Instant::now();
            let res = client
                .post(format!("{base_url}/api/v1/consultations/{consultation}/comments"))
                .bearer_auth(&token)
                .send_json(&serde_json::json!({"body": format!("A new input about {word}."), "language": "en"}))
                .await
                .expect("post");
            assert_eq!(res.status().as_u16(), 201);
            loop {
                let mut res = client
                    .get(format!("{base_url}/api/v1/consultations/{consultation}/search?q={word}&limit=1"))
                    .send()
                    .await
                    .expect("search");
                let body: Value = res.json().await.expect("json");
                // As typed: with one letter of tolerance, the word of the post before
                // (freshness0x…, freshness1x…) would be found instead.
                if body["total"] == 1 && body["approximate"] == false {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            fresh.push(t.elapsed().as_secs_f64() * 1000.0);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let achieved = (posted.get() - posted_before) as f64 / load_started.elapsed().as_secs_f64();
        posting.set(false);
        let _ = background.await;
        eprintln!("background posting: {achieved:.0} comments/s accepted");
        took.sort_by(|a, b| a.total_cmp(b));
        eprintln!("server-side took_ms p50 {:.0}", percentile(&took, 0.5));
        slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, server_ms, q) in slowest.iter().take(15) {
            eprintln!("slow: {ms:.1} ms (server {server_ms:.0} ms) {q}");
        }
        (latencies, counts, fresh, achieved)
    });
    let measured_cores = (busy(&measured) - measured_before
        + cpu_between(&postgres_before, &postgres()))
        / window_started.elapsed().as_secs_f64();
    let disturbed = machine_before
        .zip(CpuTimes::now())
        .and_then(|(before, after)| Window::between(before, after))
        .and_then(|w| w.disturbance(measured_cores));
    let serve_mb = peak_rss_mb(server.id());
    let meili_mb = meili_pids.first().map(|pid| peak_rss_mb(*pid));
    server.stop();

    let mut sorted = latencies.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mut fresh_sorted = fresh.clone();
    fresh_sorted.sort_by(|a, b| a.total_cmp(b));
    let engine = if meili.is_some() {
        "Meilisearch"
    } else {
        "tantivy"
    };
    let backend = if database.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("| figure | indaba ({engine}, {backend}) at {n} |");
    println!("|---|---|");
    println!(
        "| indexing (full build from the database) | {index_s:.1} s ({:.0} docs/s) |",
        documents / index_s.max(0.001)
    );
    println!("| on disk | {disk_mb:.0} MB |");
    println!("| peak memory: indexing / serving | {index_mb:.0} MB / {serve_mb:.0} MB |");
    if let Some(mb) = meili_mb {
        println!("| Meilisearch's own peak memory (whole run) | {mb:.0} MB |");
    }
    println!(
        "| query latency, client side, p50 / p95 / max ({} queries) | {:.1} / {:.1} / {:.1} ms |",
        sorted.len(),
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.95),
        sorted.last().copied().unwrap_or(0.0)
    );
    println!(
        "| freshness, post to searchable, p50 / p99, while {achieved:.0} comments/s are posted | {:.0} / {:.0} ms |",
        percentile(&fresh_sorted, 0.5),
        percentile(&fresh_sorted, 0.99)
    );
    if let Some(said) = index_disturbed {
        println!("\n{said} (indexing)");
    }
    if let Some(said) = disturbed {
        println!("\n{said} (queries and freshness)");
    }
    println!();
    println!("| Chinese query | contributions containing it | reported by search |");
    println!("|---|---|---|");
    for (q, total) in counts.iter().filter(|(q, _)| {
        q.chars()
            .next()
            .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }) {
        let truth = zh_texts.iter().filter(|t| t.contains(q.as_str())).count();
        println!("| {q} | {truth} | {total} |");
    }
    println!();
    println!("| other query | results (no filters) |");
    println!("|---|---|");
    for (q, total) in counts.iter().filter(|(q, _)| {
        !q.chars()
            .next()
            .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }) {
        println!("| {q} | {total} |");
    }
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
