//! The delegations of a partner, in force first then withdrawn, newest first.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::delegations;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// The delegations of a partner, in force first then withdrawn, newest first.
pub fn list_delegations(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
) -> Result<Vec<DelegationRow>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut rows: Vec<DelegationRow> = delegations::table
                .filter(delegations::partner_id.eq(&partner.id))
                .order(delegations::id.desc())
                .select(DelegationRow::as_select())
                .load(conn)?;
            rows.sort_by_key(|r| r.withdrawn_at.is_some());
            Ok(rows)
        },
    )
}
