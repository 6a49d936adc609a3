//! The partners within the caller's reach.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::partners;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};

use super::*;

/// The partners within the caller's reach.
pub fn list(
    db: &Database,
    ctx: &Ctx,
    filter: &PartnerFilter,
    page: &PageRequest,
) -> Result<Page<Partner>> {
    authorize(ctx.principal(), Function::ReadPartners, Reach::National)?;
    let scope = ctx.principal().caf_scope();
    let own_partner = ctx.principal().partner_id;
    db.read(|conn| {
        let mut q = partners::table.select(Partner::as_select()).into_boxed();
        if let Some(own) = scope {
            q = q.filter(partners::caf_id.eq(own.to_string()));
        }
        if let Some(own) = own_partner {
            q = q.filter(partners::id.eq(own.to_string()));
        }
        if let Some(c) = filter.caf_id {
            q = q.filter(partners::caf_id.eq(c.to_string()));
        }
        if let Some(s) = &filter.siret {
            q = q.filter(partners::siret.eq(s.clone()));
        }
        if let Some(c) = filter.category {
            q = q.filter(partners::category.eq(c.code()));
        }
        if let Some(c) = &page.cursor {
            q = q.filter(partners::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(partners::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |p: &Partner| p.id.to_string(), Ok)
    })
}
