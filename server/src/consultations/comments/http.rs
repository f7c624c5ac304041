//! The comment endpoints: extract, call the use case, answer its view.

use actix_web::web;

use super::command::{
    CommentInput, EditInput, EndorseInput, ModerationInput, NewCommentCommand, Reason, ReasonInput,
};
use super::moderation::{self, KeepReceipt, LogEntry, QueuedComment};
use super::usecase::{self, CommentQuery};
use super::view::{CommentView, EndorsementView, FlagReceipt};
use crate::error::ApiResult;
use crate::http::extract::OptionalJson;
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Created, Json, List};
use crate::http::respond::{MayConflict, Or, RateLimited};
use crate::http::ApiJson;
use crate::policy::guards::{Anyone, CommentAuthor, Moderator, Verified};
use crate::state::State;

pub async fn post(
    who: Verified,
    state: State,
    path: web::Path<String>,
    input: ApiJson<CommentInput>,
) -> ApiResult<RateLimited<MayConflict<Created<CommentView>>>> {
    let cmd = NewCommentCommand::try_from(input.0)?;
    usecase::post(&state, &who, path.into_inner(), cmd)
        .await
        .map(|v| Or(Or(Created(v))))
}

pub async fn list(
    who: Anyone,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<CommentQuery>,
) -> ApiResult<Json<List<CommentView>>> {
    usecase::list(&state.db, who.0, path.into_inner(), query.into_inner())
        .await
        .map(Json)
}

pub async fn get(who: Anyone, state: State, path: web::Path<i64>) -> ApiResult<Json<CommentView>> {
    usecase::get(&state.db, who.0, path.into_inner())
        .await
        .map(Json)
}

pub async fn edit(
    who: CommentAuthor,
    state: State,
    input: ApiJson<EditInput>,
) -> ApiResult<MayConflict<Json<CommentView>>> {
    let cmd = input.0.try_into()?;
    usecase::edit(&state.db, &who, cmd)
        .await
        .map(|v| Or(Json(v)))
}

pub async fn endorse(
    who: Verified,
    state: State,
    path: web::Path<i64>,
    input: OptionalJson<EndorseInput>,
) -> ApiResult<MayConflict<Created<EndorsementView>>> {
    let speaks_for = input.0.speaks_for();
    usecase::endorse(&state.db, &who, path.into_inner(), speaks_for)
        .await
        .map(|v| Or(Created(v)))
}

pub async fn withdraw_endorsement(
    who: Verified,
    state: State,
    path: web::Path<i64>,
) -> ApiResult<MayConflict<Json<EndorsementView>>> {
    usecase::withdraw_endorsement(&state.db, &who, path.into_inner())
        .await
        .map(|v| Or(Json(v)))
}

pub async fn flag(
    who: Verified,
    state: State,
    path: web::Path<i64>,
    input: ApiJson<ReasonInput>,
) -> ApiResult<MayConflict<Created<FlagReceipt>>> {
    let reason = Reason::try_from(input.0)?;
    usecase::flag(&state.db, &who, path.into_inner(), reason)
        .await
        .map(|v| Or(Created(v)))
}

pub async fn moderate(
    who: Moderator,
    state: State,
    path: web::Path<i64>,
    input: ApiJson<ModerationInput>,
) -> ApiResult<MayConflict<Json<CommentView>>> {
    let cmd = input.0.try_into()?;
    moderation::moderate(&state.db, &who, path.into_inner(), cmd)
        .await
        .map(|v| Or(Json(v)))
}

pub async fn keep(
    who: Moderator,
    state: State,
    path: web::Path<i64>,
    input: ApiJson<ReasonInput>,
) -> ApiResult<MayConflict<Json<KeepReceipt>>> {
    let reason = Reason::try_from(input.0)?;
    moderation::keep(&state.db, &who, path.into_inner(), reason)
        .await
        .map(|v| Or(Json(v)))
}

pub async fn queue(
    who: Moderator,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Json<List<QueuedComment>>> {
    let page = Page::from_query("moderation-queue", &query)?;
    moderation::queue(&state.db, &who, page).await.map(Json)
}

pub async fn log(
    who: Anyone,
    state: State,
    path: web::Path<String>,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Json<List<LogEntry>>> {
    let key = path.into_inner();
    let page = Page::from_query(&format!("moderation-log:{key}"), &query)?;
    moderation::log(&state.db, who.0, key, page).await.map(Json)
}
