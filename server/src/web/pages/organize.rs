//! The organisers' pages: events (create, publish, call window, rooms), proposals with
//! their reviews and scores (review, accept, reject), and the schedule as a grid of rooms
//! by time in which a clash is refused and named.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use serde::Deserialize;
use serde_json::json;

use super::{failure, State};
use crate::accounts::auth::{AuthUser, MaybeUser};
use crate::accounts::types::Role;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::handlers as api_h;
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};
use crate::web::time::Stamp;

/// The grid's rows: half-hours from 08:00 to 20:00, venue time.
const GRID_FROM: u32 = 8;
const GRID_TO: u32 = 20;

#[derive(Deserialize)]
pub struct EventItem {
    pub slug: String,
    pub name: String,
    pub published: bool,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Deserialize)]
pub struct Room {
    pub id: i64,
    pub name: String,
    pub capacity: Option<i64>,
}

#[derive(Deserialize)]
pub struct Event {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub timezone: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub published: bool,
    pub call_opens_at: Option<Stamp>,
    pub call_closes_at: Option<Stamp>,
    #[serde(default)]
    pub rooms: Vec<Room>,
}

#[derive(Deserialize)]
pub struct Proposal {
    pub id: i64,
    pub title: String,
    #[serde(rename = "type")]
    pub session_type: String,
    pub status: String,
    pub mean_score: Option<f64>,
    #[serde(default)]
    pub review_count: i64,
}

#[derive(Deserialize)]
pub struct Session {
    pub id: i64,
    pub title: String,
    pub room: Option<Room>,
    pub local_starts_at: Option<Stamp>,
    pub local_ends_at: Option<Stamp>,
}

/// One cell of the grid: the sessions that start in this half-hour in this room, and
/// whether an earlier one runs through it.
#[derive(Default)]
pub struct Cell {
    pub starting: Vec<(i64, String, String)>,
    pub busy: bool,
}

fn tz_of(event: &Event) -> chrono_tz::Tz {
    event.timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// A venue-local date and time as the API's UTC instant.
fn utc(event: &Event, day: NaiveDate, time: &str) -> Option<String> {
    let t = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
    let local = tz_of(event)
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
fn utc_from_local(event: &Event, raw: &str) -> Option<String> {
    let (d, t) = raw.split_once('T')?;
    utc(
        event,
        NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
        t.get(..5)?,
    )
}

#[derive(Template)]
#[template(path = "organize.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    events: Vec<EventItem>,
    errors: PageErrors,
    form: FormData,
}

#[derive(Template)]
#[template(path = "organize_event.html")]
struct EventPage<'a> {
    c: &'a Ctx,
    e: Event,
    proposals: Vec<Proposal>,
    unscheduled: Vec<Session>,
    day: NaiveDate,
    days: Vec<NaiveDate>,
    times: Vec<String>,
    grid: Vec<Vec<Cell>>,
    errors: PageErrors,
    form: FormData,
}

impl EventPage<'_> {
    fn base(&self) -> String {
        format!("/organize/events/{}", self.e.slug)
    }
    fn local(&self, s: &Option<Stamp>) -> String {
        s.map(|s| {
            s.0.with_timezone(&tz_of(&self.e))
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
    }
    /// The score to show selected: what was sent for this proposal, else 3.
    fn score_chosen(&self, p: &Proposal, n: &i32) -> bool {
        if self.form.is("proposal", &p.id.to_string()) {
            self.form.is("score", &n.to_string())
        } else {
            *n == 3
        }
    }
    /// A slot form's field as sent, when the form was this session's.
    fn slot_is(&self, session: &i64, field: &str, value: &str) -> bool {
        self.form.is("session", &session.to_string()) && self.form.is(field, value)
    }
    fn slot_day(&self, session: &i64, d: &NaiveDate) -> bool {
        if self.form.is("session", &session.to_string()) {
            self.form.is("day", &d.to_string())
        } else {
            *d == self.day
        }
    }
    fn is_day(&self, d: &NaiveDate) -> bool {
        *d == self.day
    }
    fn score(&self, p: &Proposal) -> String {
        p.mean_score
            .map(|m| format!("{m:.2}"))
            .unwrap_or_else(|| "–".into())
    }
}

fn organizer(c: &Ctx) -> ApiResult<AuthUser> {
    let user = c
        .auth()
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in"))?;
    user.require(Role::Organizer)?;
    Ok(user)
}

/// Not signed in: to the sign-in page and back; signed in without the role: 403.
fn refuse(c: Ctx, e: &ApiError, back: &str) -> HttpResponse {
    if e.code == ErrorCode::Unauthenticated {
        c.redirect(&format!("/login?next={}", percent(back)))
    } else {
        failure(c, e)
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
    let user = match organizer(&c) {
        Ok(u) => u,
        Err(e) => return refuse(c, &e, "/organize"),
    };
    let q = match api::query::<crate::http::page::PageQuery>("limit=200") {
        Ok(q) => q,
        Err(e) => return failure(c, &e),
    };
    let events = api::json(api_h::list(state.clone(), MaybeUser(Some(user)), q).await)
        .await
        .and_then(|v| api::read::<Vec<EventItem>>(v["items"].clone()));
    match events {
        Ok(events) => {
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
    let user = match organizer(&c) {
        Ok(u) => u,
        Err(e) => return refuse(c, &e, "/organize"),
    };
    let attempt = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        let input = json!({
            "slug": form.get("slug"), "name": form.get("name"), "venue": form.get("venue"),
            "timezone": form.get("timezone"), "starts_on": form.get("starts_on"), "ends_on": form.get("ends_on"),
        });
        match api::body(input) {
            Ok(input) => api::json(api_h::create(state.clone(), user, input).await).await,
            Err(e) => Err(e),
        }
    };
    match attempt {
        Ok(created) => {
            c.flash("organize-event-created");
            c.redirect(&format!(
                "/organize/events/{}",
                created["slug"].as_str().unwrap_or_default()
            ))
        }
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show_list(&state, c, errors, form, status).await
        }
    }
}

/// The event as its organiser sees it (unpublished ones too).
async fn event_of(state: &State, user: &AuthUser, slug: &str) -> ApiResult<Event> {
    let detail = api_h::detail(
        state.clone(),
        MaybeUser(Some(user.clone())),
        web::Path::from(slug.to_owned()),
    )
    .await;
    api::read(api::json(detail).await?)
}

async fn load_event(
    state: &State,
    user: &AuthUser,
    slug: &str,
) -> ApiResult<(Event, Vec<Proposal>, Vec<Session>)> {
    let event = event_of(state, user, slug).await?;
    let proposals = api::json(
        api_h::list_proposals(
            state.clone(),
            user.clone(),
            web::Path::from(event.id.to_string()),
        )
        .await,
    )
    .await?;
    let q = api::query::<api_h::TzQuery>("")?;
    let sessions = api::json(
        api_h::sessions(
            state.clone(),
            user.clone(),
            web::Path::from(event.id.to_string()),
            q,
        )
        .await,
    )
    .await?;
    Ok((
        event,
        api::read(proposals["items"].clone())?,
        api::read(sessions["items"].clone())?,
    ))
}

fn grid(event: &Event, sessions: &[Session], day: NaiveDate) -> (Vec<String>, Vec<Vec<Cell>>) {
    let rooms: Vec<i64> = event.rooms.iter().map(|r| r.id).collect();
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
            let (s0, e0) = (start.0.time(), end.0.time());
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
    show_event(
        &state,
        c,
        path.into_inner(),
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

async fn show_event(
    state: &State,
    c: Ctx,
    slug: String,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    let back = format!("/organize/events/{slug}");
    let user = match organizer(&c) {
        Ok(u) => u,
        Err(e) => return refuse(c, &e, &back),
    };
    match load_event(state, &user, &slug).await {
        Ok((e, proposals, sessions)) => {
            let days: Vec<NaiveDate> = e
                .starts_on
                .iter_days()
                .take_while(|d| *d <= e.ends_on)
                .take(62)
                .collect();
            let asked = form
                .opt("day")
                .or(c.param("day"))
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .filter(|d| days.contains(d));
            let day = asked.unwrap_or(e.starts_on);
            let (times, grid) = grid(&e, &sessions, day);
            let unscheduled = sessions
                .into_iter()
                .filter(|s| s.local_starts_at.is_none())
                .collect();
            let page = EventPage {
                c: &c,
                e,
                proposals,
                unscheduled,
                day,
                days,
                times,
                grid,
                errors,
                form,
            };
            respond!(c, status, page)
        }
        Err(err) => failure(c, &err),
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
    let user = match organizer(&c) {
        Ok(u) => u,
        Err(e) => return refuse(c, &e, &back),
    };
    let result = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        perform(&state, &user, &slug, &form).await
    };
    match result {
        Ok(anchor) => {
            c.flash("organize-saved");
            let day = form
                .opt("day")
                .map(|d| format!("?day={}", percent(d)))
                .unwrap_or_default();
            c.redirect(&format!("{back}{day}#{anchor}"))
        }
        Err(e) => {
            let mut errors = PageErrors::from_api(&c.t, &e);
            if e.code == ErrorCode::ScheduleConflict {
                errors = clash_errors(&c, &e);
            }
            // Several forms share this page: point each error at its own input.
            let (session, proposal) = (
                form.get("session").to_owned(),
                form.get("proposal").to_owned(),
            );
            let action = form.get("action").to_owned();
            errors.rename_with(|f| match (action.as_str(), f) {
                ("room", "name") => Some("room-name".into()),
                ("room", "capacity") => Some("room-capacity".into()),
                ("slot", "room" | "room_id") => Some(format!("room-{session}")),
                ("slot", "day") => Some(format!("day-{session}")),
                ("slot", "starts" | "starts_at") => Some(format!("starts-{session}")),
                ("slot", "ends" | "ends_at") => Some(format!("ends-{session}")),
                ("review", "score") => Some(format!("score-{proposal}")),
                ("review", "comment") => Some(format!("comment-{proposal}")),
                _ => None,
            });
            let status = e.code.status();
            show_event(&state, c, slug, errors, form, status).await
        }
    }
}

/// The refusal of a clashing slot, naming each session it clashes with and why.
fn clash_errors(c: &Ctx, e: &ApiError) -> PageErrors {
    let mut lines = vec![c.t.get("organize-clash")];
    let conflicts = e
        .details
        .as_ref()
        .and_then(|d| d["conflicts"].as_array().cloned())
        .unwrap_or_default();
    for x in conflicts {
        let title = x["title"].as_str().unwrap_or_default();
        let line = match x["reason"].as_str() {
            Some("person") => c.t.args(
                "organize-clash-person",
                &[
                    ("person", x["person"].as_str().unwrap_or_default()),
                    ("title", title),
                ],
            ),
            _ => c.t.args("organize-clash-room", &[("title", title)]),
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    PageErrors::many(lines)
}

async fn perform(
    state: &State,
    user: &AuthUser,
    slug: &str,
    form: &FormData,
) -> ApiResult<&'static str> {
    let event = event_of(state, user, slug).await?;
    let id = web::Path::from(event.id.to_string());
    let number = |name: &str| -> ApiResult<i64> {
        form.get(name)
            .parse()
            .map_err(|_| ApiError::field(name, "choose one"))
    };
    match form.get("action") {
        "publish" | "unpublish" => {
            let input = api::body(json!({"published": form.get("action") == "publish"}))?;
            api::json(api_h::update(state.clone(), user.clone(), id, input).await).await?;
            Ok("setup")
        }
        "call" => {
            let opens = form.opt("call_opens_at").map(|v| {
                utc_from_local(&event, v)
                    .ok_or_else(|| ApiError::field("call_opens_at", "a date and time"))
            });
            let closes = form.opt("call_closes_at").map(|v| {
                utc_from_local(&event, v)
                    .ok_or_else(|| ApiError::field("call_closes_at", "a date and time"))
            });
            let input = api::body(
                json!({"call_opens_at": opens.transpose()?, "call_closes_at": closes.transpose()?}),
            )?;
            api::json(api_h::update(state.clone(), user.clone(), id, input).await).await?;
            Ok("setup")
        }
        "room" => {
            let capacity: i64 = form
                .get("capacity")
                .parse()
                .map_err(|_| ApiError::field("capacity", "a whole number"))?;
            let input = api::body(json!({"name": form.get("name"), "capacity": capacity}))?;
            api::json(api_h::add_room(state.clone(), user.clone(), id, input).await).await?;
            Ok("rooms")
        }
        "review" => {
            let score = number("score")?;
            let input = api::body(json!({"score": score, "comment": form.get("comment")}))?;
            api::json(
                api_h::review(
                    state.clone(),
                    user.clone(),
                    web::Path::from(number("proposal")?),
                    input,
                )
                .await,
            )
            .await?;
            Ok("proposals")
        }
        "accept" | "reject" => {
            let decision = if form.get("action") == "accept" {
                "accepted"
            } else {
                "rejected"
            };
            let input = api::body(json!({"decision": decision}))?;
            api::json(
                api_h::decide(
                    state.clone(),
                    user.clone(),
                    web::Path::from(number("proposal")?),
                    input,
                )
                .await,
            )
            .await?;
            Ok("proposals")
        }
        "slot" => {
            let day = NaiveDate::parse_from_str(form.get("day"), "%Y-%m-%d")
                .map_err(|_| ApiError::field("day", "choose a day"))?;
            let starts = utc(&event, day, form.get("starts"))
                .ok_or_else(|| ApiError::field("starts", "a time such as 09:30"))?;
            let ends = utc(&event, day, form.get("ends"))
                .ok_or_else(|| ApiError::field("ends", "a time such as 10:30"))?;
            let input = api::body(
                json!({"room_id": number("room")?, "starts_at": starts, "ends_at": ends}),
            )?;
            api::json(
                api_h::set_slot(
                    state.clone(),
                    user.clone(),
                    web::Path::from(number("session")?),
                    input,
                )
                .await,
            )
            .await?;
            Ok("schedule")
        }
        _ => Err(ApiError::field("action", "unknown action")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_time_becomes_utc_across_daylight_saving() {
        let e: Event = serde_json::from_value(json!({
            "id": 1, "slug": "e", "name": "E", "timezone": "Europe/Oslo", "starts_on": "2025-10-24",
            "ends_on": "2025-10-28", "published": false, "call_opens_at": null, "call_closes_at": null
        }))
        .unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            utc(&e, d("2025-10-24"), "10:00").as_deref(),
            Some("2025-10-24T08:00:00Z")
        );
        assert_eq!(
            utc(&e, d("2025-10-27"), "10:00").as_deref(),
            Some("2025-10-27T09:00:00Z")
        );
        assert_eq!(
            utc_from_local(&e, "2025-10-27T10:00").as_deref(),
            Some("2025-10-27T09:00:00Z")
        );
        assert_eq!(utc(&e, d("2025-10-27"), "25:00"), None);
    }
}
