//! Releases a claimed key whose request did nothing lasting.

use mcp_domain::ids::AccountId;

use crate::db::Database;
use crate::error::Result;
use crate::store::idempotency;

/// Releases `account`'s `key`, so that a retry does the work.
pub fn release(db: &Database, account: AccountId, key: &str) -> Result<()> {
    db.write(|conn| idempotency::release(conn, &account.to_string(), key))
}
