//! The authenticated caller, taken from `Authorization: Bearer …`.

use std::future::{ready, Ready};

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::tokens::decode_access;
use super::types::Role;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub roles: Vec<Role>,
    /// As of the token's issue; [`AuthUser::require_verified`] checks the database when false.
    pub verified: bool,
    /// When the token ends (Unix seconds): live connections close then.
    pub expires_at: i64,
}

impl AuthUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role) || self.roles.contains(&Role::Admin)
    }

    /// Contributing needs a verified email; the token may predate the verification.
    pub async fn require_verified(&self, db: &crate::db::Db) -> ApiResult<()> {
        if self.verified {
            return Ok(());
        }
        let id = self.id;
        let verified = db
            .run(move |conn| {
                Ok(super::store::find(conn, id)?.is_some_and(|u| u.email_verified_at.is_some()))
            })
            .await?;
        if verified {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::EmailNotVerified,
                "verify your email address before contributing",
            ))
        }
    }

    pub fn require(&self, role: Role) -> ApiResult<()> {
        if self.has(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("this needs the {role} role")))
        }
    }
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

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(from_request(req).and_then(|u| {
            u.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "sign in: this needs an access token",
                )
            })
        }))
    }
}

/// The caller if a token was sent (a bad token is still refused, never silently ignored).
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(from_request(req).map(MaybeUser))
    }
}
