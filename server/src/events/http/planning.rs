//! `/sessions/{id}/planning`, `/events/{id}/unavailability` and
//! `/events/{id}/schedule/proposal`: what the schedule solver is told, and its answer.

use actix_web::web;

use crate::error::ApiResult;
use crate::events::planning::{
    Planning, PlanningInput, PlanningView, ProposalRequest, ProposalRequestInput, Unavailability,
    UnavailabilityInput, UnavailableView,
};
use crate::events::usecase::planning::{self as uc, ScheduleProposal};
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Json, List, Private};
use crate::http::ApiJson;
use crate::policy::guards::events::{EventOrganizer, SessionOrganizer};
use crate::state::State;

use super::{MayConflict, Or};

pub async fn get(org: SessionOrganizer, state: State) -> ApiResult<Json<PlanningView>> {
    Ok(Json(uc::planning(&state.db, &org).await?))
}

pub async fn set(
    org: SessionOrganizer,
    state: State,
    input: ApiJson<PlanningInput>,
) -> ApiResult<Json<PlanningView>> {
    let planning = Planning::try_from(input.0)?;
    Ok(Json(uc::set_planning(&state.db, &org, planning).await?))
}

/// Speakers' unavailable times name them: organisers only, never cached.
pub async fn unavailability(
    org: EventOrganizer,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Private<List<UnavailableView>>> {
    let page = Page::from_query(&format!("unavailability:{}", org.event.id), &query)?;
    let all = uc::unavailability(&state.db, &org).await?;
    Ok(Private(List::page(all, &page)))
}

pub async fn set_unavailability(
    org: EventOrganizer,
    state: State,
    input: ApiJson<UnavailabilityInput>,
) -> ApiResult<Private<List<UnavailableView>>> {
    let list = Unavailability::try_from(input.0)?;
    let all = uc::set_unavailability(&state.db, &org, list).await?;
    Ok(Private(List::all(all)))
}

/// 422 when some session can be placed nowhere (unless `partial`); 409 when `apply`
/// finds the schedule changed while the proposal was computed.
pub async fn propose(
    org: EventOrganizer,
    state: State,
    input: ApiJson<ProposalRequestInput>,
) -> ApiResult<MayConflict<Json<ScheduleProposal>>> {
    let req = ProposalRequest::try_from(input.0)?;
    Ok(Or(Json(uc::propose(&state.db, &org, req).await?)))
}

/// 409 when the schedule changed since the proposal was computed, or it was applied.
pub async fn apply(
    org: EventOrganizer,
    state: State,
    path: web::Path<(String, i64)>,
) -> ApiResult<MayConflict<Json<ScheduleProposal>>> {
    let (_, id) = path.into_inner();
    Ok(Or(Json(uc::apply(&state.db, &org, id).await?)))
}
