//! Schedule solver benchmark: an IGF-sized problem (default 1,000 sessions, 20 rooms,
//! 6 days of ten 50-minute slots with 10-minute breaks: 1,200 cells, 83% full), solved by
//! the solver the API runs (`indaba::events::solver`), timed, and checked against every
//! hard constraint; prints the quality of the answer (sessions without a place, track
//! overlaps, sub-theme pairs against a lower bound).
//!
//! cargo build --release -p indaba-tests --bin schedulebench
//! target/release/schedulebench [--sessions 1000] [--rooms 20] [--days 6] [--runs 3]
//!
//! The problem is generated from a fixed seed, so every run solves the same one:
//! 3–4 speakers and a moderator per session, drawn from a pool where a fifth of the
//! speakers are in several sessions; 12 tracks of 20–30 sessions; 8 sub-themes; an
//! expected audience for every session (most under 60, a few up to 1,000); 5% needing
//! interpretation (4 rooms have it), 70% hybrid or online (16 rooms have remote
//! participation); 40 sessions pinned in place; 150 speakers away for one day.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use indaba::events::solver::{
    solve, FixedSpec, Problem, RoomSpec, SessionSpec, Solution, TimeSlot, Unavailable,
};

/// A small deterministic generator (xorshift64*), so the problem is the same each run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn grid(days: usize) -> Vec<TimeSlot> {
    let first = NaiveDate::from_ymd_opt(2026, 11, 9).unwrap_or_default();
    let mut slots = vec![];
    for d in 0..days as i64 {
        let day = first + Duration::days(d);
        for k in 0..10 {
            let starts = day.and_hms_opt(7, 0, 0).unwrap_or_default() + Duration::minutes(60 * k);
            slots.push(TimeSlot {
                starts,
                ends: starts + Duration::minutes(50),
            });
        }
    }
    slots
}

fn problem(sessions: usize, rooms: usize, days: usize) -> Problem {
    let mut rng = Rng(0x1DBA_2026);
    let slots = grid(days);
    let room_specs: Vec<RoomSpec> = (0..rooms)
        .map(|i| RoomSpec {
            id: i as i64 + 1,
            capacity: match i {
                0 => 1000,
                1..=3 => 500,
                4..=7 => 200,
                8..=13 => 80,
                _ => 40,
            },
            interpretation: i < 4,
            remote: i < rooms * 4 / 5,
        })
        .collect();
    // A pool where a fifth of the speakers are "frequent" and speak several times.
    let pool = sessions * 3;
    let frequent = pool / 5;
    let person = |rng: &mut Rng| -> String {
        if rng.below(4) == 0 {
            format!(
                "email:frequent{}@example.org",
                rng.below(frequent as u64 / 4)
            )
        } else {
            format!("email:speaker{}@example.org", rng.below(pool as u64))
        }
    };
    let mut specs = vec![];
    for i in 0..sessions {
        let mut people: Vec<String> = (0..3 + rng.below(2)).map(|_| person(&mut rng)).collect();
        people.push(format!("name:moderator {i}"));
        people.sort();
        people.dedup();
        let audience = match rng.below(100) {
            0..=69 => 15 + rng.below(45),
            70..=89 => 60 + rng.below(140),
            90..=97 => 200 + rng.below(300),
            _ => 500 + rng.below(500),
        } as i32;
        specs.push(SessionSpec {
            id: i as i64 + 1,
            people,
            // Tracks of about 25 sessions: 12 tracks over the first 300 sessions.
            track: if i < 300 {
                format!("track {}", i % 12)
            } else {
                String::new()
            },
            subtheme: format!("sub-theme {}", rng.below(8)),
            audience: Some(audience),
            needs_interpretation: rng.below(100) < 5,
            needs_remote: rng.below(100) < 70,
        });
    }
    // 40 sessions are pinned by the organisers (the opening, main sessions...): kept out
    // of the problem, they hold their room and people.
    let mut fixed = vec![];
    for k in 0..40.min(sessions / 10) {
        let s = specs.remove(specs.len() - 1);
        let slot = slots[(k * 7) % slots.len()];
        fixed.push(FixedSpec {
            room_id: (k % rooms) as i64 + 1,
            starts: Some(slot.starts),
            ends: Some(slot.ends),
            people: s.people,
            track: s.track,
            subtheme: s.subtheme,
        });
    }
    let first: NaiveDateTime = slots[0].starts;
    let unavailable = (0..150)
        .map(|_| {
            let day = rng.below(days as u64) as i64;
            Unavailable {
                person: person(&mut rng),
                from: first + Duration::days(day),
                to: first + Duration::days(day) + Duration::hours(12),
            }
        })
        .collect();
    Problem {
        slots,
        rooms: room_specs,
        sessions: specs,
        fixed,
        unavailable,
    }
}

/// Every hard constraint, checked on the answer: the count of violations (must be 0).
fn hard_violations(p: &Problem, s: &Solution) -> usize {
    let mut bad = 0;
    let rooms: HashMap<i64, &RoomSpec> = p.rooms.iter().map(|r| (r.id, r)).collect();
    let specs: HashMap<i64, &SessionSpec> = p.sessions.iter().map(|x| (x.id, x)).collect();
    let mut cells = HashSet::new();
    let mut busy = HashSet::new();
    for f in &p.fixed {
        for (t, slot) in p.slots.iter().enumerate() {
            if let (Some(a), Some(b)) = (f.starts, f.ends) {
                if slot.starts < b && a < slot.ends {
                    cells.insert((t, f.room_id));
                    for person in &f.people {
                        busy.insert((t, person.clone()));
                    }
                }
            }
        }
    }
    for x in &s.placed {
        let (Some(spec), Some(room)) = (specs.get(&x.session_id), rooms.get(&x.room_id)) else {
            bad += 1;
            continue;
        };
        bad += usize::from(!cells.insert((x.slot, x.room_id)));
        bad += usize::from(spec.audience.is_some_and(|a| a > room.capacity));
        bad += usize::from(spec.needs_interpretation && !room.interpretation);
        bad += usize::from(spec.needs_remote && !room.remote);
        let slot = p.slots[x.slot];
        for person in &spec.people {
            bad += usize::from(!busy.insert((x.slot, person.clone())));
            bad += p
                .unavailable
                .iter()
                .filter(|u| &u.person == person && slot.starts < u.to && u.from < slot.ends)
                .count();
        }
    }
    bad
}

/// The fewest sub-theme pairs any schedule with these sessions per slot could have
/// (each slot's sessions spread over the sub-themes as evenly as possible).
fn subtheme_lower_bound(s: &Solution, subthemes: usize, slots: usize) -> usize {
    let mut per_slot = vec![0usize; slots];
    for x in &s.placed {
        per_slot[x.slot] += 1;
    }
    per_slot
        .iter()
        .map(|&n| {
            let (q, r) = (n / subthemes, n % subthemes);
            r * (q + 1) * q / 2 + (subthemes - r) * q * q.saturating_sub(1) / 2
        })
        .sum()
}

fn main() {
    let (sessions, rooms, days, runs) = (
        arg("--sessions", 1000),
        arg("--rooms", 20),
        arg("--days", 6),
        arg("--runs", 3).max(1),
    );
    let p = problem(sessions, rooms, days);
    println!(
        "problem: {} sessions to place, {} pinned, {} rooms, {} slots ({} cells), {} unavailable times",
        p.sessions.len(),
        p.fixed.len(),
        p.rooms.len(),
        p.slots.len(),
        p.slots.len() * p.rooms.len(),
        p.unavailable.len()
    );
    let mut times = vec![];
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let s = solve(&p);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if let Some(prev) = &last {
            assert_eq!(prev, &s, "the solver is deterministic");
        }
        last = Some(s);
    }
    let Some(s) = last else { return };
    times.sort_by(|a, b| a.total_cmp(b));
    let no_room = s
        .unplaced
        .iter()
        .filter(|(_, why)| *why == indaba::events::solver::Unplaced::NoSuitableRoom)
        .count();
    println!(
        "solve: median {:.0} ms, min {:.0} ms, max {:.0} ms over {runs} runs",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    println!(
        "placed: {} of {}; without a place: {} ({} for want of a suitable room)",
        s.placed.len(),
        p.sessions.len(),
        s.unplaced.len(),
        no_room
    );
    println!(
        "hard violations: {}; track overlaps: {} slots; sub-theme pairs: {} (lower bound {}); cost {}",
        hard_violations(&p, &s),
        s.track_overlaps.len(),
        s.subtheme_pairs,
        subtheme_lower_bound(&s, 8, p.slots.len()),
        s.cost
    );
}
