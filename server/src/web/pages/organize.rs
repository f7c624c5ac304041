//! The organisers' pages: events (create, publish, call window, rooms), proposals with
//! their reviews and scores (review, accept, reject), and the schedule as a grid of rooms
//! by time in which a clash is refused and named.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use super::{failure, refuse, State};
use crate::db::Timestamp;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::command::{CreateEvent, EventInput, EventPatch, NewRoom, RoomInput, SlotInput};
use crate::events::evaluation::{CriterionInput, RankedView, Setup, SetupInput, SetupView};
use crate::events::planning::{ProposalRequest, ProposalRequestInput};
use crate::events::schedule::Slot;
use crate::events::types::{ProposalStatus, SessionType};
use crate::events::usecase;
use crate::events::usecase::planning::{ScheduleProposal, UnplacedReason};
use crate::events::usecase::sessions::Scheduled;
use crate::events::view::{ClashReason, Conflict, EventView, ProposalView, RoomView, SessionView};
use crate::http::page::{Page, MAX_LIMIT};
use crate::policy::guards::events::{EventOrganizer, SessionOrganizer};
use crate::policy::guards::Organizer;
use crate::web::forms::{FormData, PageErrors};
use crate::web::paging::{paginate, Pager};
use crate::web::session::{percent, Ctx};

/// Proposals on one page of the organiser's list.
const PROPOSALS_PAGE: usize = 25;

/// The grid's rows: half-hours from 08:00 to 20:00, venue time.
const GRID_FROM: u32 = 8;
const GRID_TO: u32 = 20;

/// One cell of the grid: the sessions that start in this half-hour in this room, and
/// whether an earlier one runs through it.
#[derive(Default)]
pub struct Cell {
    pub starting: Vec<(i64, String, String)>,
    pub busy: bool,
}

/// A venue-local date and time as the API's UTC instant.
fn utc(tz: chrono_tz::Tz, day: NaiveDate, time: &str) -> Option<String> {
    let t = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
    let local = tz
        .from_local_datetime(&NaiveDateTime::new(day, t))
        .earliest()?;
    Some(
        local
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    )
}

/// `datetime-local` (`2025-06-23T09:00`) in venue time as UTC.
fn utc_from_local(tz: chrono_tz::Tz, raw: &str) -> Option<String> {
    let (d, t) = raw.split_once('T')?;
    utc(
        tz,
        NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
        t.get(..5)?,
    )
}

#[derive(Template)]
#[template(path = "organize.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    events: Vec<EventView>,
    errors: PageErrors,
    form: FormData,
}

#[derive(Template)]
#[template(path = "organize_event.html")]
struct EventPage<'a> {
    c: &'a Ctx,
    e: EventView,
    /// The page of proposals the filters and pager chose.
    proposals: Vec<ProposalView>,
    pager: Pager,
    statuses: Vec<&'static str>,
    types: Vec<&'static str>,
    unscheduled: Vec<SessionView>,
    /// The sessions of the day shown, to move or take out of the schedule.
    scheduled: Vec<SessionView>,
    day: NaiveDate,
    days: Vec<NaiveDate>,
    times: Vec<String>,
    grid: Vec<Vec<Cell>>,
    errors: PageErrors,
    form: FormData,
    /// The schedule just proposed and written, to review on the grid.
    solved: Option<ScheduleProposal>,
    evaluation: SetupView,
    /// The best ranked of the proposals evaluated.
    ranking: Vec<RankedView>,
}

impl EventPage<'_> {
    /// The rubric as its form shows it: `name: weight` per line.
    fn criteria_lines(&self) -> String {
        self.evaluation
            .criteria
            .iter()
            .map(|c| format!("{}: {}", c.name, c.weight))
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn score_of(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into())
    }
    fn reason(&self, r: &UnplacedReason) -> &'static str {
        match r {
            UnplacedReason::NoSuitableRoom => "no_suitable_room",
            UnplacedReason::PeopleUnavailable => "people_unavailable",
            UnplacedReason::NoFreeSlot => "no_free_slot",
        }
    }
    fn base(&self) -> String {
        format!("/organize/events/{}", self.e.slug)
    }
    fn rooms(&self) -> &[RoomView] {
        self.e.rooms.as_deref().unwrap_or_default()
    }
    fn local(&self, t: &Option<Timestamp>) -> String {
        t.map(|t| {
            self.e
                .tz()
                .from_utc_datetime(&t.0)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
    }
    /// A session's room, day or time as its slot form shows it: as sent, when the form
    /// was this session's; else its slot now; else the day shown, 09:00 to 10:00.
    fn current(&self, s: &SessionView, field: &str) -> String {
        if self.form.is("session", &s.id.to_string()) {
            return self.form.get(field).to_owned();
        }
        let at = |t: &Option<Timestamp>, range: std::ops::Range<usize>| {
            self.local(t).get(range).unwrap_or_default().to_owned()
        };
        let scheduled = s.starts_at.is_some();
        match field {
            "room" => s
                .room
                .as_ref()
                .map(|r| r.id.to_string())
                .unwrap_or_default(),
            "day" if scheduled => at(&s.starts_at, 0..10),
            "day" => self.day.to_string(),
            "starts" if scheduled => at(&s.starts_at, 11..16),
            "starts" => "09:00".into(),
            "ends" if scheduled => at(&s.ends_at, 11..16),
            "ends" => "10:00".into(),
            _ => String::new(),
        }
    }
    fn is_day(&self, d: &NaiveDate) -> bool {
        *d == self.day
    }
    fn score(&self, p: &ProposalView) -> String {
        p.reviews
            .as_ref()
            .and_then(|r| r.mean_score)
            .map(|m| format!("{m:.2}"))
            .unwrap_or_else(|| "–".into())
    }
    fn review_count(&self, p: &ProposalView) -> usize {
        p.reviews.as_ref().map_or(0, |r| r.review_count)
    }
}

pub async fn list(req: HttpRequest, state: State) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show_list(
        &state,
        c,
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

async fn show_list(
    state: &State,
    c: Ctx,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    if let Err(e) = Organizer::check(c.actor()) {
        return refuse(c, &e, "/organize");
    }
    let page = match Page::parse(Some(MAX_LIMIT), None) {
        Ok(p) => p,
        Err(e) => return failure(c, &e),
    };
    match usecase::events::list(&state.db, &c.actor(), page).await {
        Ok(events) => {
            let events = events.items;
            let page = ListPage {
                c: &c,
                events,
                errors,
                form,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn create(req: HttpRequest, state: State, body: web::Bytes) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let form = FormData::parse(&body);
    let by = match Organizer::check(c.actor()) {
        Ok(by) => by,
        Err(e) => return refuse(c, &e, "/organize"),
    };
    let attempt = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        let input = EventInput {
            slug: form.get("slug").to_owned(),
            name: form.get("name").to_owned(),
            theme: String::new(),
            venue: form.get("venue").to_owned(),
            timezone: form.get("timezone").to_owned(),
            starts_on: form.get("starts_on").to_owned(),
            ends_on: form.get("ends_on").to_owned(),
            subthemes: vec![],
        };
        match CreateEvent::try_from(input) {
            Ok(event) => usecase::events::create(&state.db, &by, event).await,
            Err(e) => Err(e),
        }
    };
    match attempt {
        Ok(created) => {
            c.flash("organize-event-created");
            c.redirect(&format!("/organize/events/{}", created.slug))
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show_list(&state, c, errors, form, status).await
        }
    }
}

async fn load_event(
    state: &State,
    org: &EventOrganizer,
) -> ApiResult<(EventView, Vec<ProposalView>, Vec<SessionView>)> {
    let event = usecase::events::manage(&state.db, org).await?;
    let proposals = usecase::proposals::ranking(&state.db, org).await?;
    let sessions = usecase::sessions::all(&state.db, org, None).await?;
    Ok((event, proposals.items, sessions.items))
}

fn grid(
    event: &EventView,
    sessions: &[SessionView],
    day: NaiveDate,
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let rooms: Vec<i64> = event.rooms.iter().flatten().map(|r| r.id).collect();
    let slots: Vec<NaiveTime> = (GRID_FROM * 2..GRID_TO * 2)
        .filter_map(|h| NaiveTime::from_hms_opt(h / 2, (h % 2) * 30, 0))
        .collect();
    let mut cells: Vec<Vec<Cell>> = slots
        .iter()
        .map(|_| rooms.iter().map(|_| Cell::default()).collect())
        .collect();
    let mut by_room: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, r) in rooms.iter().enumerate() {
        by_room.insert(*r, i);
    }
    for s in sessions {
        let (Some(room), Some(start), Some(end)) = (&s.room, s.local_starts_at, s.local_ends_at)
        else {
            continue;
        };
        let Some(&col) = by_room.get(&room.id) else {
            continue;
        };
        if start.date() != day {
            continue;
        }
        for (row, slot) in slots.iter().enumerate() {
            let slot_end = *slot + chrono::Duration::minutes(30);
            let (s0, e0) = (start.time(), end.time());
            if s0 >= *slot && s0 < slot_end {
                cells[row][col].starting.push((
                    s.id,
                    s.title.clone(),
                    format!("{}–{}", start.hm(), end.hm()),
                ));
            } else if s0 < *slot && (e0 > *slot || end.date() > day) {
                cells[row][col].busy = true;
            }
        }
    }
    (
        slots
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect(),
        cells,
    )
}

pub async fn event(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let shown = Shown {
        errors: PageErrors::new(),
        form: FormData::default(),
        solved: None,
    };
    show_event(&state, c, path.into_inner(), shown, StatusCode::OK).await
}

/// What the event page shows besides the event: the form sent back with its errors, or
/// the schedule just proposed.
struct Shown {
    errors: PageErrors,
    form: FormData,
    solved: Option<ScheduleProposal>,
}

async fn show_event(
    state: &State,
    c: Ctx,
    slug: String,
    shown: Shown,
    status: StatusCode,
) -> HttpResponse {
    let Shown {
        errors,
        form,
        solved,
    } = shown;
    let org = match EventOrganizer::check(&state.db, c.actor(), slug.clone()).await {
        Ok(org) => org,
        Err(e) => return refuse(c, &e, &format!("/organize/events/{slug}")),
    };
    let evaluation = usecase::evaluation::setup(&state.db, &org).await;
    let ranking = usecase::evaluation::ranking(&state.db, &org).await;
    match (load_event(state, &org).await, evaluation, ranking) {
        (Ok((e, proposals, sessions)), Ok(evaluation), Ok(ranking)) => {
            let days = e.days();
            let asked = form
                .opt("day")
                .or(c.param("day"))
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .filter(|d| days.contains(d));
            let day = asked.unwrap_or(e.starts_on);
            let (times, grid) = grid(&e, &sessions, day);
            let on_day = day.to_string();
            let (unscheduled, scheduled): (Vec<SessionView>, Vec<SessionView>) = sessions
                .into_iter()
                .partition(|s| s.local_starts_at.is_none());
            let scheduled = scheduled
                .into_iter()
                .filter(|s| {
                    s.starts_at.is_some_and(|t| {
                        e.tz().from_utc_datetime(&t.0).date_naive().to_string() == on_day
                    })
                })
                .collect();
            let wanted = |p: &ProposalView| {
                c.param("status")
                    .is_none_or(|s| s.is_empty() || s == p.status.as_str())
                    && c.param("type")
                        .is_none_or(|t| t.is_empty() || t == p.session_type.as_str())
            };
            let proposals = proposals.into_iter().filter(wanted).collect();
            let (proposals, pager) = paginate(&c, proposals, PROPOSALS_PAGE);
            let page = EventPage {
                c: &c,
                e,
                proposals,
                pager,
                statuses: ProposalStatus::ALL.iter().map(|s| s.as_str()).collect(),
                types: SessionType::ALL.iter().map(|t| t.as_str()).collect(),
                unscheduled,
                scheduled,
                day,
                days,
                times,
                grid,
                errors,
                form,
                solved,
                evaluation,
                ranking: ranking
                    .into_iter()
                    .filter(|r| r.evaluations > 0)
                    .take(25)
                    .collect(),
            };
            respond!(c, status, page)
        }
        (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => failure(c, &err),
    }
}

/// Every organiser form on the event page posts here with an `action`.
pub async fn act(
    req: HttpRequest,
    state: State,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    let form = FormData::parse(&body);
    let back = format!("/organize/events/{slug}");
    if let Err(e) = Organizer::check(c.actor()) {
        return refuse(c, &e, &back);
    }
    let result = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(Refused::Api(ApiError::new(
            ErrorCode::CsrfFailed,
            "stale form",
        )))
    } else {
        perform(&state, &c, &slug, &form).await
    };
    match result {
        Ok(Done::Solved(solved)) => {
            let shown = Shown {
                errors: PageErrors::new(),
                form,
                solved: Some(solved),
            };
            show_event(&state, c, slug, shown, StatusCode::OK).await
        }
        Ok(Done::Saved(anchor)) => {
            c.flash("organize-saved");
            let day = form
                .opt("day")
                .map(|d| format!("?day={}", percent(d)))
                .unwrap_or_default();
            c.redirect(&format!("{back}{day}#{anchor}"))
        }
        Err(Refused::Clash(conflicts)) => {
            let errors = clash_errors(&c, &conflicts);
            let shown = Shown {
                errors,
                form,
                solved: None,
            };
            show_event(&state, c, slug, shown, StatusCode::CONFLICT).await
        }
        Err(Refused::Api(e)) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            // Several forms share this page: point each error at its own input.
            let session = form.get("session").to_owned();
            let action = form.get("action").to_owned();
            errors.rename_with(|f| match (action.as_str(), f) {
                ("room", "name") => Some("room-name".into()),
                ("room", "capacity") => Some("room-capacity".into()),
                ("slot", "room" | "room_id") => Some(format!("room-{session}")),
                ("slot", "day") => Some(format!("day-{session}")),
                ("slot", "starts" | "starts_at") => Some(format!("starts-{session}")),
                ("slot", "ends" | "ends_at") => Some(format!("ends-{session}")),
                _ => None,
            });
            let status = e.code.status();
            let shown = Shown {
                errors,
                form,
                solved: None,
            };
            show_event(&state, c, slug, shown, status).await
        }
    }
}

/// The refusal of a clashing slot, naming each session it clashes with and why.
fn clash_errors(c: &Ctx, conflicts: &[Conflict]) -> PageErrors {
    let mut lines = vec![c.t.get("organize-clash")];
    for x in conflicts {
        let line = match (x.reason, x.person.as_deref()) {
            (ClashReason::Person, Some(person)) => c.t.args(
                "organize-clash-person",
                &[("person", person), ("title", x.title.as_str())],
            ),
            _ => {
                c.t.args("organize-clash-room", &[("title", x.title.as_str())])
            }
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    PageErrors::many(lines)
}

/// Why an organiser's form was not carried out.
enum Refused {
    Api(ApiError),
    /// A slot that clashes with these sessions.
    Clash(Vec<Conflict>),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Refused {
        Refused::Api(e)
    }
}

/// What a form of the event page did.
enum Done {
    /// Saved: back to this part of the page.
    Saved(&'static str),
    /// A schedule proposed and written, to show.
    Solved(ScheduleProposal),
}

/// Carries out one of the event page's forms.
async fn perform(state: &State, c: &Ctx, slug: &str, form: &FormData) -> Result<Done, Refused> {
    let db = &state.db;
    let org = EventOrganizer::check(db, c.actor(), slug.to_owned()).await?;
    let tz = org.event.tz();
    let number = |name: &str| -> ApiResult<i64> {
        form.get(name)
            .parse()
            .map_err(|_| ApiError::field(name, "choose one"))
    };
    match form.get("action") {
        "publish" | "unpublish" => {
            let patch = EventPatch {
                published: Some(form.get("action") == "publish"),
                ..EventPatch::default()
            };
            usecase::events::update(db, &org, patch.try_into()?).await?;
            Ok(Done::Saved("setup"))
        }
        "call" => {
            let opens = form.opt("call_opens_at").map(|v| {
                utc_from_local(tz, v)
                    .ok_or_else(|| ApiError::field("call_opens_at", "a date and time"))
            });
            let closes = form.opt("call_closes_at").map(|v| {
                utc_from_local(tz, v)
                    .ok_or_else(|| ApiError::field("call_closes_at", "a date and time"))
            });
            let patch = EventPatch {
                call_opens_at: Some(opens.transpose()?),
                call_closes_at: Some(closes.transpose()?),
                ..EventPatch::default()
            };
            usecase::events::update(db, &org, patch.try_into()?).await?;
            Ok(Done::Saved("setup"))
        }
        "room" => {
            let capacity: i32 = form
                .get("capacity")
                .parse()
                .map_err(|_| ApiError::field("capacity", "a whole number"))?;
            let room = NewRoom::try_from(RoomInput {
                name: form.get("name").to_owned(),
                capacity,
                remote_link: form.opt("remote_link").map(str::to_owned),
                interpretation: form.checked("interpretation"),
            })?;
            usecase::events::add_room(db, &org, room).await?;
            Ok(Done::Saved("rooms"))
        }
        "slot" => {
            let day = NaiveDate::parse_from_str(form.get("day"), "%Y-%m-%d")
                .map_err(|_| ApiError::field("day", "choose a day"))?;
            let starts = utc(tz, day, form.get("starts"))
                .ok_or_else(|| ApiError::field("starts", "a time such as 09:30"))?;
            let ends = utc(tz, day, form.get("ends"))
                .ok_or_else(|| ApiError::field("ends", "a time such as 10:30"))?;
            let slot = Slot::try_from(SlotInput {
                room_id: number("room")?,
                starts_at: starts,
                ends_at: ends,
            })?;
            let session =
                SessionOrganizer::check(db, c.actor(), number("session")?.to_string()).await?;
            if session.event.id != org.event.id {
                return Err(ApiError::not_found("session").into());
            }
            match usecase::sessions::schedule(db, &session, slot).await? {
                Scheduled::Done(_) => Ok(Done::Saved("schedule")),
                Scheduled::Clash(conflicts) => Err(Refused::Clash(conflicts)),
            }
        }
        "unslot" => {
            let session =
                SessionOrganizer::check(db, c.actor(), number("session")?.to_string()).await?;
            if session.event.id != org.event.id {
                return Err(ApiError::not_found("session").into());
            }
            usecase::sessions::unschedule(db, &session).await?;
            Ok(Done::Saved("schedule"))
        }
        "evaluation" => {
            let emails: Vec<String> = form
                .get("panel")
                .split(['\n', ',', ';'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect();
            let panel = usecase::evaluation::accounts_of(db, &org, emails).await?;
            let mut criteria = vec![];
            for line in form
                .get("criteria")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                let (name, weight) = line.rsplit_once(':').unwrap_or((line, "1"));
                let weight = weight.trim().parse().map_err(|_| {
                    ApiError::field(
                        "criteria",
                        "each line: a name, a colon, a weight from 1 to 10",
                    )
                })?;
                criteria.push(CriterionInput {
                    name: name.trim().to_owned(),
                    key: None,
                    weight,
                });
            }
            let setup = Setup::try_from(SetupInput {
                panel,
                criteria,
                per_proposal: form.get("per_proposal").trim().parse().ok(),
                blind: form.checked("blind"),
            })?;
            usecase::evaluation::set_up(db, &org, setup).await?;
            Ok(Done::Saved("evaluation"))
        }
        "assign" => {
            usecase::evaluation::assign(db, &org).await?;
            Ok(Done::Saved("evaluation"))
        }
        "solve" => {
            let number = |name: &str| form.opt(name).and_then(|v| v.trim().parse().ok());
            // The page applies what can be placed and lists the rest.
            let req = ProposalRequest::try_from(ProposalRequestInput {
                constraints: None,
                partial: true,
                days: None,
                day_starts: form.opt("day_starts").map(str::to_owned),
                day_ends: form.opt("day_ends").map(str::to_owned),
                slot_minutes: number("slot_minutes"),
                break_minutes: number("break_minutes"),
                reschedule: form.checked("reschedule"),
                apply: true,
            })?;
            let solved = usecase::planning::propose(db, &org, req).await?;
            Ok(Done::Solved(solved))
        }
        _ => Err(ApiError::field("action", "unknown action").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_time_becomes_utc_across_daylight_saving() {
        let e = chrono_tz::Europe::Oslo;
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            utc(e, d("2025-10-24"), "10:00").as_deref(),
            Some("2025-10-24T08:00:00Z")
        );
        assert_eq!(
            utc(e, d("2025-10-27"), "10:00").as_deref(),
            Some("2025-10-27T09:00:00Z")
        );
        assert_eq!(
            utc_from_local(e, "2025-10-27T10:00").as_deref(),
            Some("2025-10-27T09:00:00Z")
        );
        assert_eq!(utc(e, d("2025-10-27"), "25:00"), None);
    }
}
