//! Moderation: the queue of flagged contributions, hiding and restoring, keeping, and
//! the public log (what was done, when and why; never by whom).

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::command::{ModerationCommand, Reason};
use super::store::{self, LoggedAct};
use super::usecase::visible;
use super::view::{self, CommentView};
use crate::consultations::types::{ModerationAction, Visibility};
use crate::db::{Db, DbConn, Timestamp};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::page::Page;
use crate::http::respond::List;
use crate::outbox::Change;
use crate::policy::audit::Surface;
use crate::policy::guards::{consultation_for, Moderator};
use crate::policy::{Actor, Reader};

/// A flag's reason, for moderators.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct FlagView {
    pub reason: String,
    pub created_at: Timestamp,
}

/// A flagged contribution in the moderators' queue.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct QueuedComment {
    #[serde(flatten)]
    pub comment: CommentView,
    /// The open flags, oldest first.
    pub flags: Vec<FlagView>,
    /// Where it was posted (absent for a session's comment).
    pub consultation_slug: Option<String>,
}

/// An entry of the public moderation log.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct LogEntry {
    pub id: i64,
    pub comment_id: i64,
    pub action: LoggedAct,
    pub reason: String,
    pub created_at: Timestamp,
}

/// Flags resolved by keeping a contribution as it is.
#[derive(Serialize, JsonSchema)]
pub struct KeepReceipt {
    pub comment_id: i64,
    pub flags_resolved: i64,
}

/// The queue: visible contributions with open flags, oldest first.
pub async fn queue(db: &Db, who: &Moderator, page: Page) -> ApiResult<List<QueuedComment>> {
    let reader = Reader::of(&Actor::User(who.user().clone()));
    db.run(move |conn| {
        let mut rows = store::flagged(conn, page.after, page.fetch())?;
        let next_cursor = page.next_cursor(&mut rows, |(r, _)| r.id);
        let comments: Vec<_> = rows.iter().map(|(r, _)| r.clone()).collect();
        let views = view::render(conn, &comments, &reader, Surface::Api)?;
        let mut slugs: HashMap<i64, String> = HashMap::new();
        let mut items = Vec::with_capacity(views.len());
        for (comment, (_, flags)) in views.into_iter().zip(rows) {
            let consultation_slug = match comment.consultation_id {
                // Flags cluster in few consultations: each slug is read once.
                Some(id) => match slugs.get(&id) {
                    Some(slug) => Some(slug.clone()),
                    None => {
                        let slug =
                            crate::consultations::store::resolve(conn, &id.to_string())?.slug;
                        slugs.insert(id, slug.clone());
                        Some(slug)
                    }
                },
                None => None,
            };
            items.push(QueuedComment {
                comment,
                flags: flags
                    .into_iter()
                    .map(|(reason, at)| FlagView {
                        reason,
                        created_at: Timestamp(at),
                    })
                    .collect(),
                consultation_slug,
            });
        }
        Ok(List { items, next_cursor })
    })
    .await
}

/// Hides or restores a contribution; the act is publicly logged, and listeners hear of
/// it at once (a hidden text is never served again to those who may not see it).
pub async fn moderate(
    db: &Db,
    who: &Moderator,
    id: i64,
    cmd: ModerationCommand,
) -> ApiResult<CommentView> {
    let user = who.user().clone();
    let updated = db
        .tx(move |tx| {
            let actor = Actor::User(user.clone());
            let (c, _, reader) = visible(tx, &actor, id)?;
            let (from, to) = match cmd.action {
                ModerationAction::Hide => (Visibility::Visible, Visibility::Hidden),
                ModerationAction::Restore => (Visibility::Hidden, Visibility::Visible),
            };
            if c.status != from {
                return Err(ApiError::new(
                    ErrorCode::AlreadyInState,
                    format!("the comment is not {from}"),
                ));
            }
            store::set_status(tx, c.id, to)?;
            if cmd.action == ModerationAction::Restore {
                store::resolve_flags(tx, c.id)?;
            }
            let log_id = store::log_act(tx, &c, user.id, LoggedAct::from(cmd.action), &cmd.reason)?;
            crate::notifications::hooks::moderated(
                tx,
                &c,
                user.id,
                cmd.action.as_str(),
                &cmd.reason,
            )?;
            let searchable = c.consultation_id.is_some();
            match cmd.action {
                ModerationAction::Hide => {
                    crate::notifications::store::scrub_comment(tx, c.id)?;
                    tx.live(
                        &c.channel(),
                        Change::CommentHidden {
                            comment_id: c.id,
                            log_id,
                        },
                    );
                    if searchable {
                        crate::outbox::queue_search_job(tx, "comment", c.id, "delete");
                    }
                }
                ModerationAction::Restore => {
                    tx.live(&c.channel(), Change::CommentUpdated { comment_id: c.id });
                    if searchable {
                        crate::outbox::queue_search_job(tx, "comment", c.id, "upsert");
                    }
                }
            }
            let updated = store::get(tx, c.id)?;
            view::render_one(tx, &updated, &reader, Surface::Api)?
                .ok_or_else(|| ApiError::internal("a moderator cannot see a contribution"))
        })
        .await?;
    tracing::info!(
        comment_id = id,
        moderator = who.id(),
        action = cmd_name(&updated),
        "moderation"
    );
    Ok(updated)
}

fn cmd_name(v: &CommentView) -> &'static str {
    if v.status == Visibility::Hidden {
        "hide"
    } else {
        "restore"
    }
}

/// Keeps a flagged contribution as it is: its open flags are resolved and the decision
/// logged, so it leaves the queue.
pub async fn keep(db: &Db, who: &Moderator, id: i64, reason: Reason) -> ApiResult<KeepReceipt> {
    let user = who.user().clone();
    db.tx(move |tx| {
        let actor = Actor::User(user.clone());
        let (c, _, _) = visible(tx, &actor, id)?;
        let resolved = store::resolve_flags(tx, c.id)?;
        if resolved == 0 {
            return Err(ApiError::new(
                ErrorCode::AlreadyInState,
                "this comment has no open flags",
            ));
        }
        store::log_act(tx, &c, user.id, LoggedAct::Keep, &reason.0)?;
        Ok(KeepReceipt {
            comment_id: c.id,
            flags_resolved: resolved as i64,
        })
    })
    .await
}

/// The public log of a consultation, oldest first.
pub async fn log(
    db: &Db,
    actor: Actor,
    consultation: String,
    page: Page,
) -> ApiResult<List<LogEntry>> {
    db.run(move |conn| {
        let (row, _) = consultation_for(conn, &actor, &consultation)?;
        let mut rows = store::moderation_log(conn, row.id, page.after, page.fetch())?;
        let next_cursor = page.next_cursor(&mut rows, |r| r.0);
        let items = rows
            .into_iter()
            .map(|(id, comment_id, action, reason, t)| LogEntry {
                id,
                comment_id,
                action,
                reason,
                created_at: Timestamp(t),
            })
            .collect();
        Ok(List { items, next_cursor })
    })
    .await
}

/// Where a moderator hid a comment, as readers who may not see it learn of it: its
/// place in the thread, and the public log entry that says why. Never its text or
/// author.
#[derive(Debug, Clone)]
pub struct HiddenMark {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// The log entry of the act that hid it.
    pub log_id: Option<i64>,
    pub reason: String,
}

/// The hidden comments of a paragraph's threads (or the general ones), with why.
pub fn hidden_marks(
    conn: &mut DbConn,
    consultation_id: i64,
    paragraph_key: Option<&str>,
) -> ApiResult<Vec<HiddenMark>> {
    Ok(store::hidden_in(conn, consultation_id, paragraph_key)?
        .into_iter()
        .map(|(id, parent_id, act)| HiddenMark {
            id,
            parent_id,
            log_id: act.as_ref().map(|(log_id, _)| *log_id),
            reason: act.map(|(_, reason)| reason).unwrap_or_default(),
        })
        .collect())
}
