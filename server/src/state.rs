//! The state every request and worker shares. It sits on a low floor: it names the
//! infrastructure (database, keys, limits, the live hub, the search index) and nothing
//! of the features, so a feature can take it without importing the wiring in `app`.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::accounts::tokens::Keys;
use crate::config::Config;
use crate::db::Db;
use crate::live::hub::Hub;
use crate::ratelimit::RateLimiter;
use crate::search::SearchIndex;

pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub keys: Keys,
    pub limiter: RateLimiter,
    /// Wakes the mail worker when a transaction has queued mail.
    pub mail_wakeup: Arc<Notify>,
    pub openapi: serde_json::Value,
    pub hub: Arc<Hub>,
    pub search: Arc<dyn SearchIndex>,
    /// Answers kept in memory by version (published agendas).
    pub rendered: crate::http::cache::Rendered,
}

/// How handlers take the state.
pub type State = actix_web::web::Data<AppState>;
