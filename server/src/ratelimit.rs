//! Fixed-window rate limits kept in memory, per instance, and the growing delays that
//! slow password guessing ([`RateLimiter::password_attempt`]).
//!
//! Keys name what is limited (`login:ip:203.0.113.5`, `register:ip:…`). Behind several
//! instances each keeps its own windows: the limit per client is then at most the
//! instance count times the figure here, which still stops brute force.

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
    /// Login attempts from one address, right or wrong: a flood limit. Generous: a whole
    /// IGF venue may share one NAT address; the growing delays after wrong passwords
    /// ([`super::guessing`]) are what stop password guessing.
    pub const LOGIN_PER_IP: Limit = Limit::per_minutes(100, 5);
    pub const REGISTER_PER_IP: Limit = Limit::per_minutes(30, 10);
    pub const RESET_PER_IP: Limit = Limit::per_minutes(10, 60);
    /// Reset emails to one address: further requests are answered alike but send nothing.
    pub const RESET_MAILS_PER_ACCOUNT: Limit = Limit::per_minutes(3, 60);
    pub const VERIFY_PER_IP: Limit = Limit::per_minutes(30, 10);
    /// Comments, amendments and session questions: a burst of 10 a minute, 200 a day, per user.
    pub const POSTS_PER_MINUTE: Limit = Limit::per_minutes(10, 1);
    pub const POSTS_PER_DAY: Limit = Limit::per_minutes(200, 24 * 60);
    /// Requests to confirm a proposer's speakers cause, per proposer: each is a mail to
    /// an address the proposer typed, so a proposal edited again and again must not
    /// become a way to mail anyone.
    pub const SPEAKER_REQUESTS_PER_DAY: Limit = Limit::per_minutes(100, 24 * 60);
}

/// How wrong passwords are slowed down. Each key holds a level that every attempt
/// raises by one (before the password is checked, so parallel attempts cannot slip
/// through together), that a success takes back, and that drains by itself; once the
/// level passes `free`, the next attempt must wait `base` × 2^(level − free) after the
/// previous one, at most `cap`.
pub mod guessing {
    use std::time::Duration;

    #[derive(Debug, Clone, Copy)]
    pub struct Schedule {
        /// Attempts without any delay.
        pub free: u32,
        /// The first delay, doubled with each further attempt.
        pub base: Duration,
        /// The longest delay.
        pub cap: Duration,
        /// One attempt is forgotten every `drain`.
        pub drain: Duration,
    }

    const fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    /// One account from one address: five tries, then 15 s, 30 s, 1 min, … up to 15
    /// minutes between tries; a success from that address forgets them.
    pub const PAIR: Schedule = Schedule {
        free: 5,
        base: secs(15),
        cap: secs(15 * 60),
        drain: secs(60 * 60),
    };

    /// The same while the account is over its ceiling (a distributed guess): one try per
    /// address, then 1 min, 2 min, … up to an hour. The owner's first try from an address
    /// of their own still goes through.
    pub const PAIR_UNDER_ATTACK: Schedule = Schedule {
        free: 1,
        base: secs(60),
        cap: secs(60 * 60),
        drain: secs(60 * 60),
    };

    /// One address, whatever the accounts (password spraying). Generous, as a venue may
    /// share one NAT address: 100 wrong passwords, one more every 10 s, then 1 s, 2 s, …
    pub const ADDRESS: Schedule = Schedule {
        free: 100,
        base: secs(1),
        cap: secs(15 * 60),
        drain: secs(10),
    };

    /// One account from anywhere: past 100 wrong passwords (draining at 100 an hour) the
    /// account counts as under attack and each address gets [`PAIR_UNDER_ATTACK`]. The
    /// ceiling never refuses anyone by itself, so no one can lock the owner out with it.
    pub const ACCOUNT_CEILING: Schedule = Schedule {
        free: 100,
        base: secs(0),
        cap: secs(0),
        drain: secs(36),
    };

    impl Schedule {
        /// The wait after the previous attempt at `level` (an attempt counts until it
        /// has drained away whole).
        pub fn delay(&self, level: f64) -> Duration {
            let attempts = level.ceil();
            if attempts < f64::from(self.free) {
                return Duration::ZERO;
            }
            let over = (attempts - f64::from(self.free)).min(30.0) as i32;
            self.base.mul_f64(2f64.powi(over)).min(self.cap)
        }
    }
}

/// The level of one key of [`guessing`].
#[derive(Clone, Copy)]
struct Strike {
    level: f64,
    last: Instant,
}

impl Strike {
    fn drained(self, schedule: guessing::Schedule, now: Instant) -> f64 {
        let gone = now.duration_since(self.last).as_secs_f64() / schedule.drain.as_secs_f64();
        (self.level - gone).max(0.0)
    }
}

pub struct RateLimiter {
    enabled: bool,
    windows: Mutex<HashMap<String, Window>>,
    strikes: Mutex<HashMap<String, Strike>>,
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
            strikes: Mutex::new(HashMap::new()),
        }
    }

    /// Before a password is checked (sign-in, or the current password asked again):
    /// refuses with 429 `too_many_attempts` while a delay runs for this account from this
    /// address, or for this address; otherwise counts the attempt. `account` is the
    /// address typed, known or not, so an unknown one is treated alike.
    pub fn password_attempt(&self, account: &str, ip: &str) -> ApiResult<()> {
        self.password_attempt_at(account, ip, Instant::now())
    }

    /// The password was right: the attempt is taken back and this address's earlier
    /// wrong passwords for the account are forgotten.
    pub fn password_ok(&self, account: &str, ip: &str) {
        self.password_ok_at(account, ip, Instant::now())
    }

    fn password_attempt_at(&self, account: &str, ip: &str, now: Instant) -> ApiResult<()> {
        use guessing::*;
        if !self.enabled {
            return Ok(());
        }
        let (pair_key, ip_key, account_key) = password_keys(account, ip);
        let mut strikes = self.strikes();
        if strikes.len() > 200_000 {
            let (free, drain) = (ADDRESS.free.min(PAIR.free), PAIR.drain.max(ADDRESS.drain));
            strikes.retain(|_, s| {
                let gone = now.duration_since(s.last).as_secs_f64() / drain.as_secs_f64();
                s.level - gone >= f64::from(free)
            });
        }
        let level = |key: &str, schedule: Schedule| {
            strikes
                .get(key)
                .map(|s| (s.drained(schedule, now), s.last))
                .unwrap_or((0.0, now))
        };
        let under_attack =
            level(&account_key, ACCOUNT_CEILING).0 >= f64::from(ACCOUNT_CEILING.free);
        let pair_schedule = if under_attack {
            PAIR_UNDER_ATTACK
        } else {
            PAIR
        };
        let pair = level(&pair_key, pair_schedule);
        let address = level(&ip_key, ADDRESS);
        let wait = |(level, last): (f64, Instant), schedule: Schedule| {
            (last + schedule.delay(level)).saturating_duration_since(now)
        };
        let left = wait(pair, pair_schedule).max(wait(address, ADDRESS));
        if !left.is_zero() {
            return Err(ApiError::too_many_attempts(left.as_secs() + 1));
        }
        let raised: Vec<(String, f64)> = [
            (pair_key, pair_schedule),
            (ip_key, ADDRESS),
            (account_key, ACCOUNT_CEILING),
        ]
        .into_iter()
        .map(|(key, schedule)| {
            let level = level(&key, schedule).0 + 1.0;
            (key, level)
        })
        .collect();
        for (key, level) in raised {
            strikes.insert(key, Strike { level, last: now });
        }
        Ok(())
    }

    fn password_ok_at(&self, account: &str, ip: &str, now: Instant) {
        if !self.enabled {
            return;
        }
        let (pair_key, ip_key, account_key) = password_keys(account, ip);
        let mut strikes = self.strikes();
        strikes.remove(&pair_key);
        for (key, schedule) in [
            (ip_key, guessing::ADDRESS),
            (account_key, guessing::ACCOUNT_CEILING),
        ] {
            if let Some(s) = strikes.get_mut(&key) {
                s.level = (s.drained(schedule, now) - 1.0).max(0.0);
                s.last = now;
            }
        }
    }

    fn strikes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Strike>> {
        self.strikes.lock().unwrap_or_else(|p| p.into_inner())
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

fn password_keys(account: &str, ip: &str) -> (String, String, String) {
    (
        format!("password:pair:{account}:{ip}"),
        format!("password:ip:{ip}"),
        format!("password:account:{account}"),
    )
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

    fn wrong(rl: &RateLimiter, account: &str, ip: &str, at: Instant) -> ApiResult<()> {
        rl.password_attempt_at(account, ip, at)
    }

    #[test]
    fn wrong_passwords_from_one_address_wait_longer_and_longer() {
        let rl = RateLimiter::new(true);
        let t0 = Instant::now();
        for _ in 0..5 {
            wrong(&rl, "ana@example.org", "203.0.113.5", t0).unwrap();
        }
        let err = wrong(&rl, "ana@example.org", "203.0.113.5", t0).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::TooManyAttempts);
        assert_eq!(err.retry_after, Some(16));
        // The delays grow: 15 s, 30 s, 60 s…
        let mut at = t0;
        for expected in [15, 30, 60, 120] {
            at += Duration::from_secs(expected);
            wrong(
                &rl,
                "ana@example.org",
                "203.0.113.5",
                at - Duration::from_secs(1),
            )
            .unwrap_err();
            wrong(&rl, "ana@example.org", "203.0.113.5", at).unwrap();
        }
        // …the owner, elsewhere, is not touched; nor is another account from that address.
        wrong(&rl, "ana@example.org", "198.51.100.7", at).unwrap();
        rl.password_ok_at("ana@example.org", "198.51.100.7", at);
        wrong(&rl, "ben@example.org", "203.0.113.5", at).unwrap();
        // A success from the address forgets its failures for the account.
        rl.password_ok_at("ana@example.org", "203.0.113.5", at);
        for _ in 0..5 {
            wrong(&rl, "ana@example.org", "203.0.113.5", at).unwrap();
        }
    }

    #[test]
    fn a_distributed_guess_is_slowed_but_the_owner_gets_in() {
        let rl = RateLimiter::new(true);
        let t0 = Instant::now();
        // 20 addresses, 5 wrong passwords each: 100, the ceiling.
        for n in 0..20 {
            for _ in 0..5 {
                wrong(&rl, "ana@example.org", &format!("192.0.2.{n}"), t0).unwrap();
            }
        }
        // A new address gets one try, then waits a minute.
        wrong(&rl, "ana@example.org", "192.0.2.100", t0).unwrap();
        let err = wrong(&rl, "ana@example.org", "192.0.2.100", t0).unwrap_err();
        assert_eq!(err.retry_after, Some(61));
        // The owner's first try from home is let through (and then succeeds).
        wrong(&rl, "ana@example.org", "198.51.100.7", t0).unwrap();
        rl.password_ok_at("ana@example.org", "198.51.100.7", t0);
        // Hours later the account is no longer under attack.
        let later = t0 + Duration::from_secs(2 * 3600);
        for _ in 0..5 {
            wrong(&rl, "ana@example.org", "192.0.2.101", later).unwrap();
        }
    }

    #[test]
    fn one_address_spraying_many_accounts_is_slowed() {
        let rl = RateLimiter::new(true);
        let t0 = Instant::now();
        for n in 0..100 {
            wrong(&rl, &format!("user{n}@example.org"), "203.0.113.9", t0).unwrap();
        }
        let err = wrong(&rl, "another@example.org", "203.0.113.9", t0).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::TooManyAttempts);
        wrong(&rl, "another@example.org", "203.0.113.10", t0).unwrap();
        wrong(
            &rl,
            "another@example.org",
            "203.0.113.9",
            t0 + Duration::from_secs(11),
        )
        .unwrap();
    }

    #[test]
    fn a_disabled_limiter_never_delays() {
        let rl = RateLimiter::new(false);
        let t0 = Instant::now();
        for _ in 0..50 {
            wrong(&rl, "ana@example.org", "203.0.113.5", t0).unwrap();
        }
    }
}
