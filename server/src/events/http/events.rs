//! `/events`, `/events/{id}`.

use crate::error::ApiResult;
use crate::events::command::{CreateEvent, EventInput, EventPatch};
use crate::events::usecase::events as uc;
use crate::events::view::EventView;
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Created, Json, List};
use crate::http::ApiJson;
use crate::policy::guards::events::{EventOrganizer, EventReader};
use crate::policy::guards::{Anyone, Organizer};
use crate::state::State;

use super::{MayConflict, Or};

pub async fn create(
    by: Organizer,
    state: State,
    input: ApiJson<EventInput>,
) -> ApiResult<MayConflict<Created<EventView>>> {
    let event = CreateEvent::try_from(input.0)?;
    Ok(Or(Created(uc::create(&state.db, &by, event).await?)))
}

pub async fn list(
    Anyone(actor): Anyone,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Json<List<EventView>>> {
    let page = Page::from_query("events", &query)?;
    Ok(Json(uc::list(&state.db, &actor, page).await?))
}

pub async fn detail(reader: EventReader, state: State) -> ApiResult<Json<EventView>> {
    Ok(Json(uc::detail(&state.db, &reader).await?))
}

pub async fn update(
    org: EventOrganizer,
    state: State,
    input: ApiJson<EventPatch>,
) -> ApiResult<Json<EventView>> {
    let changes = input.0.try_into()?;
    Ok(Json(uc::update(&state.db, &org, changes).await?))
}
