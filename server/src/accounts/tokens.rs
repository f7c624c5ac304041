//! Access tokens (HS256 JWT, 15 minutes) and opaque refresh tokens.

use chrono::{Duration, Utc};
use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

use super::types::Role;
use crate::error::{ApiError, ApiResult, ErrorCode};

pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
/// A refresh token lives 30 days from its issue (each rotation slides it), and never
/// beyond the absolute lifetime of its family (`INDABA_SESSION_MAX_DAYS`, 90 by default).
pub const REFRESH_TTL_DAYS: i64 = 30;

/// Signing material derived from the one secret of the instance, and the accounts whose
/// access tokens no longer count.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// For HMAC-signed links (unsubscribe and the like).
    pub link_secret: Vec<u8>,
    pub suspensions: Suspensions,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        let jwt = crate::crypto::sign(secret, "indaba access tokens v1");
        let link = crate::crypto::sign(secret, "indaba signed links v1");
        Self {
            encoding: EncodingKey::from_secret(jwt.as_bytes()),
            decoding: DecodingKey::from_secret(jwt.as_bytes()),
            link_secret: link.into_bytes(),
            suspensions: Suspensions::default(),
        }
    }
}

/// Suspended accounts: an access token is a signature checked without the database, so
/// a suspension would otherwise let the account act until its token ends (15 minutes).
/// Every token of a suspended account is refused; once reinstated, tokens issued before
/// the suspension stay refused. The instance that suspends knows at once; the others
/// read the list again every few seconds (`accounts::standing::follow`).
#[derive(Default)]
pub struct Suspensions(std::sync::RwLock<std::collections::HashMap<i64, Bar>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bar {
    /// Unix seconds: tokens issued in this second or before are refused (a token says
    /// when it was issued to the second).
    since: i64,
    suspended: bool,
}

impl Suspensions {
    /// False when a token of `user` issued at `iat` no longer counts.
    pub fn allows(&self, user: i64, iat: i64) -> bool {
        let Ok(bars) = self.0.read() else {
            return true;
        };
        match bars.get(&user) {
            Some(bar) => !bar.suspended && iat > bar.since,
            None => true,
        }
    }

    pub fn suspend(&self, user: i64, since: i64) {
        if let Ok(mut bars) = self.0.write() {
            bars.insert(
                user,
                Bar {
                    since,
                    suspended: true,
                },
            );
        }
    }

    pub fn reinstate(&self, user: i64) {
        if let Ok(mut bars) = self.0.write() {
            if let Some(bar) = bars.get_mut(&user) {
                bar.suspended = false;
            }
        }
    }

    /// The suspended accounts as the database lists them now (`(user, since)`): others
    /// are reinstated, and their older tokens stay refused.
    pub fn sync(&self, suspended: &[(i64, i64)]) {
        let Ok(mut bars) = self.0.write() else {
            return;
        };
        for bar in bars.values_mut() {
            bar.suspended = false;
        }
        for (user, since) in suspended {
            bars.insert(
                *user,
                Bar {
                    since: *since,
                    suspended: true,
                },
            );
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub roles: Vec<Role>,
    /// Email verified when the token was issued.
    pub ev: bool,
    pub iat: i64,
    pub exp: i64,
    pub typ: String,
    /// The session: the refresh token family this token was issued with (absent in
    /// tokens issued before sessions were named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

pub fn issue_access(
    keys: &Keys,
    user_id: i64,
    roles: &[Role],
    verified: bool,
    session: &str,
) -> ApiResult<String> {
    let now = Utc::now();
    let claims = AccessClaims {
        sub: user_id.to_string(),
        roles: roles.to_vec(),
        ev: verified,
        iat: now.timestamp(),
        exp: (now + Duration::seconds(ACCESS_TTL_SECONDS)).timestamp(),
        typ: "access".into(),
        sid: Some(session.to_owned()),
    };
    encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).map_err(ApiError::internal)
}

/// Accepts only HS256 tokens of type `access` signed with our key and not expired.
pub fn decode_access(keys: &Keys, token: &str) -> ApiResult<(i64, AccessClaims)> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data =
        decode::<AccessClaims>(token, &keys.decoding, &validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => ApiError::new(
                ErrorCode::AccessTokenExpired,
                "the access token has expired",
            ),
            _ => ApiError::new(
                ErrorCode::InvalidAccessToken,
                "the access token is not valid",
            ),
        })?;
    if data.claims.typ != "access" {
        return Err(ApiError::new(
            ErrorCode::InvalidAccessToken,
            "the access token is not valid",
        ));
    }
    let id = data.claims.sub.parse::<i64>().map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidAccessToken,
            "the access token is not valid",
        )
    })?;
    if !keys.suspensions.allows(id, data.claims.iat) {
        return Err(ApiError::new(
            ErrorCode::AccountSuspended,
            "this account is suspended, or was: sign in again",
        ));
    }
    Ok((id, data.claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_forgery() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let token = issue_access(&keys, 7, &[Role::Admin], true, "fam").unwrap();
        let (id, claims) = decode_access(&keys, &token).unwrap();
        assert_eq!(id, 7);
        assert_eq!(claims.roles, vec![Role::Admin]);
        assert_eq!(claims.sid.as_deref(), Some("fam"));
        let other = Keys::new(b"another secret of at least 32 chars!!");
        assert_eq!(
            decode_access(&other, &token).unwrap_err().code,
            ErrorCode::InvalidAccessToken
        );
        assert_eq!(
            decode_access(&keys, "garbage").unwrap_err().code,
            ErrorCode::InvalidAccessToken
        );
    }
}
