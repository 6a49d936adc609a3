//! A partner's role bundles, by name.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::role_bundles;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's role bundles, in creation order.
pub fn list_bundles(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<RoleBundle>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut q = role_bundles::table
                .filter(role_bundles::partner_id.eq(&partner.id))
                .into_boxed();
            if let Some(after) = &page.cursor {
                q = q.filter(role_bundles::id.gt(after));
            }
            let limit = page.limit();
            let rows = q
                .order(role_bundles::id.asc())
                .limit(limit + 1)
                .select(RoleBundle::as_select())
                .load(conn)?;
            Page::from_rows(rows, limit, |r| r.id.to_string(), Ok)
        },
    )
}
