//! `/events/{id}/rooms`.

use crate::error::ApiResult;
use crate::events::command::{NewRoom, RoomInput};
use crate::events::usecase::events as uc;
use crate::events::view::RoomView;
use crate::http::respond::Created;
use crate::http::ApiJson;
use crate::policy::guards::events::EventOrganizer;
use crate::state::State;

use super::{MayConflict, Or};

pub async fn add(
    org: EventOrganizer,
    state: State,
    input: ApiJson<RoomInput>,
) -> ApiResult<MayConflict<Created<RoomView>>> {
    let room = NewRoom::try_from(input.0)?;
    Ok(Or(Created(uc::add_room(&state.db, &org, room).await?)))
}
