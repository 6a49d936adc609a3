//! The rows the demo world needs beyond what the API writes: a new activation code returned
//! to the console for the invented people it activates, and whether a database is empty.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::ids::AccountId;
use mcp_domain::vocabulary::AccountStatus;
use mcp_domain::DomainError;

use crate::credentials::{random_secret, secret_hash};
use crate::db::DbConnection;
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::accounts::{Activation, ACTIVATION_VALIDITY_HOURS};

/// Replaces the one-time activation code of an account still pending activation with a new
/// one, returned to the caller (the demo world activates its own invented people with it; an
/// account already active is left as it is).
pub(crate) fn new_activation(
    conn: &mut DbConnection,
    id: Id<AccountId>,
    now: NaiveDateTime,
) -> Result<Activation> {
    let secret = random_secret();
    let expires_at = now + Duration::hours(ACTIVATION_VALIDITY_HOURS);
    let changed = diesel::update(
        accounts::table
            .filter(accounts::id.eq(&id))
            .filter(accounts::status.eq(AccountStatus::PendingActivation.code())),
    )
    .set((
        accounts::activation_secret_hash.eq(secret_hash(&secret)),
        accounts::activation_expires_at.eq(expires_at),
        accounts::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::NotFound.into());
    }
    Ok(Activation { secret, expires_at })
}

/// Whether the database holds any account: a world of real people, or one seeded already.
pub(crate) fn any(conn: &mut DbConnection) -> Result<bool> {
    let n: i64 = accounts::table.count().get_result(conn)?;
    Ok(n > 0)
}
