//! A partner's administrators, with their rank.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's administrators, with their rank.
pub fn administrators(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
) -> Result<Vec<crate::store::accounts::Account>> {
    use crate::schema::accounts;
    db.read(|conn| {
        let partner = load_for(conn, ctx, partner_id, Function::ReadPartners)?;
        Ok(accounts::table
            .filter(accounts::partner_id.eq(&partner.id))
            .filter(accounts::role.eq(mcp_domain::access::Role::PartnerAdministrator.code()))
            .order(accounts::id.asc())
            .select(crate::use_cases::accounts::Account::as_select())
            .load(conn)?)
    })
}
