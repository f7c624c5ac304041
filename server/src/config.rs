//! Configuration: an optional `indaba.toml`, overridden by `INDABA_*` environment
//! variables, with defaults that run with nothing set.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where Meilisearch is, and the name of Indaba's index there (several deployments, or
/// test runs, can share one Meilisearch under different names).
#[derive(Clone)]
pub struct Meilisearch {
    pub url: String,
    pub key: Option<String>,
    pub index: String,
}

impl std::fmt::Debug for Meilisearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Meilisearch")
            .field("url", &self.url)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// What the file may hold: the same names as the environment, lower-case,
/// without the `INDABA_` prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<String>,
    bind: Option<String>,
    public_url: Option<String>,
    database_url: Option<String>,
    db_pool_size: Option<u32>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    meilisearch_url: Option<String>,
    meilisearch_key: Option<String>,
    meilisearch_index: Option<String>,
    log: Option<String>,
    log_format: Option<String>,
    rate_limits: Option<String>,
    secret_key: Option<String>,
    trust_proxy: Option<String>,
    live_ping_seconds: Option<u64>,
    live_timeout_seconds: Option<u64>,
    live_buffer: Option<usize>,
    live_coalesce_ms: Option<u64>,
    live_recheck_seconds: Option<u64>,
    metrics_bind: Option<String>,
    metrics_token: Option<String>,
    session_max_days: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Ok(Self::Postgres(raw.to_owned()))
        } else if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("INDABA_DATABASE_URL: sqlite: needs a file path".into());
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if raw.contains("://") {
            Err(format!(
                "INDABA_DATABASE_URL: unsupported scheme in {raw:?} (use postgres:// or sqlite:)"
            ))
        } else if raw.is_empty() {
            Err("INDABA_DATABASE_URL is empty".into())
        } else {
            Ok(Self::Sqlite(PathBuf::from(raw)))
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// Each message as an .eml file in this folder (the default).
    Folder(PathBuf),
    /// `smtp://` (plain, or STARTTLS with `?tls=required`) or `smtps://` (implicit TLS).
    Smtp(String),
    /// Messages are written to the log only.
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    pub public_url: String,
    pub database: DatabaseUrl,
    pub db_pool_size: u32,
    pub mail: MailTransport,
    pub mail_from: String,
    /// Search with Meilisearch instead of the tantivy index under the data directory.
    pub meilisearch: Option<Meilisearch>,
    pub log: String,
    pub log_format: LogFormat,
    pub rate_limits: bool,
    /// Configured signing secret; `None` means: use (or create) `<data dir>/secret.key`.
    pub secret_key: Option<String>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    pub live: LiveSettings,
    /// Where `/metrics` is served on its own (`INDABA_METRICS_BIND`, default
    /// `127.0.0.1:9464`; `off` for nowhere): not on the public address.
    pub metrics_bind: Option<SocketAddr>,
    /// With it, `/metrics` is also served on the main address to `Authorization: Bearer
    /// <token>` (`INDABA_METRICS_TOKEN`, at least 32 characters).
    pub metrics_token: Option<String>,
    /// The absolute lifetime of a sign-in session (a refresh token family), in days,
    /// however often it is refreshed.
    pub session_max_days: u64,
}

/// Live streams: heartbeat, patience with silent clients, buffering and coalescing.
#[derive(Debug, Clone, Copy)]
pub struct LiveSettings {
    pub ping_seconds: u64,
    pub timeout_seconds: u64,
    /// Frames a listener may fall behind before it is closed (it resumes with `since`).
    pub buffer: usize,
    /// While events keep coming, the least time between two frames of a channel.
    pub coalesce_ms: u64,
    /// How often a privileged listener's roles are read again (a withdrawn privilege
    /// ends on its open sockets within this time).
    pub recheck_seconds: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets or database passwords.
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field(
                "backend",
                &if self.database.is_postgres() {
                    "postgres"
                } else {
                    "sqlite"
                },
            )
            .field("rate_limits", &self.rate_limits)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Reads `INDABA_CONFIG` (or `./indaba.toml` when present) and the environment.
    pub fn load() -> Result<Self, String> {
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("INDABA_"))
            .collect();
        let explicit = env.get("INDABA_CONFIG").map(PathBuf::from);
        let path = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("indaba.toml"));
        let file = if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            toml::from_str::<FileConfig>(&text)
                .map_err(|e| format!("{}: {}", path.display(), e.message()))?
        } else if explicit.is_some() {
            return Err(format!("INDABA_CONFIG: {} does not exist", path.display()));
        } else {
            FileConfig::default()
        };
        Self::from_sources(file, &env)
    }

    /// Built from explicit values only (tests and tools).
    pub fn from_env_map(env: &BTreeMap<String, String>) -> Result<Self, String> {
        Self::from_sources(FileConfig::default(), env)
    }

    fn from_sources(file: FileConfig, env: &BTreeMap<String, String>) -> Result<Self, String> {
        let pick = |name: &str, from_file: Option<String>| -> Option<String> {
            env.get(&format!("INDABA_{}", name.to_uppercase()))
                .cloned()
                .or(from_file)
        };
        const KNOWN: &[&str] = &[
            "CONFIG",
            "DATA_DIR",
            "BIND",
            "PUBLIC_URL",
            "DATABASE_URL",
            "DB_POOL_SIZE",
            "SMTP_URL",
            "MAIL_FROM",
            "MEILISEARCH_URL",
            "MEILISEARCH_KEY",
            "MEILISEARCH_INDEX",
            "LOG",
            "LOG_FORMAT",
            "RATE_LIMITS",
            "SECRET_KEY",
            "TRUST_PROXY",
            "LIVE_PING_SECONDS",
            "LIVE_TIMEOUT_SECONDS",
            "LIVE_BUFFER",
            "LIVE_COALESCE_MS",
            "LIVE_RECHECK_SECONDS",
            "METRICS_BIND",
            "METRICS_TOKEN",
            "SESSION_MAX_DAYS",
        ];
        // Kubernetes injects INDABA_SERVICE_HOST, INDABA_PORT_8080_TCP… for a Service named
        // `indaba`: those are not settings, and refusing them would stop every pod.
        let service_link = |k: &str| {
            k.starts_with("INDABA_SERVICE_") || k == "INDABA_PORT" || k.starts_with("INDABA_PORT_")
        };
        if let Some(unknown) = env
            .keys()
            .find(|k| !KNOWN.contains(&&k["INDABA_".len()..]) && !service_link(k))
        {
            if !unknown.starts_with("INDABA_TEST") {
                return Err(format!("{unknown} is not a known setting"));
            }
        }

        let data_dir =
            PathBuf::from(pick("data_dir", file.data_dir).unwrap_or_else(|| "./data".into()));
        let bind_raw = pick("bind", file.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.parse().map_err(|_| {
            format!("INDABA_BIND: {bind_raw:?} is not an address like 127.0.0.1:8080")
        })?;
        let public_url = pick("public_url", file.public_url)
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "INDABA_PUBLIC_URL: {public_url:?} must start with http:// or https://"
            ));
        }
        let database = match pick("database_url", file.database_url) {
            Some(raw) => DatabaseUrl::parse(&raw)?,
            None => DatabaseUrl::Sqlite(data_dir.join("indaba.db")),
        };
        let db_pool_size = match pick("db_pool_size", file.db_pool_size.map(|n| n.to_string())) {
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if (1..=200).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "INDABA_DB_POOL_SIZE: {raw:?} is not a number from 1 to 200"
                    ))
                }
            },
            None => 10,
        };
        // Empty is unset (a compose file passes `${INDABA_SMTP_URL:-}` through).
        let mail = match pick("smtp_url", file.smtp_url).filter(|u| !u.trim().is_empty()) {
            None => MailTransport::Folder(data_dir.join("mail")),
            Some(raw) if raw == "log" || raw == "log:" => MailTransport::Log,
            Some(raw) if raw.starts_with("smtp://") || raw.starts_with("smtps://") => {
                MailTransport::Smtp(raw)
            }
            Some(raw) => {
                return Err(format!(
                    "INDABA_SMTP_URL: {:?} must be smtp://, smtps:// or log",
                    raw.split('@').next_back().unwrap_or_default()
                ))
            }
        };
        let host = public_url
            .split("://")
            .nth(1)
            .unwrap_or("localhost")
            .split(['/', ':'])
            .next()
            .unwrap_or("localhost");
        let mail_from = pick("mail_from", file.mail_from)
            .unwrap_or_else(|| format!("Indaba <no-reply@{host}>"));
        if !mail_from.contains('@') {
            return Err(format!("INDABA_MAIL_FROM: {mail_from:?} is not an address"));
        }
        let meilisearch = match pick("meilisearch_url", file.meilisearch_url) {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                let index = pick("meilisearch_index", file.meilisearch_index)
                    .unwrap_or_else(|| "indaba".into());
                // Meilisearch index uids: letters, digits, `-` and `_`.
                let valid = !index.is_empty()
                    && index.len() <= 200
                    && index
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !valid {
                    return Err(format!(
                        "INDABA_MEILISEARCH_INDEX: {index:?} must be letters, digits, - and _"
                    ));
                }
                Some(Meilisearch {
                    url: url.trim_end_matches('/').to_owned(),
                    key: pick("meilisearch_key", file.meilisearch_key),
                    index,
                })
            }
            Some(url) => {
                return Err(format!(
                    "INDABA_MEILISEARCH_URL: {url:?} must be an http(s) URL"
                ))
            }
            None => None,
        };
        let log = pick("log", file.log).unwrap_or_else(|| "info".into());
        let log_format = match pick("log_format", file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(format!("INDABA_LOG_FORMAT: {other:?} must be text or json"))
            }
        };
        let rate_limits = on_off(
            "INDABA_RATE_LIMITS",
            pick("rate_limits", file.rate_limits),
            true,
        )?;
        let trust_proxy = on_off(
            "INDABA_TRUST_PROXY",
            pick("trust_proxy", file.trust_proxy),
            false,
        )?;
        let number = |name: &str,
                      from_file: Option<u64>,
                      default: u64,
                      range: std::ops::RangeInclusive<u64>| {
            match pick(name, from_file.map(|n| n.to_string())) {
                None => Ok(default),
                Some(raw) => raw
                    .parse::<u64>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| {
                        format!(
                            "INDABA_{}: {raw:?} must be a number from {} to {}",
                            name.to_uppercase(),
                            range.start(),
                            range.end()
                        )
                    }),
            }
        };
        let live = LiveSettings {
            ping_seconds: number("live_ping_seconds", file.live_ping_seconds, 15, 1..=300)?,
            timeout_seconds: number(
                "live_timeout_seconds",
                file.live_timeout_seconds,
                45,
                2..=3600,
            )?,
            buffer: number(
                "live_buffer",
                file.live_buffer.map(|n| n as u64),
                256,
                2..=100_000,
            )? as usize,
            coalesce_ms: number("live_coalesce_ms", file.live_coalesce_ms, 50, 0..=1000)?,
            recheck_seconds: number(
                "live_recheck_seconds",
                file.live_recheck_seconds,
                30,
                1..=60,
            )?,
        };
        let metrics_bind = match pick("metrics_bind", file.metrics_bind).as_deref() {
            None => Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            Some("off") => None,
            Some(raw) => Some(raw.parse().map_err(|_| {
                format!(
                    "INDABA_METRICS_BIND: {raw:?} is not an address like 127.0.0.1:9464 (or off)"
                )
            })?),
        };
        let metrics_token = pick("metrics_token", file.metrics_token).filter(|t| !t.is_empty());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 32) {
            return Err("INDABA_METRICS_TOKEN must be at least 32 characters".into());
        }
        let session_max_days = number("session_max_days", file.session_max_days, 90, 1..=3650)?;
        let secret_key = pick("secret_key", file.secret_key);
        if let Some(key) = &secret_key {
            if key.len() < 32 {
                return Err("INDABA_SECRET_KEY must be at least 32 characters".into());
            }
        }
        Ok(Self {
            data_dir,
            bind,
            public_url,
            database,
            db_pool_size,
            mail,
            mail_from,
            meilisearch,
            log,
            log_format,
            rate_limits,
            secret_key,
            trust_proxy,
            live,
            metrics_bind,
            metrics_token,
            session_max_days,
        })
    }

    /// How long a sign-in session may last, however often it is refreshed.
    pub fn session_max_age(&self) -> chrono::Duration {
        chrono::Duration::days(i64::try_from(self.session_max_days).unwrap_or(90))
    }

    /// The signing secret: configured, or read from / generated into the data directory.
    pub fn signing_secret(&self) -> Result<Vec<u8>, String> {
        if let Some(key) = &self.secret_key {
            return Ok(key.as_bytes().to_vec());
        }
        let path = self.data_dir.join("secret.key");
        refuse_if_shared(&path)?;
        match std::fs::read_to_string(&path) {
            Ok(text) if text.trim().len() >= 32 => return Ok(text.trim().as_bytes().to_vec()),
            Ok(_) => {
                return Err(format!(
                    "{} is too short: delete it to generate a new one",
                    path.display()
                ))
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("{}: {e}", path.display()))
            }
            Err(_) => {}
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| format!("{}: {e}", self.data_dir.display()))?;
        let secret = crate::crypto::random_token(48);
        write_private(&path, &secret)?;
        tracing::warn!(path = %path.display(), "no INDABA_SECRET_KEY configured: generated a signing secret");
        Ok(secret.into_bytes())
    }
}

fn on_off(name: &str, value: Option<String>, default: bool) -> Result<bool, String> {
    match value.as_deref() {
        None => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(other) => Err(format!("{name}: {other:?} must be on or off")),
    }
}

/// The signing secret signs every session: a file others on the machine can read is a
/// key they hold. Start-up stops until its owner makes it private.
fn refuse_if_shared(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                return Err(format!(
                    "{} can be read by other users: chmod 600 it (or set INDABA_SECRET_KEY)",
                    path.display()
                ))
            }
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_run_with_nothing_set() {
        let c = Config::from_env_map(&env(&[])).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.database,
            DatabaseUrl::Sqlite(PathBuf::from("./data/indaba.db"))
        );
        assert_eq!(c.mail, MailTransport::Folder(PathBuf::from("./data/mail")));
        assert!(c.rate_limits);
        assert_eq!(c.session_max_days, 90);
    }

    #[test]
    fn kubernetes_service_links_are_not_settings() {
        let c = Config::from_env_map(&env(&[
            ("INDABA_SERVICE_HOST", "10.0.0.1"),
            ("INDABA_PORT", "tcp://10.0.0.1:8080"),
            ("INDABA_PORT_8080_TCP_ADDR", "10.0.0.1"),
        ]));
        assert!(c.is_ok());
        assert!(Config::from_env_map(&env(&[("INDABA_PORTS", "1")])).is_err());
    }

    #[test]
    fn postgres_url_switches_backend() {
        let c = Config::from_env_map(&env(&[(
            "INDABA_DATABASE_URL",
            "postgres://u:p@localhost/db",
        )]))
        .unwrap();
        assert!(c.database.is_postgres());
    }

    #[test]
    fn invalid_values_give_one_line_reasons() {
        for (k, v) in [
            ("INDABA_BIND", "nowhere"),
            ("INDABA_DATABASE_URL", "mysql://x"),
            ("INDABA_SMTP_URL", "ftp://x"),
            ("INDABA_RATE_LIMITS", "maybe"),
            ("INDABA_SECRET_KEY", "short"),
            ("INDABA_PUBLIC_URL", "example.org"),
            ("INDABA_SESSION_MAX_DAYS", "0"),
            ("INDABA_BOGUS", "1"),
        ] {
            let err = Config::from_env_map(&env(&[(k, v)])).unwrap_err();
            assert!(
                !err.contains('\n') && err.contains(&k["INDABA_".len()..]),
                "{k}: {err}"
            );
        }
    }
}
