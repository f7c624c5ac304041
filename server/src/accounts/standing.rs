//! Suspensions reach every instance: each reads the list of suspended accounts every few
//! seconds, so an access token of an account suspended through another instance is
//! refused there too (the suspending instance refuses it at once).

use std::time::Duration;

use tokio::sync::watch;

use super::store;
use crate::error::ApiResult;
use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(3);

/// Reads the suspended accounts into the instance's list (before serving, then again and
/// again).
pub async fn load(state: &AppState) -> ApiResult<()> {
    let rows = state.db.run(store::suspended).await?;
    let list: Vec<(i64, i64)> = rows
        .into_iter()
        .map(|(id, at)| (id, at.and_utc().timestamp()))
        .collect();
    state.keys.suspensions.sync(&list);
    Ok(())
}

pub async fn follow(state: actix_web::web::Data<AppState>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = load(&state).await {
            tracing::warn!(error = %e, "reading suspended accounts failed; retrying");
        }
    }
}
