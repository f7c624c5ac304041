//! Password hashing with Argon2id at the OWASP-recommended cost (19 MiB, 2 passes, 1 lane).

use std::sync::OnceLock;

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
}
