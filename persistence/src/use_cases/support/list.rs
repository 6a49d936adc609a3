//! The requests to the service centre: a partner's, a Caf's.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::{CafId, PartnerId};

use super::*;

/// The requests a partner filed, oldest first (its habilitation managers, its Caf's service
/// centre).
pub fn list_for_partner(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    filter: Filter,
    page: &PageRequest,
) -> Result<Page<SupportRequest>> {
    db.read(|conn| {
        // Outside both support structures: 404 outside the caller's reach, 403 within.
        let function = mcp_domain::service_centre::side_of(ctx.principal())
            .map_or(Function::AnswerSupportRequests, |(_, f)| f);
        let partner = crate::store::partners::load_for(conn, ctx, partner_id, function)?;
        let filter = Filter {
            partner_id: Some(partner_id),
            ..filter
        };
        let rows = of_caf(conn, partner.caf_id.get(), filter, page)?;
        read_page(conn, rows)
    })
}

/// The requests filed with a Caf's service centre, oldest first; with `escalated`, its open
/// escalations (S-art. 3.3).
pub fn list_for_caf(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    filter: Filter,
    page: &PageRequest,
) -> Result<Page<SupportRequest>> {
    authorize(
        ctx.principal(),
        Function::AnswerSupportRequests,
        Reach::Caf(caf_id),
    )?;
    db.read(|conn| {
        crate::store::cafs::load(conn, caf_id)?;
        let rows = of_caf(conn, caf_id, filter, page)?;
        read_page(conn, rows)
    })
}

fn read_page(
    conn: &mut crate::db::DbConnection,
    rows: Page<SupportRequestRow>,
) -> Result<Page<SupportRequest>> {
    let items = rows
        .items
        .into_iter()
        .map(|r| read(conn, r))
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
    })
}
