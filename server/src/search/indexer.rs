//! Keeps the index in step with the database by reading the `search_jobs` log after the
//! index's own cursor. Each instance with its own index reads the whole log, so every
//! instance finds everything; a job is a hint to re-read an entity, never a payload.
//!
//! On PostgreSQL, job ids come from a sequence and transactions commit in any order, so
//! id 11 can be visible before id 10. The cursor therefore only moves over a contiguous
//! run of handled ids; a hole is waited for (it is usually a transaction about to
//! commit) and skipped after [`GAP_PATIENCE`] (it was rolled back). Jobs seen beyond the
//! cursor are remembered so they are not redone; after a restart they are, harmlessly.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use tokio::sync::watch;

use super::documents;
use super::index::{Change, SearchIndex};
use crate::db::schema::search_jobs;
use crate::db::{Db, DbConn};
use crate::error::{ApiError, ApiResult};

const BATCH: i64 = 1000;
const IDLE_POLL: Duration = Duration::from_millis(150);
/// At least this long from one commit to the next while contributions keep coming: each
/// commit writes a segment that is merged later, and committing every comment as it came
/// (100 a second) took a fifth of the server's CPU beside 10,000 live listeners. The
/// batch that waits is searchable this much later at most.
const COMMIT_SPACING: Duration = Duration::from_millis(100);
/// Past this many jobs a second (a campaign), commits are [`BUSY_COMMIT_SPACING`] apart:
/// a commit's own cost (a new segment's files, their merges) does not shrink with what
/// it holds, and at 10 commits a second it was a quarter of the server's CPU under
/// 1,900 comments a second on PostgreSQL. Search freshness under that load stays within
/// its second; a trickle keeps the short spacing. Not lower: from 50 a second, the long
/// spacing saved about 19 % of the server's CPU at 200 comments a second but took search
/// freshness to p99 332–338 ms, past its 250 ms (docs/performance.md).
const BUSY_JOBS_PER_SECOND: f64 = 1000.0;
const BUSY_COMMIT_SPACING: Duration = Duration::from_millis(300);
const GAP_PATIENCE: Duration = Duration::from_secs(30);

/// Which job ids are handled.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Every job id up to here is handled.
    pub safe: i64,
    /// The highest id read so far.
    high: i64,
    seen: BTreeSet<i64>,
    gap_since: Option<Instant>,
}

impl Progress {
    pub fn new(safe: i64) -> Progress {
        Progress {
            safe,
            high: safe,
            seen: BTreeSet::new(),
            gap_since: None,
        }
    }

    pub fn is_seen(&self, id: i64) -> bool {
        id <= self.safe || self.seen.contains(&id)
    }

    pub fn mark(&mut self, id: i64) {
        self.high = self.high.max(id);
        if id > self.safe {
            self.seen.insert(id);
        }
    }

    /// Moves `safe` over handled ids, and over a hole that stayed open for `patience`.
    pub fn advance(&mut self, now: Instant, patience: Duration) {
        loop {
            if self.seen.remove(&(self.safe + 1)) {
                self.safe += 1;
                self.gap_since = None;
                continue;
            }
            let Some(&first) = self.seen.first() else {
                self.gap_since = None;
                return;
            };
            let since = *self.gap_since.get_or_insert(now);
            if now.duration_since(since) < patience {
                return;
            }
            self.safe = first - 1;
            self.gap_since = None;
        }
    }
}

/// Rebuilds the index from every indexable row; the cursor is set only at the end, so an
/// interrupted rebuild starts again.
pub fn rebuild(db: &Db, index: &dyn SearchIndex) -> ApiResult<usize> {
    index.connect().map_err(index_error)?;
    let mut conn = db.get()?;
    let head: Option<i64> = search_jobs::table
        .select(diesel::dsl::max(search_jobs::id))
        .first(&mut **conn)?;
    index.clear().map_err(index_error)?;
    let mut count = 0;
    let mut after = 0;
    loop {
        let ids = documents::comment_ids_after(&mut conn, after, BATCH)?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let changes = documents::comments(&mut conn, &ids)?;
        count += changes.len();
        index.stage(changes).map_err(index_error)?;
    }
    let reports = documents::report_ids(&mut conn)?;
    let changes = documents::reports(&mut conn, &reports)?;
    count += changes.len();
    index
        .apply(changes, Some(head.unwrap_or(0)))
        .map_err(index_error)?;
    Ok(count)
}

fn index_error(e: super::index::IndexError) -> ApiError {
    e.into()
}

/// What one pass found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Nothing new.
    Idle,
    /// New jobs (this many), fewer than a batch: the log is read to its end.
    Partial(usize),
    /// A whole batch: more is waiting.
    Full,
}

/// One pass: handles the jobs not yet seen.
pub fn step(
    conn: &mut DbConn,
    index: &dyn SearchIndex,
    progress: &mut Progress,
) -> ApiResult<Pass> {
    let select = (search_jobs::id, search_jobs::entity, search_jobs::entity_id);
    // Late commits into holes below what was read, then what is new: reading only from
    // `safe` would stall behind a hole once a batch of seen jobs piles up after it.
    let mut jobs: Vec<(i64, String, i64)> = search_jobs::table
        .filter(search_jobs::id.gt(progress.safe))
        .filter(search_jobs::id.le(progress.high))
        .order(search_jobs::id)
        .select(select)
        .load(conn)?;
    let newer: Vec<(i64, String, i64)> = search_jobs::table
        .filter(search_jobs::id.gt(progress.high))
        .order(search_jobs::id)
        .limit(BATCH)
        .select(select)
        .load(conn)?;
    let full = newer.len() as i64 == BATCH;
    jobs.extend(newer);
    let fresh: Vec<&(i64, String, i64)> = jobs.iter().filter(|j| !progress.is_seen(j.0)).collect();
    let before = progress.safe;
    if fresh.is_empty() {
        progress.advance(Instant::now(), GAP_PATIENCE);
        if progress.safe != before {
            index
                .apply(Vec::new(), Some(progress.safe))
                .map_err(index_error)?;
        }
        return Ok(Pass::Idle);
    }
    let mut comment_ids: Vec<i64> = Vec::new();
    let mut report_ids: Vec<i64> = Vec::new();
    for (_, entity, id) in &fresh {
        match entity.as_str() {
            "comment" => comment_ids.push(*id),
            "session_report" => report_ids.push(*id),
            other => tracing::warn!(entity = other, "search job for an unknown entity"),
        }
    }
    comment_ids.sort_unstable();
    comment_ids.dedup();
    report_ids.sort_unstable();
    report_ids.dedup();
    let mut changes: Vec<Change> = documents::comments(conn, &comment_ids)?;
    changes.extend(documents::reports(conn, &report_ids)?);
    // Handled only once the index has committed them: on failure they are read again.
    let mut next = progress.clone();
    for (id, _, _) in &fresh {
        next.mark(*id);
    }
    next.advance(Instant::now(), GAP_PATIENCE);
    index.apply(changes, Some(next.safe)).map_err(index_error)?;
    *progress = next;
    Ok(if full {
        Pass::Full
    } else {
        Pass::Partial(fresh.len())
    })
}

/// Where to start reading the job log: the index's cursor, built from the database first
/// when the index is new. After a start the jobs of the last moments are read again: on
/// PostgreSQL a transaction that took a lower id may commit after the cursor was saved
/// (replaying a job is harmless).
fn built(db: &Db, index: &dyn SearchIndex) -> ApiResult<i64> {
    index.connect().map_err(index_error)?;
    if index.cursor().is_none() {
        let started = Instant::now();
        let count = rebuild(db, index)?;
        tracing::info!(
            documents = count,
            ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
    }
    let cursor = index.cursor().unwrap_or(0);
    let window = crate::db::now()
        - chrono::Duration::from_std(GAP_PATIENCE)
            .unwrap_or_else(|_| chrono::Duration::seconds(30));
    let recent: Option<i64> = search_jobs::table
        .filter(search_jobs::created_at.ge(window))
        .select(diesel::dsl::min(search_jobs::id))
        .first(&mut **db.get()?)?;
    Ok(recent.map_or(cursor, |first| cursor.min(first - 1)))
}

/// The indexer: builds the index when it is new, then follows the job log until `stop`.
pub async fn run(db: Db, index: Arc<dyn SearchIndex>, mut stop: watch::Receiver<bool>) {
    let mut progress: Option<Progress> = None;
    let mut previous = Instant::now();
    while !*stop.borrow() {
        let started = Instant::now();
        let cycle = started.duration_since(previous);
        previous = started;
        let (db2, index2, current) = (db.clone(), index.clone(), progress.take());
        let outcome = actix_web::web::block(move || {
            let mut p = match current {
                Some(p) => p,
                None => Progress::new(built(&db2, index2.as_ref())?),
            };
            let worked = db2
                .get()
                .and_then(|mut conn| step(&mut conn, index2.as_ref(), &mut p));
            Ok::<_, ApiError>((p, worked))
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))
        .and_then(|r| r);
        let pass = match outcome {
            Ok((p, worked)) => {
                progress = Some(p);
                worked.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "search indexing failed; retrying");
                    Pass::Idle
                })
            }
            Err(e) => {
                tracing::warn!(error = %e, "search index could not be built; retrying");
                Pass::Idle
            }
        };
        let wait = match pass {
            // A backlog is caught up at full speed.
            Pass::Full => Duration::ZERO,
            Pass::Partial(jobs) => spacing(jobs, cycle).saturating_sub(started.elapsed()),
            Pass::Idle if progress.is_some() => IDLE_POLL,
            Pass::Idle => Duration::from_secs(2),
        };
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

/// How long from this commit to the next, after a pass that handled `jobs` jobs come
/// over `cycle` (since the pass before it began).
fn spacing(jobs: usize, cycle: Duration) -> Duration {
    if jobs as f64 > BUSY_JOBS_PER_SECOND * cycle.as_secs_f64().max(COMMIT_SPACING.as_secs_f64()) {
        BUSY_COMMIT_SPACING
    } else {
        COMMIT_SPACING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_space_out_only_under_a_campaign() {
        let ms = Duration::from_millis;
        // A trickle, and a steady 500 a second: the short spacing.
        assert_eq!(spacing(1, ms(100)), COMMIT_SPACING);
        assert_eq!(spacing(50, ms(100)), COMMIT_SPACING);
        // 2,000 a second, whatever the cycle they came over.
        assert_eq!(spacing(200, ms(100)), BUSY_COMMIT_SPACING);
        assert_eq!(spacing(600, ms(300)), BUSY_COMMIT_SPACING);
        // Back to a trickle after a busy cycle: short again.
        assert_eq!(spacing(30, ms(300)), COMMIT_SPACING);
        // A burst right after a pass is read over the short spacing, not its own instant.
        assert_eq!(spacing(20, ms(1)), COMMIT_SPACING);
    }

    #[test]
    fn cursor_moves_over_contiguous_ids_and_waits_at_holes() {
        let t0 = Instant::now();
        let patience = Duration::from_secs(30);
        let mut p = Progress::new(5);
        p.mark(6);
        p.mark(8);
        p.advance(t0, patience);
        assert_eq!(p.safe, 6, "7 is not handled yet");
        assert!(p.is_seen(8) && !p.is_seen(7));
        // 7 commits late and is handled: the cursor moves over it and 8.
        p.mark(7);
        p.advance(t0, patience);
        assert_eq!(p.safe, 8);
        // A hole that never fills (a rolled-back transaction) is skipped after patience.
        p.mark(10);
        p.advance(t0, patience);
        assert_eq!(p.safe, 8);
        p.advance(t0 + Duration::from_secs(31), patience);
        assert_eq!(p.safe, 10);
    }
}
