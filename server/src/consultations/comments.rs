//! Comment queries: posting, threads, edits with revisions, endorsements, flags,
//! moderation and its public log.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::store::Viewer;
use super::types::{CommentKind, ModerationAction, Visibility};
use crate::db::schema::{comment_revisions, comments, endorsements, flags, moderation_log, users};
use crate::db::Tx;
use crate::db::{now, rfc3339, DbConn};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::outbox::{self, Audience};

pub const EDIT_WINDOW_MINUTES: i64 = 15;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub consultation_id: Option<i64>,
    pub session_id: Option<i64>,
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub kind: String,
    pub body: String,
    pub proposed_text: Option<String>,
    pub on_behalf_of: Option<String>,
    pub anonymous: bool,
    pub language: String,
    pub status: String,
    pub version_label: Option<String>,
    pub endorsement_count: i32,
    pub upvote_count: i32,
    pub flag_count: i32,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
}

impl CommentRow {
    /// The live channel of what the comment belongs to.
    pub fn channel(&self) -> String {
        match (self.consultation_id, self.session_id) {
            (Some(c), _) => outbox::consultation_channel(c),
            (None, Some(s)) => outbox::session_channel(s),
            (None, None) => String::new(),
        }
    }

    pub fn visibility(&self) -> Visibility {
        Visibility::parse(&self.status).unwrap_or(Visibility::Visible)
    }

    /// Whether `viewer` may see this comment at all.
    pub fn visible_to(&self, viewer: &Viewer) -> bool {
        match self.visibility() {
            Visibility::Visible => true,
            Visibility::Hidden => viewer.privileged,
            Visibility::Withdrawn => false,
        }
    }
}

pub struct NewComment {
    pub consultation_id: Option<i64>,
    pub session_id: Option<i64>,
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub kind: CommentKind,
    pub body: String,
    pub proposed_text: Option<String>,
    pub on_behalf_of: Option<String>,
    pub anonymous: bool,
    pub language: String,
    pub version_label: Option<String>,
}

pub fn get(conn: &mut DbConn, id: i64) -> ApiResult<CommentRow> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("comment"))
}

struct Author {
    display_name: String,
    stakeholder_group: String,
    region: Option<String>,
    organization: Option<String>,
    erased: bool,
}

type AuthorRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

fn authors(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, Author>> {
    let rows: Vec<AuthorRow> = users::table
        .filter(users::id.eq_any(ids))
        .select((
            users::id,
            users::display_name,
            users::stakeholder_group,
            users::region,
            users::organization,
            users::erased_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, display_name, stakeholder_group, region, organization, erased_at)| {
                (
                    id,
                    Author {
                        display_name,
                        stakeholder_group,
                        region,
                        organization,
                        erased: erased_at.is_some(),
                    },
                )
            },
        )
        .collect())
}

/// Comments as the viewer may see them: anonymous authors are named only to the author
/// and to moderators, organisers and co-facilitators.
pub fn views(conn: &mut DbConn, rows: &[CommentRow], viewer: &Viewer) -> ApiResult<Vec<Value>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.author_id).collect();
    let authors = authors(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|c| view_one(c, authors.get(&c.author_id), viewer))
        .collect())
}

pub fn view(conn: &mut DbConn, row: &CommentRow, viewer: &Viewer) -> ApiResult<Value> {
    Ok(views(conn, std::slice::from_ref(row), viewer)?
        .pop()
        .unwrap_or(Value::Null))
}

fn view_one(c: &CommentRow, author: Option<&Author>, viewer: &Viewer) -> Value {
    let own = viewer.user_id == Some(c.author_id);
    let author = match author {
        Some(a) if a.erased => json!({
            "display_name": crate::accounts::privacy::WITHDRAWN,
            "stakeholder_group": a.stakeholder_group, "region": a.region,
        }),
        Some(a) if c.anonymous && !(own || viewer.privileged) => json!({
            "display_name": "anonymous", "stakeholder_group": a.stakeholder_group, "region": a.region,
        }),
        Some(a) => json!({
            "id": c.author_id, "display_name": a.display_name, "stakeholder_group": a.stakeholder_group,
            "region": a.region, "organization": a.organization,
        }),
        None => json!({"display_name": crate::accounts::privacy::WITHDRAWN}),
    };
    json!({
        "id": c.id,
        "consultation_id": c.consultation_id,
        "session_id": c.session_id,
        "paragraph_key": c.paragraph_key,
        "parent_id": c.parent_id,
        "kind": c.kind,
        "body": c.body,
        "proposed_text": c.proposed_text,
        "on_behalf_of": c.on_behalf_of,
        "anonymous": c.anonymous,
        "language": c.language,
        "status": c.status,
        "version": c.version_label,
        "author": author,
        "endorsement_count": c.endorsement_count,
        "upvote_count": c.upvote_count,
        "created_at": rfc3339(c.created_at),
        "edited_at": c.edited_at.map(rfc3339),
        "editable_until": rfc3339(c.created_at + Duration::minutes(EDIT_WINDOW_MINUTES)),
    })
}

fn publish(tx: &mut Tx, row: &CommentRow, kind: &str) -> ApiResult<()> {
    let mut data = view(tx, row, &Viewer::default())?;
    // Only the author may edit, and the author has it from the POST's answer; in an
    // event sent to every listener it is 40 bytes of no use to the others.
    if let Some(members) = data.as_object_mut() {
        members.remove("editable_until");
    }
    outbox::append_live_event(
        tx,
        &row.channel(),
        kind,
        Audience::Public,
        Some(row.id),
        &data,
    )?;
    Ok(())
}

pub fn insert(tx: &mut Tx, c: &NewComment) -> ApiResult<CommentRow> {
    let id: i64 = diesel::insert_into(comments::table)
        .values((
            comments::consultation_id.eq(c.consultation_id),
            comments::session_id.eq(c.session_id),
            comments::paragraph_key.eq(&c.paragraph_key),
            comments::parent_id.eq(c.parent_id),
            comments::author_id.eq(c.author_id),
            comments::kind.eq(c.kind.as_str()),
            comments::body.eq(&c.body),
            comments::proposed_text.eq(&c.proposed_text),
            comments::on_behalf_of.eq(&c.on_behalf_of),
            comments::anonymous.eq(c.anonymous),
            comments::language.eq(&c.language),
            comments::status.eq(Visibility::Visible.as_str()),
            comments::version_label.eq(&c.version_label),
            comments::created_at.eq(now()),
        ))
        .returning(comments::id)
        .get_result(tx.conn())?;
    let row = get(tx, id)?;
    publish(tx, &row, "comment.created")?;
    outbox::queue_search_job(tx, "comment", id, "upsert")?;
    crate::notifications::hooks::comment_posted(tx, &row)?;
    Ok(row)
}

#[derive(Default)]
pub struct Filter {
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub since_id: Option<i64>,
    pub after_id: Option<i64>,
}

/// Oldest first (threads read top-down); `since_id` and the cursor page forward.
pub fn list(
    conn: &mut DbConn,
    consultation_id: i64,
    f: &Filter,
    viewer: &Viewer,
    limit: i64,
) -> ApiResult<Vec<CommentRow>> {
    let mut q = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.ne(Visibility::Withdrawn.as_str()))
        .select(CommentRow::as_select())
        .order(comments::id.asc())
        .into_boxed();
    if !viewer.privileged {
        q = q.filter(comments::status.eq(Visibility::Visible.as_str()));
    }
    if let Some(k) = &f.paragraph_key {
        q = q.filter(comments::paragraph_key.eq(k.clone()));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(comments::parent_id.eq(p));
    }
    let floor = f.since_id.max(f.after_id);
    if let Some(id) = floor {
        q = q.filter(comments::id.gt(id));
    }
    Ok(q.limit(limit).load(conn)?)
}

pub fn edit(
    tx: &mut Tx,
    row: &CommentRow,
    body: String,
    proposed_text: Option<Option<String>>,
) -> ApiResult<CommentRow> {
    diesel::insert_into(comment_revisions::table)
        .values((
            comment_revisions::comment_id.eq(row.id),
            comment_revisions::body.eq(&row.body),
            comment_revisions::proposed_text.eq(&row.proposed_text),
            comment_revisions::created_at.eq(row.edited_at.unwrap_or(row.created_at)),
        ))
        .execute(tx.conn())?;
    let proposed = proposed_text.unwrap_or_else(|| row.proposed_text.clone());
    diesel::update(comments::table.find(row.id))
        .set((
            comments::body.eq(body),
            comments::proposed_text.eq(proposed),
            comments::edited_at.eq(Some(now())),
        ))
        .execute(tx.conn())?;
    let updated = get(tx, row.id)?;
    publish(tx, &updated, "comment.updated")?;
    outbox::queue_search_job(tx, "comment", row.id, "upsert")?;
    Ok(updated)
}

#[derive(serde::Serialize)]
pub struct Revision {
    pub body: String,
    pub proposed_text: Option<String>,
    pub written_at: String,
}

pub fn revisions(conn: &mut DbConn, comment_id: i64) -> ApiResult<Vec<Revision>> {
    let rows: Vec<(String, Option<String>, NaiveDateTime)> = comment_revisions::table
        .filter(comment_revisions::comment_id.eq(comment_id))
        .order(comment_revisions::id)
        .select((
            comment_revisions::body,
            comment_revisions::proposed_text,
            comment_revisions::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(body, proposed_text, t)| Revision {
            body,
            proposed_text,
            written_at: rfc3339(t),
        })
        .collect())
}

fn set_endorsements(tx: &mut Tx, row: &CommentRow) -> ApiResult<i64> {
    let n: i64 = endorsements::table
        .filter(endorsements::comment_id.eq(row.id))
        .count()
        .get_result(tx.conn())?;
    diesel::update(comments::table.find(row.id))
        .set(comments::endorsement_count.eq(n as i32))
        .execute(tx.conn())?;
    outbox::append_live_event(
        tx,
        &row.channel(),
        "comment.endorsed",
        Audience::Public,
        Some(row.id),
        &json!({"comment_id": row.id, "endorsement_count": n}),
    )?;
    Ok(n)
}

pub fn endorse(tx: &mut Tx, row: &CommentRow, user_id: i64) -> ApiResult<i64> {
    let already: bool = diesel::select(diesel::dsl::exists(
        endorsements::table
            .filter(endorsements::comment_id.eq(row.id))
            .filter(endorsements::user_id.eq(user_id)),
    ))
    .get_result(tx.conn())?;
    if already {
        return Err(ApiError::new(
            ErrorCode::AlreadyEndorsed,
            "you have already endorsed this input",
        ));
    }
    diesel::insert_into(endorsements::table)
        .values((
            endorsements::comment_id.eq(row.id),
            endorsements::user_id.eq(user_id),
            endorsements::created_at.eq(now()),
        ))
        .execute(tx.conn())
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::new(
                ErrorCode::AlreadyEndorsed,
                "you have already endorsed this input",
            ),
            other => other.into(),
        })?;
    crate::notifications::hooks::endorsed(tx, row, user_id)?;
    set_endorsements(tx, row)
}

pub fn withdraw_endorsement(tx: &mut Tx, row: &CommentRow, user_id: i64) -> ApiResult<i64> {
    let n = diesel::delete(
        endorsements::table
            .filter(endorsements::comment_id.eq(row.id))
            .filter(endorsements::user_id.eq(user_id)),
    )
    .execute(tx.conn())?;
    if n == 0 {
        return Err(ApiError::not_found("endorsement"));
    }
    set_endorsements(tx, row)
}

pub fn flag(tx: &mut Tx, row: &CommentRow, user_id: i64, reason: &str) -> ApiResult<()> {
    let already: bool = diesel::select(diesel::dsl::exists(
        flags::table
            .filter(flags::comment_id.eq(row.id))
            .filter(flags::user_id.eq(user_id)),
    ))
    .get_result(tx.conn())?;
    if already {
        return Err(ApiError::new(
            ErrorCode::AlreadyFlagged,
            "you have already flagged this input",
        ));
    }
    diesel::insert_into(flags::table)
        .values((
            flags::comment_id.eq(row.id),
            flags::user_id.eq(user_id),
            flags::reason.eq(reason),
            flags::created_at.eq(now()),
        ))
        .execute(tx.conn())?;
    diesel::update(comments::table.find(row.id))
        .set(comments::flag_count.eq(comments::flag_count + 1))
        .execute(tx.conn())?;
    outbox::append_live_event(
        tx,
        &row.channel(),
        "comment.flagged",
        Audience::Moderators,
        Some(row.id),
        &json!({"comment_id": row.id, "reason": reason}),
    )?;
    Ok(())
}

pub fn moderate(
    tx: &mut Tx,
    row: &CommentRow,
    moderator_id: i64,
    action: ModerationAction,
    reason: &str,
) -> ApiResult<CommentRow> {
    let (from, to) = match action {
        ModerationAction::Hide => (Visibility::Visible, Visibility::Hidden),
        ModerationAction::Restore => (Visibility::Hidden, Visibility::Visible),
    };
    if row.visibility() != from {
        return Err(ApiError::new(
            ErrorCode::AlreadyInState,
            format!("the comment is not {from}"),
        ));
    }
    diesel::update(comments::table.find(row.id))
        .set(comments::status.eq(to.as_str()))
        .execute(tx.conn())?;
    if action == ModerationAction::Restore {
        diesel::update(
            flags::table
                .filter(flags::comment_id.eq(row.id))
                .filter(flags::resolved_at.is_null()),
        )
        .set(flags::resolved_at.eq(Some(now())))
        .execute(tx.conn())?;
    }
    diesel::insert_into(moderation_log::table)
        .values((
            moderation_log::consultation_id.eq(row.consultation_id),
            moderation_log::session_id.eq(row.session_id),
            moderation_log::comment_id.eq(row.id),
            moderation_log::moderator_id.eq(Some(moderator_id)),
            moderation_log::action.eq(action.as_str()),
            moderation_log::reason.eq(reason),
            moderation_log::created_at.eq(now()),
        ))
        .execute(tx.conn())?;
    let updated = get(tx, row.id)?;
    crate::notifications::hooks::moderated(tx, row, moderator_id, action.as_str(), reason)?;
    if action == ModerationAction::Hide {
        crate::notifications::store::scrub_comment(tx, row.id)?;
    }
    match action {
        ModerationAction::Hide => {
            outbox::append_live_event(
                tx,
                &row.channel(),
                "comment.hidden",
                Audience::Public,
                Some(row.id),
                &json!({"comment_id": row.id, "reason": reason}),
            )?;
            outbox::queue_search_job(tx, "comment", row.id, "delete")?;
        }
        ModerationAction::Restore => {
            publish(tx, &updated, "comment.updated")?;
            outbox::queue_search_job(tx, "comment", row.id, "upsert")?;
        }
    }
    Ok(updated)
}

/// The public log: what was done, when and why; not by whom.
pub fn moderation_log(
    conn: &mut DbConn,
    consultation_id: i64,
    after_id: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<Value>> {
    let mut q = moderation_log::table
        .filter(moderation_log::consultation_id.eq(consultation_id))
        .order(moderation_log::id.asc())
        .select((
            moderation_log::id,
            moderation_log::comment_id,
            moderation_log::action,
            moderation_log::reason,
            moderation_log::created_at,
        ))
        .into_boxed();
    if let Some(a) = after_id {
        q = q.filter(moderation_log::id.gt(a));
    }
    let rows: Vec<(i64, i64, String, String, NaiveDateTime)> = q.limit(limit).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, comment_id, action, reason, t)| {
            json!({"id": id, "comment_id": comment_id, "action": action, "reason": reason, "created_at": rfc3339(t)})
        })
        .collect())
}

/// Erasure with withdrawal: the texts go, the rows stay so threads keep their shape.
pub fn withdraw_all_of(tx: &mut Tx, author_id: i64) -> ApiResult<usize> {
    let ids: Vec<i64> = comments::table
        .filter(comments::author_id.eq(author_id))
        .select(comments::id)
        .load(tx.conn())?;
    diesel::delete(comment_revisions::table.filter(comment_revisions::comment_id.eq_any(&ids)))
        .execute(tx.conn())?;
    let n = diesel::update(comments::table.filter(comments::author_id.eq(author_id)))
        .set((
            comments::status.eq(Visibility::Withdrawn.as_str()),
            comments::body.eq(""),
            comments::proposed_text.eq(None::<String>),
            comments::on_behalf_of.eq(None::<String>),
        ))
        .execute(tx.conn())?;
    // The event log held the texts too: they go, and listeners hear of the withdrawal.
    // (Only on comment channels: users' own channels number their notifications.)
    diesel::update(
        crate::db::schema::live_events::table
            .filter(crate::db::schema::live_events::subject_id.eq_any(&ids))
            .filter(crate::db::schema::live_events::channel.not_like("user:%")),
    )
    .set(crate::db::schema::live_events::data.eq(r#"{"withdrawn":true}"#))
    .execute(tx.conn())?;
    for id in &ids {
        crate::notifications::store::scrub_comment(tx, *id)?;
    }
    let withdrawn: Vec<CommentRow> = comments::table
        .filter(comments::id.eq_any(&ids))
        .select(CommentRow::as_select())
        .load(tx.conn())?;
    for c in withdrawn {
        let id = c.id;
        outbox::queue_search_job(tx, "comment", id, "delete")?;
        outbox::append_live_event(
            tx,
            &c.channel(),
            "comment.withdrawn",
            Audience::Public,
            Some(id),
            &json!({"comment_id": id}),
        )?;
    }
    Ok(n)
}

/// For the personal-data export.
pub fn authored_by(conn: &mut DbConn, author_id: i64) -> ApiResult<Vec<Value>> {
    let rows: Vec<CommentRow> = comments::table
        .filter(comments::author_id.eq(author_id))
        .order(comments::id)
        .select(CommentRow::as_select())
        .load(conn)?;
    let viewer = Viewer {
        user_id: Some(author_id),
        privileged: false,
    };
    let authors = authors(conn, &[author_id])?;
    Ok(rows
        .iter()
        .map(|c| view_one(c, authors.get(&author_id), &viewer))
        .collect())
}

pub fn endorsed_by(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<i64>> {
    Ok(endorsements::table
        .filter(endorsements::user_id.eq(user_id))
        .select(endorsements::comment_id)
        .load(conn)?)
}

/// A flag's reason and when it was raised.
pub type OpenFlag = (String, NaiveDateTime);

/// The moderators' queue: visible comments (of consultations and sessions) with flags
/// nobody has dealt with, oldest first, each with its open flags' reasons and times.
pub fn flagged(
    conn: &mut DbConn,
    after: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<(CommentRow, Vec<OpenFlag>)>> {
    let open = flags::table
        .filter(flags::resolved_at.is_null())
        .select(flags::comment_id);
    let mut q = comments::table
        .filter(comments::id.eq_any(open))
        .filter(comments::status.eq(Visibility::Visible.as_str()))
        .order(comments::id.asc())
        .limit(limit)
        .select(CommentRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(comments::id.gt(after));
    }
    let rows: Vec<CommentRow> = q.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let reasons: Vec<(i64, String, NaiveDateTime)> = flags::table
        .filter(flags::comment_id.eq_any(&ids))
        .filter(flags::resolved_at.is_null())
        .order(flags::id.asc())
        .select((flags::comment_id, flags::reason, flags::created_at))
        .load(conn)?;
    let mut by: HashMap<i64, Vec<OpenFlag>> = HashMap::new();
    for (id, reason, at) in reasons {
        by.entry(id).or_default().push((reason, at));
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let f = by.remove(&r.id).unwrap_or_default();
            (r, f)
        })
        .collect())
}

/// A moderator keeps a flagged comment as it is: its open flags are resolved (and the
/// decision logged), so it leaves the queue.
pub fn keep(
    conn: &mut DbConn,
    row: &CommentRow,
    moderator_id: i64,
    reason: &str,
) -> ApiResult<usize> {
    let resolved = diesel::update(
        flags::table
            .filter(flags::comment_id.eq(row.id))
            .filter(flags::resolved_at.is_null()),
    )
    .set(flags::resolved_at.eq(Some(now())))
    .execute(conn)?;
    if resolved == 0 {
        return Err(ApiError::new(
            ErrorCode::AlreadyInState,
            "this comment has no open flags",
        ));
    }
    diesel::insert_into(moderation_log::table)
        .values((
            moderation_log::consultation_id.eq(row.consultation_id),
            moderation_log::session_id.eq(row.session_id),
            moderation_log::comment_id.eq(row.id),
            moderation_log::moderator_id.eq(Some(moderator_id)),
            moderation_log::action.eq("keep"),
            moderation_log::reason.eq(reason),
            moderation_log::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(resolved)
}

/// What happened to each of these inputs, for everyone to see: the co-facilitators'
/// review status (tags and notes stay theirs) and the paragraphs of later versions that
/// it informed.
pub fn outcomes(
    conn: &mut DbConn,
    consultation_id: i64,
    ids: &[i64],
) -> ApiResult<HashMap<i64, Value>> {
    use crate::db::schema::{comment_reviews, document_versions, paragraphs};
    let statuses: HashMap<i64, String> = comment_reviews::table
        .filter(comment_reviews::comment_id.eq_any(ids))
        .select((comment_reviews::comment_id, comment_reviews::status))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let informing: Vec<(String, String, String)> = paragraphs::table
        .inner_join(document_versions::table)
        .filter(document_versions::consultation_id.eq(consultation_id))
        .filter(paragraphs::informed_by.ne("[]"))
        .order((
            document_versions::position.asc(),
            paragraphs::position.asc(),
        ))
        .select((
            document_versions::label,
            paragraphs::number,
            paragraphs::informed_by,
        ))
        .load(conn)?;
    let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let mut informed: HashMap<i64, Vec<Value>> = HashMap::new();
    for (label, number, list) in informing {
        for id in serde_json::from_str::<Vec<i64>>(&list).unwrap_or_default() {
            if wanted.contains(&id) {
                informed
                    .entry(id)
                    .or_default()
                    .push(json!({"version": label, "number": number}));
            }
        }
    }
    Ok(ids
        .iter()
        .map(|id| {
            let status = statuses.get(id).map(String::as_str).unwrap_or("new");
            (*id, json!({"review_status": status, "informed": informed.remove(id).unwrap_or_default()}))
        })
        .collect())
}
