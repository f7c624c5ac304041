//! Planning the schedule: each session's constraints, the speakers' unavailable times,
//! and a proposed schedule computed by `solver` and, when asked, written. The solver
//! runs on a blocking thread between a read and a write transaction; the write checks
//! that the schedule did not change meanwhile, so the transaction only writes.

use std::collections::HashMap;
use std::time::Instant;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::db::{Db, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::events::planning::{
    self, Planning, PlanningView, ProposalRequest, Unavailability, UnavailableView,
};
use crate::events::schedule::{self, Slot};
use crate::events::solver::{self, Problem, RoomSpec, Unplaced};
use crate::events::store;
use crate::policy::guards::events::{EventOrganizer, SessionOrganizer};

pub async fn planning(db: &Db, org: &SessionOrganizer) -> ApiResult<PlanningView> {
    let session_id = org.session.id;
    let planning = db.run(move |conn| planning::get(conn, session_id)).await?;
    Ok(PlanningView {
        session_id,
        planning,
    })
}

pub async fn set_planning(
    db: &Db,
    org: &SessionOrganizer,
    planning: Planning,
) -> ApiResult<PlanningView> {
    let session_id = org.session.id;
    let p = planning.clone();
    db.tx(move |tx| planning::set(tx, session_id, &p)).await?;
    Ok(PlanningView {
        session_id,
        planning,
    })
}

pub async fn unavailability(db: &Db, org: &EventOrganizer) -> ApiResult<Vec<UnavailableView>> {
    let event_id = org.event.id;
    db.run(move |conn| planning::unavailability(conn, event_id))
        .await
}

pub async fn set_unavailability(
    db: &Db,
    org: &EventOrganizer,
    list: Unavailability,
) -> ApiResult<Vec<UnavailableView>> {
    let event_id = org.event.id;
    db.tx(move |tx| {
        planning::replace_unavailability(tx, event_id, &list)?;
        planning::unavailability(tx, event_id)
    })
    .await
}

/// Why a session found no place, for the organisers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// No room is large enough for the expected audience or has the facilities needed.
    NoSuitableRoom,
    /// Its speakers are unavailable at every slot.
    PeopleUnavailable,
    /// Every slot it could take is full, or one of its people is elsewhere then.
    NoFreeSlot,
}

impl From<Unplaced> for UnplacedReason {
    fn from(u: Unplaced) -> Self {
        match u {
            Unplaced::NoSuitableRoom => UnplacedReason::NoSuitableRoom,
            Unplaced::PeopleUnavailable => UnplacedReason::PeopleUnavailable,
            Unplaced::NoFreeSlot => UnplacedReason::NoFreeSlot,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PlacedView {
    pub session_id: i64,
    pub title: String,
    pub room_id: i64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UnplacedView {
    pub session_id: i64,
    pub title: String,
    pub reason: UnplacedReason,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TrackOverlapView {
    pub starts_at: Timestamp,
    pub session_ids: Vec<i64>,
}

/// A proposed schedule: where each session goes, which found no place and why, and
/// what soft constraints it could not keep. No hard constraint is ever broken.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ScheduleProposal {
    /// The kept proposal, to apply by `POST …/schedule/proposal/{id}/apply`; null when
    /// it was applied at once.
    pub id: Option<i64>,
    /// Whether it was written into the schedule.
    pub applied: bool,
    /// Slots in the grid (each in every room).
    pub slots: usize,
    pub placed: Vec<PlacedView>,
    pub unplaced: Vec<UnplacedView>,
    /// Sessions of one track at the same time (soft: avoided where possible).
    pub track_overlaps: Vec<TrackOverlapView>,
    /// Pairs of sessions of one sub-theme at the same time (soft, weight 1).
    pub subtheme_pairs: usize,
    /// 10 per pair of one track at once, 1 per pair of one sub-theme.
    pub cost: u64,
    /// How long the solver took.
    pub solve_ms: u64,
}

/// What the solver is given, read in one go: the event, the problem, the sessions'
/// titles, the schedule's fingerprint (to write only if unchanged) and the grid.
pub struct Read {
    pub event: store::EventRow,
    pub problem: Problem,
    pub titles: HashMap<i64, String>,
    pub fingerprint: String,
    pub grid: Vec<solver::TimeSlot>,
}

pub fn read_problem(
    conn: &mut crate::db::DbConn,
    event_id: i64,
    req: &ProposalRequest,
) -> ApiResult<Read> {
    let reschedule = req.reschedule;
    let event = store::resolve(conn, &event_id.to_string())?;
    let grid = req.slots(&event)?;
    let rooms = store::rooms_of(conn, event_id)?
        .into_iter()
        .map(|r| RoomSpec {
            id: r.id,
            capacity: r.capacity,
            interpretation: r.interpretation,
            remote: r.remote_link.is_some(),
        })
        .collect();
    let sessions = planning::sessions_of(conn, event_id)?;
    // Kept: pinned sessions, and every scheduled one unless rescheduling.
    let (kept, free): (Vec<_>, Vec<_>) = sessions
        .iter()
        .partition(|s| s.row.starts_at.is_some() && (s.planning.pinned || !reschedule));
    let problem = Problem {
        slots: grid.clone(),
        rooms,
        sessions: free.iter().map(|s| s.spec()).collect(),
        fixed: kept.iter().filter_map(|s| s.fixed()).collect(),
        unavailable: planning::unavailable_specs(conn, event_id)?,
    };
    let titles: HashMap<i64, String> = sessions
        .iter()
        .map(|s| (s.row.id, s.row.title.clone()))
        .collect();
    let fingerprint = schedule::fingerprint(conn, &event)?;
    Ok(Read {
        event,
        problem,
        titles,
        fingerprint,
        grid,
    })
}

/// Proposes a schedule for the event's sessions (and writes it when asked).
pub async fn propose(
    db: &Db,
    org: &EventOrganizer,
    req: ProposalRequest,
) -> ApiResult<ScheduleProposal> {
    let event_id = org.event.id;
    let (reschedule, apply, partial) = (req.reschedule, req.apply, req.partial);
    let read = db
        .run(move |conn| read_problem(conn, event_id, &req))
        .await?;
    let Read {
        event,
        problem,
        titles,
        fingerprint,
        grid,
    } = read;
    let started = Instant::now();
    let solution = tokio::task::spawn_blocking(move || solver::solve(&problem))
        .await
        .map_err(ApiError::internal)?;
    let solve_ms = started.elapsed().as_millis() as u64;
    let title = |id: &i64| titles.get(id).cloned().unwrap_or_default();
    let mut view = ScheduleProposal {
        id: None,
        applied: false,
        slots: grid.len(),
        placed: solution
            .placed
            .iter()
            .map(|p| PlacedView {
                session_id: p.session_id,
                title: title(&p.session_id),
                room_id: p.room_id,
                starts_at: Timestamp(grid[p.slot].starts),
                ends_at: Timestamp(grid[p.slot].ends),
            })
            .collect(),
        unplaced: solution
            .unplaced
            .iter()
            .map(|(id, why)| UnplacedView {
                session_id: *id,
                title: title(id),
                reason: (*why).into(),
            })
            .collect(),
        track_overlaps: solution
            .track_overlaps
            .iter()
            .map(|(t, ids)| TrackOverlapView {
                starts_at: Timestamp(grid[*t].starts),
                session_ids: ids.clone(),
            })
            .collect(),
        subtheme_pairs: solution.subtheme_pairs,
        cost: solution.cost,
        solve_ms,
    };
    if !partial && !view.unplaced.is_empty() {
        return Err(cannot_place(&view.unplaced));
    }
    if apply {
        write(db, event, fingerprint, &view, reschedule, None).await?;
        view.applied = true;
    } else {
        let body = serde_json::to_string(&view).map_err(ApiError::internal)?;
        let event_id = event.id;
        let id = db
            .tx(move |tx| planning::keep_proposal(tx, event_id, &fingerprint, reschedule, &body))
            .await?;
        view.id = Some(id);
    }
    Ok(view)
}

/// 422 naming each session that can be placed nowhere, and why.
fn cannot_place(unplaced: &[UnplacedView]) -> ApiError {
    let mut fields = FieldErrors::new();
    for u in unplaced {
        let why = match u.reason {
            UnplacedReason::NoSuitableRoom => {
                "no room is large enough or has the facilities it needs"
            }
            UnplacedReason::PeopleUnavailable => "its speakers are unavailable at every slot",
            UnplacedReason::NoFreeSlot => {
                "every slot it could take is full, or one of its people is elsewhere then"
            }
        };
        fields.insert(
            format!("sessions[{}]", u.session_id),
            format!("{}: {why}", u.title),
        );
    }
    let mut e = ApiError::validation(fields);
    e.message = format!(
        "{} session(s) can be placed nowhere under the hard constraints; send partial: true to place the rest",
        unplaced.len()
    );
    e
}

/// Applies a kept proposal: 409 when the schedule changed since it was computed, or
/// when it was applied already.
pub async fn apply(db: &Db, org: &EventOrganizer, id: i64) -> ApiResult<ScheduleProposal> {
    let event_id = org.event.id;
    let (event, kept) = db
        .run(move |conn| {
            let kept = planning::kept_proposal(conn, event_id, id)?;
            Ok((store::resolve(conn, &event_id.to_string())?, kept))
        })
        .await?;
    let mut view: ScheduleProposal =
        serde_json::from_str(&kept.body).map_err(ApiError::internal)?;
    write(
        db,
        event,
        kept.fingerprint,
        &view,
        kept.reschedule,
        Some(id),
    )
    .await?;
    view.applied = true;
    Ok(view)
}

/// Writes a proposal, unless the schedule changed since it was read (409: ask again), or
/// the kept proposal it is was applied already (409).
async fn write(
    db: &Db,
    event: store::EventRow,
    read_as: String,
    view: &ScheduleProposal,
    reschedule: bool,
    kept: Option<i64>,
) -> ApiResult<()> {
    let moves: Vec<(i64, Slot)> = view
        .placed
        .iter()
        .map(|p| {
            let slot = Slot {
                room_id: p.room_id,
                starts: p.starts_at.0,
                ends: p.ends_at.0,
            };
            (p.session_id, slot)
        })
        .collect();
    // Rescheduling frees every unpinned session: one that found no place leaves its slot.
    let out: Vec<i64> = match reschedule {
        true => view.unplaced.iter().map(|u| u.session_id).collect(),
        false => vec![],
    };
    db.tx(move |tx| {
        if let Some(id) = kept {
            if planning::kept_proposal(tx, event.id, id)?.applied {
                return Err(ApiError::new(
                    ErrorCode::AlreadyInState,
                    "this proposal was applied already",
                ));
            }
            planning::mark_applied(tx, id)?;
        }
        let now = store::resolve(tx, &event.id.to_string())?;
        if schedule::fingerprint(tx, &now)? != read_as {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "the schedule changed while the proposal was computed: ask for it again",
            ));
        }
        let rows: HashMap<i64, schedule::SessionRow> = schedule::all(tx, event.id)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        for id in out {
            if let Some(s) = rows.get(&id).filter(|s| s.starts_at.is_some()) {
                schedule::unplace(tx, s)?;
            }
        }
        for (id, slot) in moves {
            let Some(s) = rows.get(&id) else { continue };
            let same = s.room_id == Some(slot.room_id)
                && s.starts_at == Some(slot.starts)
                && s.ends_at == Some(slot.ends);
            if !same {
                schedule::place(tx, s, slot)?;
            }
        }
        Ok(())
    })
    .await
}
