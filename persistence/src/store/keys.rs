//! The keys that sign access tokens: Ed25519, rotated, kept in the database so that every
//! instance signs and verifies with the same set.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::Rng;

use crate::schema::token_keys;

/// A new key signs only once it has been known this long, so that every instance (which reloads
/// the set every minute) can verify its tokens before the first one is issued.
pub const PUBLICATION_DELAY_MINUTES: i64 = 5;
/// A key signs for this long, then a new one takes over.
pub const ROTATION_DAYS: i64 = 30;
/// A retired key still verifies for this long (longer than any token lives), then is dropped.
pub const RETIREMENT_DAYS: i64 = 2;

/// PKCS#8 header of an Ed25519 private key (RFC 8410), followed by the 32-byte seed.
pub(crate) const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A stored signing key.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = token_keys)]
pub struct TokenKey {
    /// Key id (`kid`).
    pub id: String,
    /// `EdDSA`.
    pub algorithm: String,
    /// PKCS#8 DER of the private key, hex.
    pub private_key: String,
    /// When it was made.
    pub created_at: NaiveDateTime,
}

impl TokenKey {
    /// The PKCS#8 DER bytes of the private key.
    pub fn pkcs8_der(&self) -> Vec<u8> {
        hex::decode(&self.private_key).unwrap_or_default()
    }
}

/// A fresh Ed25519 private key as PKCS#8 DER.
pub fn generate_ed25519_pkcs8() -> Vec<u8> {
    let seed: [u8; 32] = rand::thread_rng().gen();
    let mut der = PKCS8_ED25519_PREFIX.to_vec();
    der.extend_from_slice(&seed);
    der
}

/// The key that signs at `now` among `keys` (newest first).
pub fn signing_key(keys: &[TokenKey], now: NaiveDateTime) -> Option<&TokenKey> {
    let published = now - Duration::minutes(PUBLICATION_DELAY_MINUTES);
    keys.iter()
        .find(|k| k.created_at <= published)
        .or(keys.last())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, minutes_ago: i64, now: NaiveDateTime) -> TokenKey {
        TokenKey {
            id: id.into(),
            algorithm: "EdDSA".into(),
            private_key: String::new(),
            created_at: now - Duration::minutes(minutes_ago),
        }
    }

    #[test]
    fn a_new_key_signs_once_published() {
        let now = chrono::DateTime::from_timestamp(1_790_000_000, 0)
            .unwrap()
            .naive_utc();
        let only = [key("first", 0, now)];
        assert_eq!(
            signing_key(&only, now).unwrap().id,
            "first",
            "first start: the only key signs"
        );
        let rotating = [key("new", 1, now), key("old", 60 * 24 * 30, now)];
        assert_eq!(
            signing_key(&rotating, now).unwrap().id,
            "old",
            "the new key is not yet known everywhere"
        );
        let published = [key("new", 6, now), key("old", 60 * 24 * 30, now)];
        assert_eq!(signing_key(&published, now).unwrap().id, "new");
        assert_eq!(generate_ed25519_pkcs8().len(), 48);
    }
}
