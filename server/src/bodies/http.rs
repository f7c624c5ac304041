//! The endpoints of intersessional bodies: guard, extract, call one use case, answer.

use super::types::{
    BodyInput, BodySummary, BodyView, CoordinatorsInput, DirectoryQuery, Filters, MemberView,
    Membership, NewBody, SessionsInput,
};
use super::usecase;
use crate::accounts::types::Country;
use crate::consultations::command::CreateInput;
use crate::consultations::view::ConsultationView;
use crate::error::{ApiError, ApiResult};
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{Created, Json, List, MayConflict, MayForbid, NoContent, Or};
use crate::http::{ApiJson, Query};
use crate::policy::guards::bodies::{BodyJoiner, BodyManager, BodyReader};
use crate::policy::guards::{Anyone, Organizer};
use crate::state::State;

pub async fn create(
    org: Organizer,
    state: State,
    input: ApiJson<BodyInput>,
) -> ApiResult<MayConflict<Created<BodyView>>> {
    let new = NewBody::try_from(input.0)?;
    Ok(Or(Created(usecase::create(&state.db, &org, new).await?)))
}

impl TryFrom<&DirectoryQuery> for Filters {
    type Error = ApiError;
    fn try_from(q: &DirectoryQuery) -> ApiResult<Filters> {
        let country = match q.country.as_deref() {
            Some(c) => Some(Country::parse(c).map_err(|e| ApiError::query("country", e))?),
            None => None,
        };
        Ok(Filters {
            kind: q.kind,
            region: q.region,
            country,
            q: q.q.clone().filter(|s| !s.trim().is_empty()),
        })
    }
}

pub async fn directory(
    _: Anyone,
    state: State,
    query: Query<DirectoryQuery>,
) -> ApiResult<Json<List<BodySummary>>> {
    let page = Page::from_query(
        "bodies",
        &PageQuery {
            limit: query.limit,
            cursor: query.cursor.clone(),
        },
    )?;
    let filters = Filters::try_from(&query.0)?;
    let all = usecase::directory(&state.db, filters).await?;
    Ok(Json(List::page(all, &page)))
}

pub async fn get(r: BodyReader, state: State) -> ApiResult<Json<BodyView>> {
    Ok(Json(usecase::one(&state.db, &r).await?))
}

/// Every field again; 409 when another body has the name.
pub async fn update(
    m: BodyManager,
    state: State,
    input: ApiJson<BodyInput>,
) -> ApiResult<MayConflict<Json<BodyView>>> {
    let new = NewBody::try_from(input.0)?;
    Ok(Or(Json(usecase::update(&state.db, &m, new).await?)))
}

/// Joining again answers the same membership.
pub async fn join(j: BodyJoiner, state: State) -> ApiResult<Json<Membership>> {
    Ok(Json(usecase::join(&state.db, &j).await?))
}

/// 409 when the caller was not a member.
pub async fn leave(j: BodyJoiner, state: State) -> ApiResult<MayConflict<NoContent>> {
    usecase::leave(&state.db, &j).await?;
    Ok(Or(NoContent))
}

/// 403 unless a member, a coordinator or the secretariat.
pub async fn members(
    r: BodyReader,
    state: State,
    query: Query<PageQuery>,
) -> ApiResult<MayForbid<Json<List<MemberView>>>> {
    let page = Page::from_query(&format!("body-members:{}", r.body.id), &query)?;
    let all = usecase::members(&state.db, &r).await?;
    Ok(Or(Json(List::page(all, &page))))
}

pub async fn set_coordinators(
    m: BodyManager,
    state: State,
    input: ApiJson<CoordinatorsInput>,
) -> ApiResult<Json<BodyView>> {
    Ok(Json(
        usecase::set_coordinators(&state.db, &m, input.0.user_ids).await?,
    ))
}

pub async fn set_sessions(
    m: BodyManager,
    state: State,
    input: ApiJson<SessionsInput>,
) -> ApiResult<Json<BodyView>> {
    Ok(Json(
        usecase::set_sessions(&state.db, &m, input.0.session_ids).await?,
    ))
}

/// 409 when the slug is taken.
pub async fn add_output(
    m: BodyManager,
    state: State,
    input: ApiJson<CreateInput>,
) -> ApiResult<MayConflict<Created<ConsultationView>>> {
    Ok(Or(Created(
        usecase::add_output(&state.db, &m, input.0).await?,
    )))
}
