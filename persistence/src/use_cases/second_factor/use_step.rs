//! Marks `step` used, if no code at or after it was used meanwhile.

use crate::db::Database;
use crate::error::Result;
use crate::schema::account_totp;
use diesel::prelude::*;

/// Marks `step` used, if no code at or after it was used meanwhile; false when it was (a replay,
/// or two logins racing with one code).
pub fn use_step(db: &Database, account_id: &str, step: i64) -> Result<bool> {
    db.write(|conn| {
        let moved = diesel::update(
            account_totp::table.find(account_id).filter(
                account_totp::last_used_step
                    .is_null()
                    .or(account_totp::last_used_step.lt(step)),
            ),
        )
        .set(account_totp::last_used_step.eq(step))
        .execute(conn)?;
        Ok(moved == 1)
    })
}
