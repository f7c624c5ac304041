//! The live comment and question stream of an IGF session: comments and questions share
//! the comments table (so moderation, flags and the live channel work alike), and
//! questions are upvoted.

use diesel::prelude::*;
use serde_json::json;

use crate::accounts::auth::AuthUser;
use crate::accounts::types::Role;
use crate::consultations::comments::{self, CommentRow};
use crate::consultations::store::Viewer;
use crate::consultations::types::{CommentKind, Visibility};
use crate::db::schema::{comments as c, upvotes};
use crate::db::Tx;
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::outbox::{self, Audience};

/// What the caller may see of a session's stream (404 for sessions of unpublished events).
pub fn viewer(conn: &mut DbConn, session_id: i64, user: Option<&AuthUser>) -> ApiResult<Viewer> {
    super::schedule::visible(conn, session_id, user)?;
    let privileged = user.is_some_and(|u| u.has(Role::Organizer) || u.has(Role::Moderator));
    Ok(Viewer {
        user_id: user.map(|u| u.id),
        privileged,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Oldest,
    Newest,
    /// Questions by upvotes, then oldest first.
    Top,
}

pub fn list(
    conn: &mut DbConn,
    session_id: i64,
    viewer: &Viewer,
    kind: Option<CommentKind>,
    order: Order,
    after: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<CommentRow>> {
    let mut q = c::table
        .filter(c::session_id.eq(session_id))
        .filter(c::status.ne(Visibility::Withdrawn.as_str()))
        .select(CommentRow::as_select())
        .into_boxed();
    if !viewer.privileged {
        q = q.filter(c::status.eq(Visibility::Visible.as_str()));
    }
    if let Some(k) = kind {
        q = q.filter(c::kind.eq(k.as_str()));
    }
    q = match (order, after) {
        (Order::Oldest, Some(a)) => q.filter(c::id.gt(a)).order(c::id.asc()),
        (Order::Oldest, None) => q.order(c::id.asc()),
        (Order::Newest, Some(a)) => q.filter(c::id.lt(a)).order(c::id.desc()),
        (Order::Newest, None) => q.order(c::id.desc()),
        (Order::Top, _) => q.order((c::upvote_count.desc(), c::id.asc())),
    };
    Ok(q.limit(limit).load(conn)?)
}

fn count(tx: &mut Tx, row: &CommentRow) -> ApiResult<i64> {
    let n: i64 = upvotes::table
        .filter(upvotes::comment_id.eq(row.id))
        .count()
        .get_result(tx.conn())?;
    diesel::update(c::table.find(row.id))
        .set(c::upvote_count.eq(n as i32))
        .execute(tx.conn())?;
    outbox::append_live_event(
        tx,
        &row.channel(),
        "question.upvoted",
        Audience::Public,
        Some(row.id),
        &json!({"comment_id": row.id, "upvote_count": n}),
    )?;
    Ok(n)
}

pub fn upvote(tx: &mut Tx, row: &CommentRow, user_id: i64) -> ApiResult<i64> {
    if row.kind != CommentKind::Question.as_str() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "only session questions are upvoted",
        ));
    }
    if row.author_id == user_id {
        return Err(ApiError::forbidden("you cannot upvote your own question"));
    }
    let already: bool = diesel::select(diesel::dsl::exists(
        upvotes::table
            .filter(upvotes::comment_id.eq(row.id))
            .filter(upvotes::user_id.eq(user_id)),
    ))
    .get_result(tx.conn())?;
    if already {
        return Err(ApiError::new(
            ErrorCode::AlreadyUpvoted,
            "you have already upvoted this question",
        ));
    }
    diesel::insert_into(upvotes::table)
        .values((
            upvotes::comment_id.eq(row.id),
            upvotes::user_id.eq(user_id),
            upvotes::created_at.eq(now()),
        ))
        .execute(tx.conn())?;
    count(tx, row)
}

pub fn withdraw_upvote(tx: &mut Tx, row: &CommentRow, user_id: i64) -> ApiResult<i64> {
    let n = diesel::delete(
        upvotes::table
            .filter(upvotes::comment_id.eq(row.id))
            .filter(upvotes::user_id.eq(user_id)),
    )
    .execute(tx.conn())?;
    if n == 0 {
        return Err(ApiError::not_found("upvote"));
    }
    count(tx, row)
}

pub fn post(
    tx: &mut Tx,
    session_id: i64,
    author_id: i64,
    kind: CommentKind,
    body: String,
    language: String,
    anonymous: bool,
) -> ApiResult<CommentRow> {
    comments::insert(
        tx,
        &comments::NewComment {
            consultation_id: None,
            session_id: Some(session_id),
            paragraph_key: None,
            parent_id: None,
            author_id,
            kind,
            body,
            proposed_text: None,
            on_behalf_of: None,
            anonymous,
            language,
            version_label: None,
        },
    )
}
