//! The `indaba` command line. Only commands that work are listed.

use std::collections::BTreeMap;

use clap::{Parser, Subcommand};

use crate::accounts::{password, store, types};
use crate::config::Config;
use crate::db::Db;

#[derive(Parser)]
#[command(
    name = "indaba",
    version,
    about = "Multistakeholder consultations and IGF events"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve (SQLite under ./data unless configured)
    Serve {
        /// Seed demo data first when the database is empty
        #[arg(long)]
        demo: bool,
        /// Load the demo (whose passwords are public) although the public URL is not a
        /// loopback address
        #[arg(long = "i-know-this-is-public", requires = "demo")]
        public_demo: bool,
    },
    /// Apply pending database migrations
    Migrate,
    /// Load seed data
    Seed {
        #[command(subcommand)]
        what: SeedWhat,
    },
    /// Rebuild the search index from the database (with the server stopped)
    Reindex,
    /// Copy every row of an SQLite database into PostgreSQL, verified table by table, and
    /// build the search index for it
    Transfer {
        /// The source: sqlite:PATH (or a path)
        #[arg(long)]
        from: String,
        /// The target: postgres://…
        #[arg(long)]
        to: String,
        /// Empty a target that already holds data first
        #[arg(long)]
        force: bool,
    },
    /// Write a consistent snapshot of the SQLite database to a new file (the server may run)
    Backup {
        /// The file to create; an existing file is never overwritten
        path: std::path::PathBuf,
    },
    /// Manage accounts from the shell
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Subcommand)]
enum SeedWhat {
    /// Demo accounts, two consultations and an IGF week
    Demo {
        /// Load the demo (whose passwords are public) although the public URL is not a
        /// loopback address
        #[arg(long = "i-know-this-is-public")]
        public_demo: bool,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create a verified account (for bootstrapping an administrator)
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long = "stakeholder-group")]
        stakeholder_group: String,
        /// Read from standard input when absent (a prompt without echo on a terminal):
        /// a password on the command line stays in shell history and `ps`
        #[arg(long)]
        password: Option<String>,
        /// participant, moderator, organizer or admin; repeat for several
        #[arg(long = "role")]
        roles: Vec<String>,
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        organization: Option<String>,
    },
    /// Add a role to an account
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(c) => c,
        Err(reason) => {
            eprintln!("indaba: invalid configuration: {reason}");
            return 2;
        }
    };
    crate::telemetry::init(&config.log, config.log_format);
    let result = match cli.command {
        Command::Serve { demo, public_demo } => {
            demo_allowed(&config, demo, public_demo).and_then(|()| serve(config, demo))
        }
        Command::Migrate => open(&config).map(|db| {
            println!("database is up to date ({} migration(s) applied)", db.1);
        }),
        Command::Seed {
            what: SeedWhat::Demo { public_demo },
        } => demo_allowed(&config, true, public_demo)
            .and_then(|()| open(&config))
            .and_then(|(db, _)| crate::seed::demo(&db))
            .map(|report| println!("{report}")),
        Command::Reindex => open(&config).and_then(|(db, _)| reindex(&config, &db)),
        Command::Backup { path } => backup(&config, &path),
        Command::Transfer { from, to, force } => transfer(&config, &from, &to, force),
        Command::User { action } => open(&config).and_then(|(db, _)| user(&db, action)),
    };
    match result {
        Ok(()) => 0,
        Err(reason) => {
            eprintln!("indaba: {reason}");
            1
        }
    }
}

fn open(config: &Config) -> Result<(Db, usize), String> {
    let db = Db::connect(&config.database, config.db_pool_size)?;
    let applied = db.migrate()?;
    Ok((db, applied))
}

fn reindex(config: &Config, db: &Db) -> Result<(), String> {
    // Opening the tantivy index takes its writer lock: a running server holds it.
    let index = crate::search::open(config)
        .map_err(|e| format!("{e} (is the server running? stop it first)"))?;
    let count = crate::search::indexer::rebuild(db, index.as_ref()).map_err(|e| e.message)?;
    println!(
        "search index rebuilt: {count} documents in {}",
        crate::search::describe(config)
    );
    Ok(())
}

/// `VACUUM INTO` reads one snapshot (WAL readers never block the writer) and writes a
/// compact copy: consistent while the server keeps writing.
fn backup(config: &Config, path: &std::path::Path) -> Result<(), String> {
    use diesel::RunQueryDsl;
    if config.database.is_postgres() {
        return Err(
            "indaba backup copies SQLite databases; back up PostgreSQL with pg_dump (docs/operations.md)"
                .into(),
        );
    }
    if path.exists() {
        return Err(format!(
            "{} exists: a backup never overwrites a file",
            path.display()
        ));
    }
    let target = path
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", path.display()))?;
    let db = Db::connect(&config.database, 1)?;
    let mut conn = db.get().map_err(|e| e.message)?;
    let crate::db::DbConn::Sqlite(sqlite) = &mut **conn else {
        return Err("not an SQLite database".into());
    };
    // The backup holds every account: only its owner may read it, from the first byte
    // (the file is created empty and private, then SQLite writes into it).
    create_private(path)?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(target)
        .execute(sqlite)
        .map_err(|e| {
            let _ = std::fs::remove_file(path);
            format!("cannot write the backup to {}: {e}", path.display())
        })?;
    println!("backup written to {} (mode 0600)", path.display());
    Ok(())
}

/// An empty file only its owner can read and write.
fn create_private(path: &std::path::Path) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map(drop)
        .map_err(|e| format!("cannot write the backup to {}: {e}", path.display()))
}

fn transfer(config: &Config, from: &str, to: &str, force: bool) -> Result<(), String> {
    use crate::config::DatabaseUrl;
    let from = DatabaseUrl::parse(from).map_err(|e| format!("--from: {e}"))?;
    let to = DatabaseUrl::parse(to).map_err(|e| format!("--to: {e}"))?;
    let report = crate::transfer::transfer(&from, &to, force)?;
    let mut total = 0;
    for t in &report {
        println!(
            "{:<32} {:>8} rows  checksum {}",
            t.table, t.rows, t.checksum
        );
        total += t.rows;
    }
    println!(
        "copied and verified {total} rows in {} tables",
        report.len()
    );
    // The target's search index, built here (a server on the target builds its own at
    // start if its data directory has none).
    let db = Db::connect(&to, 2)?;
    let index = crate::search::open(config)?;
    let count = crate::search::indexer::rebuild(&db, index.as_ref()).map_err(|e| e.message)?;
    println!(
        "search index built: {count} documents in {}",
        crate::search::describe(config)
    );
    Ok(())
}

/// The demo's accounts share one documented password: on a server others can reach,
/// they are a way in. Loaded only when the public URL is a loopback address, unless the
/// operator says otherwise.
fn demo_allowed(config: &Config, demo: bool, public_anyway: bool) -> Result<(), String> {
    if !demo || public_anyway || is_loopback_url(&config.public_url) {
        return Ok(());
    }
    Err(format!(
        "the demo's accounts have a public password and {} is not a loopback address: \
         refusing to load them (add --i-know-this-is-public to do it anyway)",
        config.public_url
    ))
}

/// `http://127.0.0.1:8080`, `http://[::1]`, `http://localhost:…`.
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A password from standard input: without echo when it is a terminal.
fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("password: ");
        let _ = std::io::stderr().flush();
    }
    let echo = tty.then(no_echo);
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if let Some(Some(saved)) = echo {
        restore_echo(&saved);
        eprintln!();
    }
    read.map_err(|e| format!("cannot read the password: {e}"))?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    if pw.is_empty() {
        return Err("give the password on standard input (or --password)".into());
    }
    Ok(pw)
}

/// Turns the terminal's echo off; the settings to restore.
fn no_echo() -> Option<libc::termios> {
    // SAFETY: tcgetattr fills a termios for a valid descriptor (0, a terminal here), and
    // tcsetattr reads one; nothing else is touched.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(0, &mut t) != 0 {
            return None;
        }
        let saved = t;
        t.c_lflag &= !libc::ECHO;
        (libc::tcsetattr(0, libc::TCSANOW, &t) == 0).then_some(saved)
    }
}

fn restore_echo(saved: &libc::termios) {
    // SAFETY: as in `no_echo`, with settings tcgetattr gave.
    unsafe {
        libc::tcsetattr(0, libc::TCSANOW, saved);
    }
}

fn serve(config: Config, demo: bool) -> Result<(), String> {
    let (db, _) = open(&config)?;
    if demo {
        let mut conn = db.get().map_err(|e| e.message)?;
        if store::count_users(&mut conn).map_err(|e| e.message)? == 0 {
            drop(conn);
            let report = crate::seed::demo(&db)?;
            tracing::info!("{report}");
        } else {
            tracing::info!("database not empty: demo data not loaded");
        }
    }
    drop(db);
    let listener = std::net::TcpListener::bind(config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    actix_web::rt::System::new().block_on(async move {
        let (running, server) = crate::app::start(config, listener).await?;
        let server = actix_web::rt::spawn(server);
        wait_for_signal().await;
        tracing::info!("stopping: closing live connections, finishing requests in flight");
        running.stop().await;
        let _ = server.await;
        tracing::info!("stopped");
        Ok(())
    })
}

/// SIGTERM (service managers, Kubernetes) or SIGINT (Ctrl-C).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn user(db: &Db, action: UserAction) -> Result<(), String> {
    let mut conn = db.get().map_err(|e| e.message)?;
    match action {
        UserAction::Create {
            email,
            name,
            stakeholder_group,
            password: pw,
            roles,
            country,
            organization,
        } => {
            let email = types::Email::parse(&email).map_err(|e| format!("--email {e}"))?;
            let pw = match pw {
                Some(pw) => pw,
                None => read_password()?,
            };
            let pw = types::Password::parse(&pw, Some(email.as_str()))
                .map_err(|e| format!("--password {e}"))?;
            let name = types::bounded_text(&name, 1, 100).map_err(|e| format!("--name {e}"))?;
            let group = types::StakeholderGroup::parse(&stakeholder_group).ok_or_else(|| {
                format!(
                    "--stakeholder-group must be one of {}",
                    types::StakeholderGroup::expected()
                )
            })?;
            let roles = parse_roles(&roles)?;
            let country = country
                .map(|c| types::Country::parse(&c).map_err(|e| format!("--country {e}")))
                .transpose()?;
            let hash = password::hash(pw.expose()).map_err(|e| e.message)?;
            let new = store::NewUser {
                email: email.as_str().to_owned(),
                password_hash: hash,
                display_name: name,
                stakeholder_group: group,
                organization,
                country: country.map(|c| c.code()),
                region: country.map(|c| c.region.as_str().to_owned()),
                gender: None,
                preferred_language: "en".into(),
                verified: true,
            };
            let id = db
                .tx_blocking(|conn| {
                    let id = store::insert_user(conn, &new)?;
                    store::set_roles(conn, id, &roles)?;
                    Ok(id)
                })
                .map_err(|e| e.message)?;
            println!("created user {id} <{}>", new.email);
        }
        UserAction::Grant { email, role } => {
            let roles = parse_roles(&[role])?;
            let email = types::Email::parse(&email).map_err(|e| format!("--email {e}"))?;
            let row = store::find_by_email(&mut conn, email.as_str())
                .map_err(|e| e.message)?
                .ok_or_else(|| format!("no account with email {}", email.as_str()))?;
            db.tx_blocking(|conn| {
                let mut current = store::roles(conn, row.id)?;
                current.extend(roles.iter().copied());
                current.sort();
                current.dedup();
                store::set_roles(conn, row.id, &current)
            })
            .map_err(|e| e.message)?;
            println!(
                "granted {} to {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                email.as_str()
            );
        }
    }
    Ok(())
}

fn parse_roles(raw: &[String]) -> Result<Vec<types::Role>, String> {
    raw.iter()
        .map(|r| {
            types::Role::parse(r)
                .ok_or_else(|| format!("--role {r:?} must be one of {}", types::Role::expected()))
        })
        .collect()
}

/// For tools and tests that build a configuration from explicit values.
pub fn config_from(pairs: &[(&str, &str)]) -> Result<Config, String> {
    let env: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_env_map(&env)
}
