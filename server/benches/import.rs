//! How long importing a version takes, part by part (issue #22): parsing, key
//! assignment (5,000 paragraphs against 5,000), and the write transaction that holds
//! SQLite's one writer. Prints the figures; asserts nothing (docs/performance.md).
//!
//! ```sh
//! cargo bench -p indaba --bench import
//! INDABA_BENCH_BEFORE=5000 cargo bench -p indaba --bench import   # the old pairwise rule at full size (minutes)
//! ```
//!
//! Texts: every Chinese UN document in `../shared/corpus/` (sentences recombined into
//! paragraphs; skipped with a message when the folder is absent) and English built from
//! the words of `seeds/draft.en.md`; the second version keeps 70% of the paragraphs,
//! edits 15%, moves 5%, drops 5% and adds 5%, and is numbered again from 1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use indaba::consultations::importer::{self, Format};
use indaba::consultations::keys::{self, Incoming, Known};
use indaba::consultations::text::similarity;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const N: usize = 5000;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    println!("# indaba import benchmark ({} build)", profile());
    println!("machine: {}", machine());

    let english = english_sentences(&root);
    let chinese = chinese_sentences(&root);
    let mut sets: Vec<(&str, Vec<String>)> = vec![("English", english)];
    match chinese {
        Some(c) => sets.push(("Chinese (corpus)", c)),
        None => println!("skipped Chinese: ../shared/corpus is absent"),
    }

    println!("\n## Key assignment, {N} paragraphs against {N}");
    for (name, sentences) in &sets {
        let mut rng = StdRng::seed_from_u64(22);
        let old = paragraphs(&mut rng, sentences, N);
        let new = next_version(&mut rng, sentences, &old);
        let (previous, incoming) = (known(&old), incoming(&new));
        if std::env::var_os("INDABA_BENCH_PROFILE").is_some() {
            // Only this, again and again, for a profiler.
            for _ in 0..10 {
                keys::assign(&previous, &incoming);
            }
            continue;
        }
        let (took, (keys, removed, work)) =
            best_of(3, || keys::assign_measured(&previous, &incoming));
        let kept = keys.iter().flatten().count();
        println!(
            "{name}: {} ms (best of 3); {kept} of {} paragraphs keep a key, {} removed; work {work}",
            took.as_millis(),
            new.len(),
            removed.len()
        );
        let before: usize = std::env::var("INDABA_BENCH_BEFORE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(500);
        let (p, i) = (
            &previous[..before.min(N)],
            &incoming[..before.min(new.len())],
        );
        let t = cpu_time();
        let old_rule = assign_pairwise(p, i);
        let pairwise = cpu_time() - t;
        assert_eq!(
            old_rule,
            keys::assign(p, i),
            "the index must match as pairs do"
        );
        println!(
            "  before (every pair compared, texts tokenised at each comparison): {} ms for {before} against {before}; ×{:.0} for {N} against {N} ≈ {:.0} s",
            pairwise.as_millis(),
            (N * N) as f64 / (before * before) as f64,
            pairwise.as_secs_f64() * (N * N) as f64 / (before * before) as f64
        );
    }

    if std::env::var_os("INDABA_BENCH_PROFILE").is_some() {
        return;
    }
    println!("\n## Key assignment after parsing, UN-style numbered text");
    for (name, sentences) in &sets {
        let mut rng = StdRng::seed_from_u64(23);
        let old = paragraphs(&mut rng, sentences, N);
        let new = next_version(&mut rng, sentences, &old);
        let (a, b) = (un_text(&old), un_text(&new[..new.len().min(N)]));
        let (parse_took, (a, b)) = best_of(1, || {
            (
                importer::parse(&a, Format::Text).unwrap(),
                importer::parse(&b, Format::Text).unwrap(),
            )
        });
        let keys_of: Vec<String> = (0..a.paragraphs.len()).map(|n| format!("k{n}")).collect();
        let previous: Vec<Known<'_>> = a
            .paragraphs
            .iter()
            .zip(&keys_of)
            .map(|(p, k)| Known {
                key: k,
                number: &p.number,
                text: &p.text,
            })
            .collect();
        let incoming: Vec<Incoming<'_>> = b
            .paragraphs
            .iter()
            .map(|p| Incoming {
                key: None,
                number: &p.number,
                text: &p.text,
            })
            .collect();
        let (took, (keys, removed, work)) =
            best_of(3, || keys::assign_measured(&previous, &incoming));
        println!(
            "{name}: both texts parsed in {} ms; keys {} ms (best of 3) for {} against {}; {} keep a key, {} removed; work {work}",
            parse_took.as_millis(),
            took.as_millis(),
            incoming.len(),
            previous.len(),
            keys.iter().flatten().count(),
            removed.len()
        );
    }

    println!("\n## Key assignment, texts made to be hard");
    let cases: Vec<(&str, Vec<String>, Vec<String>)> = vec![
        (
            "5,000 equal paragraphs against 5,000, all renumbered",
            vec!["Reserved.".to_owned(); N],
            vec!["Reserved.".to_owned(); N],
        ),
        (
            "5,000 paragraphs of one 12-word template with a number in it",
            (0..N)
                .map(|n| format!("We commit to act on item {n} of the plan in good time."))
                .collect(),
            (0..N)
                .map(|n| format!("We commit to act on item {n} of the plan in due time."))
                .collect(),
        ),
        (
            "5,000 paragraphs of one 120-word template, one word changed in each",
            (0..N).map(|n| long_template(n, "a")).collect(),
            (0..N).map(|n| long_template(n, "b")).collect(),
        ),
    ];
    for (name, old, new) in cases {
        let shifted: Vec<String> = (0..new.len()).map(|n| (n + 2).to_string()).collect();
        let old_numbers: Vec<String> = (0..old.len()).map(|n| (n + 1).to_string()).collect();
        let old_keys: Vec<String> = (0..old.len()).map(|n| format!("k{n}")).collect();
        let previous: Vec<Known<'_>> = (0..old.len())
            .map(|n| Known {
                key: &old_keys[n],
                number: &old_numbers[n],
                text: &old[n],
            })
            .collect();
        let incoming: Vec<Incoming<'_>> = (0..new.len())
            .map(|n| Incoming {
                key: None,
                number: &shifted[n],
                text: &new[n],
            })
            .collect();
        let (took, (keys, _, work)) = best_of(1, || keys::assign_measured(&previous, &incoming));
        println!(
            "{name}: {} ms; {} keep a key; work {work}",
            took.as_millis(),
            keys.iter().flatten().count()
        );
    }

    println!("\n## Parsing");
    for n in [9_999, 20_000] {
        let items: String = std::iter::once("1. The items:\n".to_owned())
            .chain((0..n).map(|k| format!("({}) item {k};\n", letters(k))))
            .collect();
        let (took, doc) = best_of(3, || importer::parse(&items, Format::Text));
        println!(
            "{n} lettered items under one paragraph ({} KB): {} ms, {}",
            items.len() / 1024,
            took.as_millis(),
            match doc {
                Ok(doc) => format!("{} paragraphs", doc.paragraphs.len()),
                Err(e) => format!("refused: {e}"),
            }
        );
    }
    let mut rng = StdRng::seed_from_u64(7);
    let text = un_text(&paragraphs(&mut rng, &sets[0].1, N));
    let (took, doc) = best_of(3, || importer::parse(&text, Format::Text).unwrap());
    println!(
        "{N} English paragraphs, UN-style (250 numbered paragraphs with items (a) to (s); {} KB): {} ms, {} paragraphs",
        text.len() / 1024,
        took.as_millis(),
        doc.paragraphs.len()
    );

    println!("\n## The write transaction (SQLite, one writer)");
    write_transaction(&sets[0].1);
}

/// Stores a version of 5,000 paragraphs and then one of 5,000 more through the store's
/// two steps, and times the second step: what holds SQLite's writer.
fn write_transaction(sentences: &[String]) {
    use indaba::consultations::store::{self, DraftParagraph, NewConsultation};
    let dir = std::env::temp_dir().join(format!("indaba-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = indaba::config::DatabaseUrl::Sqlite(dir.join("bench.db"));
    let db = indaba::db::Db::connect(&url, 4).unwrap();
    db.migrate().unwrap();
    let id = db
        .tx_blocking(|tx| {
            store::create(
                tx,
                &NewConsultation {
                    slug: "bench".into(),
                    title: "Bench".into(),
                    description: String::new(),
                    language: "en".into(),
                    opens_at: None,
                    closes_at: None,
                    created_by: None,
                    participation: Default::default(),
                    timezone: store::DEFAULT_TIMEZONE,
                },
            )
        })
        .unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let first = paragraphs(&mut rng, sentences, N);
    let second = next_version(&mut rng, sentences, &first);
    let draft = |texts: &[String]| -> Vec<DraftParagraph> {
        texts
            .iter()
            .enumerate()
            .map(|(n, t)| DraftParagraph {
                key: None,
                number: (n + 1).to_string(),
                parent_number: None,
                section_path: vec!["Section".into()],
                text: t.clone(),
                footnote_refs: vec![],
                informed_by: vec![],
            })
            .collect()
    };
    for (label, texts) in [("v1", &first), ("v2", &second)] {
        let t = Instant::now();
        let base = store::version_base(&mut db.get().unwrap(), id).unwrap();
        let read = t.elapsed();
        let t = cpu_time();
        let plan = store::plan_version(&base, label, "text", draft(texts), vec![], None).unwrap();
        let planned = cpu_time() - t;
        let t = Instant::now();
        let written = db
            .tx_blocking(|tx| store::write_version(tx, id, plan))
            .unwrap();
        let wrote = t.elapsed();
        assert!(matches!(written, store::Written::Stored(_)));
        println!(
            "{label}: {} paragraphs; read {} ms, keys and plan {} ms CPU (no connection held), write transaction {} ms (wall)",
            texts.len(),
            read.as_millis(),
            planned.as_millis(),
            wrote.as_millis()
        );
    }
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The best of `runs` runs, by the CPU time of this thread (what a shared machine's
/// other work does not inflate), and the result of the last one.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = cpu_time();
        let v = f();
        best = best.min(cpu_time() - t);
        out = Some(v);
    }
    (best, out.unwrap())
}

fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes the calling thread's CPU clock into `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn known(texts: &[String]) -> Vec<Known<'_>> {
    texts
        .iter()
        .enumerate()
        .map(|(n, t)| Known {
            key: leak(format!("k{n}")),
            number: leak((n + 1).to_string()),
            text: t,
        })
        .collect()
}

fn incoming(texts: &[String]) -> Vec<Incoming<'_>> {
    texts
        .iter()
        .enumerate()
        .map(|(n, t)| Incoming {
            key: None,
            number: leak((n + 1).to_string()),
            text: t,
        })
        .collect()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn english_sentences(root: &std::path::Path) -> Vec<String> {
    let draft = std::fs::read_to_string(root.join("seeds/draft.en.md")).unwrap();
    let words: Vec<&str> = draft
        .split_whitespace()
        .filter(|w| w.chars().all(|c| c.is_alphabetic() || c == ',' || c == '-'))
        .collect();
    // Sentences of 8 to 30 words in the draft's own proportions of words.
    let mut rng = StdRng::seed_from_u64(1);
    (0..4000)
        .map(|_| {
            let n = rng.gen_range(8..30);
            let mut s: Vec<&str> = (0..n).map(|_| *words.choose(&mut rng).unwrap()).collect();
            s.dedup();
            format!("{}.", s.join(" ").trim_end_matches(','))
        })
        .collect()
}

fn chinese_sentences(root: &std::path::Path) -> Option<Vec<String>> {
    let dir = root.join("../shared/corpus");
    // Every text of the corpus, in the order of their names.
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).ok()?;
        let doc = importer::parse(&text, Format::Text).ok()?;
        for p in doc.paragraphs {
            out.extend(
                p.text
                    .split_inclusive('。')
                    .map(str::trim)
                    .filter(|s| s.chars().count() > 8)
                    .map(str::to_owned),
            );
        }
    }
    Some(out)
}

/// Paragraphs of one to three sentences.
fn paragraphs(rng: &mut StdRng, sentences: &[String], n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let k = rng.gen_range(1..=3);
            let parts: Vec<&str> = (0..k)
                .map(|_| sentences.choose(rng).unwrap().as_str())
                .collect();
            parts.join(" ")
        })
        .collect()
}

/// The next version: 70% kept, 15% edited, 5% moved, 5% dropped, 5% new.
fn next_version(rng: &mut StdRng, sentences: &[String], old: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(old.len());
    let mut moved: Vec<String> = Vec::new();
    for p in old {
        match rng.gen_range(0..100) {
            0..=69 => out.push(p.clone()),
            70..=84 => out.push(edit(rng, p)),
            85..=89 => moved.push(p.clone()),
            90..=94 => {}
            _ => {
                out.push(p.clone());
                out.push(paragraphs(rng, sentences, 1).remove(0));
            }
        }
    }
    for p in moved {
        let at = rng.gen_range(0..=out.len());
        out.insert(at, p);
    }
    out
}

/// A few words (or characters) changed, inserted or deleted.
fn edit(rng: &mut StdRng, p: &str) -> String {
    let spaced = p.contains(' ');
    let mut parts: Vec<String> = if spaced {
        p.split(' ').map(str::to_owned).collect()
    } else {
        p.chars().map(String::from).collect()
    };
    for _ in 0..rng.gen_range(1..=3).min(parts.len()) {
        let at = rng.gen_range(0..parts.len());
        match rng.gen_range(0..3) {
            0 => {
                parts.remove(at);
            }
            1 => parts.insert(at, if spaced { "notably" } else { "特别" }.to_owned()),
            _ => parts[at] = if spaced { "all" } else { "各" }.to_owned(),
        }
        if parts.is_empty() {
            parts.push("x".to_owned());
        }
    }
    parts.join(if spaced { " " } else { "" })
}

fn long_template(n: usize, variant: &str) -> String {
    let base = "we recognise that digital technologies are transforming our societies economies and environment at a speed that no single government company or community can steer alone";
    let words: Vec<&str> = base.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    while out.len() < 120 {
        out.extend(words.iter().map(|w| (*w).to_owned()));
    }
    out.truncate(120);
    out[n % 120] = format!("{variant}{n}");
    out.join(" ")
}

/// A UN-style text: numbered paragraphs of 20 (the paragraph and its items (a) to (s)),
/// under a heading every 1,000 (paragraph numbers have at most three digits, as the
/// importer reads them).
fn un_text(paragraphs: &[String]) -> String {
    let mut s = String::from("I. Introduction\n\n");
    for (n, p) in paragraphs.iter().enumerate() {
        if n % 20 == 0 {
            if n > 0 && n % 1000 == 0 {
                s.push_str(&format!("Part {}\n\n", n / 1000 + 1));
            }
            s.push_str(&format!("{}. {p}\n\n", n / 20 + 1));
        } else {
            let letter = char::from(b'a' + (n % 20 - 1) as u8);
            s.push_str(&format!("({letter}) {p}\n\n"));
        }
    }
    s
}

/// `a`…`z`, `aa`…: item labels (five letters at most, as the importer takes).
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
        n -= 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// The rule as it was before #22: every pair compared, each text tokenised again at each
/// comparison, sorted once.
fn assign_pairwise(
    previous: &[Known<'_>],
    incoming: &[Incoming<'_>],
) -> (Vec<Option<String>>, Vec<String>) {
    let mut keys: Vec<Option<String>> = incoming.iter().map(|p| p.key.map(str::to_owned)).collect();
    let mut taken: HashSet<&str> = incoming.iter().filter_map(|p| p.key).collect();
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (i, p) in incoming
        .iter()
        .enumerate()
        .filter(|(i, _)| keys[*i].is_none())
    {
        for (j, old) in previous
            .iter()
            .enumerate()
            .filter(|(_, o)| !taken.contains(o.key))
        {
            let s = similarity(old.text, p.text);
            let same_number = old.number == p.number;
            if s >= 0.6 || (same_number && s >= 0.35) {
                candidates.push((s + if same_number { 0.05 } else { 0.0 }, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, i, j) in candidates {
        let key = previous[j].key;
        if keys[i].is_none() && !taken.contains(key) {
            keys[i] = Some(key.to_owned());
            taken.insert(key);
        }
    }
    let removed = previous
        .iter()
        .filter(|p| !taken.contains(p.key))
        .map(|p| p.key.to_owned())
        .collect();
    (keys, removed)
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?");
    format!("{cpu}, {cores} cores, load {load} at start")
}
