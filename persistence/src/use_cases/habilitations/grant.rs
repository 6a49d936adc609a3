//! Grants a habilitation (a management function), within the quota and the principle of least
//! assignment.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::staff::{self};
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// Grants a habilitation (a management function), within the quota and the principle of least
/// assignment.
pub fn grant(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    req: GrantRequest,
) -> Result<HabilitationView> {
    db.write(|conn| {
        let partner = staff::managed_partner(conn, ctx, partner_id, Function::ManageHabilitations)?;
        let h = grant_in(conn, ctx, &partner, &req, None)?;
        view(conn, h)
    })
}
