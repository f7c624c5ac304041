//! `/sessions/{id}/report` and `/events/{id}/report`.

use crate::error::ApiResult;
use crate::events::command::ReportInput;
use crate::events::usecase::reports as uc;
use crate::events::view::{EventReport, ReportView};
use crate::http::respond::Json;
use crate::http::ApiJson;
use crate::policy::guards::events::{EventReader, ReportWriter, SessionReader};
use crate::state::State;

pub async fn file(
    writer: ReportWriter,
    state: State,
    input: ApiJson<ReportInput>,
) -> ApiResult<Json<ReportView>> {
    let report = input.0.try_into()?;
    Ok(Json(uc::file(&state.db, &writer, report).await?))
}

pub async fn get(reader: SessionReader, state: State) -> ApiResult<Json<ReportView>> {
    Ok(Json(uc::get(&state.db, &reader).await?))
}

pub async fn event(reader: EventReader, state: State) -> ApiResult<Json<EventReport>> {
    Ok(Json(uc::compile(&state.db, &reader).await?))
}
