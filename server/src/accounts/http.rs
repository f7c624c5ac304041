//! The account endpoints: extract, call the use case, answer its view.

use std::future::{ready, Ready};

use actix_web::{web, FromRequest, HttpRequest};

use super::command::{
    EraseInput, EraseQuery, Erasure, LoginInput, PasswordChangeInput, PeopleQuery, ProfilePatch,
    RefreshInput, RegisterInput, ResetConfirmInput, ResetInput, RolesInput, TokenInput, UsersQuery,
};
use super::usecase::{self, Client};
use super::view::{
    ExportView, ManagedUserEnvelope, ManagedUserView, PersonCard, ResetRequested, TokenPair,
    UserEnvelope,
};
use crate::error::{ApiError, ApiResult};
use crate::http::doc::DocArg;
use crate::http::page::{Page, PageQuery};
use crate::http::respond::{
    Accepted, Created, List, MayConflict, MayForbid, MayRefuse, NoContent, Or, Private, RateLimited,
};
use crate::http::ApiJson;
use crate::policy::audit::AuditEntry;
use crate::policy::guards::accounts::Public;
use crate::policy::guards::{Admin, Organizer, SignedIn};
use crate::state::State;

impl FromRequest for Client {
    type Error = ApiError;
    type Future = Ready<ApiResult<Client>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(crate::policy::guards::state(req).map(|state| Client::of(req, &state)))
    }
}

/// The address and browser are the request's own, not parameters.
impl DocArg for Client {}

/// The caller's session: the refresh token family its access token was issued with.
pub struct CallerSession(pub Option<String>);

impl FromRequest for CallerSession {
    type Error = ApiError;
    type Future = Ready<ApiResult<CallerSession>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(CallerSession(super::auth::session_of(req))))
    }
}

/// Read from the access token, not a parameter.
impl DocArg for CallerSession {}

pub async fn register(
    _: Public,
    state: State,
    client: Client,
    input: ApiJson<RegisterInput>,
) -> ApiResult<Created<UserEnvelope>> {
    let admitted = usecase::admit_registration(&state, &client)?;
    let user = usecase::register(&state, admitted, input.0.try_into()?).await?;
    Ok(Created(user.into()))
}

pub async fn verify(
    _: Public,
    state: State,
    client: Client,
    input: ApiJson<TokenInput>,
) -> ApiResult<Private<UserEnvelope>> {
    let user = usecase::verify(&state, &client, input.0.token).await?;
    Ok(Private(user.into()))
}

pub async fn login(
    _: Public,
    state: State,
    client: Client,
    input: ApiJson<LoginInput>,
) -> ApiResult<MayRefuse<RateLimited<Private<TokenPair>>>> {
    Ok(Or(Or(Private(
        usecase::login(&state, &client, input.0.into()).await?,
    ))))
}

pub async fn refresh(
    _: Public,
    state: State,
    client: Client,
    input: ApiJson<RefreshInput>,
) -> ApiResult<MayRefuse<Private<TokenPair>>> {
    Ok(Or(Private(
        usecase::refresh(&state, &client, input.0.into()).await?,
    )))
}

pub async fn logout(
    who: SignedIn,
    state: State,
    input: ApiJson<RefreshInput>,
) -> ApiResult<NoContent> {
    usecase::logout(&state.db, &who, input.0.into()).await?;
    Ok(NoContent)
}

pub async fn password_reset(
    _: Public,
    state: State,
    client: Client,
    input: ApiJson<ResetInput>,
) -> ApiResult<Accepted<ResetRequested>> {
    let cmd = input.0.try_into()?;
    Ok(Accepted(
        usecase::request_reset(&state, &client, cmd).await?,
    ))
}

pub async fn password_reset_confirm(
    _: Public,
    state: State,
    input: ApiJson<ResetConfirmInput>,
) -> ApiResult<NoContent> {
    usecase::confirm_reset(&state.db, input.0.try_into()?).await?;
    Ok(NoContent)
}

pub async fn me(who: SignedIn, state: State) -> ApiResult<Private<UserEnvelope>> {
    Ok(Private(usecase::profile(&state.db, &who).await?.into()))
}

pub async fn update_me(
    who: SignedIn,
    state: State,
    input: ApiJson<ProfilePatch>,
) -> ApiResult<Private<UserEnvelope>> {
    let change = input.0.try_into()?;
    Ok(Private(
        usecase::update_profile(&state.db, &who, change)
            .await?
            .into(),
    ))
}

pub async fn export(who: SignedIn, state: State) -> ApiResult<Private<ExportView>> {
    Ok(Private(usecase::export(&state.db, &who).await?))
}

pub async fn change_password(
    who: SignedIn,
    state: State,
    client: Client,
    session: CallerSession,
    input: ApiJson<PasswordChangeInput>,
) -> ApiResult<MayForbid<RateLimited<NoContent>>> {
    let cmd = input.0.try_into()?;
    usecase::change_password(&state, &who, &client, session.0, cmd).await?;
    Ok(Or(Or(NoContent)))
}

pub async fn erase_me(
    who: SignedIn,
    state: State,
    client: Client,
    query: crate::http::Query<EraseQuery>,
    input: ApiJson<EraseInput>,
) -> ApiResult<MayForbid<RateLimited<NoContent>>> {
    let cmd = Erasure::new(query.into_inner(), input.0);
    usecase::erase(&state, &who, &client, cmd).await?;
    Ok(Or(Or(NoContent)))
}

pub async fn set_roles(
    admin: Admin,
    state: State,
    path: web::Path<i64>,
    input: ApiJson<RolesInput>,
) -> ApiResult<Private<ManagedUserEnvelope>> {
    let roles = input.0.try_into()?;
    let user = usecase::set_roles(&state.db, &admin, path.into_inner(), roles).await?;
    Ok(Private(ManagedUserEnvelope { user }))
}

pub async fn audit_log(
    admin: Admin,
    state: State,
    query: crate::http::Query<PageQuery>,
) -> ApiResult<Private<List<AuditEntry>>> {
    let page = Page::from_query("audit-log", &query)?;
    Ok(Private(usecase::audit_log(&state.db, &admin, page).await?))
}

pub async fn users(
    admin: Admin,
    state: State,
    query: crate::http::Query<UsersQuery>,
) -> ApiResult<Private<List<ManagedUserView>>> {
    let (filter, page) = query.parse()?;
    Ok(Private(
        usecase::users(&state.db, &admin, filter, page).await?,
    ))
}

pub async fn people(
    who: Organizer,
    state: State,
    query: crate::http::Query<PeopleQuery>,
) -> ApiResult<Private<List<PersonCard>>> {
    let (filter, page) = UsersQuery::from(query.into_inner()).parse()?;
    Ok(Private(
        usecase::people(&state.db, &who, filter, page).await?,
    ))
}

pub async fn suspend(
    admin: Admin,
    state: State,
    path: web::Path<i64>,
) -> ApiResult<MayConflict<Private<ManagedUserEnvelope>>> {
    let user = usecase::suspend(&state, &admin, path.into_inner(), true).await?;
    Ok(Or(Private(ManagedUserEnvelope { user })))
}

pub async fn reinstate(
    admin: Admin,
    state: State,
    path: web::Path<i64>,
) -> ApiResult<Private<ManagedUserEnvelope>> {
    let user = usecase::suspend(&state, &admin, path.into_inner(), false).await?;
    Ok(Private(ManagedUserEnvelope { user }))
}

pub async fn verify_organization(
    admin: Admin,
    state: State,
    path: web::Path<i64>,
) -> ApiResult<MayConflict<Private<ManagedUserEnvelope>>> {
    let user = usecase::verify_organization(&state.db, &admin, path.into_inner(), true).await?;
    Ok(Or(Private(ManagedUserEnvelope { user })))
}

pub async fn unverify_organization(
    admin: Admin,
    state: State,
    path: web::Path<i64>,
) -> ApiResult<Private<ManagedUserEnvelope>> {
    let user = usecase::verify_organization(&state.db, &admin, path.into_inner(), false).await?;
    Ok(Private(ManagedUserEnvelope { user }))
}
