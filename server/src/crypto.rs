//! Small cryptographic helpers shared by accounts, mail and links.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A random URL-safe token carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Tokens are stored only as their SHA-256: a database leak does not hand out sessions.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

/// HMAC-SHA256 signature, URL-safe, for links that need no login.
pub fn sign(secret: &[u8], message: &str) -> String {
    #[allow(clippy::expect_used)] // HMAC accepts keys of any length; this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("hmac key");
    mac.update(message.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

pub fn verify_signature(secret: &[u8], message: &str, signature: &str) -> bool {
    let Ok(raw) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("hmac key");
    mac.update(message.as_bytes());
    mac.verify_slice(&raw).is_ok()
}

/// Equal bytes, compared in a time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_hashes_stable() {
        let a = random_token(32);
        assert_ne!(a, random_token(32));
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn signatures_reject_tampering() {
        let s = sign(b"k", "user:1");
        assert!(verify_signature(b"k", "user:1", &s));
        assert!(!verify_signature(b"k", "user:2", &s));
        assert!(!verify_signature(b"other", "user:1", &s));
        assert!(!verify_signature(b"k", "user:1", "!!"));
    }
}
