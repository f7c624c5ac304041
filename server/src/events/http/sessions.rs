//! Sessions and the agenda: `/sessions/{id}` (and `.ics`, `/slot`),
//! `/events/{id}/sessions`, `/events/{id}/agenda` (and `.ics`, `.csv`, `/import`).

use crate::error::ApiResult;
use crate::events::command::{
    Agenda, AgendaQuery, ImportInput, ImportRows, SessionsQuery, SlotInput, TzQuery,
};
use crate::events::schedule::Slot;
use crate::events::usecase::sessions as uc;
use crate::events::view::{AgendaView, Imported, SessionView};
use crate::http::respond::{Calendar, Created, Csv, File, Json, Private};
use crate::http::ApiJson;
use crate::policy::guards::events::{EventOrganizer, EventReader, SessionOrganizer, SessionReader};
use crate::state::State;

use super::{file, MayConflict, Or};

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

pub async fn agenda(
    reader: EventReader,
    state: State,
    query: crate::http::Query<AgendaQuery>,
) -> ApiResult<Json<AgendaView>> {
    let q = query.into_inner();
    let (limit, cursor) = (q.limit, q.cursor.clone());
    let agenda = Agenda::try_from(q)?;
    let page = agenda.page(reader.event.id, limit, cursor.as_deref())?;
    Ok(Json(
        uc::agenda(&state.db, &reader, agenda).await?.paged(&page),
    ))
}

pub async fn all(
    org: EventOrganizer,
    state: State,
    query: crate::http::Query<SessionsQuery>,
) -> ApiResult<Private<AgendaView>> {
    let (tz, page) = query.parse(&format!("sessions:{}", org.event.id))?;
    Ok(Private(uc::all(&state.db, &org, tz).await?.paged(&page)))
}

pub async fn agenda_ics(reader: EventReader, state: State) -> ApiResult<File<Calendar>> {
    let public_url = &state.config.public_url;
    Ok(file(
        uc::agenda_calendar(&state.db, &reader, public_url).await?,
    ))
}

pub async fn session_ics(reader: SessionReader, state: State) -> ApiResult<File<Calendar>> {
    let public_url = &state.config.public_url;
    Ok(file(
        uc::session_calendar(&state.db, &reader, public_url).await?,
    ))
}

pub async fn agenda_csv(
    reader: EventReader,
    state: State,
    query: crate::http::Query<TzQuery>,
) -> ApiResult<File<Csv>> {
    let tz = query.zone()?;
    Ok(file(uc::agenda_csv(&state.db, &reader, tz).await?))
}

pub async fn import(
    org: EventOrganizer,
    state: State,
    input: ApiJson<ImportInput>,
) -> ApiResult<Created<Imported>> {
    let rows = ImportRows::try_from(input.0)?;
    Ok(Created(uc::import(&state.db, &org, rows).await?))
}
