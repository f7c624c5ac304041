//! Guards: the first argument of every API handler, named in the route table. Each is
//! an extractor that refuses the callers its operation is not for (401 without a valid
//! token, 403 without the right, 404 for what the caller may not know exists), and a
//! proof: its fields are private, so a use case that takes a `Verified` or a
//! `ConsultationEditor` cannot be called by anyone the policy did not let through. The
//! pages obtain the same proofs through the same `check` functions.
//!
//! Guards for one feature's resources live in a file of their own here (`events.rs`…),
//! built from the helpers below.

/// Implements `FromRequest` for a guard whose `check(db, actor, key)` does the work.
macro_rules! resource_guard {
    ($name:ident) => {
        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Boxed<Self>;
            fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
                let found = request_parts(req);
                Box::pin(async move {
                    let (state, actor, key) = found?;
                    $name::check(&state.db, actor, key).await
                })
            }
        }
    };
}

pub mod accounts;
pub mod bodies;
mod comments;
pub mod events;
pub mod live;
pub mod review;

pub use comments::CommentAuthor;

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};

use super::{Actor, AuthUser, ConsultationAccess};
use crate::consultations::store::ConsultationRow;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::doc::Guard;
use crate::state::AppState;

pub(crate) fn state(req: &HttpRequest) -> ApiResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))
}

pub(crate) fn actor(req: &HttpRequest) -> ApiResult<Actor> {
    crate::accounts::auth::from_request(req).map(Actor::from_user)
}

pub(crate) fn signed_in(actor: Actor) -> ApiResult<AuthUser> {
    match actor {
        Actor::User(u) => Ok(u),
        Actor::Anonymous => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "sign in: this needs an access token",
        )),
    }
}

/// The `{id}` of the route.
pub(crate) fn path_id(req: &HttpRequest) -> ApiResult<String> {
    req.match_info()
        .get("id")
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal("route without {id}"))
}

/// The state, the caller and the route's `{id}`, for guards that look a resource up.
pub(crate) fn request_parts(req: &HttpRequest) -> ApiResult<(web::Data<AppState>, Actor, String)> {
    Ok((state(req)?, actor(req)?, path_id(req)?))
}

pub(crate) type Boxed<T> = Pin<Box<dyn Future<Output = ApiResult<T>>>>;

/// Anyone: no token, or a valid one (a bad token is refused, never ignored).
pub struct Anyone(pub Actor);

impl Guard for Anyone {
    const WHO: &'static str = "anyone";
    const ERRORS: &'static [u16] = &[401];
    const SIGNED_IN: bool = false;
}

impl FromRequest for Anyone {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(actor(req).map(Anyone))
    }
}

/// Any signed-in user.
pub struct SignedIn(pub AuthUser);

impl Guard for SignedIn {
    const WHO: &'static str = "user";
    const ERRORS: &'static [u16] = &[401];
    const SIGNED_IN: bool = true;
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(actor(req).and_then(signed_in).map(SignedIn))
    }
}

/// A signed-in user whose e-mail address is verified: who may contribute.
pub struct Verified(AuthUser);

impl Verified {
    pub fn user(&self) -> &AuthUser {
        &self.0
    }

    pub fn id(&self) -> i64 {
        self.0.id
    }

    /// The token may predate the verification: the database has the last word.
    pub async fn check(db: &Db, actor: Actor) -> ApiResult<Verified> {
        let user = signed_in(actor)?;
        if user.verified {
            return Ok(Verified(user));
        }
        let id = user.id;
        let verified = db
            .run(move |conn| {
                Ok(crate::accounts::store::find(conn, id)?
                    .is_some_and(|u| u.email_verified_at.is_some()))
            })
            .await?;
        if verified {
            Ok(Verified(user))
        } else {
            Err(ApiError::new(
                ErrorCode::EmailNotVerified,
                "verify your email address before contributing",
            ))
        }
    }
}

impl Guard for Verified {
    const WHO: &'static str = "verified user";
    const ERRORS: &'static [u16] = &[401, 403];
    const SIGNED_IN: bool = true;
}

impl FromRequest for Verified {
    type Error = ApiError;
    type Future = Boxed<Self>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = state(req).and_then(|s| Ok((s, actor(req)?)));
        Box::pin(async move {
            let (state, actor) = found?;
            Verified::check(&state.db, actor).await
        })
    }
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $who:literal, $check:ident) => {
        $(#[$doc])*
        pub struct $name(AuthUser);

        impl $name {
            pub fn user(&self) -> &AuthUser {
                &self.0
            }

            pub fn id(&self) -> i64 {
                self.0.id
            }

            pub fn check(actor: Actor) -> ApiResult<$name> {
                if actor.user().is_some() && !actor.$check() {
                    return Err(ApiError::forbidden(concat!("this needs the ", $who, " role")));
                }
                signed_in(actor).map($name)
            }
        }

        impl Guard for $name {
            const WHO: &'static str = $who;
            const ERRORS: &'static [u16] = &[401, 403];
            const SIGNED_IN: bool = true;
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Ready<ApiResult<Self>>;
            fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
                ready(actor(req).and_then($name::check))
            }
        }
    };
}

role_guard!(
    /// Moderators (and admins).
    Moderator,
    "moderator",
    is_moderator
);
role_guard!(
    /// Organisers (and admins).
    Organizer,
    "organizer",
    is_organizer
);
role_guard!(
    /// Administrators.
    Admin,
    "admin",
    is_admin
);

/// An organiser, or a co-facilitator of the consultation `{id}` (id or slug): who adds
/// versions of its text.
pub struct ConsultationEditor {
    user: AuthUser,
    pub consultation: ConsultationRow,
}

impl ConsultationEditor {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<ConsultationEditor> {
        let user = signed_in(actor.clone())?;
        db.run(move |conn| {
            let (consultation, access) = consultation_for(conn, &actor, &key)?;
            if !access.may_add_version() {
                return Err(ApiError::forbidden(
                    "only organisers and this consultation's co-facilitators add versions",
                ));
            }
            Ok(ConsultationEditor { user, consultation })
        })
        .await
    }
}

impl Guard for ConsultationEditor {
    const WHO: &'static str = "organizer, co-facilitator of this consultation";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

impl FromRequest for ConsultationEditor {
    type Error = ApiError;
    type Future = Boxed<Self>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = request_parts(req);
        Box::pin(async move {
            let (state, actor, key) = found?;
            ConsultationEditor::check(&state.db, actor, key).await
        })
    }
}

/// A co-facilitator of the consultation `{id}` (id or slug), or an organiser: who
/// reviews its inputs.
pub struct ConsultationReviewer {
    user: AuthUser,
    pub consultation: ConsultationRow,
    pub access: ConsultationAccess,
}

impl ConsultationReviewer {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<ConsultationReviewer> {
        let user = signed_in(actor.clone())?;
        db.run(move |conn| {
            let (consultation, access) = consultation_for(conn, &actor, &key)?;
            if !access.may_review() {
                return Err(ApiError::forbidden(
                    "only this consultation's co-facilitators and organisers review its inputs",
                ));
            }
            Ok(ConsultationReviewer {
                user,
                consultation,
                access,
            })
        })
        .await
    }
}

impl Guard for ConsultationReviewer {
    const WHO: &'static str = "co-facilitator of this consultation, organizer";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

impl FromRequest for ConsultationReviewer {
    type Error = ApiError;
    type Future = Boxed<Self>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = request_parts(req);
        Box::pin(async move {
            let (state, actor, key) = found?;
            ConsultationReviewer::check(&state.db, actor, key).await
        })
    }
}

/// A consultation by id or slug as `actor` may know it: a draft is 404 to those who may
/// not see it (its existence is not public).
pub fn consultation_for(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    key: &str,
) -> ApiResult<(ConsultationRow, ConsultationAccess)> {
    let (row, cofacilitator) =
        crate::consultations::store::resolve_for(conn, key, actor.user().map(|u| u.id))?;
    let access = access_to(actor, &row, cofacilitator)?;
    Ok((row, access))
}

/// [`consultation_for`]'s judgement, for a consultation read with more beside it.
pub fn access_to(
    actor: &Actor,
    row: &ConsultationRow,
    cofacilitator: bool,
) -> ApiResult<ConsultationAccess> {
    let access = ConsultationAccess::with(actor, cofacilitator);
    if !access.may_see(row.status()) {
        return Err(ApiError::not_found("consultation"));
    }
    Ok(access)
}
