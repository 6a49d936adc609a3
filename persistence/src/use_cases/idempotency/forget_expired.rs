//! Forgets the answers kept past their 24 hours.

use chrono::NaiveDateTime;

use crate::db::Database;
use crate::error::Result;
use crate::store::idempotency;

/// Forgets the keys older than 24 hours; returns how many.
pub fn forget_expired(db: &Database, now: NaiveDateTime) -> Result<usize> {
    db.write(|conn| idempotency::forget_expired(conn, now))
}
