//! Guards on contributions.

use actix_web::{FromRequest, HttpRequest};

use super::{request_parts, signed_in, Boxed};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::doc::Guard;
use crate::policy::{Actor, AuthUser};

/// The author of the contribution `{id}` (which they can still see).
pub struct CommentAuthor {
    user: AuthUser,
    comment_id: i64,
}

impl CommentAuthor {
    pub fn user(&self) -> &AuthUser {
        &self.user
    }

    pub fn comment_id(&self) -> i64 {
        self.comment_id
    }

    pub async fn check(db: &Db, actor: Actor, comment_id: i64) -> ApiResult<CommentAuthor> {
        let user = signed_in(actor.clone())?;
        db.run(move |conn| {
            let (c, _, _) =
                crate::consultations::comments::usecase::visible(conn, &actor, comment_id)?;
            if c.author_id != user.id {
                return Err(ApiError::forbidden("only the author edits a comment"));
            }
            Ok(CommentAuthor { user, comment_id })
        })
        .await
    }
}

impl Guard for CommentAuthor {
    const WHO: &'static str = "the comment's author";
    const ERRORS: &'static [u16] = &[401, 403, 404];
    const SIGNED_IN: bool = true;
}

impl FromRequest for CommentAuthor {
    type Error = ApiError;
    type Future = Boxed<Self>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = request_parts(req);
        Box::pin(async move {
            let (state, actor, id) = found?;
            let id = id.parse().map_err(|_| ApiError::not_found("comment"))?;
            CommentAuthor::check(&state.db, actor, id).await
        })
    }
}
