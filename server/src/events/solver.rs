//! A schedule that builds itself: accepted sessions into rooms and time slots with no
//! hard violation and the fewest soft ones. Pure computation over plain values (no
//! database, no clock), so that it runs outside any transaction and a benchmark can call
//! it directly.
//!
//! Hard constraints, never broken: one session per room and slot; no person (speaker or
//! moderator) in two sessions at once, counting the sessions already placed; the
//! expected audience fits the room; a session that needs interpretation gets a room
//! with it, an online or hybrid one a room with remote participation; no session when
//! one of its people is unavailable; only the slots of the day windows asked for.
//! Soft: two sessions of one track at once (weight 10 each); two of one sub-theme at
//! once (weight 1, so that a sub-theme's audience can follow most of it).
//!
//! Method: sessions go in, most constrained first, each to the feasible slot of least
//! added cost (the emptiest slot on a tie, so days fill evenly) and the smallest room
//! that suits it; then passes of improvement until one changes nothing: a session that
//! found no place takes a cell whose session can move elsewhere, and a session with a
//! cost moves where it costs less. Deterministic: the same problem gives the same
//! schedule.

use std::collections::HashMap;

use chrono::NaiveDateTime;

/// One time slot of the grid (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSlot {
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
}

impl TimeSlot {
    fn overlaps(&self, from: NaiveDateTime, to: NaiveDateTime) -> bool {
        self.starts < to && from < self.ends
    }
}

#[derive(Debug, Clone)]
pub struct RoomSpec {
    pub id: i64,
    pub capacity: i32,
    pub interpretation: bool,
    /// Remote participation (the room has a remote link).
    pub remote: bool,
}

/// A session to place.
#[derive(Debug, Clone, Default)]
pub struct SessionSpec {
    pub id: i64,
    /// Its speakers and moderator, as `session_people` names them.
    pub people: Vec<String>,
    /// Empty: no track.
    pub track: String,
    pub subtheme: String,
    pub audience: Option<i32>,
    pub needs_interpretation: bool,
    pub needs_remote: bool,
}

/// A session that keeps its place (pinned, or kept when only the unscheduled are
/// placed): its room and people are taken for its time.
#[derive(Debug, Clone, Default)]
pub struct FixedSpec {
    pub room_id: i64,
    pub starts: Option<NaiveDateTime>,
    pub ends: Option<NaiveDateTime>,
    pub people: Vec<String>,
    pub track: String,
    pub subtheme: String,
}

/// A time a person cannot speak.
#[derive(Debug, Clone)]
pub struct Unavailable {
    pub person: String,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct Problem {
    pub slots: Vec<TimeSlot>,
    pub rooms: Vec<RoomSpec>,
    pub sessions: Vec<SessionSpec>,
    pub fixed: Vec<FixedSpec>,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub session_id: i64,
    pub room_id: i64,
    /// Index into `Problem::slots`.
    pub slot: usize,
}

/// Why a session found no place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unplaced {
    /// No room is large enough or has the facilities it needs.
    NoSuitableRoom,
    /// Its people are unavailable at every slot.
    PeopleUnavailable,
    /// Every slot where it could go is taken, or one of its people is elsewhere then.
    NoFreeSlot,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    pub placed: Vec<Placement>,
    pub unplaced: Vec<(i64, Unplaced)>,
    /// Sessions of one track at the same slot: (slot, the sessions' ids), two or more.
    pub track_overlaps: Vec<(usize, Vec<i64>)>,
    /// Pairs of sessions of one sub-theme at the same slot.
    pub subtheme_pairs: usize,
    /// The soft cost: 10 per track pair at once, 1 per sub-theme pair.
    pub cost: u64,
}

const TRACK_WEIGHT: u64 = 10;
const FREE: u32 = u32::MAX;
const FIXED: u32 = u32::MAX - 1;

/// Strings to small numbers, for flat tables.
#[derive(Default)]
struct Names(HashMap<String, usize>);

impl Names {
    fn of(&mut self, s: &str) -> usize {
        let n = self.0.len();
        *self.0.entry(s.to_owned()).or_insert(n)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// A session as the solver works on it.
struct Item {
    people: Vec<usize>,
    track: Option<usize>,
    subtheme: usize,
    /// Suitable rooms, smallest first.
    rooms: Vec<usize>,
    /// Slots none of its people is unavailable at.
    slots: Vec<usize>,
}

struct State {
    r: usize,
    p: usize,
    k: usize,
    s: usize,
    /// `cell[t * r + room]`: FREE, FIXED or the item there.
    cell: Vec<u32>,
    /// `busy[t * p + person]`: sessions the person is in at slot t.
    busy: Vec<u16>,
    tracks: Vec<u16>,
    subthemes: Vec<u16>,
    /// Sessions at each slot (to fill days evenly).
    load: Vec<u32>,
    at: Vec<Option<(usize, usize)>>,
}

impl State {
    fn free_for(&self, it: &Item, t: usize) -> bool {
        it.people.iter().all(|&p| self.busy[t * self.p + p] == 0)
    }

    /// The soft cost of `it` at slot `t`, the others there as they are.
    fn cost(&self, it: &Item, t: usize) -> u64 {
        let track = it
            .track
            .map_or(0, |k| u64::from(self.tracks[t * self.k + k]) * TRACK_WEIGHT);
        track + u64::from(self.subthemes[t * self.s + it.subtheme])
    }

    fn room_for(&self, it: &Item, t: usize) -> Option<usize> {
        it.rooms
            .iter()
            .copied()
            .find(|&room| self.cell[t * self.r + room] == FREE)
    }

    fn put(&mut self, i: usize, it: &Item, t: usize, room: usize) {
        self.cell[t * self.r + room] = i as u32;
        self.mark(it, t, 1);
        self.at[i] = Some((t, room));
    }

    fn take(&mut self, i: usize, it: &Item) -> Option<(usize, usize)> {
        let (t, room) = self.at[i].take()?;
        self.cell[t * self.r + room] = FREE;
        self.mark(it, t, -1);
        Some((t, room))
    }

    fn mark(&mut self, it: &Item, t: usize, by: i32) {
        let bump = |v: &mut u16| *v = (i32::from(*v) + by).max(0) as u16;
        for &p in &it.people {
            bump(&mut self.busy[t * self.p + p]);
        }
        if let Some(k) = it.track {
            bump(&mut self.tracks[t * self.k + k]);
        }
        bump(&mut self.subthemes[t * self.s + it.subtheme]);
        self.load[t] = (i64::from(self.load[t]) + i64::from(by)).max(0) as u32;
    }

    /// The best free cell for `it`: least cost, then emptiest slot, then earliest.
    fn best(&self, it: &Item) -> Option<(u64, usize, usize)> {
        let mut best: Option<(u64, u32, usize, usize)> = None;
        for &t in &it.slots {
            if !self.free_for(it, t) {
                continue;
            }
            let Some(room) = self.room_for(it, t) else {
                continue;
            };
            let key = (self.cost(it, t), self.load[t], t, room);
            if best.is_none_or(|b| (key.0, key.1, key.2) < (b.0, b.1, b.2)) {
                best = Some(key);
            }
        }
        best.map(|(c, _, t, room)| (c, t, room))
    }
}

pub fn solve(problem: &Problem) -> Solution {
    let (t_n, r_n) = (problem.slots.len(), problem.rooms.len());
    let mut people = Names::default();
    let mut tracks = Names::default();
    let mut subthemes = Names::default();
    let unavailable: Vec<(usize, NaiveDateTime, NaiveDateTime)> = problem
        .unavailable
        .iter()
        .map(|u| (people.of(&u.person), u.from, u.to))
        .collect();
    let items: Vec<Item> = problem
        .sessions
        .iter()
        .map(|s| {
            let ps: Vec<usize> = s.people.iter().map(|p| people.of(p)).collect();
            let mut rooms: Vec<usize> = (0..r_n)
                .filter(|&i| {
                    let room = &problem.rooms[i];
                    s.audience.is_none_or(|a| a <= room.capacity)
                        && (!s.needs_interpretation || room.interpretation)
                        && (!s.needs_remote || room.remote)
                })
                .collect();
            rooms.sort_by_key(|&i| (problem.rooms[i].capacity, i));
            let slots = (0..t_n)
                .filter(|&t| {
                    !unavailable.iter().any(|(p, from, to)| {
                        ps.contains(p) && problem.slots[t].overlaps(*from, *to)
                    })
                })
                .collect();
            Item {
                track: (!s.track.trim().is_empty()).then(|| tracks.of(s.track.trim())),
                subtheme: subthemes.of(s.subtheme.trim()),
                people: ps,
                rooms,
                slots,
            }
        })
        .collect();
    let fixed: Vec<(Item, Vec<usize>, Option<usize>)> = problem
        .fixed
        .iter()
        .map(|f| {
            let overlapping: Vec<usize> = match (f.starts, f.ends) {
                (Some(a), Some(b)) => (0..t_n)
                    .filter(|&t| problem.slots[t].overlaps(a, b))
                    .collect(),
                _ => vec![],
            };
            let item = Item {
                people: f.people.iter().map(|p| people.of(p)).collect(),
                track: (!f.track.trim().is_empty()).then(|| tracks.of(f.track.trim())),
                subtheme: subthemes.of(f.subtheme.trim()),
                rooms: vec![],
                slots: vec![],
            };
            let room = problem.rooms.iter().position(|r| r.id == f.room_id);
            (item, overlapping, room)
        })
        .collect();
    let (p_n, k_n, s_n) = (
        people.len().max(1),
        tracks.len().max(1),
        subthemes.len().max(1),
    );
    let mut st = State {
        r: r_n,
        p: p_n,
        k: k_n,
        s: s_n,
        cell: vec![FREE; t_n * r_n],
        busy: vec![0; t_n * p_n],
        tracks: vec![0; t_n * k_n],
        subthemes: vec![0; t_n * s_n],
        load: vec![0; t_n],
        at: vec![None; items.len()],
    };
    for (item, overlapping, room) in &fixed {
        for &t in overlapping {
            if let Some(room) = room {
                st.cell[t * st.r + room] = FIXED;
            }
            st.mark(item, t, 1);
        }
    }

    // Most constrained first: fewest (room, slot) pairs, then most people.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| {
        let it = &items[i];
        (
            it.rooms.len() * it.slots.len(),
            usize::MAX - it.people.len(),
            i,
        )
    });
    for &i in &order {
        if let Some((_, t, room)) = st.best(&items[i]) {
            st.put(i, &items[i], t, room);
        }
    }

    // Improve until a pass changes nothing (bounded, so the answer comes in seconds).
    for _ in 0..50 {
        let mut changed = false;
        for &i in &order {
            if st.at[i].is_none() && eject_for(&mut st, &items, i) {
                changed = true;
            }
        }
        for &i in &order {
            let Some((t, _)) = st.at[i] else { continue };
            let now = st.cost(&items[i], t) - own_share(&items[i]);
            if now == 0 {
                continue;
            }
            let from = st.take(i, &items[i]);
            match (st.best(&items[i]), from) {
                (Some((c, t2, room)), _) if c < now => {
                    st.put(i, &items[i], t2, room);
                    changed = true;
                }
                (_, Some((t, room))) => st.put(i, &items[i], t, room),
                _ => {}
            }
        }
        if !changed {
            break;
        }
    }

    let mut placed = vec![];
    let mut unplaced = vec![];
    for (i, s) in problem.sessions.iter().enumerate() {
        match st.at[i] {
            Some((t, room)) => placed.push(Placement {
                session_id: s.id,
                room_id: problem.rooms[room].id,
                slot: t,
            }),
            None => {
                let it = &items[i];
                let why = if it.rooms.is_empty() {
                    Unplaced::NoSuitableRoom
                } else if it.slots.is_empty() {
                    Unplaced::PeopleUnavailable
                } else {
                    Unplaced::NoFreeSlot
                };
                unplaced.push((s.id, why));
            }
        }
    }
    let (track_overlaps, subtheme_pairs) = overlaps(problem, &items, &st);
    let track_pairs: usize = track_overlaps
        .iter()
        .map(|(_, ids)| ids.len() * (ids.len() - 1) / 2)
        .sum();
    Solution {
        placed,
        unplaced,
        track_overlaps,
        subtheme_pairs,
        cost: track_pairs as u64 * TRACK_WEIGHT + subtheme_pairs as u64,
    }
}

/// What `it` adds to the cost of its own slot by being counted there: its own track
/// and sub-theme marks, which are no pair.
fn own_share(it: &Item) -> u64 {
    it.track.map_or(0, |_| TRACK_WEIGHT) + 1
}

/// Finds `i` a cell held by a session that can move to a free cell elsewhere; moves it
/// and puts `i` there. Answers whether it did.
fn eject_for(st: &mut State, items: &[Item], i: usize) -> bool {
    let it = &items[i];
    for &t in &it.slots {
        if !st.free_for(it, t) {
            continue;
        }
        for &room in &it.rooms {
            let held = st.cell[t * st.r + room];
            if held == FREE || held == FIXED {
                continue;
            }
            let u = held as usize;
            let Some(from) = st.take(u, &items[u]) else {
                continue;
            };
            // `i` must still fit there without `u`, and `u` must find a place elsewhere
            // with `i` in.
            st.put(i, it, t, room);
            match st.best(&items[u]) {
                Some((_, t2, r2)) => {
                    st.put(u, &items[u], t2, r2);
                    return true;
                }
                None => {
                    st.take(i, it);
                    st.put(u, &items[u], from.0, from.1);
                }
            }
        }
    }
    false
}

/// Track overlaps (slot, sessions) and the number of sub-theme pairs at one slot.
fn overlaps(problem: &Problem, items: &[Item], st: &State) -> (Vec<(usize, Vec<i64>)>, usize) {
    let mut by_track: HashMap<(usize, usize), Vec<i64>> = HashMap::new();
    let mut by_subtheme: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        let Some((t, _)) = st.at[i] else { continue };
        if let Some(k) = it.track {
            by_track
                .entry((t, k))
                .or_default()
                .push(problem.sessions[i].id);
        }
        *by_subtheme.entry((t, it.subtheme)).or_default() += 1;
    }
    let mut tracks: Vec<(usize, Vec<i64>)> = by_track
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|((t, _), mut ids)| {
            ids.sort_unstable();
            (t, ids)
        })
        .collect();
    tracks.sort();
    let pairs = by_subtheme
        .values()
        .map(|n| n * n.saturating_sub(1) / 2)
        .sum();
    (tracks, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    fn at(h: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap()
            + Duration::hours(h)
    }

    fn slots(n: i64) -> Vec<TimeSlot> {
        (0..n)
            .map(|h| TimeSlot {
                starts: at(9 + h),
                ends: at(10 + h),
            })
            .collect()
    }

    fn room(id: i64, capacity: i32) -> RoomSpec {
        RoomSpec {
            id,
            capacity,
            interpretation: false,
            remote: true,
        }
    }

    fn session(id: i64, people: &[&str]) -> SessionSpec {
        SessionSpec {
            id,
            people: people.iter().map(|p| p.to_string()).collect(),
            subtheme: format!("theme {id}"),
            ..SessionSpec::default()
        }
    }

    /// Every hard constraint, checked on the answer.
    fn assert_valid(p: &Problem, s: &Solution) {
        let mut cells = std::collections::HashSet::new();
        let mut busy = std::collections::HashSet::new();
        for x in &s.placed {
            assert!(cells.insert((x.slot, x.room_id)), "room used twice: {x:?}");
            let spec = p.sessions.iter().find(|q| q.id == x.session_id).unwrap();
            let r = p.rooms.iter().find(|r| r.id == x.room_id).unwrap();
            assert!(spec.audience.is_none_or(|a| a <= r.capacity), "{x:?}");
            assert!(!spec.needs_interpretation || r.interpretation, "{x:?}");
            assert!(!spec.needs_remote || r.remote, "{x:?}");
            let slot = p.slots[x.slot];
            for person in &spec.people {
                assert!(
                    busy.insert((x.slot, person.clone())),
                    "{person} twice at {x:?}"
                );
                for u in p.unavailable.iter().filter(|u| &u.person == person) {
                    assert!(!slot.overlaps(u.from, u.to), "{person} unavailable: {x:?}");
                }
                for f in p.fixed.iter().filter(|f| f.people.contains(person)) {
                    assert!(!slot.overlaps(f.starts.unwrap(), f.ends.unwrap()), "{x:?}");
                }
            }
            for f in p.fixed.iter().filter(|f| f.room_id == x.room_id) {
                assert!(!slot.overlaps(f.starts.unwrap(), f.ends.unwrap()), "{x:?}");
            }
        }
        assert_eq!(s.placed.len() + s.unplaced.len(), p.sessions.len());
    }

    #[test]
    fn no_one_is_in_two_places() {
        let mut p = Problem {
            slots: slots(1),
            rooms: vec![room(1, 50), room(2, 50)],
            sessions: vec![session(1, &["ana"]), session(2, &["ana", "kofi"])],
            ..Problem::default()
        };
        let s = solve(&p);
        assert_valid(&p, &s);
        assert_eq!(s.placed.len(), 1);
        assert_eq!(s.unplaced[0].1, Unplaced::NoFreeSlot);
        p.slots = slots(2);
        let s = solve(&p);
        assert_valid(&p, &s);
        assert!(s.unplaced.is_empty());
        assert_ne!(s.placed[0].slot, s.placed[1].slot);
    }

    #[test]
    fn rooms_fit_the_audience_and_the_needs() {
        let mut small = room(1, 100);
        small.interpretation = true;
        let mut big = room(2, 500);
        big.remote = false;
        let mut crowd = session(1, &["a"]);
        crowd.audience = Some(300);
        let mut huge = session(2, &["b"]);
        huge.audience = Some(1000);
        let mut interpreted = session(3, &["c"]);
        interpreted.needs_interpretation = true;
        let mut hybrid = session(4, &["d"]);
        hybrid.needs_remote = true;
        hybrid.audience = Some(200);
        let p = Problem {
            slots: slots(3),
            rooms: vec![small, big],
            sessions: vec![crowd, huge, interpreted, hybrid],
            ..Problem::default()
        };
        let s = solve(&p);
        assert_valid(&p, &s);
        let room_of = |id| {
            s.placed
                .iter()
                .find(|x| x.session_id == id)
                .map(|x| x.room_id)
        };
        assert_eq!(room_of(1), Some(2));
        assert_eq!(room_of(3), Some(1));
        assert!(s.unplaced.contains(&(2, Unplaced::NoSuitableRoom)));
        assert!(s.unplaced.contains(&(4, Unplaced::NoSuitableRoom)));
    }

    #[test]
    fn pinned_sessions_and_unavailable_people_are_respected() {
        let p = Problem {
            slots: slots(3),
            rooms: vec![room(1, 50)],
            sessions: vec![session(1, &["ana"]), session(2, &["kofi"])],
            fixed: vec![FixedSpec {
                room_id: 1,
                starts: Some(at(9)),
                ends: Some(at(10)),
                people: vec!["lin".into()],
                ..FixedSpec::default()
            }],
            unavailable: vec![Unavailable {
                person: "ana".into(),
                from: at(10),
                to: at(11),
            }],
        };
        let s = solve(&p);
        assert_valid(&p, &s);
        assert!(s.unplaced.is_empty(), "{s:?}");
        let slot_of = |id| s.placed.iter().find(|x| x.session_id == id).unwrap().slot;
        assert_eq!(slot_of(1), 2, "ana is away at 10:00 and 09:00 is pinned");
        assert_eq!(slot_of(2), 1);
        let away = Problem {
            unavailable: vec![Unavailable {
                person: "ana".into(),
                from: at(0),
                to: at(24),
            }],
            ..p
        };
        assert!(solve(&away)
            .unplaced
            .contains(&(1, Unplaced::PeopleUnavailable)));
    }

    #[test]
    fn one_track_is_not_run_in_parallel_when_it_can_be_helped() {
        let mut sessions: Vec<SessionSpec> = (1..=4).map(|i| session(i, &[])).collect();
        for s in &mut sessions {
            s.track = "Youth".into();
        }
        let p = Problem {
            slots: slots(4),
            rooms: vec![room(1, 50), room(2, 50)],
            sessions,
            ..Problem::default()
        };
        let s = solve(&p);
        assert_valid(&p, &s);
        assert!(s.track_overlaps.is_empty(), "{s:?}");
        assert_eq!(s.cost, 0);
        // Five in four slots: one overlap at least, and it is reported.
        let mut more = p.clone();
        more.sessions.push(SessionSpec {
            track: "Youth".into(),
            ..session(5, &[])
        });
        let s = solve(&more);
        assert_valid(&more, &s);
        assert_eq!(s.track_overlaps.len(), 1, "{s:?}");
        assert_eq!(s.cost, TRACK_WEIGHT);
    }

    #[test]
    fn the_most_constrained_session_chooses_first() {
        // The big session has one possible cell (its speaker is away at 10:00); the
        // small one, with more people, has two. Placed in the order given, the small one
        // would take 09:00 and leave the big one out.
        let mut big = session(1, &["ana"]);
        big.audience = Some(400);
        let mut small = session(2, &["kofi", "lin", "mo"]);
        small.audience = Some(10);
        let p = Problem {
            slots: slots(2),
            rooms: vec![room(1, 500)],
            sessions: vec![big, small],
            unavailable: vec![Unavailable {
                person: "ana".into(),
                from: at(10),
                to: at(11),
            }],
            ..Problem::default()
        };
        let s = solve(&p);
        assert_valid(&p, &s);
        assert!(s.unplaced.is_empty(), "{s:?}");
    }

    #[test]
    fn a_large_problem_is_valid_and_the_same_every_time() {
        // 300 sessions, 8 rooms, 45 slots; people shared across sessions.
        let rooms: Vec<RoomSpec> = (0..8).map(|i| room(i, 40 + 40 * i as i32)).collect();
        let sessions: Vec<SessionSpec> = (0..300)
            .map(|i| SessionSpec {
                id: i,
                people: vec![format!("p{}", i % 97), format!("q{}", (i * 7) % 131)],
                track: if i % 10 == 0 {
                    "Parliamentary".into()
                } else {
                    String::new()
                },
                subtheme: format!("t{}", i % 6),
                audience: Some(20 + (i as i32 * 13) % 300),
                needs_interpretation: false,
                needs_remote: i % 4 == 0,
            })
            .collect();
        let p = Problem {
            slots: slots(45),
            rooms,
            sessions,
            ..Problem::default()
        };
        let a = solve(&p);
        assert_valid(&p, &a);
        assert!(a.unplaced.is_empty(), "{:?}", a.unplaced);
        assert!(a.track_overlaps.is_empty(), "{:?}", a.track_overlaps);
        assert_eq!(a, solve(&p));
    }
}
