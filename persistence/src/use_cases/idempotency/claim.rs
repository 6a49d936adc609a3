//! Claims a key for a request, in its own transaction (before the work's).

use chrono::NaiveDateTime;
use mcp_domain::ids::AccountId;

use crate::db::Database;
use crate::error::Result;
use crate::store::idempotency::{self, Claim};

/// Claims `key` for `account`'s request of digest `request_hash` (see [`Claim`]).
pub fn claim(
    db: &Database,
    account: AccountId,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> Result<Claim> {
    db.write(|conn| idempotency::claim(conn, &account.to_string(), key, request_hash, now))
}
