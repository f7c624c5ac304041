//! What each write tells whom. Called inside the transaction of the write, so a
//! notification exists exactly when its cause committed.

use diesel::prelude::*;

use super::store::{self, Target};
use super::types::TargetType;
use super::view::{
    Citation, CommentData, DecisionData, ModerationData, NewVersionData, NotificationBody,
    ReplyData, ReviewData,
};
use crate::consultations::comments::CommentRow;
use crate::consultations::types::ModerationAction;
use crate::db::schema::{consultations, document_versions, paragraphs, sessions};
use crate::db::DbConn;
use crate::db::Tx;
use crate::error::{ApiError, ApiResult};
use crate::events::types::ProposalStatus;
use crate::review::store::ReviewStatus;

/// The title of what a comment belongs to, and the comment's own page (which leads to
/// its place in its paragraph's thread or its session).
fn context(conn: &mut DbConn, c: &CommentRow) -> ApiResult<(String, String)> {
    let title = if let Some(id) = c.consultation_id {
        consultations::table
            .find(id)
            .select(consultations::title)
            .first(conn)?
    } else if let Some(id) = c.session_id {
        sessions::table
            .find(id)
            .select(sessions::title)
            .first(conn)?
    } else {
        String::new()
    };
    Ok((title, super::view::comment_page(c.id)))
}

/// A stored value of another feature's enum that does not parse: our fault.
fn unknown(what: &str, value: &str) -> ApiError {
    ApiError::internal(format!("notification of an unknown {what} {value:?}"))
}

/// A new comment: its thread's followers hear of a reply; the author follows their
/// comment and what it is on (commenting follows by default).
pub fn comment_posted(tx: &mut Tx, c: &CommentRow) -> ApiResult<()> {
    if let Some(parent) = c.parent_id {
        let parent_author: i64 = crate::consultations::comments::get(tx, parent)?.author_id;
        let mut people = store::followers_in(tx, &[Target::of(TargetType::Comment, parent)])?;
        people.insert(parent_author);
        let (title, url) = context(tx, c)?;
        // The reply's text is not stored here: it is read when the notification is,
        // as its reader may see it then.
        let body = NotificationBody::Reply(ReplyData {
            title,
            comment_id: c.id,
            parent_id: parent,
            consultation_id: c.consultation_id,
            session_id: c.session_id,
            excerpt: None,
            url,
        });
        store::notify_all(
            tx,
            people,
            Some(c.author_id),
            &format!("reply:{}", c.id),
            &body,
        )?;
    }
    // The author follows their own thread (and the one they replied in) and what it is on.
    let mut follows = vec![Target::of(TargetType::Comment, c.id)];
    follows.extend(c.parent_id.map(|p| Target::of(TargetType::Comment, p)));
    match (c.consultation_id, c.session_id) {
        (Some(id), _) => follows.push(Target::of(TargetType::Consultation, id)),
        (None, Some(id)) => follows.push(Target::of(TargetType::Session, id)),
        (None, None) => {}
    }
    tx.follow_all(c.author_id, follows);
    Ok(())
}

pub fn endorsed(tx: &mut Tx, c: &CommentRow, endorser: i64) -> ApiResult<()> {
    let (title, url) = context(tx, c)?;
    let body = NotificationBody::Endorsement(CommentData {
        title,
        comment_id: c.id,
        url,
    });
    store::notify_all(
        tx,
        [c.author_id],
        Some(endorser),
        &format!("endorsement:{}:{endorser}", c.id),
        &body,
    )?;
    Ok(())
}

pub fn moderated(
    tx: &mut Tx,
    c: &CommentRow,
    moderator: i64,
    action: &str,
    reason: &str,
) -> ApiResult<()> {
    let (title, url) = context(tx, c)?;
    let body = NotificationBody::Moderation(ModerationData {
        title,
        comment_id: c.id,
        action: ModerationAction::parse(action).ok_or_else(|| unknown("action", action))?,
        note: reason.to_owned(),
        url,
    });
    let key = format!(
        "moderation:{}:{action}:{}",
        c.id,
        crate::db::now().and_utc().timestamp_micros()
    );
    store::notify_all(tx, [c.author_id], Some(moderator), &key, &body)?;
    Ok(())
}

/// Where the current text cites this input: "incorporated into rev2, paragraph 12".
fn cited_in(conn: &mut DbConn, consultation_id: i64, comment_id: i64) -> ApiResult<Vec<Citation>> {
    let current: Option<Option<i64>> = consultations::table
        .find(consultation_id)
        .select(consultations::current_version_id)
        .first(conn)
        .optional()?;
    let Some(Some(version)) = current else {
        return Ok(vec![]);
    };
    let label: String = document_versions::table
        .find(version)
        .select(document_versions::label)
        .first(conn)?;
    let rows: Vec<(String, String)> = paragraphs::table
        .filter(paragraphs::version_id.eq(version))
        .order(paragraphs::position)
        .select((paragraphs::number, paragraphs::informed_by))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, informed)| {
            serde_json::from_str::<Vec<i64>>(informed).is_ok_and(|ids| ids.contains(&comment_id))
        })
        .map(|(number, _)| Citation {
            version: label.clone(),
            number,
        })
        .collect())
}

pub fn reviewed(tx: &mut Tx, c: &CommentRow, status: &str, reviewer: i64) -> ApiResult<()> {
    let (title, url) = context(tx, c)?;
    let cited = match c.consultation_id {
        Some(id) => cited_in(tx, id, c.id)?,
        None => vec![],
    };
    let body = NotificationBody::Review(ReviewData {
        title,
        comment_id: c.id,
        status: ReviewStatus::parse(status).ok_or_else(|| unknown("review status", status))?,
        incorporated_in: cited,
        url,
    });
    store::notify_all(
        tx,
        [c.author_id],
        Some(reviewer),
        &format!("review:{}:{status}", c.id),
        &body,
    )?;
    Ok(())
}

pub fn version_added(
    tx: &mut Tx,
    consultation_id: i64,
    version_id: i64,
    label: &str,
    by: Option<i64>,
) -> ApiResult<()> {
    let (slug, title): (String, String) = consultations::table
        .find(consultation_id)
        .select((consultations::slug, consultations::title))
        .first(tx.conn())?;
    let mut people =
        store::followers_in(tx, &[Target::of(TargetType::Consultation, consultation_id)])?;
    people.extend(super::scheduler::paragraph_followers(tx, consultation_id)?);
    let body = NotificationBody::NewVersion(NewVersionData {
        title,
        consultation_id,
        version: label.to_owned(),
        url: format!("/consultations/{slug}"),
    });
    store::notify_all(tx, people, by, &format!("version:{version_id}"), &body)?;
    Ok(())
}

pub fn proposal_decided(
    tx: &mut Tx,
    proposal_id: i64,
    proposer: i64,
    title: &str,
    decision: &str,
    note: &str,
    session_id: Option<i64>,
) -> ApiResult<()> {
    let body = NotificationBody::ProposalDecision(DecisionData {
        title: title.to_owned(),
        proposal_id,
        status: ProposalStatus::parse(decision).ok_or_else(|| unknown("decision", decision))?,
        note: note.to_owned(),
        session_id,
        url: session_id.map_or_else(
            || format!("/proposals/{proposal_id}"),
            |s| format!("/sessions/{s}"),
        ),
    });
    store::notify(tx, proposer, &format!("decision:{proposal_id}"), &body)?;
    Ok(())
}
