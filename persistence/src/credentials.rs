//! The secrets people prove themselves with: argon2id password hashes, TOTP codes, and the
//! high-entropy secrets the service hands out (codes, refresh and device tokens). Pure
//! computation, no database: the use cases hash and verify outside their transactions (argon2
//! takes tens of milliseconds and 19 MiB) and decide inside them.

use crate::hash_pool::HashPool;
use chrono::NaiveDateTime;

use crate::error::{Error, Result};

/// Hashes a password with argon2id and OWASP's parameters (19 MiB, 2 passes, 1 lane), on the
/// bounded hashing pool.
pub fn hash_password(password: &str) -> Result<String> {
    HashPool::global().hash(password)
}

/// Checks a password against a stored hash, on the bounded hashing pool. With no stored hash, a
/// dummy hash is checked so that an unknown identifier costs the same time as a wrong password.
/// [`Error::Busy`] when the pool's queue is full.
pub fn verify_password(password: &str, stored: Option<&str>) -> Result<bool> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = match DUMMY.get() {
        Some(d) => d,
        None => {
            let d = hash_password("not a password of anyone")?;
            DUMMY.get_or_init(|| d)
        }
    };
    let ok = HashPool::global().verify(password, stored.unwrap_or(dummy))?;
    Ok(ok && stored.is_some())
}

/// Issuer shown in authenticator apps.
const TOTP_ISSUER: &str = "Mon Compte Partenaire";

fn totp(secret_b32: &str, identifier: &str) -> Result<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| Error::Secret(format!("{e:?}")))?;
    Ok(totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        mcp_domain::second_factor::SKEW_STEPS as u8,
        mcp_domain::second_factor::STEP_SECONDS,
        bytes,
        Some(TOTP_ISSUER.to_string()),
        identifier.to_string(),
    ))
}

/// A new TOTP secret (160 bits, base32) and its `otpauth://` URI for authenticator apps.
pub fn new_totp_secret(identifier: &str) -> Result<(String, String)> {
    use rand::Rng;
    let raw: [u8; 20] = rand::thread_rng().gen();
    let secret = totp_rs::Secret::Raw(raw.to_vec()).to_encoded().to_string();
    let uri = totp(&secret, identifier)?.get_url();
    Ok((secret, uri))
}

/// The time step a submitted code matches for a secret at `at`, if any (each step usable once).
pub fn totp_step(
    secret_b32: &str,
    identifier: &str,
    last_used_step: Option<i64>,
    submitted: &str,
    at: NaiveDateTime,
) -> Result<Option<i64>> {
    let t = totp(secret_b32, identifier)?;
    let unix = at.and_utc().timestamp().max(0) as u64;
    let step = mcp_domain::second_factor::matching_step(
        unix,
        last_used_step.map(|s| s.max(0) as u64),
        submitted,
        |step| t.generate(step * mcp_domain::second_factor::STEP_SECONDS),
    );
    Ok(step.map(|s| s as i64))
}

/// A fresh high-entropy secret (256 bits, hex).
pub fn random_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// The stored form of a high-entropy secret. SHA-256 suffices: such a secret cannot be guessed,
/// so no slow hash is needed (passwords, which people choose, get argon2id).
pub fn secret_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Lieusaint#2026!").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Lieusaint#2026!", Some(&h)).unwrap());
        assert!(!verify_password("lieusaint#2026!", Some(&h)).unwrap());
        assert!(!verify_password("not a password of anyone", None).unwrap());
    }

    #[test]
    fn a_totp_code_matches_its_step_once() {
        let (secret, uri) = new_totp_secret("K7M2-Q9XD").unwrap();
        assert!(uri.starts_with("otpauth://totp/"));
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let t = totp(&secret, "K7M2-Q9XD").unwrap();
        let code = t.generate(1_800_000_000);
        let step = totp_step(&secret, "K7M2-Q9XD", None, &code, at).unwrap();
        assert_eq!(step, Some(1_800_000_000 / 30));
        assert_eq!(
            totp_step(&secret, "K7M2-Q9XD", step, &code, at).unwrap(),
            None
        );
    }
}
