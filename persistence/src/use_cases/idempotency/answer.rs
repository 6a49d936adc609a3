//! Stores the first answer of a claimed key.

use mcp_domain::ids::AccountId;

use crate::db::Database;
use crate::error::Result;
use crate::store::idempotency::{self, StoredAnswer};

/// Stores the first answer of `account`'s `key`.
pub fn answer(db: &Database, account: AccountId, key: &str, stored: &StoredAnswer) -> Result<()> {
    db.write(|conn| idempotency::answer(conn, &account.to_string(), key, stored))
}
