//! What each write tells whom. Called inside the transaction of the write, so a
//! notification exists exactly when its cause committed.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::store::{self, Target};
use super::types::{Kind, TargetType};
use crate::consultations::comments::CommentRow;
use crate::db::schema::{consultations, document_versions, paragraphs, sessions};
use crate::db::DbConn;
use crate::db::Tx;
use crate::error::ApiResult;

/// The title and page of what a comment belongs to.
fn context(conn: &mut DbConn, c: &CommentRow) -> ApiResult<(String, String)> {
    if let Some(id) = c.consultation_id {
        let (slug, title): (String, String) = consultations::table
            .find(id)
            .select((consultations::slug, consultations::title))
            .first(conn)?;
        return Ok((title, format!("/consultations/{slug}#c-{}", c.id)));
    }
    if let Some(id) = c.session_id {
        let title: String = sessions::table
            .find(id)
            .select(sessions::title)
            .first(conn)?;
        return Ok((title, format!("/sessions/{id}#c-{}", c.id)));
    }
    Ok((String::new(), "/".into()))
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        out.push('…');
    }
    out
}

/// A new comment: its thread's followers hear of a reply; the author follows their
/// comment and what it is on (commenting follows by default).
pub fn comment_posted(tx: &mut Tx, c: &CommentRow) -> ApiResult<()> {
    if let Some(parent) = c.parent_id {
        let parent_author: i64 = crate::consultations::comments::get(tx, parent)?.author_id;
        let mut people = store::followers(tx, &[Target::of(TargetType::Comment, parent)])?;
        people.insert(parent_author);
        let (title, url) = context(tx, c)?;
        let data = json!({
            "title": title, "comment_id": c.id, "parent_id": parent,
            "consultation_id": c.consultation_id, "session_id": c.session_id,
            "excerpt": excerpt(&c.body), "url": url,
        });
        store::notify_all(
            tx,
            people,
            Some(c.author_id),
            Kind::Reply,
            &format!("reply:{}", c.id),
            &data,
        )?;
        store::follow(tx, c.author_id, &Target::of(TargetType::Comment, parent))?;
    }
    store::follow(tx, c.author_id, &Target::of(TargetType::Comment, c.id))?;
    match (c.consultation_id, c.session_id) {
        (Some(id), _) => store::follow(tx, c.author_id, &Target::of(TargetType::Consultation, id))?,
        (None, Some(id)) => store::follow(tx, c.author_id, &Target::of(TargetType::Session, id))?,
        (None, None) => false,
    };
    Ok(())
}

pub fn endorsed(tx: &mut Tx, c: &CommentRow, endorser: i64) -> ApiResult<()> {
    let (title, url) = context(tx, c)?;
    let data = json!({"title": title, "comment_id": c.id, "url": url});
    store::notify_all(
        tx,
        [c.author_id],
        Some(endorser),
        Kind::Endorsement,
        &format!("endorsement:{}:{endorser}", c.id),
        &data,
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
    let data =
        json!({"title": title, "comment_id": c.id, "action": action, "note": reason, "url": url});
    let key = format!(
        "moderation:{}:{action}:{}",
        c.id,
        crate::db::now().and_utc().timestamp_micros()
    );
    store::notify_all(
        tx,
        [c.author_id],
        Some(moderator),
        Kind::Moderation,
        &key,
        &data,
    )?;
    Ok(())
}

/// Where the current text cites this input: "incorporated into rev2, paragraph 12".
fn cited_in(conn: &mut DbConn, consultation_id: i64, comment_id: i64) -> ApiResult<Vec<Value>> {
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
        .map(|(number, _)| json!({"version": label, "number": number}))
        .collect())
}

pub fn reviewed(tx: &mut Tx, c: &CommentRow, status: &str, reviewer: i64) -> ApiResult<()> {
    let (title, url) = context(tx, c)?;
    let cited = match c.consultation_id {
        Some(id) => cited_in(tx, id, c.id)?,
        None => vec![],
    };
    let data = json!({"title": title, "comment_id": c.id, "status": status, "incorporated_in": cited, "url": url});
    store::notify_all(
        tx,
        [c.author_id],
        Some(reviewer),
        Kind::Review,
        &format!("review:{}:{status}", c.id),
        &data,
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
        store::followers(tx, &[Target::of(TargetType::Consultation, consultation_id)])?;
    people.extend(super::scheduler::paragraph_followers(tx, consultation_id)?);
    let data = json!({"title": title, "consultation_id": consultation_id, "version": label, "url": format!("/consultations/{slug}")});
    store::notify_all(
        tx,
        people,
        by,
        Kind::NewVersion,
        &format!("version:{version_id}"),
        &data,
    )?;
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
    let data = json!({
        "title": title, "proposal_id": proposal_id, "status": decision, "note": note,
        "session_id": session_id,
        "url": session_id.map_or_else(|| format!("/proposals/{proposal_id}"), |s| format!("/sessions/{s}")),
    });
    store::notify(
        tx,
        proposer,
        Kind::ProposalDecision,
        &format!("decision:{proposal_id}"),
        data,
    )?;
    Ok(())
}
