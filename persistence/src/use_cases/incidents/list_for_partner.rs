//! The security incidents a partner reported.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// The incidents a partner reported, oldest first.
pub fn list_for_partner(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
) -> Result<Vec<IncidentRow>> {
    db.read(|conn| {
        crate::store::partners::load_for(conn, ctx, partner_id, Function::ReadRequests)?;
        of_partner(conn, partner_id)
    })
}
