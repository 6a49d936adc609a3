//! Devices a person signed in from: the token given at a successful sign-in (OWASP's device
//! cookie), kept as its SHA-256, valid for one identifier for [`DEVICE_VALIDITY_DAYS`].

use crate::id::Id;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::ids::AccountId;

use crate::credentials::{random_secret, secret_hash};
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::trusted_devices;

/// How long a device stays trusted after the sign-in that gave its token.
pub const DEVICE_VALIDITY_DAYS: i64 = 180;

/// The stored hash of `token` when it is a device of `identifier` still valid at `now`.
pub(crate) fn trusted(
    conn: &mut DbConnection,
    token: &str,
    identifier: &str,
    now: NaiveDateTime,
) -> Result<Option<String>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let hash = secret_hash(token);
    Ok(trusted_devices::table
        .find(&hash)
        .filter(trusted_devices::identifier.eq(identifier))
        .filter(trusted_devices::expires_at.gt(now))
        .select(trusted_devices::token_hash)
        .first(conn)
        .optional()?)
}

/// Gives a new device token to the person of `account_id`, who just signed in as `identifier`.
pub(crate) fn give(
    conn: &mut DbConnection,
    account_id: Id<AccountId>,
    identifier: &str,
    now: NaiveDateTime,
) -> Result<String> {
    // The person's devices whose trust ran out are forgotten on the way.
    diesel::delete(
        trusted_devices::table
            .filter(trusted_devices::account_id.eq(account_id))
            .filter(trusted_devices::expires_at.le(now)),
    )
    .execute(conn)?;
    let token = random_secret();
    diesel::insert_into(trusted_devices::table)
        .values((
            trusted_devices::token_hash.eq(secret_hash(&token)),
            trusted_devices::account_id.eq(account_id),
            trusted_devices::identifier.eq(identifier),
            trusted_devices::created_at.eq(now),
            trusted_devices::expires_at.eq(now + Duration::days(DEVICE_VALIDITY_DAYS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Forgets every device of an account: its credentials were revoked or it was closed.
pub(crate) fn forget_all(conn: &mut DbConnection, account_id: Id<AccountId>) -> Result<usize> {
    Ok(
        diesel::delete(trusted_devices::table.filter(trusted_devices::account_id.eq(account_id)))
            .execute(conn)?,
    )
}
