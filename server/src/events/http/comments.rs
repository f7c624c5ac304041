//! A session's live comments and questions, and upvotes: `/sessions/{id}/comments`,
//! `/comments/{id}/upvote`.

use actix_web::web;

use crate::error::ApiResult;
use crate::events::command::{NewSessionComment, SessionCommentInput, SessionCommentsQuery};
use crate::events::usecase::comments as uc;
use crate::events::view::{SessionComment, Upvotes};
use crate::http::respond::{Created, Json, List};
use crate::http::ApiJson;
use crate::policy::guards::{Anyone, SignedIn, Verified};
use crate::state::State;

use super::{MayConflict, Or, RateLimited};

pub async fn post(
    by: Verified,
    state: State,
    session: web::Path<i64>,
    input: ApiJson<SessionCommentInput>,
) -> ApiResult<RateLimited<Created<SessionComment>>> {
    let comment = NewSessionComment::try_from(input.0)?;
    let view = uc::post(
        &state.db,
        &state.limiter,
        &by,
        session.into_inner(),
        comment,
    )
    .await?;
    Ok(Or(Created(view)))
}

pub async fn list(
    Anyone(actor): Anyone,
    state: State,
    session: web::Path<i64>,
    query: web::Query<SessionCommentsQuery>,
) -> ApiResult<Json<List<SessionComment>>> {
    let req = query.into_inner().try_into()?;
    Ok(Json(
        uc::list(&state.db, &actor, session.into_inner(), req).await?,
    ))
}

pub async fn upvote(
    by: Verified,
    state: State,
    comment: web::Path<i64>,
) -> ApiResult<MayConflict<Created<Upvotes>>> {
    Ok(Or(Created(
        uc::upvote(&state.db, &by, comment.into_inner()).await?,
    )))
}

pub async fn withdraw_upvote(
    by: SignedIn,
    state: State,
    comment: web::Path<i64>,
) -> ApiResult<Json<Upvotes>> {
    Ok(Json(
        uc::withdraw_upvote(&state.db, &by, comment.into_inner()).await?,
    ))
}
