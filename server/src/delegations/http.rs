//! The endpoints of delegations and negotiating groups.

use actix_web::web;

use super::types::{
    DelegatesInput, DelegationAdminView, DelegationInput, DelegationView, GroupInput, GroupView,
    MembersInput, Represented,
};
use super::usecase;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::input::text;
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Created, Json, List, MayConflict, Or};
use crate::http::{ApiJson, Query};
use crate::policy::guards::{Admin, Anyone, SignedIn};
use crate::state::State;

pub async fn create_delegation(
    _: Admin,
    state: State,
    input: ApiJson<DelegationInput>,
) -> ApiResult<MayConflict<Created<DelegationView>>> {
    let new = input.0.try_into()?;
    usecase::create_delegation(&state.db, new)
        .await
        .map(|v| Or(Created(v)))
}

pub async fn delegations(
    _: Anyone,
    state: State,
    query: Query<PageQuery>,
) -> ApiResult<Json<List<DelegationView>>> {
    let page = Page::from_query("delegations", &query)?;
    Ok(Json(List::page(
        usecase::delegations(&state.db).await?,
        &page,
    )))
}

pub async fn set_delegates(
    _: Admin,
    state: State,
    path: web::Path<i64>,
    input: ApiJson<DelegatesInput>,
) -> ApiResult<Json<DelegationAdminView>> {
    usecase::set_delegates(&state.db, path.into_inner(), input.0.user_ids)
        .await
        .map(Json)
}

pub async fn create_group(
    _: Admin,
    state: State,
    input: ApiJson<GroupInput>,
) -> ApiResult<MayConflict<Created<GroupView>>> {
    let mut errors = FieldErrors::new();
    let name = text(&mut errors, "name", &input.0.name, 1, 200)
        .ok_or_else(|| ApiError::validation(errors))?;
    usecase::create_group(&state.db, name)
        .await
        .map(|v| Or(Created(v)))
}

pub async fn groups(
    _: Anyone,
    state: State,
    query: Query<PageQuery>,
) -> ApiResult<Json<List<GroupView>>> {
    let page = Page::from_query("groups", &query)?;
    Ok(Json(List::page(usecase::groups(&state.db).await?, &page)))
}

pub async fn set_members(
    _: Admin,
    state: State,
    path: web::Path<i64>,
    input: ApiJson<MembersInput>,
) -> ApiResult<Json<GroupView>> {
    let MembersInput {
        delegation_ids,
        chair_id,
    } = input.0;
    usecase::set_members(&state.db, path.into_inner(), delegation_ids, chair_id)
        .await
        .map(Json)
}

pub async fn mine(
    who: SignedIn,
    state: State,
    query: Query<PageQuery>,
) -> ApiResult<Json<List<Represented>>> {
    let page = Page::from_query("me/delegations", &query)?;
    Ok(Json(List::page(
        usecase::mine(&state.db, who.0.id).await?,
        &page,
    )))
}
