//! The stored password hash of the caller, to check their current password.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::accounts;
use diesel::prelude::*;
use mcp_domain::DomainError;

/// The stored password hash of the caller, to check their current password.
pub fn own_password_hash(db: &Database, ctx: &Ctx) -> Result<(String, Option<String>)> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let id = ctx.principal().account_id().to_string();
    db.read(|conn| {
        accounts::table
            .find(id)
            .select((accounts::identifier, accounts::password_hash))
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))
    })
}
