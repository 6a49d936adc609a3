//! The partner's staff.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::accounts;
use crate::store::accounts::Account;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

/// The partner's staff: administrators and users, in creation order.
pub fn list_staff(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<Account>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut q = accounts::table
                .filter(accounts::partner_id.eq(&partner.id))
                .into_boxed();
            if let Some(after) = &page.cursor {
                q = q.filter(accounts::id.gt(after));
            }
            let limit = page.limit();
            let rows = q
                .order(accounts::id.asc())
                .limit(limit + 1)
                .select(Account::as_select())
                .load(conn)?;
            Page::from_rows(rows, limit, |a| a.id.to_string(), Ok)
        },
    )
}
