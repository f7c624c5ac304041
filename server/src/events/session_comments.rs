//! The live comment and question stream of an IGF session: comments and questions share
//! the comments table (so moderation, flags, views and the live channel work alike), and
//! questions are upvoted. Use cases for the API and the session page, and the endpoints.

use actix_web::web;
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::types::LanguageTag;
use crate::consultations::comments::usecase::{
    contribution_language, limit_posts, session_visible, visible, Judged,
};
use crate::consultations::comments::view::{self, CommentView};
use crate::consultations::comments::{self, CommentRow};
use crate::consultations::types::{CommentKind, Visibility};
use crate::db::schema::{comments as c, upvotes};
use crate::db::{now, Db, DbConn, Tx};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldErrors};
use crate::http::input::text;
use crate::http::page::Page;
use crate::http::respond::{Created, Json, List, MayConflict, Or, RateLimited};
use crate::http::ApiJson;
use crate::outbox::Change;
use crate::policy::audit::Surface;
use crate::policy::guards::{Anyone, Verified};
use crate::policy::{Actor, Reader};
use crate::state::{AppState, State};

/// Live comments are short.
pub const MAX_CHARS: usize = 2000;

/// A live comment or question.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionCommentInput {
    pub body: String,
    /// `comment` (the default) or `question`.
    #[serde(default)]
    #[schemars(with = "Option<CommentKind>")]
    pub kind: Option<String>,
    /// BCP 47; detected from the text when absent.
    pub language: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
}

pub struct SessionComment {
    pub body: String,
    pub kind: CommentKind,
    pub language: Option<LanguageTag>,
    pub anonymous: bool,
}

impl TryFrom<SessionCommentInput> for SessionComment {
    type Error = ApiError;

    fn try_from(i: SessionCommentInput) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let body = text(&mut errors, "body", &i.body, 1, MAX_CHARS);
        let kind = match CommentKind::parse(i.kind.as_deref().unwrap_or("comment")) {
            Some(k @ (CommentKind::Comment | CommentKind::Question)) => Some(k),
            _ => {
                errors.insert("kind".into(), "must be comment or question".into());
                None
            }
        };
        let language = match i.language.as_deref() {
            Some(l) => LanguageTag::parse(l)
                .map(Some)
                .map_err(|e| errors.insert("language".into(), e.into()))
                .unwrap_or(None),
            None => None,
        };
        match (body, kind) {
            (Some(body), Some(kind)) if errors.is_empty() => Ok(SessionComment {
                body,
                kind,
                language,
                anonymous: i.anonymous,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    #[default]
    Oldest,
    Newest,
    /// Questions by upvotes, then oldest first.
    Top,
}

/// `?kind=comment|question&sort=oldest|newest|top&limit=&cursor=`
#[derive(Deserialize, JsonSchema)]
pub struct SessionCommentsQuery {
    #[schemars(with = "Option<CommentKind>")]
    pub kind: Option<String>,
    #[schemars(with = "Option<Order>")]
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// An upvote given or withdrawn.
#[derive(Serialize, JsonSchema)]
pub struct UpvoteView {
    pub comment_id: i64,
    pub upvote_count: i64,
}

pub fn list_rows(
    conn: &mut DbConn,
    session_id: i64,
    with_hidden: bool,
    kind: Option<CommentKind>,
    order: Order,
    page: Option<&Page>,
    limit: i64,
) -> ApiResult<Vec<CommentRow>> {
    let mut q = c::table
        .filter(c::session_id.eq(session_id))
        .filter(c::status.ne(Visibility::Withdrawn.as_str()))
        .select(CommentRow::as_select())
        .into_boxed();
    if !with_hidden {
        q = q.filter(c::status.eq(Visibility::Visible.as_str()));
    }
    if let Some(k) = kind {
        q = q.filter(c::kind.eq(k.as_str()));
    }
    let after = page.and_then(|p| p.after);
    q = match (order, after) {
        (Order::Oldest, Some(a)) => q.filter(c::id.gt(a)).order(c::id.asc()),
        (Order::Oldest, None) => q.order(c::id.asc()),
        (Order::Newest, Some(a)) => q.filter(c::id.lt(a)).order(c::id.desc()),
        (Order::Newest, None) => q.order(c::id.desc()),
        (Order::Top, _) => {
            let skip = page.map_or(0, |p| p.offset);
            q.order((c::upvote_count.desc(), c::id.asc()))
                .offset(i64::try_from(skip).unwrap_or(i64::MAX))
        }
    };
    Ok(q.limit(limit).load(conn)?)
}

/// A session's comments and questions as the caller may see them.
pub async fn list(
    db: &Db,
    actor: Actor,
    session_id: i64,
    q: SessionCommentsQuery,
) -> ApiResult<List<CommentView>> {
    let list = format!("session-comments:{session_id}:{:?}:{:?}", q.kind, q.sort);
    let page = Page::of_list(&list, q.limit, q.cursor.as_deref())?;
    let kind = match q.kind.as_deref() {
        None => None,
        Some(k) => Some(
            CommentKind::parse(k)
                .filter(|k| *k != CommentKind::Amendment)
                .ok_or_else(|| ApiError::query("kind", "must be comment or question"))?,
        ),
    };
    let order = match q.sort.as_deref() {
        None | Some("oldest") => Order::Oldest,
        Some("newest") => Order::Newest,
        Some("top") => Order::Top,
        Some(_) => return Err(ApiError::query("sort", "must be top, newest or oldest")),
    };
    db.run(move |conn| {
        session_visible(conn, &actor, session_id)?;
        let reader = Reader::of(&actor);
        let mut rows = list_rows(
            conn,
            session_id,
            reader.sees_hidden(),
            kind,
            order,
            Some(&page),
            page.fetch(),
        )?;
        let next_cursor = if order == Order::Top {
            // A ranking moves as votes come in: its pages are counted, not keyed by id.
            let more = rows.len() as i64 > page.limit;
            rows.truncate(page.limit as usize);
            more.then(|| page.cursor_at(page.offset + rows.len()))
        } else {
            page.next_cursor(&mut rows, |c| c.id)
        };
        let items = view::render(conn, &rows, &reader, Surface::Api)?;
        Ok(List { items, next_cursor })
    })
    .await
}

/// A session's whole stream for its page (at most 5,000), oldest first.
pub async fn stream(db: &Db, actor: Actor, session_id: i64) -> ApiResult<Vec<CommentView>> {
    db.run(move |conn| {
        session_visible(conn, &actor, session_id)?;
        let reader = Reader::of(&actor);
        let rows = list_rows(
            conn,
            session_id,
            reader.sees_hidden(),
            None,
            Order::Oldest,
            None,
            5000,
        )?;
        view::render(conn, &rows, &reader, Surface::Page)
    })
    .await
}

/// Posts a live comment or question on a session.
pub async fn post(
    state: &AppState,
    who: &Verified,
    session_id: i64,
    cmd: SessionComment,
) -> ApiResult<CommentView> {
    let user = who.user().clone();
    limit_posts(state, user.id)?;
    let judge = move |conn: &mut DbConn| {
        let given = cmd.language.as_ref().map(|l| l.as_str().to_owned());
        let language =
            contribution_language(conn, user.id, given, &cmd.body)?.unwrap_or_else(|| "und".into());
        let actor = Actor::User(user.clone());
        session_visible(conn, &actor, session_id)?;
        let new = comments::NewComment {
            consultation_id: None,
            session_id: Some(session_id),
            paragraph_key: None,
            parent_id: None,
            author_id: user.id,
            kind: cmd.kind,
            body: cmd.body.clone(),
            proposed_text: None,
            on_behalf_of: None,
            speaks_for: None,
            anonymous: cmd.anonymous,
            language,
            version_label: None,
        };
        Judged::read(conn, new, Reader::of(&actor))
    };
    // Judged again should its group commit run it again (see `Db::tx_again`).
    state
        .db
        .tx_again(move |tx| judge(tx.conn())?.write(tx))
        .await
}

fn count(tx: &mut Tx, row: &CommentRow) -> ApiResult<i64> {
    comments::store::lock(tx.conn(), row.id)?;
    let n: i64 = upvotes::table
        .filter(upvotes::comment_id.eq(row.id))
        .count()
        .get_result(tx.conn())?;
    diesel::update(c::table.find(row.id))
        .set(c::upvote_count.eq(n as i32))
        .execute(tx.conn())?;
    tx.live(
        &row.channel(),
        Change::QuestionUpvoted {
            comment_id: row.id,
            upvote_count: n,
        },
    );
    Ok(n)
}

pub async fn upvote(db: &Db, who: &Verified, id: i64) -> ApiResult<UpvoteView> {
    let user = who.user().clone();
    db.tx(move |tx| {
        let (row, _, _) = visible(tx, &Actor::User(user.clone()), id)?;
        if row.kind != CommentKind::Question {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "only session questions are upvoted",
            ));
        }
        if row.author_id == user.id {
            return Err(ApiError::forbidden("you cannot upvote your own question"));
        }
        let already: bool = diesel::select(diesel::dsl::exists(
            upvotes::table
                .filter(upvotes::comment_id.eq(row.id))
                .filter(upvotes::user_id.eq(user.id)),
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
                upvotes::user_id.eq(user.id),
                upvotes::created_at.eq(now()),
            ))
            .execute(tx.conn())?;
        let upvote_count = count(tx, &row)?;
        Ok(UpvoteView {
            comment_id: row.id,
            upvote_count,
        })
    })
    .await
}

pub async fn withdraw_upvote(db: &Db, who: &Verified, id: i64) -> ApiResult<UpvoteView> {
    let user = who.user().clone();
    db.tx(move |tx| {
        let (row, _, _) = visible(tx, &Actor::User(user.clone()), id)?;
        let n = diesel::delete(
            upvotes::table
                .filter(upvotes::comment_id.eq(row.id))
                .filter(upvotes::user_id.eq(user.id)),
        )
        .execute(tx.conn())?;
        if n == 0 {
            return Err(ApiError::not_found("upvote"));
        }
        let upvote_count = count(tx, &row)?;
        Ok(UpvoteView {
            comment_id: row.id,
            upvote_count,
        })
    })
    .await
}

/// The endpoints.
pub mod http {
    use super::*;

    pub async fn post_comment(
        who: Verified,
        state: State,
        path: web::Path<i64>,
        input: ApiJson<SessionCommentInput>,
    ) -> ApiResult<RateLimited<Created<CommentView>>> {
        let cmd = SessionComment::try_from(input.0)?;
        post(&state, &who, path.into_inner(), cmd)
            .await
            .map(|v| Or(Created(v)))
    }

    pub async fn comments(
        who: Anyone,
        state: State,
        path: web::Path<i64>,
        query: crate::http::Query<SessionCommentsQuery>,
    ) -> ApiResult<Json<List<CommentView>>> {
        list(&state.db, who.0, path.into_inner(), query.into_inner())
            .await
            .map(Json)
    }

    pub async fn upvote(
        who: Verified,
        state: State,
        path: web::Path<i64>,
    ) -> ApiResult<MayConflict<Created<UpvoteView>>> {
        super::upvote(&state.db, &who, path.into_inner())
            .await
            .map(|v| Or(Created(v)))
    }

    pub async fn withdraw_upvote(
        who: Verified,
        state: State,
        path: web::Path<i64>,
    ) -> ApiResult<Json<UpvoteView>> {
        super::withdraw_upvote(&state.db, &who, path.into_inner())
            .await
            .map(Json)
    }
}
