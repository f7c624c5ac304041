//! Fixed-window rate limits kept in memory, per instance.
//!
//! Keys name what is limited (`login:ip:203.0.113.5`, `login:account:ana@…`). Behind
//! several instances each keeps its own windows: the limit per client is then at most
//! the instance count times the figure here, which still stops brute force.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u32,
    pub per: Duration,
}

impl Limit {
    pub const fn per_minutes(max: u32, minutes: u64) -> Self {
        Self {
            max,
            per: Duration::from_secs(minutes * 60),
        }
    }
}

pub mod limits {
    use super::Limit;
    /// Login attempts from one address. Generous: a whole IGF venue may share one NAT
    /// address; the per-account limit is what stops password guessing.
    pub const LOGIN_PER_IP: Limit = Limit::per_minutes(100, 5);
    /// Failed logins against one account, whatever the address.
    pub const LOGIN_FAILURES_PER_ACCOUNT: Limit = Limit::per_minutes(5, 15);
    pub const REGISTER_PER_IP: Limit = Limit::per_minutes(30, 10);
    pub const RESET_PER_IP: Limit = Limit::per_minutes(10, 60);
    /// Reset emails to one address: further requests are answered alike but send nothing.
    pub const RESET_MAILS_PER_ACCOUNT: Limit = Limit::per_minutes(3, 60);
    pub const VERIFY_PER_IP: Limit = Limit::per_minutes(30, 10);
    /// Comments, amendments and session questions: a burst of 10 a minute, 200 a day, per user.
    pub const POSTS_PER_MINUTE: Limit = Limit::per_minutes(10, 1);
    pub const POSTS_PER_DAY: Limit = Limit::per_minutes(200, 24 * 60);
}

pub struct RateLimiter {
    enabled: bool,
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
    per: Duration,
}

impl RateLimiter {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one hit against `key`; refuses (429 with the seconds to wait) once over the limit.
    pub fn hit(&self, key: &str, limit: Limit) -> ApiResult<()> {
        self.update(key, limit, true)
    }

    /// Refuses if `key` is already at its limit, without counting.
    pub fn check(&self, key: &str, limit: Limit) -> ApiResult<()> {
        self.update(key, limit, false)
    }

    /// Counts a hit and says whether it was within the limit, never refusing.
    pub fn allow(&self, key: &str, limit: Limit) -> bool {
        self.update(key, limit, true).is_ok()
    }

    pub fn reset(&self, key: &str) {
        self.lock().remove(key);
    }

    fn update(&self, key: &str, limit: Limit, count: bool) -> ApiResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let now = Instant::now();
        let mut windows = self.lock();
        if windows.len() > 100_000 {
            windows.retain(|_, w| now.duration_since(w.started) < w.per);
        }
        let window = windows.entry(key.to_owned()).or_insert(Window {
            started: now,
            count: 0,
            per: limit.per,
        });
        if now.duration_since(window.started) >= limit.per {
            *window = Window {
                started: now,
                count: 0,
                per: limit.per,
            };
        }
        if window.count >= limit.max {
            let left = limit.per.saturating_sub(now.duration_since(window.started));
            return Err(ApiError::rate_limited(left.as_secs() + 1));
        }
        if count {
            window.count += 1;
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_with_retry_after() {
        let rl = RateLimiter::new(true);
        let limit = Limit::per_minutes(2, 1);
        assert!(rl.hit("k", limit).is_ok());
        assert!(rl.hit("k", limit).is_ok());
        let err = rl.hit("k", limit).unwrap_err();
        assert!(err.retry_after.unwrap() <= 61);
        assert!(rl.hit("other", limit).is_ok());
        rl.reset("k");
        assert!(rl.check("k", limit).is_ok());
    }

    #[test]
    fn disabled_limiter_allows_everything() {
        let rl = RateLimiter::new(false);
        for _ in 0..10 {
            assert!(rl.hit("k", Limit::per_minutes(1, 1)).is_ok());
        }
    }
}
