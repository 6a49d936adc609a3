//! The identifier of an account (for traces of a sign-in made through software).

use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use diesel::prelude::*;

/// The identifier of an account (for traces of a sign-in made through software).
pub fn identifier_of(db: &Database, account_id: &str) -> Result<String> {
    db.read(|conn| {
        Ok(accounts::table
            .find(account_id)
            .select(accounts::identifier)
            .first(conn)?)
    })
}
