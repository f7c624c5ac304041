//! `/events/{id}/proposals`, `/proposals/{id}` and its reviews and decision.

use actix_web::web;

use crate::error::ApiResult;
use crate::events::command::{
    DecisionInput, ProposalInput, ReviewInput, SpeakerConfirmation, SpeakerConfirmationInput,
    SpeakerLinkQuery,
};
use crate::events::confirmations::{ConfirmationView, SpeakerAt};
use crate::events::usecase::proposals as uc;
use crate::events::view::{ProposalView, ReviewCreated};
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Created, Json, List, Private};
use crate::http::ApiJson;
use crate::policy::guards::events::{EventOrganizer, ProposalOrganizer, ProposalReader};
use crate::policy::guards::{Anyone, SignedIn, Verified};
use crate::state::State;

use super::{MayConflict, Or, RateLimited};
use crate::http::respond::MayForbid;

pub async fn propose(
    by: Verified,
    state: State,
    event: web::Path<String>,
    input: ApiJson<ProposalInput>,
) -> ApiResult<RateLimited<MayConflict<Created<ProposalView>>>> {
    let proposal = input.0.try_into()?;
    let view = uc::propose(&state, &by, event.into_inner(), proposal).await?;
    Ok(Or(Or(Created(view))))
}

pub async fn ranking(
    org: EventOrganizer,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Private<List<ProposalView>>> {
    let page = Page::from_query(&format!("proposals:{}", org.event.id), &query)?;
    let all = uc::ranking(&state.db, &org).await?;
    Ok(Private(List::page(all.items, &page)))
}

pub async fn get(reader: ProposalReader, state: State) -> ApiResult<Private<ProposalView>> {
    Ok(Private(uc::get(&state.db, &reader).await?))
}

pub async fn review(
    org: ProposalOrganizer,
    state: State,
    input: ApiJson<ReviewInput>,
) -> ApiResult<MayConflict<Created<ReviewCreated>>> {
    let review = input.0.try_into()?;
    Ok(Or(Created(uc::review(&state.db, &org, review).await?)))
}

pub async fn decide(
    org: ProposalOrganizer,
    state: State,
    input: ApiJson<DecisionInput>,
) -> ApiResult<MayConflict<Json<ProposalView>>> {
    let decision = input.0.try_into()?;
    Ok(Or(Json(uc::decide(&state.db, &org, decision).await?)))
}

/// 403 for an organiser (who reads the proposal but does not write it), 409 when the
/// call is closed or a decision taken, 429 past the day's requests to confirm speakers.
pub async fn edit(
    reader: ProposalReader,
    state: State,
    input: ApiJson<ProposalInput>,
) -> ApiResult<RateLimited<MayConflict<MayForbid<Private<ProposalView>>>>> {
    let proposal = input.0.try_into()?;
    let view = uc::edit(&state, &reader, proposal).await?;
    Ok(Or(Or(Or(Private(view)))))
}

pub async fn mine(
    who: SignedIn,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Private<List<ProposalView>>> {
    let page = Page::from_query("me/proposals", &query)?;
    let all = uc::mine(&state.db, who.0.id).await?;
    Ok(Private(List::page(all, &page)))
}

/// The token is the authority: whoever holds the mailed link answers for the speaker.
pub async fn confirm_speaker(
    _: Anyone,
    state: State,
    input: ApiJson<SpeakerConfirmationInput>,
) -> ApiResult<MayConflict<Json<ConfirmationView>>> {
    let c: SpeakerConfirmation = input.0.try_into()?;
    let view = uc::answer_confirmation(&state.db, c.token, None, c.answer).await?;
    Ok(Or(Json(view)))
}

/// The same, with the speaker named in the path (0 is the first) and the token in the
/// query: a link that is not this speaker's is 400 `invalid_token`.
pub async fn confirm_speaker_at(
    _: Anyone,
    state: State,
    path: web::Path<(i64, usize)>,
    query: crate::http::Query<SpeakerLinkQuery>,
) -> ApiResult<MayConflict<Or<Json<ConfirmationView>, 400>>> {
    let (proposal_id, n) = path.into_inner();
    let c = SpeakerConfirmation::try_from(query.into_inner())?;
    let at = Some(SpeakerAt { proposal_id, n });
    let view = uc::answer_confirmation(&state.db, c.token, at, c.answer).await?;
    // 400 `invalid_token`: no JSON body here to make it documented already.
    Ok(Or(Or(Json(view))))
}
