//! Guards of the live streams. Browsers cannot set headers on a WebSocket, so a listener
//! may also bring its token as `?access_token=`, or (the pages' script) the session
//! cookie, when the request comes from our own pages.

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpRequest};

use super::{signed_in, state};
use crate::accounts::auth;
use crate::error::{ApiError, ApiResult};
use crate::http::doc::Guard;
use crate::policy::{Actor, AuthUser};
use crate::state::AppState;

fn query_token(req: &HttpRequest) -> Option<String> {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()?
        .into_inner()
        .into_iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v)
}

/// The pages' session: the access cookie, when the request comes from our own pages (a
/// WebSocket opened by another site carries the cookie too, but not our origin).
fn from_cookie(req: &HttpRequest, state: &AppState) -> Option<AuthUser> {
    let cookie = req.cookie(crate::web::session::CookieNames::of(state).access)?;
    let origin = req.headers().get("origin")?.to_str().ok()?;
    let host = req.connection_info().host().to_owned();
    let ours = origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
        || origin == state.config.public_url.trim_end_matches('/');
    if !ours {
        return None;
    }
    auth::from_token(&state.keys, cookie.value()).ok()
}

/// The listener: a token in `?access_token=`, the `Authorization` header, or the pages'
/// cookie; nobody in particular otherwise. A bad token is refused, never ignored.
fn listener(req: &HttpRequest) -> ApiResult<Actor> {
    let state = state(req)?;
    if let Some(token) = query_token(req) {
        return auth::from_token(&state.keys, &token).map(Actor::User);
    }
    if let Some(user) = auth::from_request(req)? {
        return Ok(Actor::User(user));
    }
    Ok(Actor::from_user(from_cookie(req, &state)))
}

/// Anyone may listen to a public channel; moderators get the moderators' rendering.
pub struct Listener(pub Actor);

impl Guard for Listener {
    const WHO: &'static str =
        "anyone (a token in ?access_token=, the header, or the pages' cookie)";
    const ERRORS: &'static [u16] = &[401];
    const SIGNED_IN: bool = false;
}

impl FromRequest for Listener {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(listener(req).map(Listener))
    }
}

/// A signed-in user listening to their own channel.
pub struct OwnListener(pub AuthUser);

impl Guard for OwnListener {
    const WHO: &'static str = "user (a token in ?access_token=, the header, or the pages' cookie)";
    const ERRORS: &'static [u16] = &[401];
    const SIGNED_IN: bool = true;
}

impl FromRequest for OwnListener {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(listener(req).and_then(signed_in).map(OwnListener))
    }
}
