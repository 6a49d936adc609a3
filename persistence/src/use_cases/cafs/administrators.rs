//! The administrators of a Caf.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::accounts as accounts_t;
use crate::store::accounts::Account;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach, Role};
use mcp_domain::ids::CafId;

use super::*;

/// The administrators of a Caf.
pub fn administrators(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    page: &PageRequest,
) -> Result<Page<Account>> {
    authorize(ctx.principal(), Function::ReadCaf, Reach::Caf(caf_id))?;
    db.read(|conn| {
        load(conn, caf_id)?;
        let mut q = accounts_t::table
            .filter(accounts_t::caf_id.eq(caf_id.to_string()))
            .filter(accounts_t::role.eq(Role::CafAdministrator.code()))
            .select(Account::as_select())
            .into_boxed();
        if let Some(c) = &page.cursor {
            q = q.filter(accounts_t::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(accounts_t::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |a: &Account| a.id.to_string(), Ok)
    })
}
