//! A partner's software.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::client_applications;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's software.
pub fn list(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<ClientApplication>> {
    db.read(|conn| {
        let partner =
            crate::store::partners::load_for(conn, ctx, partner_id, Function::ReadPartners)?;
        let mut q = client_applications::table
            .filter(client_applications::partner_id.eq(&partner.id))
            .into_boxed();
        if let Some(after) = &page.cursor {
            q = q.filter(client_applications::id.gt(after));
        }
        let limit = page.limit();
        let rows = q
            .order(client_applications::id.asc())
            .limit(limit + 1)
            .select(ClientApplication::as_select())
            .load(conn)?;
        Page::from_rows(rows, limit, |a| a.id.to_string(), Ok)
    })
}
