//! Guards of intersessional bodies: anyone reads a body named by the route's `{id}`
//! (404 when there is none); its coordinators and the secretariat manage it (401, 403).
//! Every role question goes to [`BodyAccess`].

use actix_web::{FromRequest, HttpRequest};

use super::{request_parts, signed_in, Boxed};
use crate::bodies::store;
use crate::bodies::types::BodyRow;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::doc::Guard;
use crate::policy::{Actor, AuthUser, BodyAccess};

fn body_id(key: &str) -> ApiResult<i64> {
    key.parse().map_err(|_| ApiError::not_found("body"))
}

/// Anyone, about the body `{id}`: what they are to it comes along.
pub struct BodyReader {
    pub body: BodyRow,
    pub access: BodyAccess,
}

impl BodyReader {
    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<BodyReader> {
        let id = body_id(&key)?;
        db.run(move |conn| {
            let body = store::get(conn, id)?;
            let access = BodyAccess::of(conn, &actor, id)?;
            Ok(BodyReader { body, access })
        })
        .await
    }
}

impl Guard for BodyReader {
    const WHO: &'static str = "anyone";
    const ERRORS: &'static [u16] = &[401, 404];
    const SIGNED_IN: bool = false;
}

resource_guard!(BodyReader);

/// The body's coordinators and the secretariat: edit, sessions, outputs.
pub struct BodyManager {
    user: AuthUser,
    pub body: BodyRow,
    pub access: BodyAccess,
}

impl BodyManager {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<BodyManager> {
        let id = body_id(&key)?;
        let BodyReader { body, access } = BodyReader::check(db, actor.clone(), key).await?;
        let user = signed_in(actor)?;
        if !access.may_manage() {
            return Err(ApiError::forbidden(format!(
                "only the coordinators of body {id} and the secretariat manage it"
            )));
        }
        Ok(BodyManager { user, body, access })
    }
}

impl Guard for BodyManager {
    const WHO: &'static str = "the body's coordinators, organizer";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(BodyManager);

/// A signed-in account about the body `{id}`: who joins or leaves it.
pub struct BodyJoiner {
    user: AuthUser,
    pub body: BodyRow,
}

impl BodyJoiner {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub async fn check(db: &Db, actor: Actor, key: String) -> ApiResult<BodyJoiner> {
        let user = signed_in(actor.clone())?;
        let BodyReader { body, .. } = BodyReader::check(db, actor, key).await?;
        Ok(BodyJoiner { user, body })
    }
}

impl Guard for BodyJoiner {
    const WHO: &'static str = "user";
    const ERRORS: &'static [u16] = &[401, 404];
    const SIGNED_IN: bool = true;
}

resource_guard!(BodyJoiner);
