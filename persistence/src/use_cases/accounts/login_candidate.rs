//! Finds the account an identifier names, for a login attempt.

use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use diesel::prelude::*;

use super::*;

/// Finds the account an identifier names, for a login attempt.
pub fn login_candidate(db: &Database, identifier: &str) -> Result<Option<LoginCandidate>> {
    db.read(|conn| {
        Ok(accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select(LoginCandidate::as_select())
            .first(conn)
            .optional()?)
    })
}
