//! A session's live comments and questions, through the session stream of
//! `events::session_comments` and the comments feature's own views (their audience
//! rules are the comments feature's).

use crate::consultations::comments as views;
use crate::db::Db;
use crate::error::ApiResult;
use crate::events::command::{CommentsRequest, NewSessionComment};
use crate::events::session_comments::{self, Order};
use crate::events::view::{SessionComment, Upvotes};
use crate::http::respond::List;
use crate::policy::guards::{SignedIn, Verified};
use crate::policy::Actor;
use crate::ratelimit::limits::{POSTS_PER_DAY, POSTS_PER_MINUTE};
use crate::ratelimit::RateLimiter;

/// Posts a comment or a question to a session the caller may see.
pub async fn post(
    db: &Db,
    limiter: &RateLimiter,
    by: &Verified,
    session_id: i64,
    c: NewSessionComment,
) -> ApiResult<SessionComment> {
    let user = by.user().clone();
    limiter.hit(&format!("comment:minute:{}", user.id), POSTS_PER_MINUTE)?;
    limiter.hit(&format!("comment:day:{}", user.id), POSTS_PER_DAY)?;
    let language = c
        .language
        .or_else(|| crate::consultations::text::detect_language(&c.body))
        .unwrap_or_else(|| "und".into());
    db.tx(move |tx| {
        let viewer = session_comments::viewer(tx, session_id, Some(&user))?;
        let row = session_comments::post(
            tx,
            session_id,
            user.id,
            c.kind,
            c.body,
            language,
            c.anonymous,
        )?;
        Ok(SessionComment(views::view(tx, &row, &viewer)?))
    })
    .await
}

/// The session's comments and questions the caller may see.
pub async fn list(
    db: &Db,
    actor: &Actor,
    session_id: i64,
    req: CommentsRequest,
) -> ApiResult<List<SessionComment>> {
    let user = actor.user().cloned();
    db.run(move |conn| {
        let viewer = session_comments::viewer(conn, session_id, user.as_ref())?;
        let CommentsRequest { kind, order, page } = req;
        let rows = session_comments::list(
            conn,
            session_id,
            &viewer,
            kind,
            order,
            page.after,
            page.fetch(),
        )?;
        let render = |conn: &mut crate::db::DbConn, rows: &[_]| -> ApiResult<Vec<SessionComment>> {
            Ok(views::views(conn, rows, &viewer)?
                .into_iter()
                .map(SessionComment)
                .collect())
        };
        if order == Order::Top {
            // Ranked lists have no stable cursor: the top `limit`.
            let rows: Vec<_> = rows.into_iter().take(page.limit as usize).collect();
            return Ok(List::all(render(conn, &rows)?));
        }
        super::page_of(&page, rows, |c| c.id, |rows| render(conn, rows))
    })
    .await
}

pub async fn upvote(db: &Db, by: &Verified, comment_id: i64) -> ApiResult<Upvotes> {
    let user = by.user().clone();
    let upvote_count = db
        .tx(move |tx| {
            let (c, _, _) =
                crate::consultations::handlers::visible_comment(tx, comment_id, Some(&user))?;
            session_comments::upvote(tx, &c, user.id)
        })
        .await?;
    Ok(Upvotes {
        comment_id,
        upvote_count,
    })
}

pub async fn withdraw_upvote(db: &Db, by: &SignedIn, comment_id: i64) -> ApiResult<Upvotes> {
    let user = by.0.clone();
    let upvote_count = db
        .tx(move |tx| {
            let (c, _, _) =
                crate::consultations::handlers::visible_comment(tx, comment_id, Some(&user))?;
            session_comments::withdraw_upvote(tx, &c, user.id)
        })
        .await?;
    Ok(Upvotes {
        comment_id,
        upvote_count,
    })
}
