//! The outbox for derived data, written in the same transaction as the change:
//! live events (with a per-channel sequence number) for the live stream, and jobs for
//! the search indexer. Their consumers read these tables; nothing is lost while a
//! consumer is down.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::schema::{channel_seqs, follows, live_events, search_jobs};
use crate::db::{now, DbConn};
use crate::error::ApiResult;
use crate::notifications::store::Target;

/// A transaction: its connection, and what it appended to the outbox, told to the live
/// hub once it commits. Store functions that only read or write rows take `&mut DbConn`
/// (a `&mut Tx` derefs to it); those with side effects take the `Tx`, so a side effect
/// cannot be written outside a transaction.
pub struct Tx<'c> {
    conn: &'c mut DbConn,
    outbox: Outbox,
    /// What the jobs before this one in its group commit appended (empty alone): read
    /// with this transaction's own, as the rows they stand for will be once written.
    earlier: Option<&'c Outbox>,
}

/// What a transaction appended to the outbox, written as its last statements, just
/// before it commits ([`write_outbox`]): in a group commit, the whole group's at once.
/// Each of a comment's statements is a round trip on PostgreSQL, and its search job and
/// its follows were two of the four in the writer's lane: appended here, a group's
/// jobs are one insert and its follows another.
#[derive(Default)]
pub(crate) struct Outbox {
    events: Vec<LiveEvent>,
    search_jobs: Vec<SearchJob>,
    follows: Vec<(i64, Target)>,
    /// Follows given up in this transaction (unfollowed, or all of a person's at their
    /// erasure), which the earlier jobs of its group may have appended.
    given_up: Vec<GivenUp>,
}

/// What an [`Outbox`] held when [`Outbox::mark`] was called.
pub(crate) struct Mark {
    events: usize,
    search_jobs: usize,
    follows: Vec<(i64, Target)>,
}

/// A person's follow given up: of one target, or (`None`) every one.
type GivenUp = (i64, Option<Target>);

/// Whether `follow` is among those given up.
fn given_up(given_up: &[GivenUp], (user_id, target): &(i64, Target)) -> bool {
    given_up
        .iter()
        .any(|(u, t)| u == user_id && t.as_ref().is_none_or(|t| t == target))
}

impl Outbox {
    /// Adds what another transaction (a job of the same group, after those already
    /// here) appended, less the follows it gave up.
    pub(crate) fn extend(&mut self, other: Outbox) {
        self.events.extend(other.events);
        self.search_jobs.extend(other.search_jobs);
        if !other.given_up.is_empty() {
            self.follows.retain(|f| !given_up(&other.given_up, f));
        }
        self.follows.extend(other.follows);
    }

    /// Where the outbox stands, to go back to with [`Outbox::restore`]: the jobs of a
    /// group that ran without a savepoint of their own are undone together when one of
    /// them fails (see `db::Work::Again`). The follows are copied whole: a later job's
    /// giving up removes from them, where the rest is only ever appended to. (A group's
    /// own `given_up` stays empty: `extend` applies a job's at once.)
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            events: self.events.len(),
            search_jobs: self.search_jobs.len(),
            follows: self.follows.clone(),
        }
    }

    /// Drops what was appended since `mark` was taken.
    pub(crate) fn restore(&mut self, mark: Mark) {
        self.events.truncate(mark.events);
        self.search_jobs.truncate(mark.search_jobs);
        self.follows = mark.follows;
    }

    /// Who follows one of `targets` by a follow appended here, not yet written and not
    /// among those `gone`.
    fn followers_of<'a>(
        &'a self,
        targets: &'a [Target],
        gone: &'a [GivenUp],
    ) -> impl Iterator<Item = i64> + 'a {
        self.follows
            .iter()
            .filter(move |f| targets.contains(&f.1) && !given_up(gone, f))
            .map(|(user_id, _)| *user_id)
    }
}

/// (Re)indexing of an entity, queued in a transaction.
struct SearchJob {
    entity: &'static str,
    entity_id: i64,
    action: &'static str,
}

/// A live event appended in a transaction, written to the log just before it commits
/// (see [`write_outbox`]).
pub(crate) struct LiveEvent {
    channel: String,
    kind: String,
    audience: Audience,
    subject_id: Option<i64>,
    data: String,
}

impl<'c> Tx<'c> {
    pub(crate) fn new(conn: &'c mut DbConn) -> Tx<'c> {
        Tx {
            conn,
            outbox: Outbox::default(),
            earlier: None,
        }
    }

    /// A transaction that is one job of a group commit, after those that appended
    /// `earlier`.
    pub(crate) fn after(conn: &'c mut DbConn, earlier: &'c Outbox) -> Tx<'c> {
        Tx {
            conn,
            outbox: Outbox::default(),
            earlier: Some(earlier),
        }
    }

    /// `user_id` follows each of `targets` (a follow already there is left as it is),
    /// written with the rest of the outbox.
    pub fn follow_all(&mut self, user_id: i64, targets: Vec<Target>) {
        self.outbox
            .follows
            .extend(targets.into_iter().map(|t| (user_id, t)));
    }

    /// Who follows one of `targets` by a follow appended in this transaction, or in an
    /// earlier job of its group (and not given up since), and not yet written.
    pub fn unwritten_followers(&self, targets: &[Target]) -> Vec<i64> {
        // This transaction's own given up follows are already out of its `follows`.
        let gone = &self.outbox.given_up;
        let earlier = self
            .earlier
            .into_iter()
            .flat_map(|o| o.followers_of(targets, gone));
        earlier
            .chain(self.outbox.followers_of(targets, &[]))
            .collect()
    }

    /// Gives up `user_id`'s follows not yet written, of `target` or (`None`) of every
    /// target: those appended in this transaction, and those of the earlier jobs of its
    /// group when it commits. (The written ones are deleted by the caller.)
    pub fn give_up_unwritten_follows(&mut self, user_id: i64, target: Option<&Target>) {
        let gone = [(user_id, target.cloned())];
        self.outbox.follows.retain(|f| !given_up(&gone, f));
        self.outbox.given_up.extend(gone);
    }

    /// The connection, for diesel's generic calls (`.execute(tx.conn())`).
    pub fn conn(&mut self) -> &mut DbConn {
        self.conn
    }

    /// Appends a live event to `channel`, in this transaction.
    pub fn live(&mut self, channel: &str, change: Change) {
        let data = match serde_json::to_value(&change) {
            Ok(Value::Object(mut o)) => o.remove("data").unwrap_or(Value::Null),
            _ => Value::Null,
        };
        append_live_event(
            self,
            channel,
            change.kind(),
            change.audience(),
            change.comment_id(),
            &data,
        )
    }

    /// What was appended, in order, for [`write_outbox`].
    pub(crate) fn into_outbox(self) -> Outbox {
        self.outbox
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        self.conn
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConn {
        self.conn
    }
}

/// What happened, as the live event log keeps it: ids and the change, never people or
/// texts. Names, organisations, texts and visibility are read from the current rows
/// when an event is read for a listener (`live::render`), so an erasure or a hide
/// reaches replay, long-poll and WebSocket at once.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Change {
    #[serde(rename = "comment.created")]
    CommentCreated { comment_id: i64 },
    #[serde(rename = "comment.updated")]
    CommentUpdated { comment_id: i64 },
    #[serde(rename = "comment.endorsed")]
    CommentEndorsed {
        comment_id: i64,
        endorsement_count: i64,
    },
    /// For moderators only.
    #[serde(rename = "comment.flagged")]
    CommentFlagged { comment_id: i64, flag_id: i64 },
    #[serde(rename = "comment.hidden")]
    CommentHidden { comment_id: i64, log_id: i64 },
    #[serde(rename = "comment.withdrawn")]
    CommentWithdrawn { comment_id: i64 },
    #[serde(rename = "question.upvoted")]
    QuestionUpvoted { comment_id: i64, upvote_count: i64 },
    /// The speaking queue of a session changed (who waits is read when sent).
    #[serde(rename = "queue.updated")]
    QueueUpdated { session_id: i64 },
    /// A session moved (its speakers are read, as the public sees them, when sent).
    #[serde(rename = "session.updated")]
    SessionUpdated { session_id: i64 },
}

impl Change {
    /// The event's type, as stored and as sent.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::CommentCreated { .. } => "comment.created",
            Change::CommentUpdated { .. } => "comment.updated",
            Change::CommentEndorsed { .. } => "comment.endorsed",
            Change::CommentFlagged { .. } => "comment.flagged",
            Change::CommentHidden { .. } => "comment.hidden",
            Change::CommentWithdrawn { .. } => "comment.withdrawn",
            Change::QuestionUpvoted { .. } => "question.upvoted",
            Change::QueueUpdated { .. } => "queue.updated",
            Change::SessionUpdated { .. } => "session.updated",
        }
    }

    /// The contribution it is about.
    pub fn comment_id(&self) -> Option<i64> {
        match self {
            Change::CommentCreated { comment_id }
            | Change::CommentUpdated { comment_id }
            | Change::CommentEndorsed { comment_id, .. }
            | Change::CommentFlagged { comment_id, .. }
            | Change::CommentHidden { comment_id, .. }
            | Change::CommentWithdrawn { comment_id }
            | Change::QuestionUpvoted { comment_id, .. } => Some(*comment_id),
            Change::QueueUpdated { .. } | Change::SessionUpdated { .. } => None,
        }
    }

    fn audience(&self) -> Audience {
        match self {
            Change::CommentFlagged { .. } => Audience::Moderators,
            _ => Audience::Public,
        }
    }

    /// Reads a stored event back (kind and data as written by [`Tx::live`]).
    pub fn parse(kind: &str, data: &str) -> Option<Change> {
        let data: Value = serde_json::from_str(data).ok()?;
        serde_json::from_value(serde_json::json!({"type": kind, "data": data})).ok()
    }
}

/// Who may receive a live event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    /// Moderators and co-facilitators only (hidden content, moderation acts).
    Moderators,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Moderators => "moderators",
        }
    }
}

pub fn consultation_channel(id: i64) -> String {
    format!("consultation:{id}")
}

pub fn session_channel(id: i64) -> String {
    format!("session:{id}")
}

/// A user's own channel (notifications); only that user may listen.
pub fn user_channel(id: i64) -> String {
    format!("user:{id}")
}

/// Creates a channel's sequence counter; call in the transaction that creates its subject.
pub fn create_channel(conn: &mut DbConn, channel: &str) -> ApiResult<()> {
    diesel::insert_into(channel_seqs::table)
        .values((
            channel_seqs::channel.eq(channel),
            channel_seqs::last_seq.eq(0i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// Appends an event to `channel`. It is written, with its sequence number, when the
/// transaction is about to commit ([`write_outbox`]).
pub fn append_live_event(
    tx: &mut Tx,
    channel: &str,
    kind: &str,
    audience: Audience,
    subject_id: Option<i64>,
    data: &Value,
) {
    tx.outbox.events.push(LiveEvent {
        channel: channel.to_owned(),
        kind: kind.to_owned(),
        audience,
        subject_id,
        data: without_nulls(data).to_string(),
    });
}

/// Writes a transaction's outbox (of one request, or of a whole group commit) as its
/// last statements: the search jobs, in one insert, the follows in another, then the
/// live events; returns the channels written to, each once (for the hub, after the
/// commit).
pub(crate) fn write_outbox(conn: &mut DbConn, outbox: Outbox) -> ApiResult<Vec<String>> {
    // What was given up is already out of `follows`.
    let Outbox {
        events,
        search_jobs,
        follows,
        given_up: _,
    } = outbox;
    let t = now();
    write_search_jobs(conn, &search_jobs, t)?;
    write_follows(conn, follows, t)?;
    write_events(conn, events, t)
}

/// Inserts `rows` into `table` on either backend, in pieces (a statement takes at most
/// 32,766 parameters on SQLite), optionally `on_conflict_do_nothing`.
macro_rules! insert_in_pieces {
    ($conn:expr, $table:expr, $rows:expr $(, $on_conflict:ident)?) => {
        for rows in $rows.chunks(INSERT_ROWS) {
            match &mut *$conn {
                DbConn::Sqlite(c) => diesel::insert_into($table)
                    .values(rows)
                    $(.$on_conflict())?
                    .execute(c)?,
                DbConn::Postgres(c) => diesel::insert_into($table)
                    .values(rows)
                    $(.$on_conflict())?
                    .execute(c)?,
            };
        }
    };
}

fn write_search_jobs(conn: &mut DbConn, jobs: &[SearchJob], t: NaiveDateTime) -> ApiResult<()> {
    let rows: Vec<_> = jobs
        .iter()
        .map(|j| {
            (
                search_jobs::entity.eq(j.entity),
                search_jobs::entity_id.eq(j.entity_id),
                search_jobs::action.eq(j.action),
                search_jobs::created_at.eq(t),
            )
        })
        .collect();
    insert_in_pieces!(conn, search_jobs::table, rows);
    Ok(())
}

/// A follow already there, or written meanwhile by another transaction, is left as it
/// is.
fn write_follows(
    conn: &mut DbConn,
    mut follows: Vec<(i64, Target)>,
    t: NaiveDateTime,
) -> ApiResult<()> {
    // In one order, so that two groups inserting the same follows take their locks
    // alike, and each once.
    follows.sort_by(|(a, s), (b, t)| {
        (a, s.kind.as_str(), s.id, &s.key).cmp(&(b, t.kind.as_str(), t.id, &t.key))
    });
    follows.dedup();
    let rows: Vec<_> = follows
        .iter()
        .map(|(user_id, target)| {
            (
                follows::user_id.eq(user_id),
                follows::target_type.eq(target.kind.as_str()),
                follows::target_id.eq(target.id),
                follows::target_key.eq(&target.key),
                follows::created_at.eq(t),
            )
        })
        .collect();
    insert_in_pieces!(conn, follows::table, rows, on_conflict_do_nothing);
    Ok(())
}

/// Each channel's counter row is updated once, so its sequence numbers are gap-free
/// and strictly increasing in commit order: the row lock serialises writers on
/// PostgreSQL (SQLite has one writer). That lock is held until the commit, so it is
/// taken last, never while the request still reads and renders; and channels are
/// taken in name order, so two transactions cannot each hold a channel the other waits
/// for.
fn write_events(
    conn: &mut DbConn,
    mut events: Vec<LiveEvent>,
    t: NaiveDateTime,
) -> ApiResult<Vec<String>> {
    // Stable: a channel's events keep their order.
    events.sort_by(|a, b| a.channel.cmp(&b.channel));
    let mut channels = Vec::new();
    for group in events.chunk_by(|a, b| a.channel == b.channel) {
        let channel = &group[0].channel;
        let n = group.len() as i64;
        let last: i64 = diesel::update(channel_seqs::table.find(channel))
            .set(channel_seqs::last_seq.eq(channel_seqs::last_seq + n))
            .returning(channel_seqs::last_seq)
            .get_result(conn)?;
        let rows: Vec<_> = group
            .iter()
            .zip(last - n + 1..)
            .map(|(e, seq)| {
                (
                    live_events::channel.eq(&e.channel),
                    live_events::seq.eq(seq),
                    live_events::kind.eq(&e.kind),
                    live_events::audience.eq(e.audience.as_str()),
                    live_events::subject_id.eq(e.subject_id),
                    live_events::data.eq(&e.data),
                    live_events::created_at.eq(t),
                )
            })
            .collect();
        insert_in_pieces!(conn, live_events::table, rows);
        // Other instances hear of it through NOTIFY, which PostgreSQL delivers at commit;
        // this instance hears of it from `Db` once committed.
        if let DbConn::Postgres(c) = conn {
            diesel::sql_query("SELECT pg_notify('indaba_live', $1)")
                .bind::<diesel::sql_types::Text, _>(channel)
                .execute(c)?;
        }
        channels.push(channel.clone());
    }
    Ok(channels)
}

/// Rows in one insert statement, at most.
const INSERT_ROWS: usize = 1000;

/// The event's data with null members left out, at every depth. Each event is sent to
/// every listener of its channel, so its bytes are multiplied by thousands: a new
/// comment's nulls (no paragraph, parent, amendment, edit…) were a fifth of its frame.
/// Clients read a missing member as null; the REST resources keep their nulls.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Queues (re)indexing of an entity (`comment`, `session_report`); `delete` removes it.
/// Written with the rest of the outbox, as the transaction's last statements.
pub fn queue_search_job(tx: &mut Tx, entity: &'static str, entity_id: i64, action: &'static str) {
    tx.outbox.search_jobs.push(SearchJob {
        entity,
        entity_id,
        action,
    });
}

/// Re-indexes every consultation contribution of an author (their group, region or
/// country changed, or they were erased).
pub fn queue_search_jobs_of_author(tx: &mut Tx, author_id: i64) -> ApiResult<()> {
    use crate::db::schema::comments;
    let ids: Vec<i64> = comments::table
        .filter(comments::author_id.eq(author_id))
        .filter(comments::consultation_id.is_not_null())
        .select(comments::id)
        .load(tx.conn())?;
    for id in ids {
        queue_search_job(tx, "comment", id, "upsert");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{without_nulls, Outbox};
    use crate::notifications::store::Target;
    use crate::notifications::types::TargetType;
    use serde_json::json;

    fn follows(o: &Outbox) -> Vec<(i64, i64)> {
        o.follows.iter().map(|(u, t)| (*u, t.id)).collect()
    }

    #[test]
    fn a_later_job_of_the_group_gives_up_the_earlier_ones_unwritten_follows() {
        let thread = |id| Target::of(TargetType::Comment, id);
        let mut group = Outbox::default();
        // Two people's comments: each follows its thread and the one it replied in.
        group.extend(Outbox {
            follows: vec![(1, thread(10)), (1, thread(11)), (2, thread(12))],
            ..Outbox::default()
        });
        // Then person 1 unfollows thread 11 …
        group.extend(Outbox {
            given_up: vec![(1, Some(thread(11)))],
            ..Outbox::default()
        });
        assert_eq!(follows(&group), [(1, 10), (2, 12)]);
        // … and is erased, after a comment of theirs (this job's own follows were
        // given up as it went: `Tx::give_up_unwritten_follows`).
        group.extend(Outbox {
            given_up: vec![(1, None)],
            ..Outbox::default()
        });
        assert_eq!(follows(&group), [(2, 12)]);
        // A follow appended after the giving up stays.
        group.extend(Outbox {
            follows: vec![(1, thread(13))],
            ..Outbox::default()
        });
        assert_eq!(follows(&group), [(2, 12), (1, 13)]);
    }

    #[test]
    fn nulls_are_left_out_at_every_depth_and_other_values_kept() {
        let data = json!({
            "id": 7, "parent_id": null, "anonymous": false, "count": 0, "body": "",
            "author": {"id": 3, "organization": null},
            "waiting": [{"name": "a", "note": null}, null],
        });
        assert_eq!(
            without_nulls(&data),
            json!({
                "id": 7, "anonymous": false, "count": 0, "body": "",
                "author": {"id": 3},
                "waiting": [{"name": "a"}, null],
            })
        );
    }
}
