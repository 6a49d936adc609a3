//! Counts one request against a budget.

use chrono::NaiveDateTime;

use crate::db::{Database, DbConnection};
use crate::error::Result;
use crate::store::budgets;

/// Counts `requests` more against `key` in the window starting at `window`, in their own short
/// transaction; returns the window's count from every instance. On PostgreSQL the commit does
/// not wait for the disk (`synchronous_commit = off`): a crash may forget a few counts, never
/// an action.
pub fn spend(db: &Database, key: &str, window: NaiveDateTime, requests: i64) -> Result<i64> {
    db.write(|conn| {
        if let DbConnection::Postgresql(_) = conn {
            use diesel::RunQueryDsl;
            diesel::sql_query("SET LOCAL synchronous_commit = off").execute(conn)?;
        }
        budgets::spend(conn, key, window, requests)
    })
}
