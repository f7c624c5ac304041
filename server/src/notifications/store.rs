//! Follows, notifications and settings. `notify` is called inside the transaction of
//! whatever caused it; the unique (user, dedupe key) makes it idempotent, so a replayed
//! cause or a scheduler that runs twice never notifies twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::types::{Frequency, Kind, TargetType};
use super::view::NotificationBody;
use crate::db::schema::{
    comments, document_versions, events, follows, notification_prefs, notification_settings,
    notifications, paragraphs, sessions, users,
};
use crate::db::Tx;
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::outbox::{self, Audience};

/// A followed thing: a paragraph is (consultation id, key); others have no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: TargetType,
    pub id: i64,
    pub key: String,
}

impl Target {
    pub fn of(kind: TargetType, id: i64) -> Target {
        Target {
            kind,
            id,
            key: String::new(),
        }
    }
}

pub fn is_following(conn: &mut DbConn, user_id: i64, t: &Target) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        follows::table
            .filter(follows::user_id.eq(user_id))
            .filter(follows::target_type.eq(t.kind.as_str()))
            .filter(follows::target_id.eq(t.id))
            .filter(follows::target_key.eq(&t.key)),
    ))
    .get_result(conn)?)
}

/// Follows (once); returns whether it is new. (A contribution's follows are written
/// with its transaction's outbox: [`Tx::follow_all`].)
pub fn follow(conn: &mut DbConn, user_id: i64, t: &Target) -> ApiResult<bool> {
    let row = (
        follows::user_id.eq(user_id),
        follows::target_type.eq(t.kind.as_str()),
        follows::target_id.eq(t.id),
        follows::target_key.eq(&t.key),
        follows::created_at.eq(now()),
    );
    let insert = diesel::insert_into(follows::table)
        .values(row)
        .on_conflict_do_nothing();
    let n = match conn {
        DbConn::Sqlite(c) => insert.execute(c)?,
        DbConn::Postgres(c) => insert.execute(c)?,
    };
    Ok(n > 0)
}

/// Unfollows; whether a follow was written. (One appended in the same transaction, or
/// by an earlier job of its group, is given up too.)
pub fn unfollow(tx: &mut Tx, user_id: i64, t: &Target) -> ApiResult<bool> {
    tx.give_up_unwritten_follows(user_id, Some(t));
    let n = diesel::delete(
        follows::table
            .filter(follows::user_id.eq(user_id))
            .filter(follows::target_type.eq(t.kind.as_str()))
            .filter(follows::target_id.eq(t.id))
            .filter(follows::target_key.eq(&t.key)),
    )
    .execute(tx.conn())?;
    Ok(n > 0)
}

/// A follow as stored: a paragraph's has its key (and the consultation as `target_id`).
pub struct FollowRow {
    pub id: i64,
    pub target_type: TargetType,
    pub target_id: i64,
    pub key: String,
    pub created_at: NaiveDateTime,
}

pub fn follows_of(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<FollowRow>> {
    let rows: Vec<(i64, String, i64, String, NaiveDateTime)> = follows::table
        .filter(follows::user_id.eq(user_id))
        .order(follows::id)
        .select((
            follows::id,
            follows::target_type,
            follows::target_id,
            follows::target_key,
            follows::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, kind, target_id, key, created_at)| {
            Ok(FollowRow {
                id,
                target_type: TargetType::try_from(kind).map_err(ApiError::internal)?,
                target_id,
                key,
                created_at,
            })
        })
        .collect()
}

/// Everyone following any of `targets`, each once.
pub fn followers(conn: &mut DbConn, targets: &[Target]) -> ApiResult<BTreeSet<i64>> {
    let mut out = BTreeSet::new();
    for t in targets {
        let ids: Vec<i64> = follows::table
            .filter(follows::target_type.eq(t.kind.as_str()))
            .filter(follows::target_id.eq(t.id))
            .filter(follows::target_key.eq(&t.key))
            .select(follows::user_id)
            .load(conn)?;
        out.extend(ids);
    }
    Ok(out)
}

/// [`followers`] in a transaction, with the follows it (or an earlier job of its group
/// commit) appended and has not written yet.
pub fn followers_in(tx: &mut Tx, targets: &[Target]) -> ApiResult<BTreeSet<i64>> {
    let mut out = followers(tx, targets)?;
    out.extend(tx.unwritten_followers(targets));
    Ok(out)
}

pub fn frequency(conn: &mut DbConn, user_id: i64, kind: Kind) -> ApiResult<Frequency> {
    let set: Option<String> = notification_settings::table
        .find((user_id, kind.as_str()))
        .select(notification_settings::frequency)
        .first(conn)
        .optional()?;
    Ok(set
        .as_deref()
        .and_then(Frequency::parse)
        .unwrap_or_else(|| kind.default_frequency()))
}

/// How each kind reaches the user (the default where they chose nothing).
pub fn frequencies(conn: &mut DbConn, user_id: i64) -> ApiResult<BTreeMap<Kind, Frequency>> {
    let set: HashMap<String, String> = notification_settings::table
        .filter(notification_settings::user_id.eq(user_id))
        .select((
            notification_settings::kind,
            notification_settings::frequency,
        ))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(Kind::ALL
        .iter()
        .map(|k| {
            let f = set
                .get(k.as_str())
                .and_then(|f| Frequency::parse(f))
                .unwrap_or_else(|| k.default_frequency());
            (*k, f)
        })
        .collect())
}

pub fn set_frequency(conn: &mut DbConn, user_id: i64, kind: Kind, f: Frequency) -> ApiResult<()> {
    // What waits for mail follows the new setting: after an unsubscribe nothing more is
    // sent, not even a digest already being collected.
    let pending = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::kind.eq(kind.as_str()))
        .filter(notifications::emailed_at.is_null());
    if f == Frequency::Off {
        diesel::update(pending)
            .set((
                notifications::frequency.eq(f.as_str()),
                notifications::emailed_at.eq(Some(now())),
            ))
            .execute(conn)?;
    } else {
        diesel::update(pending)
            .set(notifications::frequency.eq(f.as_str()))
            .execute(conn)?;
    }
    diesel::delete(notification_settings::table.find((user_id, kind.as_str()))).execute(conn)?;
    diesel::insert_into(notification_settings::table)
        .values((
            notification_settings::user_id.eq(user_id),
            notification_settings::kind.eq(kind.as_str()),
            notification_settings::frequency.eq(f.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

fn ensure_prefs(conn: &mut DbConn, user_id: i64) -> ApiResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(notification_prefs::table.find(user_id)))
        .get_result(conn)?;
    if !exists {
        diesel::insert_into(notification_prefs::table)
            .values(notification_prefs::user_id.eq(user_id))
            .execute(conn)?;
    }
    Ok(())
}

pub fn timezone(conn: &mut DbConn, user_id: i64) -> ApiResult<Option<String>> {
    Ok(notification_prefs::table
        .find(user_id)
        .select(notification_prefs::timezone)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

pub fn set_timezone(conn: &mut DbConn, user_id: i64, tz: Option<&str>) -> ApiResult<()> {
    ensure_prefs(conn, user_id)?;
    diesel::update(notification_prefs::table.find(user_id))
        .set(notification_prefs::timezone.eq(tz))
        .execute(conn)?;
    Ok(())
}

pub fn mark_digest_sent(
    conn: &mut DbConn,
    user_id: i64,
    f: Frequency,
    at: NaiveDateTime,
) -> ApiResult<()> {
    ensure_prefs(conn, user_id)?;
    let target = notification_prefs::table.find(user_id);
    match f {
        Frequency::Weekly => diesel::update(target)
            .set(notification_prefs::weekly_sent_at.eq(Some(at)))
            .execute(conn)?,
        _ => diesel::update(target)
            .set(notification_prefs::daily_sent_at.eq(Some(at)))
            .execute(conn)?,
    };
    Ok(())
}

pub fn digest_sent_at(
    conn: &mut DbConn,
    user_id: i64,
    f: Frequency,
) -> ApiResult<Option<NaiveDateTime>> {
    let row: Option<(Option<NaiveDateTime>, Option<NaiveDateTime>)> = notification_prefs::table
        .find(user_id)
        .select((
            notification_prefs::daily_sent_at,
            notification_prefs::weekly_sent_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(d, w)| if f == Frequency::Weekly { w } else { d }))
}

/// Records a notification for `user_id` unless this event was already notified to them.
/// Erased accounts get nothing. Returns whether one was created.
pub fn notify(
    tx: &mut Tx,
    user_id: i64,
    dedupe_key: &str,
    body: &NotificationBody,
) -> ApiResult<bool> {
    let kind = body.kind();
    let erased: Option<Option<NaiveDateTime>> = users::table
        .find(user_id)
        .select(users::erased_at)
        .first(tx.conn())
        .optional()?;
    if !matches!(erased, Some(None)) {
        return Ok(false);
    }
    let exists: bool = diesel::select(diesel::dsl::exists(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::dedupe_key.eq(dedupe_key)),
    ))
    .get_result(tx.conn())?;
    if exists {
        return Ok(false);
    }
    let f = frequency(tx, user_id, kind)?;
    let data = body.stored_data().map_err(ApiError::internal)?;
    let t = now();
    let inserted = crate::db::insert_once(tx, |c| {
        diesel::insert_into(notifications::table)
            .values((
                notifications::user_id.eq(user_id),
                notifications::kind.eq(kind.as_str()),
                notifications::dedupe_key.eq(dedupe_key),
                notifications::data.eq(&data),
                notifications::frequency.eq(f.as_str()),
                notifications::created_at.eq(t),
                // Nothing to mail when mail is off for this kind.
                notifications::emailed_at.eq((f == Frequency::Off).then_some(t)),
            ))
            .execute(c)
    })?;
    if !inserted {
        return Ok(false);
    }
    let id: i64 = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::dedupe_key.eq(dedupe_key))
        .select(notifications::id)
        .first(tx.conn())?;
    let unread = unread_count(tx, user_id)?;
    outbox::append_live_event(
        tx,
        &outbox::user_channel(user_id),
        "notification.created",
        Audience::Public,
        Some(id),
        &json!({"id": id, "kind": kind.as_str(), "unread_count": unread}),
    );
    Ok(true)
}

/// Notifies each of `users` except `actor` (nobody is told of their own act).
pub fn notify_all(
    tx: &mut Tx,
    users: impl IntoIterator<Item = i64>,
    actor: Option<i64>,
    dedupe_key: &str,
    body: &NotificationBody,
) -> ApiResult<usize> {
    let mut n = 0;
    for user in users {
        if Some(user) != actor && notify(tx, user, dedupe_key, body)? {
            n += 1;
        }
    }
    Ok(n)
}

pub fn unread_count(conn: &mut DbConn, user_id: i64) -> ApiResult<i64> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub data: String,
    pub frequency: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    pub emailed_at: Option<NaiveDateTime>,
}

pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    unread_only: bool,
    before: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<NotificationRow>> {
    let mut q = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .into_boxed();
    if unread_only {
        q = q.filter(notifications::read_at.is_null());
    }
    if let Some(b) = before {
        q = q.filter(notifications::id.lt(b));
    }
    Ok(q.order(notifications::id.desc())
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)?)
}

/// Every notification of the user, newest first (for the export).
pub fn all_of(conn: &mut DbConn, user_id: i64) -> ApiResult<Vec<NotificationRow>> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.desc())
        .select(NotificationRow::as_select())
        .load(conn)?)
}

/// Marks some (or all) of the user's notifications read; returns the unread count.
pub fn mark_read(tx: &mut Tx, user_id: i64, ids: Option<&[i64]>) -> ApiResult<i64> {
    let mine = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null());
    match ids {
        Some(ids) => diesel::update(mine.filter(notifications::id.eq_any(ids)))
            .set(notifications::read_at.eq(Some(now())))
            .execute(tx.conn())?,
        None => diesel::update(mine)
            .set(notifications::read_at.eq(Some(now())))
            .execute(tx.conn())?,
    };
    let unread = unread_count(tx, user_id)?;
    outbox::append_live_event(
        tx,
        &outbox::user_channel(user_id),
        "notification.read",
        Audience::Public,
        None,
        &json!({"unread_count": unread}),
    );
    Ok(unread)
}

/// Erasure: follows (those not yet written too), notifications, settings and
/// preferences go.
pub fn erase(tx: &mut Tx, user_id: i64) -> ApiResult<()> {
    tx.give_up_unwritten_follows(user_id, None);
    let conn = tx.conn();
    diesel::delete(follows::table.filter(follows::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(notifications::table.filter(notifications::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(notification_settings::table.filter(notification_settings::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(notification_prefs::table.find(user_id)).execute(conn)?;
    Ok(())
}

/// A comment hidden or withdrawn: the excerpts of it in others' reply notifications go
/// (the notification stays, pointing at the comment, which shows what may be seen).
pub fn scrub_comment(conn: &mut DbConn, comment_id: i64) -> ApiResult<()> {
    let rows: Vec<(i64, String)> = notifications::table
        .filter(notifications::dedupe_key.eq(format!("reply:{comment_id}")))
        .select((notifications::id, notifications::data))
        .load(conn)?;
    for (id, data) in rows {
        let mut v: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.remove("excerpt");
        }
        diesel::update(notifications::table.find(id))
            .set(notifications::data.eq(v.to_string()))
            .execute(conn)?;
    }
    Ok(())
}

/// What a reader of a notification needs to know of a comment now: its author, its
/// status (`visible`, `hidden`, `withdrawn`) and its text.
pub struct CommentNow {
    pub author_id: i64,
    pub status: String,
    pub body: String,
}

pub fn comments_now(conn: &mut DbConn, ids: &[i64]) -> ApiResult<HashMap<i64, CommentNow>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64, String, String)> = comments::table
        .filter(comments::id.eq_any(ids))
        .select((
            comments::id,
            comments::author_id,
            comments::status,
            comments::body,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, author_id, status, body)| {
            (
                id,
                CommentNow {
                    author_id,
                    status,
                    body,
                },
            )
        })
        .collect())
}

// ---- what a follow can point at, for the policy to judge ----

/// A paragraph (of any version): its consultation and its stable key.
pub fn paragraph_target(conn: &mut DbConn, paragraph_id: i64) -> ApiResult<Option<(i64, String)>> {
    Ok(paragraphs::table
        .inner_join(document_versions::table)
        .filter(paragraphs::id.eq(paragraph_id))
        .select((document_versions::consultation_id, paragraphs::key))
        .first(conn)
        .optional()?)
}

/// A comment: what it is on (a consultation or a session), its author and its status.
pub struct CommentTarget {
    pub consultation_id: Option<i64>,
    pub session_id: Option<i64>,
    pub author_id: i64,
    pub status: String,
}

pub fn comment_target(conn: &mut DbConn, comment_id: i64) -> ApiResult<Option<CommentTarget>> {
    let row: Option<(Option<i64>, Option<i64>, i64, String)> = comments::table
        .find(comment_id)
        .select((
            comments::consultation_id,
            comments::session_id,
            comments::author_id,
            comments::status,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(consultation_id, session_id, author_id, status)| CommentTarget {
            consultation_id,
            session_id,
            author_id,
            status,
        },
    ))
}

/// Whether an event is published (`None`: no such event).
pub fn event_published(conn: &mut DbConn, event_id: i64) -> ApiResult<Option<bool>> {
    Ok(events::table
        .find(event_id)
        .select(events::published)
        .first(conn)
        .optional()?)
}

/// A session's event and whether that is published (`None`: no such session).
pub fn session_event(conn: &mut DbConn, session_id: i64) -> ApiResult<Option<(i64, bool)>> {
    Ok(sessions::table
        .inner_join(events::table)
        .filter(sessions::id.eq(session_id))
        .select((events::id, events::published))
        .first(conn)
        .optional()?)
}
