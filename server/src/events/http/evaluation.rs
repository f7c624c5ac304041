//! `/events/{id}/evaluation` (set-up, assignments, ranking), `/me/evaluations`, and a
//! proposal's `/evaluation` and `/recusal`.

use actix_web::web;

use crate::error::ApiResult;
use crate::events::evaluation::{
    Assigned, Evaluation, EvaluationInput, PanelInput, RankedView, RecusalInput, Rubric,
    RubricInput, Setup, SetupInput, SetupView,
};
use crate::events::usecase::evaluation::{self as uc, EvaluationItem, Recused};
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Json, List, Private};
use crate::http::ApiJson;
use crate::policy::guards::events::EventOrganizer;
use crate::policy::guards::SignedIn;
use crate::state::State;

use super::{MayConflict, MayForbid, Or};

pub async fn setup(org: EventOrganizer, state: State) -> ApiResult<Private<SetupView>> {
    Ok(Private(uc::setup(&state.db, &org).await?))
}

/// 409 when the rubric changes after evaluations used it.
pub async fn set_up(
    org: EventOrganizer,
    state: State,
    input: ApiJson<SetupInput>,
) -> ApiResult<MayConflict<Private<SetupView>>> {
    let setup = Setup::try_from(input.0)?;
    Ok(Or(Private(uc::set_up(&state.db, &org, setup).await?)))
}

/// The panel alone; the rubric is kept.
pub async fn set_panel(
    org: EventOrganizer,
    state: State,
    input: ApiJson<PanelInput>,
) -> ApiResult<Private<SetupView>> {
    let panel = Vec::<i64>::try_from(input.0)?;
    Ok(Private(uc::set_panel(&state.db, &org, panel).await?))
}

/// The rubric alone; the panel is kept. 409 when evaluations used the criteria.
pub async fn set_rubric(
    org: EventOrganizer,
    state: State,
    input: ApiJson<RubricInput>,
) -> ApiResult<MayConflict<Private<SetupView>>> {
    let rubric = Rubric::try_from(input.0)?;
    Ok(Or(Private(uc::set_rubric(&state.db, &org, rubric).await?)))
}

/// 409 when the event has no panel.
pub async fn assign(org: EventOrganizer, state: State) -> ApiResult<MayConflict<Json<Assigned>>> {
    Ok(Or(Json(uc::assign(&state.db, &org).await?)))
}

pub async fn ranking(
    org: EventOrganizer,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Private<List<RankedView>>> {
    let page = Page::from_query(&format!("evaluation-ranking:{}", org.event.id), &query)?;
    let all = uc::ranking(&state.db, &org).await?;
    Ok(Private(List::page(all, &page)))
}

pub async fn mine(
    who: SignedIn,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Private<List<EvaluationItem>>> {
    let page = Page::from_query("me/evaluations", &query)?;
    let all = uc::mine(&state.db, who.0.id).await?;
    Ok(Private(List::page(all, &page)))
}

/// 403 unless the proposal was given to the caller; 409 once it is decided.
pub async fn evaluate(
    who: SignedIn,
    state: State,
    id: web::Path<i64>,
    input: ApiJson<EvaluationInput>,
) -> ApiResult<MayForbid<MayConflict<Private<EvaluationItem>>>> {
    let evaluation = Evaluation::try_from(input.0)?;
    let item = uc::evaluate(&state.db, who.0.id, id.into_inner(), evaluation).await?;
    Ok(Or(Or(Private(item))))
}

/// 403 unless the proposal was given to the caller; 409 once it is decided.
pub async fn recuse(
    who: SignedIn,
    state: State,
    id: web::Path<i64>,
    input: ApiJson<RecusalInput>,
) -> ApiResult<MayForbid<MayConflict<Json<Recused>>>> {
    let done = uc::recuse(&state.db, who.0.id, id.into_inner(), input.0.reason).await?;
    Ok(Or(Or(Json(done))))
}
