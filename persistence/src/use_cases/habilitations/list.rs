//! A partner's habilitations, in grant order.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::habilitations;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
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
            let mut q = habilitations::table
                .filter(habilitations::partner_id.eq(&partner.id))
                .select(Habilitation::as_select())
                .into_boxed();
            if let Some(s) = filter.status {
                q = q.filter(habilitations::status.eq(s.code()));
            }
            if let Some(p) = filter.profile_id {
                q = q.filter(habilitations::profile_id.eq(p.to_string()));
            }
            if let Some(h) = filter.holder {
                q = q
                    .filter(habilitations::holder_kind.eq(h.kind()))
                    .filter(habilitations::holder_id.eq(h.id().to_string()));
            }
            if let Some(c) = &page.cursor {
                q = q.filter(habilitations::id.gt(c.clone()));
            }
            let limit = page.limit();
            let rows: Vec<Habilitation> = q
                .order(habilitations::id.asc())
                .limit(limit + 1)
                .load(conn)?;
            Page::from_rows(rows, limit, |h| h.id.to_string(), |h| view(conn, h))
        },
    )
}
