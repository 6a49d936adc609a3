//! Forgets the budget windows that are over.

use chrono::NaiveDateTime;

use crate::db::Database;
use crate::error::Result;
use crate::store::budgets;

/// Forgets the windows that ended before `before`.
pub fn forget_expired(db: &Database, before: NaiveDateTime) -> Result<usize> {
    db.write(|conn| budgets::forget_before(conn, before))
}
