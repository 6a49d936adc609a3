//! Whom a partner contacts when a request waits too long.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::contract::Contact;
use mcp_domain::convention::Party;
use mcp_domain::ids::{ConventionId, PartnerId};

/// Whom a partner contacts when a request waits too long: the Caf's contacts in the contract
/// in force (annex 1, S-art. 3.3).
pub fn escalation_contacts(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
) -> Result<Vec<Contact>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadRequests,
        |conn, partner| {
            let ids: Vec<Id<ConventionId>> = crate::schema::conventions::table
                .filter(crate::schema::conventions::partner_id.eq(&partner.id))
                .order(crate::schema::conventions::id.desc())
                .select(crate::schema::conventions::id)
                .load(conn)?;
            for id in ids {
                let c = crate::store::conventions::load_for_system(conn, id)?;
                if c.life.access_open(ctx.today()) {
                    return Ok(c
                        .row
                        .contacts()?
                        .into_iter()
                        .filter(|c| c.side == Party::Caf)
                        .collect());
                }
            }
            Ok(vec![])
        },
    )
}
