//! A partner's habilitations, in grant order.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::use_cases::partners::{self};
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's habilitations, in grant order.
pub fn list(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    filter: &HabilitationFilter,
    page: &PageRequest,
) -> Result<Page<HabilitationView>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let limit = page.limit();
            let rows = of_partner(
                conn,
                partner.id,
                filter,
                page.cursor.as_deref(),
                Some(limit + 1),
            )?;
            Page::from_rows(rows, limit, |h| h.id.to_string(), |h| view(conn, h))
        },
    )
}
