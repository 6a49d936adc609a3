//! Grants a habilitation (a management function), within the quota and the principle of least
//! assignment.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::staff::{self};
use mcp_domain::access::{Function, Role};
use mcp_domain::ids::PartnerId;

use super::*;

/// Grants a habilitation (a management function), within the quota and the principle of least
/// assignment: the partner's managers in mode délégué, the Caf's administrator for the
/// partner's administrators (S-art. 2.2.2) or once management is the Caf's.
pub fn grant(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    req: GrantRequest,
) -> Result<HabilitationView> {
    db.write(|conn| {
        // The Caf's administrator grants the partner's administrators' habilitations, and
        // everyone's once management is the Caf's (checked in grant_in).
        let partner = if ctx.principal().role == Role::CafAdministrator {
            crate::store::partners::load_for(
                conn,
                ctx,
                partner_id,
                Function::SuperviseHabilitations,
            )?
        } else {
            staff::managed_partner(conn, ctx, partner_id, Function::ManageHabilitations)?
        };
        let h = grant_in(conn, ctx, &partner, &req, None)?;
        view(conn, h)
    })
}
