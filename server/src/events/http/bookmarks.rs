//! `/sessions/{id}/bookmark` and `/me/agenda(.ics)`.

use actix_web::web;

use crate::error::ApiResult;
use crate::events::command::SessionsQuery;
use crate::events::usecase::bookmarks as uc;
use crate::events::view::{Bookmark, SessionView};
use crate::http::respond::{Calendar, Created, File, List, NoContent, Private};
use crate::policy::guards::SignedIn;
use crate::state::State;

use super::{file, MayConflict, Or};

pub async fn add(
    by: SignedIn,
    state: State,
    session: web::Path<i64>,
) -> ApiResult<MayConflict<Created<Bookmark>>> {
    Ok(Or(Created(
        uc::add(&state.db, &by, session.into_inner()).await?,
    )))
}

pub async fn remove(by: SignedIn, state: State, session: web::Path<i64>) -> ApiResult<NoContent> {
    uc::remove(&state.db, &by, session.into_inner()).await?;
    Ok(NoContent)
}

pub async fn mine(
    by: SignedIn,
    state: State,
    query: crate::http::Query<SessionsQuery>,
) -> ApiResult<Private<List<SessionView>>> {
    let (tz, page) = query.parse("my-agenda")?;
    let all = uc::mine(&state.db, &by, tz).await?;
    Ok(Private(List::page(all.items, &page)))
}

pub async fn mine_ics(by: SignedIn, state: State) -> ApiResult<File<Calendar>> {
    let public_url = &state.config.public_url;
    let export = uc::mine_calendar(&state.db, &by, public_url).await?;
    Ok(file::<Calendar>(export).private())
}
