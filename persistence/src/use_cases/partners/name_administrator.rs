//! Names a partner's principal administrator or deputy (Caf administrators only, S-art.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// Names a partner's principal administrator or deputy (Caf administrators only, S-art. 2.2.2).
/// The person receives their identifier and activation code by message; the Caf never sees the
/// code. One principal and one deputy at a time: replacing one is an administrator change.
pub fn name_administrator(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    rank: AdministratorRank,
    person: &mcp_domain::person::Person,
) -> Result<crate::store::accounts::Account> {
    db.write(|conn| {
        let partner = load_for(conn, ctx, partner_id, Function::ManagePartners)?;
        crate::store::staff::name_in(conn, ctx, &partner, rank, person, db.links())
    })
}
