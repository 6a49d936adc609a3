//! The caller's own account.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::accounts;
use diesel::prelude::*;
use mcp_domain::DomainError;

use super::*;

/// The caller's own account.
pub fn me(db: &Database, ctx: &Ctx) -> Result<Account> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ReadOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let id = ctx.principal().account_id().to_string();
    db.read(|conn| {
        accounts::table
            .find(id)
            .select(Account::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))
    })
}
