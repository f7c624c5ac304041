//! Guards of the review feature. The consultation-scoped endpoints take
//! [`super::ConsultationReviewer`]; the endpoints on one input (`/comments/{id}/review…`)
//! take [`InputReviewer`], which finds the input's consultation and asks the same
//! question of [`ConsultationAccess::may_review`].

use actix_web::{FromRequest, HttpRequest};

use super::{request_parts, signed_in, Boxed};
use crate::consultations::comments::CommentRow;
use crate::consultations::store::ConsultationRow;
use crate::db::{Db, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::doc::Guard;
use crate::policy::{Actor, AuthUser, ConsultationAccess};

/// A co-facilitator of the consultation the input `{id}` belongs to, or an organiser:
/// who reviews that input. The input must be one the caller can see (404 otherwise: a
/// hidden input is not reviewed by those who may not read it), and a consultation's
/// (409 for a comment of an IGF session).
pub struct InputReviewer {
    user: AuthUser,
    pub comment: CommentRow,
    pub consultation: ConsultationRow,
    access: ConsultationAccess,
}

impl InputReviewer {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub fn access(&self) -> ConsultationAccess {
        self.access
    }

    pub async fn check(db: &Db, actor: Actor, comment_id: i64) -> ApiResult<InputReviewer> {
        let user = signed_in(actor.clone())?;
        db.run(move |conn| InputReviewer::check_in(conn, &actor, user, comment_id))
            .await
    }

    /// The same check on a connection the caller holds (inside a transaction).
    pub fn check_in(
        conn: &mut DbConn,
        actor: &Actor,
        user: AuthUser,
        comment_id: i64,
    ) -> ApiResult<InputReviewer> {
        let (comment, consultation, _) =
            crate::consultations::comments::usecase::visible(conn, actor, comment_id)?;
        let Some((consultation, access)) = consultation else {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "reviews are for consultation inputs, not session comments",
            ));
        };
        if !access.may_review() {
            return Err(ApiError::forbidden(
                "only this consultation's co-facilitators and organisers review its inputs",
            ));
        }
        Ok(InputReviewer {
            user,
            comment,
            consultation,
            access,
        })
    }
}

impl Guard for InputReviewer {
    const WHO: &'static str = "co-facilitator of the input's consultation, organizer";
    const ERRORS: &'static [u16] = &[401, 403, 404, 409];
    const SIGNED_IN: bool = true;
}

impl FromRequest for InputReviewer {
    type Error = ApiError;
    type Future = Boxed<Self>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = request_parts(req);
        Box::pin(async move {
            let (state, actor, id) = found?;
            let id = id.parse().map_err(|_| ApiError::not_found("comment"))?;
            InputReviewer::check(&state.db, actor, id).await
        })
    }
}
