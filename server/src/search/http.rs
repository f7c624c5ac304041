//! The search endpoints: extract, call the use case, answer its view.

use actix_web::web;

use super::command::{
    ConsultationSearch, ConsultationSearchQuery, PlatformSearch, PlatformSearchQuery,
};
use super::usecase;
use super::view::{CommentHit, PlatformHit, SearchResults};
use crate::error::ApiResult;
use crate::http::respond::{Json, MayForbid};
use crate::policy::guards::Anyone;
use crate::state::State;

/// 403 when someone who does not review the consultation filters by review fields.
pub async fn consultation(
    who: Anyone,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<ConsultationSearchQuery>,
) -> ApiResult<MayForbid<Json<SearchResults<CommentHit>>>> {
    let key = path.into_inner();
    let cmd = ConsultationSearch::parse(&key, query.into_inner())?;
    usecase::consultation(&state.db, state.search.clone(), who.0, key, cmd)
        .await
        .map(|r| crate::http::respond::Or(Json(r)))
}

pub async fn platform(
    who: Anyone,
    state: State,
    query: crate::http::Query<PlatformSearchQuery>,
) -> ApiResult<Json<SearchResults<PlatformHit>>> {
    let cmd = PlatformSearch::try_from(query.into_inner())?;
    usecase::platform(&state.db, state.search.clone(), who.0, cmd)
        .await
        .map(Json)
}
