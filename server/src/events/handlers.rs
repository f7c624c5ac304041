//! Event endpoints: thin handlers over `store`, `proposals` and `schedule`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::proposals::{self, NewProposal};
use super::schedule::{self, AgendaFilter};
use super::store::{self, Changes, NewEvent};
use super::types::{
    parse_date, parse_timezone, ProposalStatus, Rules, SessionFormat, SessionType, SpeakerInput,
};
use crate::accounts::auth::{AuthUser, MaybeUser};
use crate::accounts::types::{bounded_text, Role};
use crate::consultations::types::{parse_slug, parse_time};
use crate::db::now;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::{double_option, nullable_time, text};
use crate::http::page::{self, Page, PageQuery};
use crate::http::ApiJson;
use crate::state::AppState;

type State = web::Data<AppState>;

fn subthemes(errors: &mut FieldErrors, raw: &[String]) -> Option<Vec<String>> {
    if raw.len() > 50 {
        errors.insert("subthemes".into(), "at most 50 sub-themes".into());
        return None;
    }
    // Every item is checked (collecting straight into an Option would stop at the first bad one).
    let parsed: Vec<Option<String>> = raw
        .iter()
        .enumerate()
        .map(|(i, s)| text(errors, &format!("subthemes[{i}]"), s, 1, 200))
        .collect();
    parsed.into_iter().collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInput {
    slug: String,
    name: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    venue: String,
    timezone: String,
    starts_on: String,
    ends_on: String,
    #[serde(default)]
    subthemes: Vec<String>,
}

pub async fn create(
    state: State,
    user: AuthUser,
    input: ApiJson<CreateInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let slug = parse_slug(&i.slug)
        .map_err(|e| errors.insert("slug".into(), e.into()))
        .ok();
    let name = text(&mut errors, "name", &i.name, 1, 300);
    let theme = text(&mut errors, "theme", &i.theme, 0, 500);
    let venue = text(&mut errors, "venue", &i.venue, 0, 300);
    let tz = parse_timezone(&i.timezone)
        .map_err(|e| errors.insert("timezone".into(), e))
        .ok();
    let starts = parse_date(&i.starts_on)
        .map_err(|e| errors.insert("starts_on".into(), e))
        .ok();
    let ends = parse_date(&i.ends_on)
        .map_err(|e| errors.insert("ends_on".into(), e))
        .ok();
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errors.insert("ends_on".into(), "must not be before starts_on".into());
        } else if (e - s).num_days() > 60 {
            errors.insert("ends_on".into(), "an event lasts at most 60 days".into());
        }
    }
    let subthemes = subthemes(&mut errors, &i.subthemes);
    let (
        Some(slug),
        Some(name),
        Some(theme),
        Some(venue),
        Some(tz),
        Some(starts),
        Some(ends),
        Some(subthemes),
        true,
    ) = (
        slug,
        name,
        theme,
        venue,
        tz,
        starts,
        ends,
        subthemes,
        errors.is_empty(),
    )
    else {
        return Err(ApiError::validation(errors));
    };
    let new = NewEvent {
        slug,
        name,
        theme,
        venue,
        timezone: tz.name().to_owned(),
        starts_on: starts.to_string(),
        ends_on: ends.to_string(),
        subthemes,
        created_by: user.id,
    };
    let body = state
        .db
        .tx(move |conn| {
            let id = store::create(conn, &new)?;
            let row = store::resolve(conn, &id.to_string())?;
            store::view(conn, &row, true)
        })
        .await?;
    Ok(HttpResponse::Created().json(body))
}

pub async fn list(
    state: State,
    user: MaybeUser,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_query(&query)?;
    let organizer = user.0.as_ref().is_some_and(|u| u.has(Role::Organizer));
    let body = state
        .db
        .run(move |conn| {
            let rows = store::list(conn, organizer, page.after, page.fetch())?;
            page::respond(
                &page,
                rows,
                |r| r.id,
                |rows| rows.iter().map(|r| store::view(conn, r, false)).collect(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn detail(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let row = store::resolve_for(conn, &key, user.0.as_ref())?;
            store::view(conn, &row, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchInput {
    name: Option<String>,
    theme: Option<String>,
    venue: Option<String>,
    timezone: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    subthemes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    call_opens_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    call_closes_at: Option<Option<String>>,
    published: Option<bool>,
    rules: Option<Rules>,
}

pub async fn update(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<PatchInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let mut changes = Changes {
        name: i
            .name
            .as_deref()
            .and_then(|v| text(&mut errors, "name", v, 1, 300)),
        theme: i
            .theme
            .as_deref()
            .and_then(|v| text(&mut errors, "theme", v, 0, 500)),
        venue: i
            .venue
            .as_deref()
            .and_then(|v| text(&mut errors, "venue", v, 0, 300)),
        timezone: i.timezone.as_deref().and_then(|v| {
            parse_timezone(v)
                .map(|t| t.name().to_owned())
                .map_err(|e| errors.insert("timezone".into(), e))
                .ok()
        }),
        starts_on: i.starts_on.as_deref().and_then(|v| {
            parse_date(v)
                .map(|d| d.to_string())
                .map_err(|e| errors.insert("starts_on".into(), e))
                .ok()
        }),
        ends_on: i.ends_on.as_deref().and_then(|v| {
            parse_date(v)
                .map(|d| d.to_string())
                .map_err(|e| errors.insert("ends_on".into(), e))
                .ok()
        }),
        subthemes: i
            .subthemes
            .as_deref()
            .and_then(|s| subthemes(&mut errors, s)),
        published: i.published,
        rules: i.rules,
        ..Changes::default()
    };
    changes.call_opens_at = nullable_time(&mut errors, "call_opens_at", &i.call_opens_at);
    changes.call_closes_at = nullable_time(&mut errors, "call_closes_at", &i.call_closes_at);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let key = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let row = store::resolve(conn, &key)?;
            store::update(conn, &row, changes)?;
            let row = store::resolve(conn, &row.id.to_string())?;
            store::view(conn, &row, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomInput {
    name: String,
    capacity: i32,
    remote_link: Option<String>,
}

pub async fn add_room(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<RoomInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let name = text(&mut errors, "name", &i.name, 1, 200);
    if !(1..=100_000).contains(&i.capacity) {
        errors.insert("capacity".into(), "must be from 1 to 100000".into());
    }
    let link = i
        .remote_link
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_owned());
    if link
        .as_deref()
        .is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://")) || l.len() > 2000)
    {
        errors.insert("remote_link".into(), "must be an http(s) URL".into());
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let key = path.into_inner();
    let room = state
        .db
        .tx(move |conn| {
            let event = store::resolve(conn, &key)?;
            store::add_room(conn, event.id, &name, i.capacity, link.as_deref())
        })
        .await?;
    Ok(HttpResponse::Created().json(store::room_view(&room)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    title: String,
    #[serde(rename = "type")]
    session_type: String,
    subtheme: String,
    format: String,
    description: String,
    #[serde(default)]
    policy_questions: Vec<String>,
    #[serde(default)]
    speakers: Vec<SpeakerInput>,
    moderator_name: String,
    rapporteur_name: String,
}

pub async fn propose(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<ProposalInput>,
) -> ApiResult<HttpResponse> {
    user.require_verified(&state.db).await?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let title = text(&mut errors, "title", &i.title, 1, 300);
    let session_type = SessionType::parse(&i.session_type)
        .ok_or_else(|| {
            errors.insert(
                "type".into(),
                format!("must be one of {}", SessionType::expected()),
            )
        })
        .ok();
    let format = SessionFormat::parse(&i.format)
        .ok_or_else(|| {
            errors.insert(
                "format".into(),
                format!("must be one of {}", SessionFormat::expected()),
            )
        })
        .ok();
    let subtheme = text(&mut errors, "subtheme", &i.subtheme, 1, 200);
    let description = text(&mut errors, "description", &i.description, 1, 10_000);
    if i.policy_questions.len() > 10 {
        errors.insert(
            "policy_questions".into(),
            "at most 10 policy questions".into(),
        );
    }
    let questions: Vec<Option<String>> = i
        .policy_questions
        .iter()
        .enumerate()
        .map(|(n, q)| text(&mut errors, &format!("policy_questions[{n}]"), q, 1, 1000))
        .collect();
    let questions: Option<Vec<String>> = questions.into_iter().collect();
    if i.speakers.len() > 30 {
        errors.insert("speakers".into(), "at most 30 speakers".into());
    }
    let speakers: Vec<Option<_>> = i
        .speakers
        .iter()
        .enumerate()
        .map(|(n, s)| s.parse(&format!("speakers[{n}]"), &mut errors))
        .collect();
    let speakers: Option<Vec<_>> = speakers.into_iter().collect();
    let moderator = text(&mut errors, "moderator_name", &i.moderator_name, 1, 200);
    let rapporteur = text(&mut errors, "rapporteur_name", &i.rapporteur_name, 1, 200);
    let (
        Some(title),
        Some(session_type),
        Some(format),
        Some(subtheme),
        Some(description),
        Some(questions),
        Some(speakers),
        Some(moderator),
        Some(rapporteur),
        true,
    ) = (
        title,
        session_type,
        format,
        subtheme,
        description,
        questions,
        speakers,
        moderator,
        rapporteur,
        errors.is_empty(),
    )
    else {
        return Err(ApiError::validation(errors));
    };
    let new = NewProposal {
        title,
        session_type,
        subtheme,
        format,
        description,
        policy_questions: questions,
        speakers,
        moderator_name: moderator,
        rapporteur_name: rapporteur,
    };
    let key = path.into_inner();
    let proposer = user.id;
    let body = state
        .db
        .tx(move |conn| {
            let event = store::resolve(conn, &key)?;
            if !event.call_open(now()) {
                return Err(ApiError::new(
                    ErrorCode::CallClosed,
                    "the call for session proposals is not open",
                ));
            }
            let themes = event.subthemes();
            if !themes.is_empty() && !themes.contains(&new.subtheme) {
                return Err(ApiError::field(
                    "subtheme",
                    format!("must be one of: {}", themes.join("; ")),
                ));
            }
            let broken = proposals::broken_rules(conn, &event, &event.rules(), proposer, &new)?;
            if !broken.is_empty() {
                let mut e = ApiError::validation(broken);
                e.message = "the proposal breaks the event's rules".into();
                return Err(e);
            }
            let id = proposals::insert(conn, event.id, proposer, &new)?;
            Ok(proposals::view(&proposals::get(conn, id)?, None))
        })
        .await?;
    Ok(HttpResponse::Created().json(body))
}

pub async fn list_proposals(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let key = path.into_inner();
    let items = state
        .db
        .run(move |conn| {
            let event = store::resolve(conn, &key)?;
            proposals::ranking(conn, event.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

pub async fn get_proposal(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let p = proposals::get(conn, id)?;
            if user.has(Role::Organizer) {
                let reviews = proposals::reviews_of(conn, id)?;
                Ok(proposals::view(&p, Some(&reviews)))
            } else if p.proposer_id == user.id {
                Ok(proposals::view(&p, None))
            } else {
                Err(ApiError::not_found("proposal"))
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    score: i32,
    #[serde(default)]
    comment: String,
}

pub async fn review(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<ReviewInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    if !(1..=5).contains(&i.score) {
        errors.insert("score".into(), "must be from 1 to 5".into());
    }
    let comment = text(&mut errors, "comment", &i.comment, 0, 5000);
    let Some(comment) = comment.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let p = proposals::get(conn, id)?;
            let review_id = proposals::review(conn, &p, user.id, i.score, &comment)?;
            Ok(json!({"id": review_id, "proposal_id": id, "score": i.score, "comment": comment}))
        })
        .await?;
    Ok(HttpResponse::Created().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<DecisionInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let decision = match ProposalStatus::parse(&i.decision) {
        Some(d) if d != ProposalStatus::Submitted => d,
        _ => {
            return Err(ApiError::field(
                "decision",
                "must be accepted, rejected or merged",
            ))
        }
    };
    let note = bounded_text(&i.note, 0, 5000).map_err(|e| ApiError::field("note", e))?;
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let p = proposals::get(conn, id)?;
            let session_id = proposals::decide(conn, &p, decision, &note)?;
            let mut v = proposals::view(&proposals::get(conn, id)?, None);
            v["session_id"] = json!(session_id);
            Ok(v)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
pub struct TzQuery {
    tz: Option<String>,
}

/// `?tz=` when given (422 when unknown).
fn query_tz(raw: Option<&str>) -> ApiResult<Option<chrono_tz::Tz>> {
    raw.map(|t| parse_timezone(t).map_err(|e| ApiError::query("tz", e)))
        .transpose()
}

/// `?tz=`, else the event's zone.
fn zone(raw: Option<&str>, event: &store::EventRow) -> ApiResult<chrono_tz::Tz> {
    Ok(query_tz(raw)?.unwrap_or_else(|| event.tz()))
}

pub async fn get_session(
    state: State,
    user: MaybeUser,
    path: web::Path<i64>,
    query: web::Query<TzQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let tz = query.into_inner().tz;
    let body = state
        .db
        .run(move |conn| {
            let (s, event) = schedule::visible(conn, id, user.0.as_ref())?;
            let tz = zone(tz.as_deref(), &event)?;
            Ok(schedule::view(
                &s,
                &schedule::rooms_by_id(conn, event.id)?,
                tz,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotInput {
    room_id: i64,
    starts_at: String,
    ends_at: String,
}

pub async fn set_slot(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<SlotInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let mut errors = FieldErrors::new();
    let starts = parse_time("starts_at", &i.starts_at)
        .map_err(|e| errors.extend(e.fields.unwrap_or_default()))
        .ok();
    let ends = parse_time("ends_at", &i.ends_at)
        .map_err(|e| errors.extend(e.fields.unwrap_or_default()))
        .ok();
    let (Some(starts), Some(ends), true) = (starts, ends, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let s = schedule::get(conn, id)?;
            let event = store::resolve(conn, &s.event_id.to_string())?;
            let updated = schedule::set_slot(conn, &s, &event, i.room_id, starts, ends)?;
            Ok(schedule::view(
                &updated,
                &schedule::rooms_by_id(conn, event.id)?,
                event.tz(),
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
pub struct AgendaQuery {
    day: Option<String>,
    #[serde(rename = "type")]
    session_type: Option<String>,
    subtheme: Option<String>,
    format: Option<String>,
    q: Option<String>,
    tz: Option<String>,
}

pub async fn agenda(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<AgendaQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let day = match q.day.as_deref() {
        Some(d) => Some(parse_date(d).map_err(|e| ApiError::query("day", e))?),
        None => None,
    };
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let event = store::resolve_for(conn, &key, user.0.as_ref())?;
            let tz = zone(q.tz.as_deref(), &event)?;
            let filter = AgendaFilter { day, session_type: q.session_type, subtheme: q.subtheme, format: q.format, q: q.q };
            let items = schedule::agenda(conn, &event, &filter, tz)?;
            Ok(json!({"event_id": event.id, "timezone": tz.name(), "items": items, "next_cursor": null}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Every session of the event for its organisers, scheduled or not, with room and times.
pub async fn sessions(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<TzQuery>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let key = path.into_inner();
    let tz = query.into_inner().tz;
    let body = state
        .db
        .run(move |conn| {
            let event = store::resolve_for(conn, &key, Some(&user))?;
            let tz = zone(tz.as_deref(), &event)?;
            let rooms = schedule::rooms_by_id(conn, event.id)?;
            let items: Vec<_> = schedule::all(conn, event.id)?
                .iter()
                .map(|s| schedule::view(s, &rooms, tz))
                .collect();
            Ok(json!({"event_id": event.id, "timezone": tz.name(), "items": items, "next_cursor": null}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn ics(body: String, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Content-Type", "text/calendar; charset=utf-8"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}.ics\""),
        ))
        .body(body)
}

pub async fn agenda_ics(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = path.into_inner();
    let public_url = state.config.public_url.clone();
    let (body, slug) = state
        .db
        .run(move |conn| {
            let event = store::resolve_for(conn, &key, user.0.as_ref())?;
            let sessions = schedule::scheduled(conn, event.id)?;
            let rooms = schedule::rooms_by_id(conn, event.id)?;
            Ok((
                super::ical::calendar(&event, &sessions, &rooms, &public_url),
                event.slug,
            ))
        })
        .await?;
    Ok(ics(body, &slug))
}

pub async fn session_ics(
    state: State,
    user: MaybeUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let public_url = state.config.public_url.clone();
    let body = state
        .db
        .run(move |conn| {
            let (s, event) = schedule::visible(conn, id, user.0.as_ref())?;
            if s.starts_at.is_none() {
                return Err(ApiError::not_found("scheduled session"));
            }
            let rooms = schedule::rooms_by_id(conn, event.id)?;
            Ok(super::ical::calendar(
                &event,
                std::slice::from_ref(&s),
                &rooms,
                &public_url,
            ))
        })
        .await?;
    Ok(ics(body, &format!("session-{id}")))
}

pub async fn agenda_csv(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<TzQuery>,
) -> ApiResult<HttpResponse> {
    let key = path.into_inner();
    let tz = query.into_inner().tz;
    let (body, slug) = state
        .db
        .run(move |conn| {
            let event = store::resolve_for(conn, &key, user.0.as_ref())?;
            let tz = zone(tz.as_deref(), &event)?;
            let sessions = schedule::scheduled(conn, event.id)?;
            let rooms = schedule::rooms_by_id(conn, event.id)?;
            Ok((
                super::import::export_csv(&sessions, &rooms, tz)?,
                event.slug,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", "text/csv; charset=utf-8"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{slug}-agenda.csv\""),
        ))
        .body(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    format: Option<String>,
    source: Option<String>,
    rows: Option<Vec<super::import::Row>>,
}

pub async fn import_agenda(
    state: State,
    user: AuthUser,
    path: web::Path<String>,
    input: ApiJson<ImportInput>,
) -> ApiResult<HttpResponse> {
    user.require(Role::Organizer)?;
    let i = input.0;
    let rows = match (i.format.as_deref(), i.source, i.rows) {
        (Some("csv"), Some(source), None) => super::import::parse_csv(&source)?,
        (None | Some("json"), None, Some(rows)) => rows.into_iter().map(Ok).collect(),
        _ => {
            return Err(ApiError::field(
                "source",
                "give {format: \"csv\", source} or {rows: [...]}",
            ))
        }
    };
    let key = path.into_inner();
    let ids = state
        .db
        .tx(move |conn| {
            let event = store::resolve(conn, &key)?;
            super::import::import(conn, &event, rows)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({"imported": ids.len(), "session_ids": ids})))
}

pub async fn bookmark(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    state
        .db
        .tx(move |conn| {
            schedule::visible(conn, id, Some(&user))?;
            super::bookmarks::add(conn, user.id, id)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({"session_id": id, "bookmarked": true})))
}

pub async fn unbookmark(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    state
        .db
        .tx(move |conn| super::bookmarks::remove(conn, user.id, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn my_agenda(
    state: State,
    user: AuthUser,
    query: web::Query<TzQuery>,
) -> ApiResult<HttpResponse> {
    let tz = query_tz(query.into_inner().tz.as_deref())?;
    let items = state
        .db
        .run(move |conn| {
            let (sessions, events, rooms) = super::bookmarks::agenda(conn, user.id)?;
            Ok(sessions
                .iter()
                .map(|s| {
                    let zone = tz
                        .or_else(|| events.get(&s.event_id).map(store::EventRow::tz))
                        .unwrap_or(chrono_tz::UTC);
                    schedule::view(s, &rooms, zone)
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

pub async fn my_agenda_ics(state: State, user: AuthUser) -> ApiResult<HttpResponse> {
    let public_url = state.config.public_url.clone();
    let body = state
        .db
        .run(move |conn| {
            let (sessions, events, rooms) = super::bookmarks::agenda(conn, user.id)?;
            let entries: Vec<_> = sessions
                .iter()
                .filter_map(|s| events.get(&s.event_id).map(|e| (s, e)))
                .collect();
            Ok(super::ical::calendar_of(
                "My Indaba agenda",
                None,
                &entries,
                &rooms,
                &public_url,
            ))
        })
        .await?;
    Ok(ics(body, "my-agenda"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    key_takeaways: Vec<String>,
    #[serde(default)]
    calls_to_action: Vec<String>,
    participants_onsite: i32,
    participants_online: i32,
    women_share: Option<f64>,
}

pub async fn file_report(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<ReportInput>,
) -> ApiResult<HttpResponse> {
    let i = input.0;
    let mut errors = FieldErrors::new();
    if i.key_takeaways.is_empty() || i.key_takeaways.len() > 10 {
        errors.insert("key_takeaways".into(), "give from 1 to 10 takeaways".into());
    }
    if i.calls_to_action.len() > 10 {
        errors.insert(
            "calls_to_action".into(),
            "at most 10 calls to action".into(),
        );
    }
    let takeaways: Vec<Option<String>> = i
        .key_takeaways
        .iter()
        .enumerate()
        .map(|(n, t)| text(&mut errors, &format!("key_takeaways[{n}]"), t, 1, 2000))
        .collect();
    let calls: Vec<Option<String>> = i
        .calls_to_action
        .iter()
        .enumerate()
        .map(|(n, t)| text(&mut errors, &format!("calls_to_action[{n}]"), t, 1, 2000))
        .collect();
    for (field, n) in [
        ("participants_onsite", i.participants_onsite),
        ("participants_online", i.participants_online),
    ] {
        if !(0..=1_000_000).contains(&n) {
            errors.insert(field.into(), "must be from 0 to 1000000".into());
        }
    }
    if i.women_share
        .is_some_and(|w| !(0.0..=1.0).contains(&w) || w.is_nan())
    {
        errors.insert(
            "women_share".into(),
            "must be a fraction from 0 to 1".into(),
        );
    }
    let (Some(takeaways), Some(calls), true) = (
        takeaways.into_iter().collect::<Option<Vec<_>>>(),
        calls.into_iter().collect::<Option<Vec<_>>>(),
        errors.is_empty(),
    ) else {
        return Err(ApiError::validation(errors));
    };
    let report = super::reports::Report {
        key_takeaways: takeaways,
        calls_to_action: calls,
        participants_onsite: i.participants_onsite,
        participants_online: i.participants_online,
        women_share: i.women_share,
    };
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let s = schedule::get(conn, id)?;
            // The rapporteur is named, not an account: the session's proposer files for them.
            let proposer = match s.proposal_id {
                Some(p) => Some(proposals::get(conn, p)?.proposer_id),
                None => None,
            };
            if !(user.has(Role::Organizer) || proposer == Some(user.id)) {
                return Err(ApiError::forbidden(
                    "reports are filed by organisers and the session's proposer",
                ));
            }
            let row = super::reports::file(conn, &s, &report, user.id)?;
            Ok(super::reports::view(&row))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn get_report(
    state: State,
    user: MaybeUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            schedule::visible(conn, id, user.0.as_ref())?;
            let row =
                super::reports::get(conn, id)?.ok_or_else(|| ApiError::not_found("report"))?;
            Ok(super::reports::view(&row))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn event_report(
    state: State,
    user: MaybeUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let event = store::resolve_for(conn, &key, user.0.as_ref())?;
            super::reports::compile(conn, event.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    kind: String,
    #[serde(default)]
    title: String,
    minutes: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentsInput {
    segments: Vec<SegmentInput>,
}

pub async fn set_segments(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<SegmentsInput>,
) -> ApiResult<HttpResponse> {
    use super::floor::{Segment, SegmentKind};
    user.require(Role::Organizer)?;
    let mut errors = FieldErrors::new();
    if input.0.segments.len() > 20 {
        errors.insert("segments".into(), "at most 20 segments".into());
    }
    let segments: Vec<Option<Segment>> = input
        .0
        .segments
        .iter()
        .enumerate()
        .map(|(n, g)| {
            let kind = SegmentKind::parse(&g.kind)
                .ok_or_else(|| {
                    errors.insert(
                        format!("segments[{n}].kind"),
                        format!("must be one of {}", SegmentKind::expected()),
                    )
                })
                .ok();
            let title = text(
                &mut errors,
                &format!("segments[{n}].title"),
                &g.title,
                0,
                200,
            );
            if !(1..=480).contains(&g.minutes) {
                errors.insert(
                    format!("segments[{n}].minutes"),
                    "must be from 1 to 480".into(),
                );
            }
            Some(Segment {
                kind: kind?,
                title: title?,
                minutes: g.minutes,
            })
        })
        .collect();
    let (Some(segments), true) = (
        segments.into_iter().collect::<Option<Vec<_>>>(),
        errors.is_empty(),
    ) else {
        return Err(ApiError::validation(errors));
    };
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            let s = schedule::get(conn, id)?;
            super::floor::set_segments(conn, &s, &segments)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn segments(
    state: State,
    user: MaybeUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            let s = schedule::visible(conn, id, user.0.as_ref())?.0;
            super::floor::segments_view(conn, &s)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn queue(state: State, user: MaybeUser, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = state
        .db
        .run(move |conn| {
            schedule::visible(conn, id, user.0.as_ref())?;
            super::floor::queue_view(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinInput {
    mode: String,
}

pub async fn join_queue(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
    input: ApiJson<JoinInput>,
) -> ApiResult<HttpResponse> {
    user.require_verified(&state.db).await?;
    let mode = super::floor::Mode::parse(&input.0.mode)
        .ok_or_else(|| ApiError::field("mode", "must be onsite or remote"))?;
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            schedule::visible(conn, id, Some(&user))?;
            super::floor::join(conn, id, user.id, mode)
        })
        .await?;
    Ok(HttpResponse::Created().json(body))
}

pub async fn leave_queue(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| super::floor::leave(conn, id, user.id))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn next_speaker(
    state: State,
    user: AuthUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    if !(user.has(Role::Organizer) || user.has(Role::Moderator)) {
        return Err(ApiError::forbidden(
            "organisers and moderators give the floor",
        ));
    }
    let id = path.into_inner();
    let body = state
        .db
        .tx(move |conn| {
            schedule::get(conn, id)?;
            super::floor::call_next(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
