//! The signed-in user an access token names. Who may do what with it is the policy's
//! question (`crate::policy`); its guards extract callers through `from_request`.

use actix_web::http::header;
use actix_web::{web, HttpRequest};

use super::tokens::decode_access;
use super::types::Role;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub roles: Vec<Role>,
    /// As of the token's issue; the `Verified` guard checks the database when false.
    pub verified: bool,
    /// When the token ends (Unix seconds): live connections close then.
    pub expires_at: i64,
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The user an access token names (401 when it is bad).
pub fn from_token(keys: &super::tokens::Keys, token: &str) -> ApiResult<AuthUser> {
    let (id, claims) = decode_access(keys, token)?;
    Ok(AuthUser {
        id,
        roles: claims.roles,
        verified: claims.ev,
        expires_at: claims.exp,
    })
}

/// The session (refresh token family) of the caller's access token, if it names one.
pub fn session_of(req: &HttpRequest) -> Option<String> {
    let state = req.app_data::<web::Data<AppState>>()?;
    decode_access(&state.keys, bearer(req)?).ok()?.1.sid
}

/// The caller named by the `Authorization` header, if any.
pub fn from_request(req: &HttpRequest) -> ApiResult<Option<AuthUser>> {
    let Some(token) = bearer(req) else {
        if req.headers().contains_key(header::AUTHORIZATION) {
            return Err(ApiError::new(
                ErrorCode::InvalidAccessToken,
                "use Authorization: Bearer <token>",
            ));
        }
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let (id, claims) = decode_access(&state.keys, token)?;
    Ok(Some(AuthUser {
        id,
        roles: claims.roles,
        verified: claims.ev,
        expires_at: claims.exp,
    }))
}
