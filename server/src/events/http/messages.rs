//! `/events/{id}/messages`: the IGF messages, drafted from the reports, edited, opened
//! for comment and published; downloads as HTML and Word.

use crate::error::ApiResult;
use crate::events::messages::{ConsultationInput, Drafted, MessagesInput, MessagesView};
use crate::events::usecase::messages as uc;
use crate::http::respond::{Docx, File, Html, Json};
use crate::http::ApiJson;
use crate::policy::guards::events::{EventOrganizer, EventReader};
use crate::state::State;

use super::{MayConflict, Or};

/// 409 once final, or with no report to draft from.
pub async fn draft(
    org: EventOrganizer,
    state: State,
) -> ApiResult<MayConflict<Json<MessagesView>>> {
    Ok(Or(Json(uc::draft(&state.db, &org).await?)))
}

/// 404 until drafted; a draft only for its organisers.
pub async fn get(reader: EventReader, state: State) -> ApiResult<Json<MessagesView>> {
    Ok(Json(uc::read(&state.db, &reader).await?))
}

/// 409 once final; 422 naming a source that is no report of the event.
pub async fn edit(
    org: EventOrganizer,
    state: State,
    input: ApiJson<MessagesInput>,
) -> ApiResult<MayConflict<Json<MessagesView>>> {
    let messages = Vec::<Drafted>::try_from(input.0)?;
    Ok(Or(Json(uc::edit(&state.db, &org, messages).await?)))
}

/// 409 unless a draft; 409 `slug_taken` when the slug is.
pub async fn open_for_comment(
    org: EventOrganizer,
    state: State,
    input: ApiJson<ConsultationInput>,
) -> ApiResult<MayConflict<Json<MessagesView>>> {
    Ok(Or(Json(
        uc::open_for_comment(&state.db, &org, input.0).await?,
    )))
}

/// 409 once final, or with no messages.
pub async fn publish(
    org: EventOrganizer,
    state: State,
) -> ApiResult<MayConflict<Json<MessagesView>>> {
    Ok(Or(Json(uc::publish(&state.db, &org).await?)))
}

pub async fn html(reader: EventReader, state: State) -> ApiResult<File<Html>> {
    let e = uc::html(&state.db, &reader, &state.config.public_url).await?;
    Ok(File::new(e.filename, e.body))
}

pub async fn docx(reader: EventReader, state: State) -> ApiResult<File<Docx>> {
    let f = uc::docx(&state.db, &reader).await?;
    Ok(File::new(f.filename, f.bytes))
}
