//! Storage: one diesel model over SQLite (embedded default) and PostgreSQL.

pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseUrl;
use crate::error::{ApiError, ApiResult, ErrorCode};
pub use crate::outbox::Tx;
use crate::outbox::{write_outbox, Mark, Outbox};

/// `per_backend!(conn, |c| body)`: runs `body` with `c` bound to the backend's own
/// connection, the body written once and compiled for each backend. For statements the
/// enum cannot build (`ON CONFLICT`, `RETURNING` a whole row), and for those on every
/// comment's path: through `DbConn`, diesel writes a statement's SQL text out again at
/// every execution, where on its own connection the prepared statement is found by the
/// query's type.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// One connection type for both backends. Queries written against it run on either.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens connections for the pool, choosing the backend from the URL rather than
/// by trial (a SQLite path would otherwise be tried as a PostgreSQL conninfo).
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = open_sqlite(path).map_err(r2d2::Error::ConnectionError)?;
                // Per connection: WAL for concurrent readers, a busy timeout instead of
                // immediate "database is locked", and foreign keys (off by default in SQLite).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// How long a connection that last answered is taken as sound without asking: the
/// `SELECT 1` that r2d2 sends at every checkout was one round trip in ten of a posted
/// comment on PostgreSQL. A crash of the server costs the requests already on such
/// connections a 503, as a crash between the check and the use would; the first to meet
/// it makes every connection suspect ([`OUTAGES`]).
const ANSWERED_WITHIN: Duration = Duration::from_secs(1);

/// Bumped when any use finds the database out of reach: every connection that answered
/// before is then suspect, so that after a crash only the requests already on their way
/// fail, not each connection's next one.
static OUTAGES: AtomicU64 = AtomicU64::new(0);

/// A connection with when it last answered (`None`: its last use failed), so that only
/// one that idled a while, or whose last use failed, or that answered before the last
/// outage seen, is checked before use.
pub struct Pooled {
    conn: DbConn,
    answered: Option<Instant>,
    outages: u64,
}

impl Pooled {
    fn new(conn: DbConn) -> Pooled {
        Pooled {
            conn,
            answered: Some(Instant::now()),
            outages: OUTAGES.load(Ordering::Relaxed),
        }
    }

    /// Whether it is worth a `SELECT 1` before use.
    fn suspect(&self) -> bool {
        self.outages != OUTAGES.load(Ordering::Relaxed)
            || self
                .answered
                .is_none_or(|at| at.elapsed() >= ANSWERED_WITHIN)
    }

    /// Records how its last use went.
    fn used<T>(&mut self, out: &ApiResult<T>) {
        if matches!(out, Err(e) if e.code == ErrorCode::Unavailable) {
            OUTAGES.fetch_add(1, Ordering::Relaxed);
        }
        self.answered = out.is_ok().then(Instant::now);
        self.outages = OUTAGES.load(Ordering::Relaxed);
    }
}

impl std::ops::Deref for Pooled {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// The pool's connections: [`Manager`]'s, checked at checkout only when suspect.
pub struct PoolManager(Manager);

impl ManageConnection for PoolManager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        self.0.connect().map(Pooled::new)
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), r2d2::Error> {
        if conn.suspect() {
            self.0.is_valid(&mut conn.conn)?;
            conn.used(&Ok(()));
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        self.0.has_broken(&mut conn.conn)
    }
}

pub type Pool = r2d2::Pool<PoolManager>;

/// Opens a SQLite connection with statements planned once, not at every execution.
///
/// SQLite (3.53) looks at the value bound to `LIMIT ?` while planning a statement, and
/// then marks the statement to be planned again whenever that value is bound anew.
/// Diesel binds every limit and rebinds at every execution, so each `.first()` and each
/// page of a listing was parsed and planned again: 8% of the database threads' time under
/// a stream of comments. The query planner stability guarantee (QPSG) stops SQLite from
/// looking at bound values; no plan here depends on them (nothing runs ANALYZE).
fn open_sqlite(path: &std::path::Path) -> diesel::ConnectionResult<SqliteConnection> {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    // SAFETY: registers a plain function, run by SQLite on each connection it opens.
    REGISTER.call_once(|| unsafe {
        libsqlite3_sys::sqlite3_auto_extension(Some(plan_once));
    });
    SqliteConnection::establish(&path.to_string_lossy())
}

/// Run by SQLite as each connection opens (an "auto extension").
unsafe extern "C" fn plan_once(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut std::ffi::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    // SAFETY: `db` is the connection SQLite is opening; the option takes an int to set
    // and an optional pointer to report the new value back (none here).
    unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        );
    }
    libsqlite3_sys::SQLITE_OK
}

/// The database handle shared by handlers and workers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    pub backend: Backend,
    /// Where requests' write transactions queue to be committed together.
    writer: Arc<Writer>,
    /// Told, after each commit, which live channels the transaction appended to.
    on_commit: Arc<std::sync::OnceLock<CommitHook>>,
}

/// Requests' write transactions queue here and are committed in groups, on the
/// writer's own connections (its lanes), outside the pool. A request waiting to write
/// holds no pooled connection (nor, from [`Db::tx`], a thread).
///
/// SQLite allows one writer at a time: it has one lane, first come first served, rather
/// than fail with SQLITE_BUSY when a deferred transaction upgrades; reads, on the pool,
/// never wait for it (WAL lets them read the last commit meanwhile). PostgreSQL has a
/// few lanes, side by side: every transaction that appends to a channel holds that
/// channel's counter row until it commits, so one transaction per comment serialises a
/// busy consultation's comments on their commits (441 a second, below SQLite); one
/// transaction per group takes it once for the group.
struct Writer {
    /// One permit per lane.
    lanes: Arc<tokio::sync::Semaphore>,
    /// The lanes' connections not in use, opened when first needed and again after one
    /// failed.
    idle: std::sync::Mutex<Vec<Pooled>>,
    manager: Manager,
    /// Whether an idle connection is checked before a batch: a server (PostgreSQL) may
    /// have closed it meanwhile; SQLite's file cannot.
    check_idle: bool,
    /// Write transactions from [`Db::tx`] waiting for a lane (group commit).
    queue: std::sync::Mutex<Vec<Job>>,
}

/// At most this many jobs in one transaction (the rest wait for the next): bounds the
/// batch's time, and its outbox's inserts (`outbox::write_outbox`).
const MAX_BATCH: usize = 500;

/// PostgreSQL's lanes: while one group commits, the others run their jobs. Measured on
/// the 2-core machine (docs/performance.md): with a comment's ten statements, 1 lane took
/// 832 comments/s, 2 took 1,864 and 4 took 1,854; with its five (one read on the pool,
/// four in the lane), 2 took 2,411–2,532 and 4 took 2,717. With its three (the read and
/// the insert in the lane, its search job and follows in the group's outbox), 2, 3 and 4
/// lanes take the same, 3,000–3,325, and 2 at the least CPU a comment (bigger groups).
/// With its two (no savepoint a comment, `Work::Again`), 3 lanes again took the same as
/// 2 under liveload. Every lane more is one more batch holding rows locked until its
/// commit, which two batches can meet on (see `ApiError::collided`).
const POSTGRES_LANES: usize = 2;

/// A write transaction waiting for a lane. Whichever waiter takes a lane next runs
/// every job waiting then in one transaction (group commit): one commit for many
/// requests, and a job that fails rolls back alone.
struct Job {
    state: Arc<std::sync::atomic::AtomicU8>,
    work: Work,
}

/// A job's work, run on the batch's connection, adding what it appended to the outbox
/// (written once all jobs have run, before the commit). Whether it succeeded comes back
/// with its [`Finish`].
enum Work {
    /// Runs once, in a savepoint of its own, rolled back to when it fails.
    Once(RunOnce),
    /// Can run again: jobs of this kind next to each other share one savepoint, taken
    /// before the first. When one fails, all of them since are rolled back, and those
    /// before it run again, each in a savepoint of its own. On PostgreSQL a savepoint
    /// is a round trip (it was one of the three a comment took in the lane), and a
    /// comment seldom fails once judged.
    Again(RunAgain),
}

type RunOnce = Box<dyn FnOnce(&mut DbConn, &mut Outbox) -> (Finish, bool) + Send>;
type RunAgain = Box<dyn FnMut(&mut DbConn, &mut Outbox) -> (Finish, bool) + Send>;

/// Tells a job's waiter its answer once the batch's commit is known: its own result,
/// or the commit's failure (then nothing of it was written).
type Finish = Box<dyn FnOnce(Option<&ApiError>) + Send>;

/// A job's state: waiting, taken into a batch, or given up by its waiter (never run).
const WAITING: u8 = 0;
const TAKEN: u8 = 1;
const GIVEN_UP: u8 = 2;

/// How long a request waits for a lane before it answers 503 (lanes are held for
/// writes only, so the queue moves in milliseconds; this bounds the wait when another
/// process holds SQLite's lock).
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// A lane, taken; given back when dropped.
type Turn = tokio::sync::OwnedSemaphorePermit;

impl Writer {
    fn new(manager: Manager, lanes: usize, check_idle: bool) -> Writer {
        Writer {
            lanes: Arc::new(tokio::sync::Semaphore::new(lanes)),
            idle: std::sync::Mutex::new(Vec::new()),
            manager,
            check_idle,
            queue: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// A lane for code off the async workers (workers, the command line): waits on its
    /// own thread. On SQLite it writes alone (async requests queue as jobs).
    fn turn_blocking(&self) -> ApiResult<Turn> {
        block_on(self.lanes.clone().acquire_owned()).map_err(ApiError::internal)
    }

    /// An idle lane's connection, out of its slot for the turn's use (should the turn
    /// panic, it closes, rolling back, as the stack unwinds); opened again when the last
    /// one failed (503 when it cannot be).
    fn take_conn(&self, _turn: &Turn) -> ApiResult<DbConn> {
        // Checked on PostgreSQL when it idled a while, as the pool checks its own: one
        // that idled through a restart would fail the whole batch at its BEGIN.
        let idle = self
            .idle
            .lock()
            .ok()
            .and_then(|mut idle| idle.pop())
            .and_then(|mut idle| {
                let sound = !self.check_idle || !idle.suspect() || usable(&mut idle);
                sound.then_some(idle.conn)
            });
        match idle {
            Some(conn) => Ok(conn),
            None => self.manager.connect().map_err(|e| {
                tracing::error!(error = %e, "cannot open the database's writer");
                ApiError::new(ErrorCode::Unavailable, "the database is unavailable")
            }),
        }
    }

    /// Gives a lane's connection back after use, unless its transaction failed and left
    /// it unusable.
    fn put_back(&self, mut conn: DbConn, ok: bool) {
        if ok || usable(&mut conn) {
            if let Ok(mut idle) = self.idle.lock() {
                idle.push(Pooled::new(conn));
            }
        }
    }
}

/// 503: the database cannot take the write now.
fn busy() -> ApiError {
    let mut e = ApiError::new(
        ErrorCode::Unavailable,
        "the database is busy: retry shortly",
    );
    e.retry_after = Some(1);
    e
}

/// Runs a future to completion on this thread (parked while it waits). For the writer's
/// queue from blocking code, which may itself run inside a worker's runtime: tokio's own
/// `blocking_lock` refuses to run there.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

pub type CommitHook = Box<dyn Fn(Vec<String>) + Send + Sync>;

/// Runs blocking database work on the blocking thread pool, in the caller's tracing span.
async fn off_the_workers<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _entered = span.enter();
        f()
    })
    .await?
}

impl Db {
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<Self, String> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
        }
        if let DatabaseUrl::Sqlite(path) = url {
            // WAL is a property of the file: set it once, before the pool opens
            // connections side by side (which would otherwise race for the lock).
            let mut conn =
                open_sqlite(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
                .map_err(|e| format!("cannot set WAL mode on {}: {e}", path.display()))?;
        }
        let backend = if url.is_postgres() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(pool_size.min(2)))
            .connection_timeout(Duration::from_secs(10))
            .build(PoolManager(Manager { url: url.clone() }))
            .map_err(|e| format!("cannot open the database: {e}"))?;
        let lanes = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => POSTGRES_LANES,
        };
        let writer = Arc::new(Writer::new(
            Manager { url: url.clone() },
            lanes,
            backend == Backend::Postgres,
        ));
        Ok(Self {
            pool,
            backend,
            writer,
            on_commit: Arc::new(std::sync::OnceLock::new()),
        })
    }

    /// A pooled connection for blocking code (CLI, workers already off the async threads).
    pub fn get(&self) -> ApiResult<r2d2::PooledConnection<PoolManager>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` on a pooled connection on the blocking thread pool, keeping the tracing span.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        off_the_workers(move || {
            let mut conn = pool.get()?;
            let out = f(&mut conn);
            conn.used(&out);
            out
        })
        .await
    }

    /// Runs `f` in one transaction (rolled back on error). It queues for a lane, on this
    /// task (holding neither a connection nor a thread meanwhile), and is committed
    /// together with the others waiting then (see [`Job`]).
    pub async fn tx<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx) -> ApiResult<T> + Send + 'static,
    {
        let (send, answer) = tokio::sync::oneshot::channel::<ApiResult<T>>();
        let span = tracing::Span::current();
        let run = move |conn: &mut DbConn, outbox: &mut Outbox| -> (Finish, bool) {
            let _entered = span.enter();
            let (result, ok) = run_job(conn, outbox, f);
            let finish: Finish = Box::new(move |failed: Option<&ApiError>| {
                let _ = send.send(answer_of(result, failed));
            });
            (finish, ok)
        };
        self.queue(Work::Once(Box::new(run)), answer).await
    }

    /// [`Db::tx`] for a transaction that can run again, which its group commit then
    /// need not give a savepoint of its own (see [`Work::Again`]): posting a comment.
    pub async fn tx_again<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&mut Tx) -> ApiResult<T> + Send + 'static,
    {
        let (send, answer) = tokio::sync::oneshot::channel::<ApiResult<T>>();
        // Taken by the Finish of the run that counts; one of a run undone is dropped.
        let send = Arc::new(std::sync::Mutex::new(Some(send)));
        let span = tracing::Span::current();
        let run = move |conn: &mut DbConn, outbox: &mut Outbox| -> (Finish, bool) {
            let _entered = span.enter();
            let (result, ok) = run_job(conn, outbox, &f);
            let send = send.clone();
            let finish: Finish = Box::new(move |failed: Option<&ApiError>| {
                if let Some(send) = send.lock().ok().and_then(|mut s| s.take()) {
                    let _ = send.send(answer_of(result, failed));
                }
            });
            (finish, ok)
        };
        self.queue(Work::Again(Box::new(run)), answer).await
    }

    /// Queues `work` for a lane and waits for its answer, on this task (holding neither
    /// a connection nor a thread meanwhile).
    async fn queue<T>(
        &self,
        work: Work,
        mut answer: tokio::sync::oneshot::Receiver<ApiResult<T>>,
    ) -> ApiResult<T> {
        let writer = self.writer.clone();
        let state = Arc::new(std::sync::atomic::AtomicU8::new(WAITING));
        writer
            .queue
            .lock()
            .map_err(|_| ApiError::internal("the writer's queue is poisoned"))?
            .push(Job {
                state: state.clone(),
                work,
            });
        // A dropped answer: the batch could not open the writer or take its lock (the
        // database busy past its timeout), or a job panicked (the connection closed,
        // rolling back the whole batch). Nothing of it was written: 503, retry.
        let lost = |_| busy();
        let deadline = tokio::time::sleep(WRITER_WAIT);
        tokio::pin!(deadline);
        loop {
            use std::sync::atomic::Ordering::SeqCst;
            // Taken into another lane's batch: its answer comes with that commit, and
            // taking a lane meanwhile would only run empty batches.
            if state.load(SeqCst) == TAKEN {
                return answer.await.unwrap_or_else(|e| Err(lost(e)));
            }
            tokio::select! {
                biased;
                done = &mut answer => return done.unwrap_or_else(|e| Err(lost(e))),
                Ok(turn) = writer.lanes.clone().acquire_owned() => {
                    // This waiter leads the next batch, which holds its own job unless
                    // an earlier batch took it.
                    let (this, w) = (self.clone(), writer.clone());
                    // A batch that failed told its jobs' waiters (this one's too, when
                    // its job was in it): the loop reads the answer.
                    if let Err(e) = off_the_workers(move || this.run_batch(&w, turn)).await {
                        tracing::warn!(error = %e, "a write batch failed");
                    }
                }
                _ = &mut deadline => {
                    if state.compare_exchange(WAITING, GIVEN_UP, SeqCst, SeqCst).is_ok() {
                        tracing::warn!("waited {WRITER_WAIT:?} for the database's writer");
                        return Err(busy());
                    }
                    // Taken into a batch already: its answer comes with the commit.
                    return answer.await.unwrap_or_else(|e| Err(lost(e)));
                }
            }
        }
    }

    /// Runs the jobs waiting for a lane in one transaction, on the lane's connection
    /// (its turn taken), then tells each its answer and the hub the channels.
    fn run_batch(&self, writer: &Writer, turn: Turn) -> ApiResult<()> {
        use std::sync::atomic::Ordering::SeqCst;
        // The connection first: when it cannot be had, the jobs stay queued for the
        // next lane (or their waiters' 503).
        let mut conn = writer.take_conn(&turn)?;
        let jobs: Vec<Job> = {
            let mut queue = writer
                .queue
                .lock()
                .map_err(|_| ApiError::internal("the writer's queue is poisoned"))?;
            let n = queue.len().min(MAX_BATCH);
            queue
                .drain(..n)
                .filter(|j| {
                    j.state
                        .compare_exchange(WAITING, TAKEN, SeqCst, SeqCst)
                        .is_ok()
                })
                .collect()
        };
        if jobs.is_empty() {
            writer.put_back(conn, true);
            return Ok(());
        }
        let sqlite = self.backend == Backend::Sqlite;
        let mut finishes: Vec<Finish> = Vec::with_capacity(jobs.len());
        let committed = conn.transaction(|c| {
            if sqlite {
                take_write_lock(c)?;
            }
            let mut batch = Batch {
                outbox: Outbox::default(),
                finishes: &mut finishes,
                saved: false,
                run: None,
            };
            for job in jobs {
                match job.work {
                    Work::Once(work) => batch.once(c, work)?,
                    Work::Again(work) => batch.again(c, work)?,
                }
            }
            write_outbox(c, batch.outbox)
        });
        writer.put_back(conn, committed.is_ok());
        for finish in finishes {
            finish(committed.as_ref().err());
        }
        // Answered first: their waiters then read the answer instead of taking the lane
        // for an empty batch.
        drop(turn);
        if let (Ok(channels), Some(hook)) = (committed, self.on_commit.get()) {
            if !channels.is_empty() {
                hook(channels);
            }
        }
        Ok(())
    }

    /// The blocking form of [`Db::tx`], for code already off the async workers: on
    /// SQLite it takes the writer's lane alone, on PostgreSQL a pooled connection.
    pub fn tx_blocking<T>(&self, f: impl FnOnce(&mut Tx) -> ApiResult<T>) -> ApiResult<T> {
        let mut channels = Vec::new();
        let result = match self.backend {
            Backend::Sqlite => {
                let turn = self.writer.turn_blocking()?;
                let mut conn = self.writer.take_conn(&turn)?;
                let result = transaction(&mut conn, true, &mut channels, f);
                self.writer.put_back(conn, result.is_ok());
                result
            }
            Backend::Postgres => {
                let mut conn = self.pool.get()?;
                transaction(&mut conn, false, &mut channels, f)
            }
        };
        if let (Ok(_), false, Some(hook)) = (&result, channels.is_empty(), self.on_commit.get()) {
            hook(channels);
        }
        result
    }

    /// Sets what to tell after commits (once per process: the live hub).
    pub fn set_commit_hook(&self, hook: CommitHook) {
        let _ = self.on_commit.set(hook);
    }

    pub fn migrate(&self) -> Result<usize, String> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| format!("cannot open the database: {e}"))?;
        let applied = match &mut **conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConn::Postgres(c) => {
                // Instances starting together: one migrates, the others wait for it.
                use diesel::RunQueryDsl;
                diesel::sql_query("SELECT pg_advisory_lock(7363624)")
                    .execute(c)
                    .map_err(|e| format!("cannot lock for migrations: {e}"))?;
                let applied = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.len());
                let _ = diesel::sql_query("SELECT pg_advisory_unlock(7363624)").execute(c);
                applied
            }
        };
        applied.map_err(|e| format!("migration failed: {e}"))
    }

    /// Applies the pending migrations up to and including `version` (a migration's
    /// folder name up to its first `_`, such as `2026-12-05-000007`): for tests of a
    /// migration over data written in the earlier form.
    pub fn migrate_to(&self, version: &str) -> Result<usize, String> {
        use diesel::migration::Migration;
        let mut conn = self
            .pool
            .get()
            .map_err(|e| format!("cannot open the database: {e}"))?;
        fn upto<DB: diesel::backend::Backend>(
            conn: &mut impl MigrationHarness<DB>,
            source: EmbeddedMigrations,
            version: &str,
        ) -> Result<usize, String> {
            let pending = conn
                .pending_migrations(source)
                .map_err(|e| format!("migrations: {e}"))?;
            let mut applied = 0;
            let last = version.replace('-', "");
            for m in pending {
                let v = m.name().version().to_string();
                if v.replace('-', "") > last {
                    break;
                }
                conn.run_migration(&*m)
                    .map_err(|e| format!("migration {v} failed: {e}"))?;
                applied += 1;
            }
            Ok(applied)
        }
        match &mut **conn {
            DbConn::Sqlite(c) => upto(c, SQLITE_MIGRATIONS, version),
            DbConn::Postgres(c) => upto(c, POSTGRES_MIGRATIONS, version),
        }
    }

    pub async fn ping(&self) -> ApiResult<()> {
        self.run(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}

/// Runs a job's transaction after the earlier jobs of its group, adding what it
/// appended to the group's outbox when it succeeded.
fn run_job<T>(
    conn: &mut DbConn,
    outbox: &mut Outbox,
    f: impl FnOnce(&mut Tx) -> ApiResult<T>,
) -> (ApiResult<T>, bool) {
    let mut tx = Tx::after(conn, outbox);
    let result = f(&mut tx);
    let ok = result.is_ok();
    if ok {
        let appended = tx.into_outbox();
        outbox.extend(appended);
    }
    (result, ok)
}

/// A job's answer once its batch's commit is known.
fn answer_of<T>(result: ApiResult<T>, failed: Option<&ApiError>) -> ApiResult<T> {
    match failed {
        None => result,
        // The commit failed: nothing of this job was written either.
        Some(e) => Err(e.clone()),
    }
}

/// A group commit's jobs as they run, in one transaction.
struct Batch<'f> {
    outbox: Outbox,
    finishes: &'f mut Vec<Finish>,
    /// Whether the savepoint `job` is open.
    saved: bool,
    /// The [`Work::Again`] jobs run since the savepoint, none failed.
    run: Option<Run>,
}

/// Jobs that ran without a savepoint of their own, and where the batch stood before
/// the first of them.
struct Run {
    jobs: Vec<RunAgain>,
    mark: Mark,
    finished: usize,
}

impl Batch<'_> {
    /// Opens the savepoint `job`, releasing the last one in the same round trip (a
    /// savepoint and its release were two of a comment's five statements in the lane
    /// on PostgreSQL); the last is released by the commit.
    fn savepoint(&mut self, c: &mut DbConn) -> diesel::QueryResult<()> {
        c.batch_execute(if self.saved {
            "RELEASE SAVEPOINT job; SAVEPOINT job"
        } else {
            "SAVEPOINT job"
        })?;
        self.saved = true;
        Ok(())
    }

    /// A job run in the savepoint just opened: undone alone when it failed.
    fn finished(&mut self, c: &mut DbConn, finish: Finish, ok: bool) -> diesel::QueryResult<()> {
        self.finishes.push(finish);
        if !ok {
            c.batch_execute("ROLLBACK TO SAVEPOINT job")?;
        }
        Ok(())
    }

    /// Runs a job once, in a savepoint of its own.
    fn once(&mut self, c: &mut DbConn, work: RunOnce) -> diesel::QueryResult<()> {
        self.run = None;
        self.savepoint(c)?;
        let (finish, ok) = work(c, &mut self.outbox);
        self.finished(c, finish, ok)
    }

    /// Runs a job that can run again, in the savepoint of the run it joins. When it
    /// fails, the run is undone and the jobs before it run again, each in its own
    /// savepoint; it answers what it met (it would meet it again after them).
    fn again(&mut self, c: &mut DbConn, mut work: RunAgain) -> diesel::QueryResult<()> {
        let mut run = match self.run.take() {
            Some(run) => run,
            None => {
                self.savepoint(c)?;
                Run {
                    jobs: Vec::new(),
                    mark: self.outbox.mark(),
                    finished: self.finishes.len(),
                }
            }
        };
        let (finish, ok) = work(c, &mut self.outbox);
        if ok {
            run.jobs.push(work);
            self.finishes.push(finish);
            self.run = Some(run);
            return Ok(());
        }
        c.batch_execute("ROLLBACK TO SAVEPOINT job")?;
        self.outbox.restore(run.mark);
        // The undone run's answers are dropped unsent: each job answers from its second.
        self.finishes.truncate(run.finished);
        for mut work in run.jobs {
            self.savepoint(c)?;
            let (finish, ok) = work(c, &mut self.outbox);
            self.finished(c, finish, ok)?;
        }
        // Its own answer stands, and nothing of it is kept. Alone in its run (a refused
        // comment, most often), it cost what it would have in a savepoint of its own.
        self.finishes.push(finish);
        Ok(())
    }
}

/// One transaction on `conn`; the live channels it appended to are left in `channels`.
fn transaction<T>(
    conn: &mut DbConn,
    sqlite: bool,
    channels: &mut Vec<String>,
    f: impl FnOnce(&mut Tx) -> ApiResult<T>,
) -> ApiResult<T> {
    conn.transaction(|c| {
        if sqlite {
            take_write_lock(c)?;
        }
        let mut tx = Tx::new(c);
        let out = f(&mut tx)?;
        let outbox = tx.into_outbox();
        *channels = write_outbox(c, outbox)?;
        Ok(out)
    })
}

/// Takes SQLite's write lock at the start of a transaction, as BEGIN IMMEDIATE would
/// (the two-backend connection has no such call): a transaction that reads first and
/// writes later could otherwise fail with SQLITE_BUSY_SNAPSHOT when another process (a
/// CLI command) committed in between. The statement changes nothing; it waits up to
/// the busy timeout.
fn take_write_lock(c: &mut DbConn) -> diesel::QueryResult<()> {
    diesel::sql_query("UPDATE channel_seqs SET last_seq = last_seq WHERE 0").execute(c)?;
    Ok(())
}

/// Whether a connection whose transaction failed can be used again.
fn usable(conn: &mut DbConn) -> bool {
    use diesel::connection::TransactionManager;
    let broken = <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn);
    !broken && conn.batch_execute("SELECT 1").is_ok()
}

/// Runs an insert in a savepoint and treats a unique violation as "already there": two
/// transactions racing to insert the same row (a follow, a notification, a first
/// review) must not fail the request that caused them.
pub fn insert_once(
    conn: &mut DbConn,
    insert: impl FnOnce(&mut DbConn) -> diesel::QueryResult<usize>,
) -> ApiResult<bool> {
    use diesel::result::{DatabaseErrorKind, Error};
    match conn.transaction(insert) {
        Ok(n) => Ok(n > 0),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Current time as stored: UTC, microsecond precision (both backends keep microseconds).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A nullable text column as read before it is parsed, for `Option` fields of enums
/// (`#[diesel(deserialize_as = NullableText)]`; `string_enum!` does the parsing).
#[derive(Debug, diesel::deserialize::FromSqlRow)]
pub struct NullableText(pub Option<String>);

impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Nullable<diesel::sql_types::Text>, DB>
    for NullableText
where
    DB: diesel::backend::Backend,
    String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        Ok(Self(Some(String::from_sql(bytes)?)))
    }

    fn from_nullable_sql(bytes: Option<DB::RawValue<'_>>) -> diesel::deserialize::Result<Self> {
        bytes.map_or(Ok(Self(None)), Self::from_sql)
    }
}

/// A stored UTC time in a view: RFC 3339 with `Z` (`2025-06-23T09:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub chrono::NaiveDateTime);

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339(self.0))
    }
}

/// Read back from what this application stored (RFC 3339, UTC).
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        chrono::DateTime::parse_from_rfc3339(&raw)
            .map(|t| Timestamp(t.naive_utc()))
            .map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

impl Timestamp {
    /// The day (UTC), for the pages.
    pub fn date(&self) -> chrono::NaiveDate {
        self.0.date()
    }

    /// 24-hour clock (UTC), as the UN writes times in all six languages.
    pub fn hm(&self) -> String {
        self.0.format("%H:%M").to_string()
    }

    /// For `<time datetime=…>`.
    pub fn iso(&self) -> String {
        rfc3339(self.0)
    }
}

impl From<chrono::NaiveDateTime> for Timestamp {
    fn from(t: chrono::NaiveDateTime) -> Self {
        Timestamp(t)
    }
}

/// Stored UTC timestamps rendered as RFC 3339 (`2025-06-23T09:00:00Z`).
pub fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl From<Backend> for &'static str {
    fn from(b: Backend) -> &'static str {
        match b {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many requests' transactions at once on SQLite: each that succeeds is committed
    /// (its live event once), each that fails leaves nothing, whatever batch it shared.
    #[actix_web::test]
    async fn grouped_transactions_commit_together_and_fail_alone() {
        let dir = std::env::temp_dir().join(format!(
            "indaba-group-commit-{}-{}",
            std::process::id(),
            now().and_utc().timestamp_nanos_opt().unwrap_or_default()
        ));
        let db = Db::connect(&DatabaseUrl::Sqlite(dir.join("test.db")), 4).unwrap();
        db.migrate().unwrap();
        db.tx(|tx| crate::outbox::create_channel(tx, "c"))
            .await
            .unwrap();
        let insert = |c: &mut DbConn, channel: String| {
            diesel::sql_query("INSERT INTO channel_seqs (channel, last_seq) VALUES (?, 0)")
                .bind::<diesel::sql_types::Text, _>(channel)
                .execute(c)
        };
        // Jobs that run once and jobs that can run again (`Db::tx_again`), mixed: when
        // one of the latter fails, those of its run are undone and run again.
        let jobs = (0..60).map(|i| {
            let db = db.clone();
            async move {
                let job = move |tx: &mut Tx| {
                    insert(tx, format!("t{i}"))?;
                    tx.live(
                        "c",
                        crate::outbox::Change::CommentCreated {
                            comment_id: i as i64,
                        },
                    );
                    if i % 4 == 0 {
                        return Err(ApiError::new(ErrorCode::Conflict, "refused"));
                    }
                    // A unique violation caught inside the job stays inside it.
                    if i % 5 == 0 {
                        assert!(!insert_once(tx, |c| insert(c, format!("t{i}")))?);
                    }
                    Ok(i)
                };
                if i % 3 == 0 {
                    db.tx(job).await
                } else {
                    db.tx_again(job).await
                }
            }
        });
        let results = futures_util::future::join_all(jobs).await;
        for (i, r) in results.iter().enumerate() {
            match i % 4 {
                0 => assert_eq!(r.as_ref().unwrap_err().code, ErrorCode::Conflict),
                _ => assert_eq!(*r.as_ref().unwrap(), i),
            }
        }
        #[derive(diesel::QueryableByName)]
        struct Channel {
            #[diesel(sql_type = diesel::sql_types::Text)]
            channel: String,
        }
        let kept: Vec<String> = db
            .run(|c| {
                Ok(
                    diesel::sql_query("SELECT channel FROM channel_seqs WHERE channel LIKE 't%'")
                        .load::<Channel>(c)?
                        .into_iter()
                        .map(|r| r.channel)
                        .collect(),
                )
            })
            .await
            .unwrap();
        let mut expected: Vec<String> = (0..60)
            .filter(|i| i % 4 != 0)
            .map(|i| format!("t{i}"))
            .collect();
        let mut kept = kept;
        expected.sort();
        kept.sort();
        assert_eq!(kept, expected);
        // One live event for each job kept, numbered without gap; none of the others.
        let events = db
            .run(|c| crate::live::log::after(c, "c", 0, 1000))
            .await
            .unwrap();
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=expected.len() as i64).collect::<Vec<_>>());
        let mut announced: Vec<String> = events
            .iter()
            .map(|e| format!("t{}", e.subject_id.unwrap()))
            .collect();
        announced.sort();
        assert_eq!(announced, expected);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
