//! The partner's staff.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::store::accounts::{of_partner, Account};
use crate::use_cases::partners::{self};
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
            let limit = page.limit();
            let rows = of_partner(conn, partner.id, page.cursor.as_deref(), Some(limit + 1))?;
            Page::from_rows(rows, limit, |a| a.id.to_string(), Ok)
        },
    )
}
