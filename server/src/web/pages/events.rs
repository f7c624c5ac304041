//! The public agenda (filters, time-zone switch, calendar files) and a session's page
//! (live comments and questions, the report). Both call the events use cases with the
//! guards' proofs, and render the views the API answers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::room::Room;
use super::{failure, State};
use crate::consultations::comments::CommentView as Comment;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::command::{Agenda, AgendaQuery, TzQuery};
use crate::events::types::SessionType;
use crate::events::usecase;
use crate::events::view::{EventView, ReportView, SessionView};
use crate::policy::guards::events::{EventReader, SessionReader};
use crate::web::forms::{FormData, PageErrors};
use crate::web::paging::{paginate, Pager};
use crate::web::session::{percent, Ctx};

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

/// Sessions on one page of the agenda: a day of a small event, a morning of the IGF.
const AGENDA_PAGE: usize = 40;

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage<'a> {
    c: &'a Ctx,
    event: EventView,
    sessions: Vec<SessionView>,
    pager: Pager,
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

/// A filter of the page's own query; blank (an unchosen select) means none.
fn param(c: &Ctx, name: &str) -> Option<String> {
    c.param(name)
        .filter(|v| !v.trim().is_empty())
        .map(str::to_owned)
}

async fn load_agenda(
    state: &State,
    c: &Ctx,
    slug: String,
) -> ApiResult<(EventView, Vec<SessionView>, String)> {
    let reader = EventReader::check(&state.db, c.actor(), slug).await?;
    let agenda = Agenda::try_from(AgendaQuery {
        day: param(c, "day"),
        session_type: param(c, "type"),
        q: param(c, "q"),
        tz: param(c, "tz"),
        ..AgendaQuery::default()
    })?;
    let event = usecase::events::detail(&state.db, &reader).await?;
    let agenda = usecase::sessions::agenda(&state.db, &reader, agenda).await?;
    Ok((event, agenda.items, agenda.timezone))
}

pub async fn agenda(req: HttpRequest, state: State, path: web::Path<String>) -> HttpResponse {
    let c = Ctx::load(&req, &state).await;
    match load_agenda(&state, &c, path.into_inner()).await {
        Ok((event, sessions, zone)) => {
            let mut zones: Vec<String> = ZONES.iter().map(|z| z.to_string()).collect();
            for z in [&event.timezone, &zone] {
                if !zones.contains(z) {
                    zones.insert(0, z.clone());
                }
            }
            let (a, b) = (event.starts_on, event.ends_on);
            let days = if b >= a && (b - a).num_days() < 31 {
                event.days()
            } else {
                vec![]
            };
            let types = SessionType::ALL.iter().map(|t| t.as_str()).collect();
            let (sessions, pager) = paginate(&c, sessions, AGENDA_PAGE);
            let page = AgendaPage {
                c: &c,
                event,
                sessions,
                pager,
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

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage<'a> {
    c: &'a Ctx,
    s: SessionView,
    comments: Vec<Comment>,
    report: Option<ReportView>,
    errors: PageErrors,
    form: FormData,
    live_since: i64,
    /// Whether the signed-in reader follows the session.
    following: bool,
    room: Room,
}

impl SessionPage<'_> {
    fn type_label(&self) -> String {
        self.c.t.of("type", self.s.session_type.as_str())
    }
    fn author_name(&self, m: &Comment) -> String {
        super::consultation::author_name(self.c, &m.author)
    }
    fn here(&self) -> String {
        format!("/sessions/{}", self.s.id)
    }
    /// The report's takeaways (or calls to action), one per line, for its form.
    fn report_lines(&self, takeaways: bool) -> String {
        self.report
            .as_ref()
            .map(|r| match takeaways {
                true => r.key_takeaways.join("\n"),
                false => r.calls_to_action.join("\n"),
            })
            .unwrap_or_default()
    }
    /// A figure of the report, for its form.
    fn report_number(&self, which: &str) -> String {
        let Some(r) = &self.report else {
            return String::new();
        };
        match which {
            "onsite" => r.participants_onsite.to_string(),
            "online" => r.participants_online.to_string(),
            _ => r
                .women_share
                .map(|w| format!("{}", (w * 1000.0).round() / 10.0))
                .unwrap_or_default(),
        }
    }
}

/// What a session's page shows besides the session.
struct Loaded {
    s: SessionView,
    comments: Vec<Comment>,
    report: Option<ReportView>,
    live_since: i64,
    following: bool,
    room: Room,
}

async fn load_session(state: &State, c: &Ctx, id: i64) -> ApiResult<Loaded> {
    let tz = TzQuery { tz: param(c, "tz") }.zone()?;
    let reader = SessionReader::check(&state.db, c.actor(), id.to_string()).await?;
    let s = usecase::sessions::get(&state.db, &reader, tz).await?;
    let channel = crate::outbox::session_channel(id);
    let user_id = c.user.as_ref().map(|u| u.id);
    let (live_since, following) = state
        .db
        .run(move |conn| {
            use crate::notifications::types::TargetType;
            let following = match user_id {
                Some(user) => crate::notifications::usecase::follow_views(conn, user)?
                    .iter()
                    .any(|f| f.target_type == TargetType::Session && f.target_id == id),
                None => false,
            };
            Ok((crate::live::log::head(conn, &channel)?, following))
        })
        .await?;
    // The stream is shown whole, oldest first.
    let comments: Vec<Comment> =
        crate::events::session_comments::stream(&state.db, c.actor(), id).await?;
    let report = usecase::reports::find(&state.db, &reader).await?;
    let room = Room::load(state, c, &reader, &comments).await?;
    Ok(Loaded {
        s,
        comments,
        report,
        live_since,
        following,
        room,
    })
}

pub(super) async fn show_session(
    c: Ctx,
    state: &State,
    id: i64,
    errors: PageErrors,
    form: FormData,
    status: StatusCode,
) -> HttpResponse {
    match load_session(state, &c, id).await {
        Ok(Loaded {
            s,
            comments,
            report,
            live_since,
            following,
            room,
        }) => {
            let page = SessionPage {
                c: &c,
                s,
                comments,
                report,
                errors,
                form,
                live_since,
                following,
                room,
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
        Ok(comment) => {
            c.flash("comment-posted");
            c.redirect(&format!("/sessions/{id}#c-{}", comment.id))
        }
        Err(e) if e.code == ErrorCode::NotFound => failure(c, &e),
        Err(e) => {
            let errors = PageErrors::from_api(&c.t, &e);
            let status = e.code.status();
            show_session(c, &state, id, errors, form, status).await
        }
    }
}
