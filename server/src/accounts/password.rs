//! Password hashing with Argon2id at the OWASP-recommended cost (19 MiB, 2 passes, 1 lane).
//!
//! The server hashes through [`hash_queued`] and [`verify_queued`]: at most one hash per
//! core runs at a time, the others wait their turn, so a flood of sign-ins queues instead
//! of holding 19 MiB for each request in flight.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use tokio::sync::Semaphore;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{ApiError, ApiResult};

fn hasher() -> ApiResult<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(ApiError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash(password: &str) -> ApiResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(ApiError::internal)?
        .to_string())
}

/// Checks a password against a stored hash. With no hash (unknown or erased account)
/// it checks against a dummy hash, so the answer takes as long either way.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let dummy = dummy_hash();
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let Ok(argon) = hasher() else { return false };
    argon.verify_password(password.as_bytes(), &parsed).is_ok() && real
}

/// One permit per core: the hashes that may run at once.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(cores()))
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Hashes running now, and the most ever seen at once (for tests and metrics).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST: AtomicUsize = AtomicUsize::new(0);

pub fn most_at_once() -> usize {
    MOST.load(Ordering::Relaxed)
}

/// Runs `work` on the blocking pool once a permit is free.
async fn queued<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    let _permit = permits().acquire().await.map_err(ApiError::internal)?;
    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    MOST.fetch_max(now, Ordering::SeqCst);
    let result = actix_web::web::block(work).await;
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    Ok(result?)
}

/// [`hash`], in turn with the other hashes.
pub async fn hash_queued(password: String) -> ApiResult<String> {
    queued(move || hash(&password)).await?
}

/// [`verify`], in turn with the other hashes.
pub async fn verify_queued(password: String, stored: Option<String>) -> ApiResult<bool> {
    queued(move || verify(&password, stored.as_deref())).await
}

fn dummy_hash() -> &'static String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("not a real password, only spends time").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn argon2id_round_trip() {
        let h = super::hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse battery", Some(&h)));
        assert!(!super::verify("wrong horse battery", Some(&h)));
        assert!(!super::verify("correct horse battery", None));
    }

    #[actix_web::test]
    async fn a_flood_of_hashes_queues_one_per_core() {
        let stored = super::hash("correct horse battery").unwrap();
        let flood = (0..2 * super::cores() + 1)
            .map(|i| super::verify_queued(format!("guess {i}"), Some(stored.clone())));
        for ok in futures_util::future::join_all(flood).await {
            assert!(!ok.unwrap());
        }
        assert!(super::most_at_once() <= super::cores());
        assert!(super::most_at_once() >= 1);
    }
}
