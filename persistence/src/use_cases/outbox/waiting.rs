//! How many messages wait to be delivered.

use crate::db::Database;
use crate::error::Result;

/// How many messages wait in the outbox (not delivered, not set aside), for the metrics.
pub fn waiting(db: &Database) -> Result<i64> {
    db.read(crate::store::outbox::waiting)
}
