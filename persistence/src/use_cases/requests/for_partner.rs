//! A partner's requests (its administrators, its Caf, the Cnaf).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::use_cases::partners::{self};
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's requests (its administrators, its Caf, the Cnaf).
pub fn for_partner(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    filter: &RequestFilter,
    page: &PageRequest,
) -> Result<Page<RequestView>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadRequests,
        |conn, partner| {
            list(
                conn,
                ctx.now,
                None,
                Some(partner.id.to_string()),
                filter,
                page,
            )
        },
    )
}
