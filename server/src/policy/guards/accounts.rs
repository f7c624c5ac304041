//! Guards of the account and notification endpoints.

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;

use super::state;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::doc::Guard;
use crate::notifications::command::UnsubscribeScope;

/// Anyone, and the access token is not even read: registering, signing in, refreshing
/// and resetting a password must work for a client that still sends an expired token.
pub struct Public;

impl Guard for Public {
    const WHO: &'static str = "anyone";
    const ERRORS: &'static [u16] = &[];
    const SIGNED_IN: bool = false;
}

impl FromRequest for Public {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;
    fn from_request(_: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(Public))
    }
}

/// Whoever holds a signed unsubscribe link (`?token=` from a notification mail): the
/// signature is the only authority, no sign-in needed. A tampered link is 400.
pub struct UnsubscribeLink {
    user_id: i64,
    scope: UnsubscribeScope,
}

#[derive(Deserialize)]
struct LinkQuery {
    token: Option<String>,
}

impl UnsubscribeLink {
    /// The account the link was made for.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// What it turns off.
    pub fn scope(&self) -> UnsubscribeScope {
        self.scope
    }

    pub fn check(link_secret: &[u8], token: Option<&str>) -> ApiResult<UnsubscribeLink> {
        token
            .and_then(|t| crate::notifications::scheduler::parse_unsubscribe_token(link_secret, t))
            .and_then(|(user_id, scope)| {
                UnsubscribeScope::parse(&scope).map(|scope| UnsubscribeLink { user_id, scope })
            })
            .ok_or_else(|| {
                ApiError::new(ErrorCode::BadRequest, "this unsubscribe link is not valid")
            })
    }
}

impl Guard for UnsubscribeLink {
    const WHO: &'static str = "anyone with a signed link";
    const ERRORS: &'static [u16] = &[400];
    const SIGNED_IN: bool = false;
}

impl FromRequest for UnsubscribeLink {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(state(req).and_then(|state| {
            let query = actix_web::web::Query::<LinkQuery>::from_query(req.query_string())
                .map(|q| q.into_inner())
                .unwrap_or(LinkQuery { token: None });
            UnsubscribeLink::check(&state.keys.link_secret, query.token.as_deref())
        }))
    }
}
