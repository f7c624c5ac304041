//! What people do with contributions, for the API and the pages alike: post, read,
//! edit, endorse, flag. Each use case takes the proof the policy gave (a `Verified`,
//! an `Actor`) and answers with views rendered for its caller.

use super::command::{EditCommand, NewCommentCommand, Reason};
use super::posting::{self, ToPost};
use super::store::{self, CommentRow, Filter, NewComment};
use super::view::{self, CommentView, EndorsementView, FlagReceipt, EDIT_WINDOW_MINUTES};
use crate::consultations::store::{self as consultations, ConsultationRow};
use crate::consultations::text::detect_language_among;
use crate::consultations::types::{CommentKind, Visibility};
use crate::db::{now, Db, DbConn};
use crate::delegations::store::Representations;
use crate::delegations::types::SpeaksFor;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::page::Page;
use crate::http::respond::List;
use crate::outbox::Change;
use crate::policy::audit::Surface;
use crate::policy::guards::{access_to, consultation_for, CommentAuthor, Verified};
use crate::policy::{Actor, ConsultationAccess, EventAccess, Reader};
use crate::ratelimit::limits::{POSTS_PER_DAY, POSTS_PER_MINUTE};
use crate::state::AppState;

/// A consultation with the caller's access to it, as `consultation_for` answers.
pub type Accessed = (ConsultationRow, ConsultationAccess);

/// A contribution the caller may see, with the reader it is shown to, and its
/// consultation with the caller's access to it when it is on one (not on an IGF
/// session). 404 otherwise.
pub fn visible(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
) -> ApiResult<(CommentRow, Option<Accessed>, Reader)> {
    let c = store::get(conn, id)?;
    let (consultation, reader) = match (c.consultation_id, c.session_id) {
        (Some(consultation), _) => {
            let (row, access) = consultation_for(conn, actor, &consultation.to_string())
                .map_err(|_| ApiError::not_found("comment"))?;
            (Some((row, access)), access.reader())
        }
        (None, Some(session)) => {
            session_visible(conn, actor, session)?;
            (None, Reader::of(actor))
        }
        (None, None) => return Err(ApiError::not_found("comment")),
    };
    if reader.lens(c.author_id, c.status).is_none() {
        return Err(ApiError::not_found("comment"));
    }
    Ok((c, consultation, reader))
}

/// Sessions of unpublished events exist only for their organisers.
pub fn session_visible(conn: &mut DbConn, actor: &Actor, session_id: i64) -> ApiResult<()> {
    match store::session_published(conn, session_id)? {
        Some(published) if EventAccess::of(actor).may_see(published) => Ok(()),
        _ => Err(ApiError::not_found("session")),
    }
}

/// A contribution's language: the one its author gave; else detected among the six UN
/// languages and the author's own; else (too short to tell) the author's own.
pub fn contribution_language(
    conn: &mut DbConn,
    author: i64,
    given: Option<String>,
    body: &str,
) -> ApiResult<Option<String>> {
    if given.is_some() {
        return Ok(given);
    }
    let preferred = crate::accounts::store::find(conn, author)?.map(|u| u.preferred_language);
    Ok(language_of(given, body, preferred.as_deref()))
}

/// [`contribution_language`] with the author's preferred language (BCP 47) in hand.
pub fn language_of(given: Option<String>, body: &str, preferred: Option<&str>) -> Option<String> {
    if given.is_some() {
        return given;
    }
    // The primary subtag, as detection answers (`zh`, not `zh-Hans`).
    let own: Option<String> =
        preferred.map(|p| p.split('-').next().unwrap_or_default().to_lowercase());
    let also: Vec<&str> = own.iter().map(String::as_str).collect();
    detect_language_among(body, &also).or(own)
}

/// Never expected: the author of a contribution is always among those who may see it.
const UNSEEN_BY_AUTHOR: &str = "a contribution its author cannot see";

/// A contribution judged (whether it may be written, and exactly what) with what its
/// author's view of it needs, read first in the writer's transaction, so that what
/// follows sends only the writes. On SQLite the lane's write lock keeps the judgement
/// true until the commit. On PostgreSQL it is as firm as a read of committed
/// state: a consultation closed, or a parent hidden, by another transaction between the
/// judging and the commit lets in the contributions already judged, as a deadline does
/// the letters posted before it (the reads lock none of those rows).
pub struct Judged {
    new: NewComment,
    reader: Reader,
    author: Option<view::Author>,
    represented: Representations,
}

impl Judged {
    /// Reads what the author's view of `new` needs: `new` itself is judged by the caller.
    pub fn read(conn: &mut DbConn, new: NewComment, reader: Reader) -> ApiResult<Judged> {
        let author = view::authors(conn, &[new.author_id])?.remove(&new.author_id);
        Judged::with(conn, new, reader, author)
    }

    /// [`Judged::read`] with the author already read.
    pub fn with(
        conn: &mut DbConn,
        new: NewComment,
        reader: Reader,
        author: Option<view::Author>,
    ) -> ApiResult<Judged> {
        let represented = Representations::load(conn, new.speaks_for.as_slice())?;
        Ok(Judged {
            new,
            reader,
            author,
            represented,
        })
    }

    /// Writes it, with what others must hear of it, and answers the author's own view
    /// of what they just wrote (rendered without a statement).
    pub fn write(self, tx: &mut crate::db::Tx) -> ApiResult<CommentView> {
        let created = insert(tx, &self.new)?;
        let lens = self
            .reader
            .lens(created.author_id, created.status)
            .ok_or_else(|| ApiError::internal(UNSEEN_BY_AUTHOR))?;
        let speaks_for = self.represented.get(created.speaks_for());
        Ok(view::view_with(
            &created,
            self.author.as_ref(),
            speaks_for,
            lens,
        ))
    }
}

/// Posts a comment, reply or amendment on a consultation.
pub async fn post(
    state: &AppState,
    who: &Verified,
    consultation: String,
    cmd: NewCommentCommand,
) -> ApiResult<CommentView> {
    let user = who.user().clone();
    limit_posts(state, user.id)?;
    let judge = move |conn: &mut DbConn| {
        let actor = Actor::User(user.clone());
        let ToPost {
            consultation: row,
            cofacilitator,
            phase,
            version_label,
            poster,
        } = posting::to_post(conn, &consultation, user.id)?;
        let access = access_to(&actor, &row, cofacilitator)?;
        let (preferred, author) = poster.unzip();
        let explicit = cmd.language.as_ref().map(|l| l.as_str().to_owned());
        let detected = language_of(explicit, &cmd.body, preferred.as_deref());
        row.ensure_open()?;
        let phase = crate::consultations::phases::takes_inputs(phase)?;
        access.may_contribute(conn, &row)?;
        let speaks_for = match cmd.speaks_for {
            Some(s) => Some(crate::policy::may_speak_for(conn, user.id, s)?),
            None => None,
        };
        access.may_table(phase, cmd.kind, speaks_for.as_ref())?;
        let reader = access.reader();
        let mut paragraph_key = cmd.paragraph_key.clone();
        if let Some(parent_id) = cmd.parent_id {
            let parent = store::get(conn, parent_id)
                .map_err(|_| ApiError::field("parent_id", "no such comment"))?;
            if parent.consultation_id != Some(row.id) {
                return Err(ApiError::field(
                    "parent_id",
                    "that comment belongs to another consultation",
                ));
            }
            if parent.status != Visibility::Visible {
                return Err(ApiError::field(
                    "parent_id",
                    "that comment cannot be replied to",
                ));
            }
            match (&paragraph_key, &parent.paragraph_key) {
                (Some(k), Some(pk)) if k != pk => {
                    return Err(ApiError::field(
                        "paragraph_key",
                        "a reply is on its parent's paragraph",
                    ))
                }
                (None, pk) => paragraph_key = pk.clone(),
                _ => {}
            }
        }
        if let Some(k) = &paragraph_key {
            if !consultations::has_paragraph(conn, &row, k)? {
                return Err(ApiError::field(
                    "paragraph_key",
                    "no paragraph with this key in the current text",
                ));
            }
        }
        let new = NewComment {
            consultation_id: Some(row.id),
            session_id: None,
            paragraph_key,
            parent_id: cmd.parent_id,
            author_id: user.id,
            kind: cmd.kind,
            body: cmd.body.clone(),
            proposed_text: cmd.proposed_text.clone(),
            on_behalf_of: cmd.on_behalf_of.clone(),
            speaks_for: speaks_for.map(|r| r.speaks_for()),
            anonymous: cmd.anonymous,
            language: detected.unwrap_or_else(|| row.language.clone()),
            version_label,
        };
        Judged::with(conn, new, reader, author)
    };
    // Judged again should its group commit run it again (see `Db::tx_again`).
    state
        .db
        .tx_again(move |tx| judge(tx.conn())?.write(tx))
        .await
}

/// Comments and questions count against the same per-person limits.
pub fn limit_posts(state: &AppState, user_id: i64) -> ApiResult<()> {
    state
        .limiter
        .hit(&format!("comment:minute:{user_id}"), POSTS_PER_MINUTE)?;
    state
        .limiter
        .hit(&format!("comment:day:{user_id}"), POSTS_PER_DAY)
}

/// Inserts a contribution (of a consultation or a session) with what others must hear
/// of it: the live event, the search job, the notifications.
pub fn insert(tx: &mut crate::db::Tx, new: &NewComment) -> ApiResult<CommentRow> {
    let created = store::insert(tx, new)?;
    tx.live(
        &created.channel(),
        Change::CommentCreated {
            comment_id: created.id,
        },
    );
    if created.consultation_id.is_some() {
        crate::outbox::queue_search_job(tx, "comment", created.id, "upsert");
    }
    crate::notifications::hooks::comment_posted(tx, &created)?;
    Ok(created)
}

/// The author's own view of what they just wrote.
fn own_view(conn: &mut DbConn, row: &CommentRow, reader: &Reader) -> ApiResult<CommentView> {
    view::render_one(conn, row, reader, Surface::Api)?
        .ok_or_else(|| ApiError::internal(UNSEEN_BY_AUTHOR))
}

/// `?paragraph_key=&parent_id=&since_id=&limit=&cursor=`
#[derive(serde::Deserialize, schemars::JsonSchema, Default)]
pub struct CommentQuery {
    /// Only the comments on this paragraph.
    pub paragraph_key: Option<String>,
    /// Only the replies to this comment.
    pub parent_id: Option<i64>,
    /// Only comments after this id.
    pub since_id: Option<i64>,
    /// BCP 47: only the comments written in this language (`fr` takes `fr-CA` too).
    pub language: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A page of a consultation's comments, oldest first, as the caller may see them, each
/// with its outcome.
pub async fn list(
    db: &Db,
    actor: Actor,
    consultation: String,
    q: CommentQuery,
) -> ApiResult<List<CommentView>> {
    let language = crate::accounts::types::LanguageTag::parse_optional(q.language.as_deref())
        .map_err(|e| ApiError::query("language", e))?;
    let list = format!(
        "comments:{consultation}:{:?}:{:?}:{:?}:{:?}",
        q.paragraph_key, q.parent_id, q.since_id, language
    );
    let page = Page::of_list(&list, q.limit, q.cursor.as_deref())?;
    db.run(move |conn| {
        let (row, access) = consultation_for(conn, &actor, &consultation)?;
        let reader = access.reader();
        // An unknown filter value is a mistake to name, not an empty list.
        if let Some(key) = &q.paragraph_key {
            if !consultations::ever_had_paragraph(conn, row.id, key)? {
                return Err(ApiError::query(
                    "paragraph_key",
                    "is no paragraph of any version of this text",
                ));
            }
        }
        if let Some(parent) = q.parent_id {
            let known = store::find(conn, parent)?.is_some_and(|p| {
                p.consultation_id == Some(row.id)
                    && (p.visibility() != Visibility::Hidden || reader.sees_hidden())
            });
            if !known {
                return Err(ApiError::query(
                    "parent_id",
                    "is no contribution to this consultation",
                ));
            }
        }
        let filter = Filter {
            paragraph_key: q.paragraph_key,
            parent_id: q.parent_id,
            since_id: q.since_id,
            after_id: page.after,
            language,
        };
        let mut rows = store::list(conn, row.id, &filter, reader.sees_hidden(), page.fetch())?;
        let next_cursor = page.next_cursor(&mut rows, |c| c.id);
        let items = with_outcomes(conn, row.id, &rows, &reader, Surface::Api)?;
        Ok(List { items, next_cursor })
    })
    .await
}

/// Renders rows for a reader, each with what happened to it.
fn with_outcomes(
    conn: &mut DbConn,
    consultation_id: i64,
    rows: &[CommentRow],
    reader: &Reader,
    surface: Surface,
) -> ApiResult<Vec<CommentView>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut outcomes = view::outcomes(conn, consultation_id, &ids)?;
    let mut views = view::render(conn, rows, reader, surface)?;
    for v in &mut views {
        v.outcome = outcomes.remove(&v.id);
    }
    Ok(views)
}

/// At most this many comments are shown on one page of the site (a thread is whole).
const MAX_THREAD: i64 = 5000;

/// Every comment of one paragraph (`Some(key)`), of the general discussion
/// (`Some(None)`…: `general`), for a page, oldest first, with outcomes.
pub fn thread(
    conn: &mut DbConn,
    consultation_id: i64,
    reader: &Reader,
    paragraph: Option<&str>,
) -> ApiResult<Vec<CommentView>> {
    let filter = Filter {
        paragraph_key: paragraph.map(str::to_owned),
        ..Filter::default()
    };
    let mut rows = store::list(
        conn,
        consultation_id,
        &filter,
        reader.sees_hidden(),
        MAX_THREAD,
    )?;
    if paragraph.is_none() {
        rows.retain(|c| c.paragraph_key.is_none());
    }
    with_outcomes(conn, consultation_id, &rows, reader, Surface::Page)
}

/// Every comment of a consultation a reader may see (at most 5,000), oldest first.
pub fn all_of(
    conn: &mut DbConn,
    consultation_id: i64,
    reader: &Reader,
) -> ApiResult<Vec<CommentView>> {
    let rows = store::list(
        conn,
        consultation_id,
        &Filter::default(),
        reader.sees_hidden(),
        MAX_THREAD,
    )?;
    view::render(conn, &rows, reader, Surface::Page)
}

/// One contribution, with its earlier texts for its author and moderators.
pub async fn get(db: &Db, actor: Actor, id: i64) -> ApiResult<CommentView> {
    db.run(move |conn| {
        let (c, _, reader) = visible(conn, &actor, id)?;
        let lens = reader.lens(c.author_id, c.status);
        let mut v = view::render_one(conn, &c, &reader, Surface::Api)?
            .ok_or_else(|| ApiError::not_found("comment"))?;
        if lens.is_some_and(|l| l.sees_revisions()) {
            v.revisions = Some(view::revisions(conn, c.id)?);
        }
        Ok(v)
    })
    .await
}

/// The author edits within 15 minutes; the earlier text is kept as a revision.
pub async fn edit(db: &Db, who: &CommentAuthor, cmd: EditCommand) -> ApiResult<CommentView> {
    let (user, id) = (who.user().clone(), who.comment_id());
    db.tx(move |tx| {
        let actor = Actor::User(user.clone());
        let (c, consultation, reader) = visible(tx, &actor, id)?;
        if c.author_id != user.id {
            return Err(ApiError::forbidden("only the author edits a comment"));
        }
        if now() > c.created_at + chrono::Duration::minutes(EDIT_WINDOW_MINUTES) {
            return Err(ApiError::new(
                ErrorCode::EditWindowClosed,
                "comments can be edited for 15 minutes after posting",
            ));
        }
        if let Some((row, _)) = &consultation {
            row.ensure_open()?;
            crate::consultations::phases::ensure_takes_inputs(tx, row.id)?;
        }
        if cmd.proposed_text.is_some() && c.kind != CommentKind::Amendment {
            return Err(ApiError::field(
                "proposed_text",
                "only amendments carry proposed text",
            ));
        }
        let body = cmd.body.unwrap_or_else(|| c.body.clone());
        let updated = store::edit(tx, &c, &body, cmd.proposed_text.as_deref())?;
        tx.live(
            &updated.channel(),
            Change::CommentUpdated {
                comment_id: updated.id,
            },
        );
        if updated.consultation_id.is_some() {
            crate::outbox::queue_search_job(tx, "comment", updated.id, "upsert");
        }
        own_view(tx, &updated, &reader)
    })
    .await
}

/// Endorsements are for consultation inputs; session questions are upvoted instead.
fn consultation_of(found: Option<Accessed>) -> ApiResult<Accessed> {
    found.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Conflict,
            "endorsements are for consultation inputs: upvote session questions instead",
        )
    })
}

fn endorsement_changed(tx: &mut crate::db::Tx, c: &CommentRow) -> ApiResult<i64> {
    let n = store::count_endorsements(tx, c.id)?;
    tx.live(
        &c.channel(),
        Change::CommentEndorsed {
            comment_id: c.id,
            endorsement_count: n,
        },
    );
    Ok(n)
}

pub async fn endorse(
    db: &Db,
    who: &Verified,
    id: i64,
    speaks_for: Option<SpeaksFor>,
) -> ApiResult<EndorsementView> {
    let user = who.user().clone();
    db.tx(move |tx| {
        let actor = Actor::User(user.clone());
        let (c, consultation, _) = visible(tx, &actor, id)?;
        let (consultation, access) = consultation_of(consultation)?;
        consultation.ensure_open()?;
        crate::consultations::phases::ensure_takes_inputs(tx, consultation.id)?;
        access.may_contribute(tx, &consultation)?;
        if c.author_id == user.id {
            return Err(ApiError::forbidden("you cannot endorse your own input"));
        }
        if c.status != Visibility::Visible {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "a hidden input cannot be endorsed",
            ));
        }
        if let Some(s) = speaks_for {
            crate::policy::may_speak_for(tx, user.id, s)?;
        }
        let n = endorse_as(tx, &c, user.id, speaks_for)?;
        Ok(EndorsementView {
            comment_id: c.id,
            endorsement_count: n,
            endorsed: true,
        })
    })
    .await
}

/// `user_id` endorses `c`, with what others hear of it; the new count.
pub fn endorse_as(
    tx: &mut crate::db::Tx,
    c: &CommentRow,
    user_id: i64,
    speaks_for: Option<SpeaksFor>,
) -> ApiResult<i64> {
    store::add_endorsement(tx, c.id, user_id, speaks_for)?;
    crate::notifications::hooks::endorsed(tx, c, user_id)?;
    endorsement_changed(tx, c)
}

pub async fn withdraw_endorsement(db: &Db, who: &Verified, id: i64) -> ApiResult<EndorsementView> {
    let user = who.user().clone();
    db.tx(move |tx| {
        let actor = Actor::User(user.clone());
        let (c, consultation, _) = visible(tx, &actor, id)?;
        consultation_of(consultation)?.0.ensure_open()?;
        store::remove_endorsement(tx, c.id, user.id)?;
        let n = endorsement_changed(tx, &c)?;
        Ok(EndorsementView {
            comment_id: c.id,
            endorsement_count: n,
            endorsed: false,
        })
    })
    .await
}

/// Reports a contribution to the moderators.
pub async fn flag(db: &Db, who: &Verified, id: i64, reason: Reason) -> ApiResult<FlagReceipt> {
    let user = who.user().clone();
    db.tx(move |tx| {
        let actor = Actor::User(user.clone());
        let (c, _, _) = visible(tx, &actor, id)?;
        let flag_id = store::add_flag(tx, c.id, user.id, &reason.0)?;
        tx.live(
            &c.channel(),
            Change::CommentFlagged {
                comment_id: c.id,
                flag_id,
            },
        );
        Ok(FlagReceipt {
            comment_id: c.id,
            flagged: true,
        })
    })
    .await
}

/// Erasure with withdrawal: the texts go, the rows stay so threads keep their shape;
/// listeners hear of each withdrawal and the search index forgets them.
pub fn withdraw_all_of(tx: &mut crate::db::Tx, author_id: i64) -> ApiResult<usize> {
    let withdrawn = store::withdraw_all_of(tx, author_id)?;
    for c in &withdrawn {
        crate::notifications::store::scrub_comment(tx, c.id)?;
        if c.consultation_id.is_some() {
            crate::outbox::queue_search_job(tx, "comment", c.id, "delete");
        }
        tx.live(&c.channel(), Change::CommentWithdrawn { comment_id: c.id });
    }
    Ok(withdrawn.len())
}

/// Everything one person wrote, as they see it themselves (the personal-data export).
pub fn authored_by(conn: &mut DbConn, author_id: i64) -> ApiResult<Vec<CommentView>> {
    let rows = store::authored_by(conn, author_id)?;
    let reader = Reader::person(author_id);
    // The author's own withdrawn texts are empty; they are still listed.
    let authors = view::authors(conn, &[author_id])?;
    let represented = view::represented(conn, &rows)?;
    Ok(rows
        .iter()
        .map(|c| {
            let lens = reader
                .lens(c.author_id, c.status)
                .unwrap_or(crate::policy::Lens::Author);
            view::view_with(
                c,
                authors.get(&author_id),
                represented.get(c.speaks_for()),
                lens,
            )
        })
        .collect())
}
