//! Makes a new key when there is none or the newest is due for rotation.

use crate::db::Database;
use crate::error::Result;
use crate::schema::token_keys;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::*;

/// Makes a new key when there is none or the newest is due for rotation; returns the keys that
/// verify at `now`, newest first. The signing key is the newest one published long enough (or
/// the only one, on a first start).
pub fn ensure_and_load(db: &Database, now: NaiveDateTime) -> Result<Vec<TokenKey>> {
    db.write(|conn| {
        let newest: Option<NaiveDateTime> = token_keys::table
            .select(diesel::dsl::max(token_keys::created_at))
            .first(conn)?;
        if newest.is_none_or(|t| now - t >= Duration::days(ROTATION_DAYS)) {
            diesel::insert_into(token_keys::table)
                .values((
                    token_keys::id.eq(crate::new_id()),
                    token_keys::algorithm.eq("EdDSA"),
                    token_keys::private_key.eq(hex::encode(generate_ed25519_pkcs8())),
                    token_keys::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        // Keys retired long enough ago verify nothing any more.
        let horizon = now - Duration::days(ROTATION_DAYS + RETIREMENT_DAYS);
        let keys: Vec<TokenKey> = token_keys::table
            .filter(token_keys::created_at.gt(horizon))
            .order(token_keys::created_at.desc())
            .select(TokenKey::as_select())
            .load(conn)?;
        Ok(keys)
    })
}
