//! The delegations of a partner, in force first then withdrawn, newest first.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::delegations;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// The delegations of a partner, newest first (those withdrawn carry `withdrawn_at`).
pub fn list_delegations(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<DelegationRow>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut q = delegations::table
                .filter(delegations::partner_id.eq(&partner.id))
                .into_boxed();
            if let Some(before) = &page.cursor {
                q = q.filter(delegations::id.lt(before));
            }
            let limit = page.limit();
            let rows = q
                .order(delegations::id.desc())
                .limit(limit + 1)
                .select(DelegationRow::as_select())
                .load(conn)?;
            Page::from_rows(rows, limit, |r| r.id.to_string(), Ok)
        },
    )
}
