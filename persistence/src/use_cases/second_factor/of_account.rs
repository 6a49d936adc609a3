//! The second factor of an account, if any.

use crate::db::Database;
use crate::error::Result;
use crate::schema::account_totp;
use diesel::prelude::*;

use super::*;

/// The second factor of an account, if any.
pub fn of_account(db: &Database, account_id: &str) -> Result<Option<Totp>> {
    db.read(|conn| {
        Ok(account_totp::table
            .find(account_id)
            .select(Totp::as_select())
            .first(conn)
            .optional()?)
    })
}
