//! The stops to come and under way, as anyone may read them.

use crate::db::Database;
use crate::error::Result;
use chrono::NaiveDateTime;
use mcp_domain::maintenance::Window;

use super::*;

/// The stops not ended and not cancelled at `now`, by start: public, so that partners and
/// their software plan around them.
pub fn to_come(db: &Database, now: NaiveDateTime) -> Result<Vec<Listed>> {
    db.read(|conn| {
        crate::store::stops::to_come(conn, now)?
            .into_iter()
            .map(|row| listed(conn, row))
            .collect()
    })
}

/// The windows of national maintenance not ended at `now`, for the HTTP layer to answer 503
/// during them.
pub fn national_windows(db: &Database, now: NaiveDateTime) -> Result<Vec<Window>> {
    db.read(|conn| crate::store::stops::national_windows(conn, now))
}
