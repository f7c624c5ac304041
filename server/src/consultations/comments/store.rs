//! Comment rows: diesel only. No policy (the use cases decide who may), no JSON, no
//! side effects (the use cases append live events and search jobs).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::consultations::types::{CommentKind, ModerationAction, Visibility};
use crate::db::schema::{
    comment_revisions, comments, endorsements, flags, moderation_log, upvotes,
};
use crate::db::{now, DbConn};
use crate::delegations::types::SpeaksFor;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::outbox;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub consultation_id: Option<i64>,
    pub session_id: Option<i64>,
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    #[diesel(deserialize_as = String)]
    pub kind: CommentKind,
    pub body: String,
    pub proposed_text: Option<String>,
    pub on_behalf_of: Option<String>,
    pub anonymous: bool,
    pub language: String,
    #[diesel(deserialize_as = String)]
    pub status: Visibility,
    pub version_label: Option<String>,
    pub endorsement_count: i32,
    pub upvote_count: i32,
    pub flag_count: i32,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub delegation_id: Option<i64>,
    pub group_id: Option<i64>,
}

impl CommentRow {
    /// The delegation or group it was given for (checked when given).
    pub fn speaks_for(&self) -> Option<SpeaksFor> {
        SpeaksFor::of(self.delegation_id, self.group_id)
    }

    /// The live channel of what the comment belongs to.
    pub fn channel(&self) -> String {
        match (self.consultation_id, self.session_id) {
            (Some(c), _) => outbox::consultation_channel(c),
            (None, Some(s)) => outbox::session_channel(s),
            (None, None) => String::new(),
        }
    }

    pub fn visibility(&self) -> Visibility {
        self.status
    }
}

/// A comment to insert, every field already a domain value.
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
    /// Checked by the policy before it gets here.
    pub speaks_for: Option<SpeaksFor>,
    pub anonymous: bool,
    pub language: String,
    pub version_label: Option<String>,
}

pub fn get(conn: &mut DbConn, id: i64) -> ApiResult<CommentRow> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("comment"))
}

pub fn find(conn: &mut DbConn, id: i64) -> ApiResult<Option<CommentRow>> {
    Ok(comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> ApiResult<Vec<CommentRow>> {
    Ok(comments::table
        .filter(comments::id.eq_any(ids))
        .select(CommentRow::as_select())
        .load(conn)?)
}

/// Inserts a contribution and gives it back as stored, in one statement (it is on the
/// path of every comment, in the writer's turn).
pub fn insert(conn: &mut DbConn, c: &NewComment) -> ApiResult<CommentRow> {
    let row = (
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
        comments::delegation_id.eq(c.speaks_for.and_then(SpeaksFor::delegation_id)),
        comments::group_id.eq(c.speaks_for.and_then(SpeaksFor::group_id)),
    );
    let insert = diesel::insert_into(comments::table).values(row);
    Ok(crate::per_backend!(conn, |c| insert
        .returning(CommentRow::as_returning())
        .get_result(c)?))
}

/// The visible contributions written on one version of a consultation, oldest first.
pub fn written_on(
    conn: &mut DbConn,
    consultation_id: i64,
    label: &str,
) -> ApiResult<Vec<CommentRow>> {
    Ok(comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::version_label.eq(label))
        .filter(comments::status.eq(Visibility::Visible.as_str()))
        .order(comments::id.asc())
        .select(CommentRow::as_select())
        .load(conn)?)
}

#[derive(Default)]
pub struct Filter {
    pub paragraph_key: Option<String>,
    pub parent_id: Option<i64>,
    pub since_id: Option<i64>,
    pub after_id: Option<i64>,
    /// Written in this language, or a regional form of it (`fr` takes `fr-CA`).
    pub language: Option<String>,
}

/// A consultation's comments, oldest first (threads read top-down); `since_id` and the
/// cursor page forward. Withdrawn ones never; hidden ones only with `with_hidden`.
pub fn list(
    conn: &mut DbConn,
    consultation_id: i64,
    f: &Filter,
    with_hidden: bool,
    limit: i64,
) -> ApiResult<Vec<CommentRow>> {
    let mut q = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.ne(Visibility::Withdrawn.as_str()))
        .select(CommentRow::as_select())
        .order(comments::id.asc())
        .into_boxed();
    if !with_hidden {
        q = q.filter(comments::status.eq(Visibility::Visible.as_str()));
    }
    if let Some(k) = &f.paragraph_key {
        q = q.filter(comments::paragraph_key.eq(k.clone()));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(comments::parent_id.eq(p));
    }
    if let Some(l) = &f.language {
        q = q.filter(
            comments::language
                .eq(l.clone())
                .or(comments::language.like(format!("{l}-%"))),
        );
    }
    let floor = f.since_id.max(f.after_id);
    if let Some(id) = floor {
        q = q.filter(comments::id.gt(id));
    }
    Ok(q.limit(limit).load(conn)?)
}

/// Keeps the current text as a revision and writes the new one.
pub fn edit(
    conn: &mut DbConn,
    row: &CommentRow,
    body: &str,
    proposed_text: Option<&str>,
) -> ApiResult<CommentRow> {
    diesel::insert_into(comment_revisions::table)
        .values((
            comment_revisions::comment_id.eq(row.id),
            comment_revisions::body.eq(&row.body),
            comment_revisions::proposed_text.eq(&row.proposed_text),
            comment_revisions::created_at.eq(row.edited_at.unwrap_or(row.created_at)),
        ))
        .execute(conn)?;
    let proposed = proposed_text
        .map(str::to_owned)
        .or(row.proposed_text.clone());
    diesel::update(comments::table.find(row.id))
        .set((
            comments::body.eq(body),
            comments::proposed_text.eq(proposed),
            comments::edited_at.eq(Some(now())),
        ))
        .execute(conn)?;
    get(conn, row.id)
}

/// Earlier texts: (body, proposed text, written at), oldest first.
pub type RevisionRow = (String, Option<String>, NaiveDateTime);

pub fn revisions(conn: &mut DbConn, comment_id: i64) -> ApiResult<Vec<RevisionRow>> {
    Ok(comment_revisions::table
        .filter(comment_revisions::comment_id.eq(comment_id))
        .order(comment_revisions::id)
        .select((
            comment_revisions::body,
            comment_revisions::proposed_text,
            comment_revisions::created_at,
        ))
        .load(conn)?)
}

/// Locks a comment's row until the transaction ends (a write that changes nothing, on
/// both backends), before counting what hangs on it: a count read after the lock sees
/// every endorsement or upvote committed before, where two counted side by side on
/// PostgreSQL would each miss the other.
pub fn lock(conn: &mut DbConn, comment_id: i64) -> ApiResult<()> {
    diesel::update(comments::table.find(comment_id))
        .set(comments::endorsement_count.eq(comments::endorsement_count))
        .execute(conn)?;
    Ok(())
}

/// Recounts a comment's endorsements into its row.
pub fn count_endorsements(conn: &mut DbConn, comment_id: i64) -> ApiResult<i64> {
    lock(conn, comment_id)?;
    let n: i64 = endorsements::table
        .filter(endorsements::comment_id.eq(comment_id))
        .count()
        .get_result(conn)?;
    diesel::update(comments::table.find(comment_id))
        .set(comments::endorsement_count.eq(n as i32))
        .execute(conn)?;
    Ok(n)
}

pub fn has_endorsed(conn: &mut DbConn, comment_id: i64, user_id: i64) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        endorsements::table
            .filter(endorsements::comment_id.eq(comment_id))
            .filter(endorsements::user_id.eq(user_id)),
    ))
    .get_result(conn)?)
}

/// The comments among `ids` that `user_id` has endorsed.
pub fn endorsed_among(conn: &mut DbConn, user_id: i64, ids: &[i64]) -> ApiResult<Vec<i64>> {
    Ok(endorsements::table
        .filter(endorsements::user_id.eq(user_id))
        .filter(endorsements::comment_id.eq_any(ids))
        .select(endorsements::comment_id)
        .load(conn)?)
}

/// Adds an endorsement; a second one by the same user is `already_endorsed`, also
/// when two requests race.
pub fn add_endorsement(
    conn: &mut DbConn,
    comment_id: i64,
    user_id: i64,
    speaks_for: Option<SpeaksFor>,
) -> ApiResult<()> {
    let already = || {
        ApiError::new(
            ErrorCode::AlreadyEndorsed,
            "you have already endorsed this input",
        )
    };
    if has_endorsed(conn, comment_id, user_id)? {
        return Err(already());
    }
    diesel::insert_into(endorsements::table)
        .values((
            endorsements::comment_id.eq(comment_id),
            endorsements::user_id.eq(user_id),
            endorsements::created_at.eq(now()),
            endorsements::delegation_id.eq(speaks_for.and_then(SpeaksFor::delegation_id)),
            endorsements::group_id.eq(speaks_for.and_then(SpeaksFor::group_id)),
        ))
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => already(),
            other => other.into(),
        })?;
    Ok(())
}

/// Removes an endorsement; none to remove is 404.
pub fn remove_endorsement(conn: &mut DbConn, comment_id: i64, user_id: i64) -> ApiResult<()> {
    let n = diesel::delete(
        endorsements::table
            .filter(endorsements::comment_id.eq(comment_id))
            .filter(endorsements::user_id.eq(user_id)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(ApiError::not_found("endorsement"));
    }
    Ok(())
}

/// Adds a flag and returns its id; a second one by the same user is `already_flagged`.
pub fn add_flag(conn: &mut DbConn, comment_id: i64, user_id: i64, reason: &str) -> ApiResult<i64> {
    let already: bool = diesel::select(diesel::dsl::exists(
        flags::table
            .filter(flags::comment_id.eq(comment_id))
            .filter(flags::user_id.eq(user_id)),
    ))
    .get_result(conn)?;
    if already {
        return Err(ApiError::new(
            ErrorCode::AlreadyFlagged,
            "you have already flagged this input",
        ));
    }
    let id: i64 = diesel::insert_into(flags::table)
        .values((
            flags::comment_id.eq(comment_id),
            flags::user_id.eq(user_id),
            flags::reason.eq(reason),
            flags::created_at.eq(now()),
        ))
        .returning(flags::id)
        .get_result(conn)?;
    diesel::update(comments::table.find(comment_id))
        .set(comments::flag_count.eq(comments::flag_count + 1))
        .execute(conn)?;
    Ok(id)
}

/// The reasons of these flags, by flag id.
pub fn flag_reasons(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, String>> {
    Ok(flags::table
        .filter(flags::id.eq_any(ids))
        .select((flags::id, flags::reason))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Resolves a comment's open flags; returns how many there were.
pub fn resolve_flags(conn: &mut DbConn, comment_id: i64) -> ApiResult<usize> {
    Ok(diesel::update(
        flags::table
            .filter(flags::comment_id.eq(comment_id))
            .filter(flags::resolved_at.is_null()),
    )
    .set(flags::resolved_at.eq(Some(now())))
    .execute(conn)?)
}

pub fn set_status(conn: &mut DbConn, comment_id: i64, status: Visibility) -> ApiResult<()> {
    diesel::update(comments::table.find(comment_id))
        .set(comments::status.eq(status.as_str()))
        .execute(conn)?;
    Ok(())
}

crate::accounts::types::string_enum!(
    /// What a moderator did, as the public log says it (`keep`: kept as it is, its
    /// flags resolved).
    LoggedAct {
        Hide => "hide",
        Restore => "restore",
        Keep => "keep",
    }
);

impl From<ModerationAction> for LoggedAct {
    fn from(a: ModerationAction) -> LoggedAct {
        match a {
            ModerationAction::Hide => LoggedAct::Hide,
            ModerationAction::Restore => LoggedAct::Restore,
        }
    }
}

/// Writes a moderation log entry and returns its id.
pub fn log_act(
    conn: &mut DbConn,
    row: &CommentRow,
    moderator_id: i64,
    act: LoggedAct,
    reason: &str,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(moderation_log::table)
        .values((
            moderation_log::consultation_id.eq(row.consultation_id),
            moderation_log::session_id.eq(row.session_id),
            moderation_log::comment_id.eq(row.id),
            moderation_log::moderator_id.eq(Some(moderator_id)),
            moderation_log::action.eq(act.as_str()),
            moderation_log::reason.eq(reason),
            moderation_log::created_at.eq(now()),
        ))
        .returning(moderation_log::id)
        .get_result(conn)?)
}

/// A moderation log entry: (id, comment, action, reason, at).
pub type LogRow = (i64, i64, LoggedAct, String, NaiveDateTime);

/// The log of a consultation, oldest first after `after_id`.
pub fn moderation_log(
    conn: &mut DbConn,
    consultation_id: i64,
    after_id: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<LogRow>> {
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
    rows.into_iter()
        .map(|(id, comment, action, reason, at)| {
            let action = LoggedAct::try_from(action).map_err(ApiError::internal)?;
            Ok((id, comment, action, reason, at))
        })
        .collect()
}

/// Reasons of these log entries, by id (for live `comment.hidden` events).
pub fn log_reasons(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, String>> {
    Ok(moderation_log::table
        .filter(moderation_log::id.eq_any(ids))
        .select((moderation_log::id, moderation_log::reason))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Erasure with withdrawal: the texts go, the rows stay so threads keep their shape.
/// Returns the withdrawn comments.
pub fn withdraw_all_of(conn: &mut DbConn, author_id: i64) -> ApiResult<Vec<CommentRow>> {
    let ids: Vec<i64> = comments::table
        .filter(comments::author_id.eq(author_id))
        .select(comments::id)
        .load(conn)?;
    diesel::delete(comment_revisions::table.filter(comment_revisions::comment_id.eq_any(&ids)))
        .execute(conn)?;
    diesel::update(comments::table.filter(comments::author_id.eq(author_id)))
        .set((
            comments::status.eq(Visibility::Withdrawn.as_str()),
            comments::body.eq(""),
            comments::proposed_text.eq(None::<String>),
            comments::on_behalf_of.eq(None::<String>),
            comments::delegation_id.eq(None::<i64>),
            comments::group_id.eq(None::<i64>),
        ))
        .execute(conn)?;
    by_ids(conn, &ids)
}

/// Everything one person wrote, oldest first (for the personal-data export).
pub fn authored_by(conn: &mut DbConn, author_id: i64) -> ApiResult<Vec<CommentRow>> {
    Ok(comments::table
        .filter(comments::author_id.eq(author_id))
        .order(comments::id)
        .select(CommentRow::as_select())
        .load(conn)?)
}

pub fn endorsed_by(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<i64>> {
    Ok(endorsements::table
        .filter(endorsements::user_id.eq(user_id))
        .select(endorsements::comment_id)
        .load(conn)?)
}

/// Marks one person left on others' contributions, for their personal-data export.
#[derive(serde::Serialize, schemars::JsonSchema, Debug)]
pub struct Marks {
    /// Flags they raised, with their reasons.
    pub flags: Vec<FlagRecord>,
    /// Questions they upvoted.
    pub upvoted_comment_ids: Vec<i64>,
    /// What they did as a moderator.
    pub moderation: Vec<ModerationRecord>,
}

#[derive(serde::Serialize, schemars::JsonSchema, Debug)]
pub struct FlagRecord {
    pub comment_id: i64,
    pub reason: String,
    pub created_at: crate::db::Timestamp,
}

#[derive(serde::Serialize, schemars::JsonSchema, Debug)]
pub struct ModerationRecord {
    pub comment_id: i64,
    pub action: ModerationAction,
    pub reason: String,
    pub created_at: crate::db::Timestamp,
}

pub fn marks_of(conn: &mut DbConn, user_id: i64) -> ApiResult<Marks> {
    let flags: Vec<(i64, String, NaiveDateTime)> = flags::table
        .filter(flags::user_id.eq(user_id))
        .order(flags::id)
        .select((flags::comment_id, flags::reason, flags::created_at))
        .load(conn)?;
    let upvoted_comment_ids = upvotes::table
        .filter(upvotes::user_id.eq(user_id))
        .order(upvotes::comment_id)
        .select(upvotes::comment_id)
        .load(conn)?;
    let moderation: Vec<(i64, String, String, NaiveDateTime)> = moderation_log::table
        .filter(moderation_log::moderator_id.eq(user_id))
        .order(moderation_log::id)
        .select((
            moderation_log::comment_id,
            moderation_log::action,
            moderation_log::reason,
            moderation_log::created_at,
        ))
        .load(conn)?;
    Ok(Marks {
        flags: flags
            .into_iter()
            .map(|(comment_id, reason, at)| FlagRecord {
                comment_id,
                reason,
                created_at: crate::db::Timestamp(at),
            })
            .collect(),
        upvoted_comment_ids,
        moderation: moderation
            .into_iter()
            .filter_map(|(comment_id, action, reason, at)| {
                Some(ModerationRecord {
                    comment_id,
                    action: ModerationAction::parse(&action)?,
                    reason,
                    created_at: crate::db::Timestamp(at),
                })
            })
            .collect(),
    })
}

/// Erasure: flags stay (a contribution's flag count stays true) without their reasons;
/// upvotes stay with the anonymised account (counts stay true); the moderation log
/// keeps what was done and why, no longer by whom.
pub fn erase_marks(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    diesel::update(flags::table.filter(flags::user_id.eq(user_id)))
        .set(flags::reason.eq(""))
        .execute(conn)?;
    diesel::update(moderation_log::table.filter(moderation_log::moderator_id.eq(user_id)))
        .set(moderation_log::moderator_id.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
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

/// Review statuses of these comments (absent: not reviewed yet).
pub fn review_statuses(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, String>> {
    use crate::db::schema::comment_reviews;
    Ok(comment_reviews::table
        .filter(comment_reviews::comment_id.eq_any(ids))
        .select((comment_reviews::comment_id, comment_reviews::status))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// The paragraphs of a consultation's versions that cite inputs: (version label,
/// paragraph number, informed_by as stored), in reading order.
pub fn informing_paragraphs(
    conn: &mut DbConn,
    consultation_id: i64,
) -> ApiResult<Vec<(String, String, String)>> {
    use crate::db::schema::{document_versions, paragraphs};
    Ok(paragraphs::table
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
        .load(conn)?)
}

/// Whether the session's event is published; `None` for an unknown session.
pub fn session_published(conn: &mut DbConn, session_id: i64) -> ApiResult<Option<bool>> {
    use crate::db::schema::{events, sessions};
    Ok(sessions::table
        .inner_join(events::table)
        .filter(sessions::id.eq(session_id))
        .select(events::published)
        .first(conn)
        .optional()?)
}

/// A hidden comment's id, its parent, and the latest log entry that hid it (its id and
/// reason).
pub type HiddenRow = (i64, Option<i64>, Option<(i64, String)>);

/// The hidden comments of one paragraph (or the general comments) of a consultation.
pub fn hidden_in(
    conn: &mut DbConn,
    consultation_id: i64,
    paragraph_key: Option<&str>,
) -> ApiResult<Vec<HiddenRow>> {
    let mut q = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::status.eq(Visibility::Hidden.as_str()))
        .select((comments::id, comments::parent_id))
        .into_boxed();
    q = match paragraph_key {
        Some(k) => q.filter(comments::paragraph_key.eq(k.to_owned())),
        None => q.filter(comments::paragraph_key.is_null()),
    };
    let rows: Vec<(i64, Option<i64>)> = q.order(comments::id).limit(5_000).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let acts: Vec<(i64, i64, String)> = moderation_log::table
        .filter(moderation_log::comment_id.eq_any(&ids))
        .filter(moderation_log::action.eq(LoggedAct::Hide.as_str()))
        .order(moderation_log::id)
        .select((
            moderation_log::comment_id,
            moderation_log::id,
            moderation_log::reason,
        ))
        .load(conn)?;
    let mut last: HashMap<i64, (i64, String)> = HashMap::new();
    for (comment, id, reason) in acts {
        last.insert(comment, (id, reason));
    }
    Ok(rows
        .into_iter()
        .map(|(id, parent)| (id, parent, last.remove(&id)))
        .collect())
}
