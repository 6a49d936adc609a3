//! The groups of a partner, by name.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::partner_groups;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// The groups of a partner, in creation order.
pub fn list_groups(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<Group>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut q = partner_groups::table
                .filter(partner_groups::partner_id.eq(&partner.id))
                .into_boxed();
            if let Some(after) = &page.cursor {
                q = q.filter(partner_groups::id.gt(after));
            }
            let limit = page.limit();
            let rows = q
                .order(partner_groups::id.asc())
                .limit(limit + 1)
                .select(Group::as_select())
                .load(conn)?;
            Page::from_rows(rows, limit, |r| r.id.to_string(), Ok)
        },
    )
}
