//! Running a session: `/sessions/{id}/roles`, `/segments` and `/queue`.

use actix_web::web;

use crate::error::ApiResult;
use crate::events::command::{JoinInput, Segments, SegmentsInput};
use crate::events::floor::Mode;
use crate::events::roles::{Roles, RolesInput, RolesView};
use crate::events::usecase::floor as uc;
use crate::events::view::{QueueView, SegmentsView};
use crate::http::respond::{Created, Json};
use crate::http::ApiJson;
use crate::policy::guards::events::{FloorRunner, SessionOrganizer, SessionReader};
use crate::policy::guards::{SignedIn, Verified};
use crate::state::State;

use super::{MayConflict, Or};

pub async fn set_segments(
    org: SessionOrganizer,
    state: State,
    input: ApiJson<SegmentsInput>,
) -> ApiResult<Json<SegmentsView>> {
    let segments = Segments::try_from(input.0)?;
    Ok(Json(uc::set_segments(&state.db, &org, segments).await?))
}

pub async fn segments(reader: SessionReader, state: State) -> ApiResult<Json<SegmentsView>> {
    Ok(Json(uc::segments(&state.db, &reader).await?))
}

pub async fn queue(reader: SessionReader, state: State) -> ApiResult<Json<QueueView>> {
    Ok(Json(uc::queue(&state.db, &reader).await?))
}

pub async fn join(
    by: Verified,
    state: State,
    session: web::Path<i64>,
    input: ApiJson<JoinInput>,
) -> ApiResult<MayConflict<Created<QueueView>>> {
    let mode = Mode::try_from(input.0)?;
    let view = uc::join(&state.db, &by, session.into_inner(), mode).await?;
    Ok(Or(Created(view)))
}

pub async fn leave(
    by: SignedIn,
    state: State,
    session: web::Path<i64>,
) -> ApiResult<Json<QueueView>> {
    Ok(Json(uc::leave(&state.db, &by, session.into_inner()).await?))
}

pub async fn next(runner: FloorRunner, state: State) -> ApiResult<MayConflict<Json<QueueView>>> {
    Ok(Or(Json(uc::call_next(&state.db, &runner).await?)))
}

pub async fn roles(reader: SessionReader, state: State) -> ApiResult<Json<RolesView>> {
    Ok(Json(uc::roles(&state.db, &reader).await?))
}

pub async fn set_roles(
    org: SessionOrganizer,
    state: State,
    input: ApiJson<RolesInput>,
) -> ApiResult<Json<RolesView>> {
    let roles = Roles::try_from(input.0)?;
    Ok(Json(uc::set_roles(&state.db, &org, roles).await?))
}
