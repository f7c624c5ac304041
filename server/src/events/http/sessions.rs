//! Sessions and the agenda: `/sessions/{id}` (and `.ics`, `/slot`),
//! `/events/{id}/sessions`, `/events/{id}/agenda` (and `.ics`, `.csv`, `/import`).

use actix_web::HttpRequest;

use crate::error::{ApiError, ApiResult};
use crate::events::command::{
    Agenda, AgendaQuery, ImportInput, ImportRows, SessionsQuery, SlotInput, TzQuery,
};
use crate::events::schedule::Slot;
use crate::events::usecase::sessions as uc;
use crate::events::view::{AgendaView, Imported, SessionView};
use crate::http::cache::{CachedFile, CachedJson};
use crate::http::respond::{Calendar, Created, Csv, Json, Private};
use crate::http::ApiJson;
use crate::policy::guards::events::{EventOrganizer, EventReader, SessionOrganizer, SessionReader};
use crate::state::State;

use super::{MayConflict, Or};

pub async fn get(
    reader: SessionReader,
    state: State,
    query: crate::http::Query<TzQuery>,
) -> ApiResult<Json<SessionView>> {
    let tz = query.zone()?;
    Ok(Json(uc::get(&state.db, &reader, tz).await?))
}

pub async fn set_slot(
    org: SessionOrganizer,
    state: State,
    input: ApiJson<SlotInput>,
) -> ApiResult<MayConflict<Json<SessionView>>> {
    let slot = Slot::try_from(input.0)?;
    Ok(Or(Json(uc::set_slot(&state.db, &org, slot).await?)))
}

pub async fn unschedule(
    org: SessionOrganizer,
    state: State,
) -> ApiResult<MayConflict<Json<SessionView>>> {
    Ok(Or(Json(uc::unschedule(&state.db, &org).await?)))
}

pub async fn agenda(
    reader: EventReader,
    state: State,
    query: crate::http::Query<AgendaQuery>,
    req: HttpRequest,
) -> ApiResult<CachedJson<AgendaView>> {
    let q = query.into_inner();
    let (limit, cursor) = (q.limit, q.cursor.clone());
    let agenda = Agenda::try_from(q)?;
    let page = agenda.page(reader.event.id, limit, cursor.as_deref())?;
    let key = cache_key("agenda.json", &reader, &req);
    let version = uc::agenda_version(&state.db, &reader.event).await?;
    let encoded = state
        .rendered
        .get_or(key, version, async {
            let view = uc::agenda(&state.db, &reader, agenda).await?.paged(&page);
            serde_json::to_vec(&view).map_err(ApiError::internal)
        })
        .await?;
    Ok(CachedJson::new(encoded))
}

/// What a published agenda's answer depends on besides its version: the endpoint, the
/// audience (organisers see speakers' e-mails) and the query as sent.
fn cache_key(what: &str, reader: &EventReader, req: &HttpRequest) -> String {
    format!(
        "{what}:{}:{:?}:{}",
        reader.event.id,
        reader.speakers(),
        req.query_string()
    )
}

pub async fn all(
    org: EventOrganizer,
    state: State,
    query: crate::http::Query<SessionsQuery>,
) -> ApiResult<Private<AgendaView>> {
    let (tz, page) = query.parse(&format!("sessions:{}", org.event.id))?;
    Ok(Private(uc::all(&state.db, &org, tz).await?.paged(&page)))
}

pub async fn agenda_ics(
    reader: EventReader,
    state: State,
    req: HttpRequest,
) -> ApiResult<CachedFile<Calendar>> {
    let key = cache_key("agenda.ics", &reader, &req);
    let version = uc::agenda_version(&state.db, &reader.event).await?;
    let public_url = &state.config.public_url;
    let filename = format!("{}.ics", reader.event.slug);
    let encoded = state
        .rendered
        .get_or(key, version, async {
            Ok(uc::agenda_calendar(&state.db, &reader, public_url)
                .await?
                .body
                .into_bytes())
        })
        .await?;
    Ok(CachedFile::new(encoded, filename))
}

pub async fn session_ics(reader: SessionReader, state: State) -> ApiResult<CachedFile<Calendar>> {
    // What the session's calendar depends on was read with it by the guard.
    let (s, e) = (&reader.session, &reader.event);
    let key = format!("session.ics:{}", s.id);
    let version = format!("{:?}:{}:{}", s.updated_at, s.ical_sequence, e.updated_at);
    let public_url = &state.config.public_url;
    let filename = format!("session-{}.ics", s.id);
    let encoded = state
        .rendered
        .get_or(key, version, async {
            Ok(uc::session_calendar(&state.db, &reader, public_url)
                .await?
                .body
                .into_bytes())
        })
        .await?;
    Ok(CachedFile::new(encoded, filename))
}

pub async fn agenda_csv(
    reader: EventReader,
    state: State,
    query: crate::http::Query<TzQuery>,
    req: HttpRequest,
) -> ApiResult<CachedFile<Csv>> {
    let tz = query.zone()?;
    let key = cache_key("agenda.csv", &reader, &req);
    let version = uc::agenda_version(&state.db, &reader.event).await?;
    let filename = format!("{}-agenda.csv", reader.event.slug);
    let encoded = state
        .rendered
        .get_or(key, version, async {
            let mut body = <Csv as crate::http::respond::DownloadKind>::PREFIX
                .as_bytes()
                .to_vec();
            body.extend(
                uc::agenda_csv(&state.db, &reader, tz)
                    .await?
                    .body
                    .into_bytes(),
            );
            Ok(body)
        })
        .await?;
    Ok(CachedFile::new(encoded, filename))
}

pub async fn import(
    org: EventOrganizer,
    state: State,
    input: ApiJson<ImportInput>,
) -> ApiResult<Created<Imported>> {
    let rows = ImportRows::try_from(input.0)?;
    Ok(Created(uc::import(&state.db, &org, rows).await?))
}
