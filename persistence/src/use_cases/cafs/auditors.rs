//! The auditors, of the Cnaf and of every Caf, or of one Caf (Cnaf operators).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::accounts as accounts_t;
use crate::store::accounts::Account;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach, Role};
use mcp_domain::ids::CafId;

/// The auditors, of the Cnaf and of every Caf, or of one Caf (Cnaf operators).
pub fn auditors(
    db: &Database,
    ctx: &Ctx,
    caf_id: Option<CafId>,
    page: &PageRequest,
) -> Result<Page<Account>> {
    authorize(ctx.principal(), Function::ManageAuditors, Reach::National)?;
    db.read(|conn| {
        let mut q = accounts_t::table
            .filter(accounts_t::role.eq_any([Role::CnafAuditor.code(), Role::CafAuditor.code()]))
            .select(Account::as_select())
            .into_boxed();
        if let Some(c) = caf_id {
            q = q.filter(accounts_t::caf_id.eq(c.to_string()));
        }
        if let Some(c) = &page.cursor {
            q = q.filter(accounts_t::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(accounts_t::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |a: &Account| a.id.to_string(), Ok)
    })
}
