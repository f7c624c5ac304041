//! The public agenda (filters, time-zone switch, calendar files) and a session's page
//! (live comments and questions, the report).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{failure, State};
use crate::accounts::auth::MaybeUser;
use crate::consultations::comments::CommentView as Comment;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::handlers as api_h;
use crate::events::types::SessionType;
use crate::web::api;
use crate::web::forms::{FormData, PageErrors};
use crate::web::session::{percent, Ctx};
use crate::web::time::Stamp;

/// Zones offered besides the event's own: one or two per region, the UN duty stations
/// and the IGF's recent hosts.
const ZONES: &[&str] = &[
    "UTC",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/New_York",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Oslo",
    "Europe/Warsaw",
    "Europe/Moscow",
    "Europe/Istanbul",
    "Africa/Dakar",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Addis_Ababa",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Fiji",
];

#[derive(Deserialize)]
struct Event {
    slug: String,
    name: String,
    timezone: String,
    starts_on: Option<chrono::NaiveDate>,
    ends_on: Option<chrono::NaiveDate>,
    venue: Option<String>,
    #[serde(default)]
    call_open: bool,
}

#[derive(Deserialize)]
pub struct Room {
    pub name: String,
}

#[derive(Deserialize)]
pub struct Session {
    pub id: i64,
    pub title: String,
    #[serde(rename = "type")]
    pub session_type: String,
    pub description: String,
    pub room: Option<Room>,
    pub timezone: String,
    pub local_starts_at: Option<Stamp>,
    pub local_ends_at: Option<Stamp>,
    #[serde(default)]
    pub speakers: serde_json::Value,
}

impl Session {
    pub fn speaker_names(&self) -> Vec<String> {
        self.speakers
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| {
                        s.get("name")
                            .and_then(|n| n.as_str())
                            .or_else(|| s.as_str())
                    })
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage<'a> {
    c: &'a Ctx,
    event: Event,
    sessions: Vec<Session>,
    zone: String,
    zones: Vec<String>,
    days: Vec<chrono::NaiveDate>,
    types: Vec<&'static str>,
}

impl AgendaPage<'_> {
    fn selected(&self, name: &str, value: &str) -> bool {
        self.c.param(name) == Some(value)
    }

    fn ics_link(&self) -> String {
        format!("/api/v1/events/{}/agenda.ics", percent(&self.event.slug))
    }
}

async fn load_agenda(
    state: &State,
    c: &Ctx,
    slug: &str,
    query: &str,
) -> ApiResult<(Event, Vec<Session>, String)> {
    let event: Event = api::read(
        api::json(
            api_h::detail(
                state.clone(),
                MaybeUser(c.auth()),
                web::Path::from(slug.to_owned()),
            )
            .await,
        )
        .await?,
    )?;
    let q = api::query::<api_h::AgendaQuery>(query)?;
    let agenda = api::json(
        api_h::agenda(
            state.clone(),
            MaybeUser(c.auth()),
            web::Path::from(slug.to_owned()),
            q,
        )
        .await,
    )
    .await?;
    let zone = agenda["timezone"]
        .as_str()
        .unwrap_or(&event.timezone)
        .to_owned();
    Ok((event, api::read(agenda["items"].clone())?, zone))
}

pub async fn agenda(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    let slug = path.into_inner();
    // The page's own query, less what only the page knows, goes to the API as is;
    // blank filters (an unchosen select) mean no filter.
    let pairs: Vec<(String, String)> = ["day", "type", "q", "tz"]
        .iter()
        .filter_map(|k| {
            c.param(k)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (k.to_string(), v.to_owned()))
        })
        .collect();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&");
    match load_agenda(&state, &c, &slug, &query).await {
        Ok((event, sessions, zone)) => {
            let mut zones: Vec<String> = ZONES.iter().map(|z| z.to_string()).collect();
            for z in [&event.timezone, &zone] {
                if !zones.contains(z) {
                    zones.insert(0, z.clone());
                }
            }
            let days = match (event.starts_on, event.ends_on) {
                (Some(a), Some(b)) if b >= a && (b - a).num_days() < 31 => {
                    a.iter_days().take_while(|d| *d <= b).collect()
                }
                _ => vec![],
            };
            let types = SessionType::ALL.iter().map(|t| t.as_str()).collect();
            let page = AgendaPage {
                c: &c,
                event,
                sessions,
                zone,
                zones,
                days,
                types,
            };
            respond!(c, StatusCode::OK, page)
        }
        Err(e) => failure(c, &e),
    }
}

#[derive(Deserialize)]
pub struct Report {
    #[serde(default)]
    pub key_takeaways: serde_json::Value,
    #[serde(default)]
    pub calls_to_action: serde_json::Value,
}

impl Report {
    fn lines(v: &serde_json::Value) -> Vec<String> {
        match v {
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            serde_json::Value::String(s) => vec![s.clone()],
            _ => vec![],
        }
    }
    pub fn takeaways(&self) -> Vec<String> {
        Self::lines(&self.key_takeaways)
    }
    pub fn calls(&self) -> Vec<String> {
        Self::lines(&self.calls_to_action)
    }
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage<'a> {
    c: &'a Ctx,
    s: Session,
    comments: Vec<Comment>,
    report: Option<Report>,
    errors: PageErrors,
    form: FormData,
    live_since: i64,
}

impl SessionPage<'_> {
    fn type_label(&self) -> String {
        self.c.t.get(&format!("type-{}", self.s.session_type))
    }
    fn author_name(&self, m: &Comment) -> String {
        super::consultation::author_name(self.c, &m.author)
    }
}

async fn load_session(
    state: &State,
    c: &Ctx,
    id: i64,
) -> ApiResult<(Session, Vec<Comment>, Option<Report>, i64)> {
    let tz = c
        .param("tz")
        .filter(|t| !t.is_empty())
        .map(|t| format!("tz={}", percent(t)))
        .unwrap_or_default();
    let tz = api::query::<api_h::TzQuery>(&tz)?;
    let s: Session = api::read(
        api::json(
            api_h::get_session(state.clone(), MaybeUser(c.auth()), web::Path::from(id), tz).await,
        )
        .await?,
    )?;
    let channel = crate::outbox::session_channel(id);
    let live_since = state
        .db
        .run(move |conn| crate::live::log::head(conn, &channel))
        .await?;
    // The stream is shown whole (page after page), oldest first.
    let comments: Vec<Comment> =
        crate::events::session_comments::stream(&state.db, c.actor(), id).await?;
    let report = match api::json(
        api_h::get_report(state.clone(), MaybeUser(c.auth()), web::Path::from(id)).await,
    )
    .await
    {
        Ok(r) => Some(api::read(r)?),
        Err(e) if e.code == ErrorCode::NotFound => None,
        Err(e) => return Err(e),
    };
    Ok((s, comments, report, live_since))
}

async fn show_session(
    c: Ctx,
    state: &State,
    id: i64,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    match load_session(state, &c, id).await {
        Ok((s, comments, report, live_since)) => {
            let page = SessionPage {
                c: &c,
                s,
                comments,
                report,
                errors,
                form,
                live_since,
            };
            respond!(c, status, page)
        }
        Err(e) => failure(c, &e),
    }
}

pub async fn session(req: HttpRequest, state: State, path: web::Path<i64>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    show_session(
        c,
        &state,
        path.into_inner(),
        PageErrors::new(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn post_session_comment(
    req: HttpRequest,
    state: State,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let mut c = Ctx::load(&req, &state).await;
    let id = path.into_inner();
    let form = FormData::parse(&body);
    if c.auth().is_none() {
        return c.redirect(&format!("/login?next=/sessions/{id}"));
    }
    let attempt = if !c.csrf_ok(&state, form.opt("csrf")) {
        Err(ApiError::new(ErrorCode::CsrfFailed, "stale form"))
    } else {
        let input = crate::events::session_comments::SessionCommentInput {
            body: form.get("body").to_owned(),
            kind: Some(form.get("kind").to_owned()).filter(|k| k == "question"),
            language: None,
            anonymous: form.checked("anonymous"),
        };
        match (
            crate::policy::guards::Verified::check(&state.db, c.actor()).await,
            crate::events::session_comments::SessionComment::try_from(input),
        ) {
            (Ok(who), Ok(cmd)) => {
                crate::events::session_comments::post(&state, &who, id, cmd).await
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    };
    match attempt {
        Ok(created) => {
            c.flash("comment-posted");
            c.redirect(&format!("/sessions/{id}#c-{}", created.id))
        }
        Err(e) if e.code == ErrorCode::NotFound => failure(c, &e),
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show_session(c, &state, id, errors, form, status).await
        }
    }
}
