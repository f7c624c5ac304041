//! One error type for the whole API, mapped once to HTTP.
//!
//! Every code a client can see is declared in the table below with its status:
//! clients switch on `code`, so codes are never renamed.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

macro_rules! error_codes {
    ($($variant:ident => ($code:literal, $status:ident, $doc:literal)),* $(,)?) => {
        /// The stable error codes of the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $($variant),* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $(ErrorCode::$variant => $code),* } }
            pub fn status(self) -> StatusCode { match self { $(ErrorCode::$variant => StatusCode::$status),* } }
            pub fn describe(self) -> &'static str { match self { $(ErrorCode::$variant => $doc),* } }
        }
    };
}

error_codes! {
    MalformedJson => ("malformed_json", BAD_REQUEST, "The body is not valid JSON."),
    BadRequest => ("bad_request", BAD_REQUEST, "The request cannot be understood."),
    InvalidToken => ("invalid_token", BAD_REQUEST, "A one-time token (verification, reset, unsubscribe) is unknown, used or tampered with."),
    ExpiredToken => ("expired_token", BAD_REQUEST, "A one-time token has expired."),
    Unauthenticated => ("unauthenticated", UNAUTHORIZED, "No access token was given."),
    InvalidAccessToken => ("invalid_access_token", UNAUTHORIZED, "The access token is malformed, forged or signed with another algorithm."),
    AccessTokenExpired => ("access_token_expired", UNAUTHORIZED, "The access token has expired: refresh it."),
    InvalidCredentials => ("invalid_credentials", UNAUTHORIZED, "The email and password do not match an account."),
    InvalidRefreshToken => ("invalid_refresh_token", UNAUTHORIZED, "The refresh token is unknown, expired or revoked."),
    RefreshTokenReused => ("refresh_token_reused", UNAUTHORIZED, "A spent refresh token was presented again: its whole family is revoked."),
    Forbidden => ("forbidden", FORBIDDEN, "Your roles do not allow this."),
    EmailNotVerified => ("email_not_verified", FORBIDDEN, "Verify your email address before contributing."),
    CsrfFailed => ("csrf_failed", FORBIDDEN, "The form's CSRF token is missing or wrong."),
    AccountSuspended => ("account_suspended", FORBIDDEN, "An administrator suspended this account: it cannot sign in, and its sessions have ended."),
    WrongPassword => ("wrong_password", FORBIDDEN, "The current password, asked again to confirm this, is wrong: see `fields`."),
    NotFound => ("not_found", NOT_FOUND, "No such resource."),
    NoRoute => ("no_route", NOT_FOUND, "No such endpoint."),
    MethodNotAllowed => ("method_not_allowed", METHOD_NOT_ALLOWED, "The endpoint exists but not with this method."),
    Conflict => ("conflict", CONFLICT, "The request conflicts with the current state."),
    EmailTaken => ("email_taken", CONFLICT, "An account with this email exists."),
    LastAdmin => ("last_admin", CONFLICT, "The last administrator cannot lose the admin role."),
    ConsultationClosed => ("consultation_closed", CONFLICT, "The consultation is not open for contributions now."),
    SlugTaken => ("slug_taken", CONFLICT, "Another resource has this slug."),
    VersionExists => ("version_exists", CONFLICT, "This consultation already has a version with this label."),
    InvalidTransition => ("invalid_transition", CONFLICT, "The status cannot move that way."),
    AlreadyEndorsed => ("already_endorsed", CONFLICT, "You have already endorsed this."),
    AlreadyFlagged => ("already_flagged", CONFLICT, "You have already flagged this."),
    AlreadyUpvoted => ("already_upvoted", CONFLICT, "You have already upvoted this question."),
    EditWindowClosed => ("edit_window_closed", CONFLICT, "Comments can be edited for 15 minutes after posting."),
    AlreadyInState => ("already_in_state", CONFLICT, "The item is already in that state."),
    CallClosed => ("call_closed", CONFLICT, "The call for session proposals is not open now."),
    AlreadyReviewed => ("already_reviewed", CONFLICT, "You have already reviewed this proposal."),
    AlreadyDecided => ("already_decided", CONFLICT, "A decision on this proposal has been taken."),
    SilenceEnded => ("silence_ended", CONFLICT, "No silence procedure runs: its deadline has passed, or it has ended."),
    ScheduleConflict => ("schedule_conflict", CONFLICT, "The slot clashes with other sessions: see `details.conflicts`."),
    PayloadTooLarge => ("payload_too_large", PAYLOAD_TOO_LARGE, "The body is over the size limit."),
    UriTooLong => ("uri_too_long", URI_TOO_LONG, "The address (path and query) is over 8 KiB."),
    UnsupportedMediaType => ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Send JSON with Content-Type: application/json."),
    ValidationFailed => ("validation_failed", UNPROCESSABLE_ENTITY, "Some fields are invalid: see `fields`."),
    InvalidQuery => ("invalid_query", UNPROCESSABLE_ENTITY, "A query parameter is invalid."),
    RateLimited => ("rate_limited", TOO_MANY_REQUESTS, "Too many requests: wait for Retry-After seconds."),
    TooManyAttempts => ("too_many_attempts", TOO_MANY_REQUESTS, "Too many wrong passwords for this account from this address, or from this address: wait for Retry-After seconds (the delay grows with each one)."),
    Internal => ("internal_error", INTERNAL_SERVER_ERROR, "Something failed on the server; it has been logged."),
    Unavailable => ("service_unavailable", SERVICE_UNAVAILABLE, "A dependency (database) is unavailable; retry later."),
}

pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Option<FieldErrors>,
    pub retry_after: Option<u64>,
    /// Structured detail for codes that need it (the clashing sessions of a schedule conflict).
    pub details: Option<serde_json::Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: None,
            retry_after: None,
            details: None,
        }
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
    pub fn validation(fields: FieldErrors) -> Self {
        let mut e = Self::new(ErrorCode::ValidationFailed, "some fields are invalid");
        e.fields = Some(fields);
        e
    }
    pub fn field(name: &str, problem: impl Into<String>) -> Self {
        Self::validation(BTreeMap::from([(name.to_owned(), problem.into())]))
    }
    /// 422 on `field` naming the ids asked for that were not found (`no such account:
    /// 7, 9`), for the calls that set a whole list at once; `Ok` when all were.
    pub fn unless_all_found(
        field: &str,
        what: &str,
        asked: &[i64],
        found: impl Fn(i64) -> bool,
    ) -> ApiResult<()> {
        match missing(what, asked.iter().copied(), found) {
            Some(problem) => Err(Self::field(field, problem)),
            None => Ok(()),
        }
    }
    /// A query parameter with an invalid value (422 `invalid_query`, naming it).
    pub fn query(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        let mut e = Self::new(ErrorCode::InvalidQuery, format!("{field} {problem}"));
        e.fields = Some(BTreeMap::from([(field.to_owned(), problem)]));
        e
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(ErrorCode::RateLimited, "too many requests");
        e.retry_after = Some(retry_after.max(1));
        e
    }
    /// 503: the database is out of reach or busy; the detail goes to the log.
    pub fn unavailable(detail: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %detail, "database unavailable");
        let mut e = Self::new(ErrorCode::Unavailable, "the database is unavailable");
        e.retry_after = Some(5);
        e
    }
    /// 503: this write met another on the same rows (two groups of writes, see
    /// `db::Writer`) and was undone; sent again, it goes through.
    fn collided(detail: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %detail, "a write was undone by the database");
        let mut e = Self::new(
            ErrorCode::Unavailable,
            "this write met another on the same data and was undone: send it again",
        );
        e.retry_after = Some(1);
        e
    }

    /// Password guessing slowed down: 429 `too_many_attempts`, the seconds to wait.
    pub fn too_many_attempts(retry_after: u64) -> Self {
        let mut e = Self::new(
            ErrorCode::TooManyAttempts,
            "too many wrong passwords: wait before trying again",
        );
        e.retry_after = Some(retry_after.max(1));
        e
    }
    /// A server fault: the detail goes to the log, never to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(ErrorCode::Internal, "internal error")
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a FieldErrors>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a serde_json::Value>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        builder.insert_header((header::CACHE_CONTROL, "no-store"));
        builder.json(Body {
            error: Inner {
                code: self.code.as_str(),
                message: &self.message,
                fields: self.fields.as_ref(),
                details: self.details.as_ref(),
            },
        })
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::not_found("resource"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::new(ErrorCode::Conflict, "this already exists")
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                Self::new(ErrorCode::NotFound, "a referenced resource does not exist")
            }
            // Two writes met on the same rows and the database undid one (a deadlock, or
            // a serialization failure): nothing of it was written, and it may be sent
            // again at once.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::collided(e),
            Error::DatabaseError(_, ref info) if info.message().contains("deadlock detected") => {
                Self::collided(e)
            }
            // The database is out of reach or too busy to answer: 503, not our fault.
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )
            | Error::BrokenTransactionManager => Self::unavailable(e),
            Error::DatabaseError(_, ref info) if out_of_reach(info.message()) => {
                Self::unavailable(e)
            }
            other => Self::internal(other),
        }
    }
}

/// Messages of database errors that mean "not now" rather than a fault: SQLite busy past
/// its timeout, PostgreSQL shutting down, restarting or gone.
fn out_of_reach(message: &str) -> bool {
    const SIGNS: [&str; 7] = [
        "database is locked",
        "database table is locked",
        "database is busy",
        "terminating connection",
        "the database system is",
        "server closed the connection",
        "could not connect",
    ];
    SIGNS.iter().any(|s| message.contains(s))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %e, "database pool");
        let mut e = Self::new(ErrorCode::Unavailable, "the database is unavailable");
        e.retry_after = Some(5);
        e
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

/// What [`ApiError::unless_all_found`] says of the ids not found, for callers that
/// gather several fields' problems; `None` when all were found.
pub fn missing(
    what: &str,
    asked: impl IntoIterator<Item = i64>,
    found: impl Fn(i64) -> bool,
) -> Option<String> {
    let unknown: Vec<String> = asked
        .into_iter()
        .filter(|id| !found(*id))
        .map(|id| id.to_string())
        .collect();
    (!unknown.is_empty()).then(|| format!("no such {what}: {}", unknown.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_client_errors_are_4xx() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
        }
    }
}
