//! Whom a partner contacts when a request waits too long.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::use_cases::partners::{self};
use mcp_domain::access::Function;
use mcp_domain::contract::Contact;
use mcp_domain::convention::Party;
use mcp_domain::ids::PartnerId;

/// Whom a partner contacts at the Caf when a request waits too long: the Caf's escalation
/// contacts of the contract in force (S-art. 3.3, `service_centre::escalation_contacts`: those
/// the contract ranks, else the Caf's administrators, else its service centre); none when no
/// contract is in force.
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
            Ok(
                match crate::store::conventions::row_in_force(conn, partner.id, ctx.today())? {
                    Some(c) => {
                        mcp_domain::service_centre::escalation_contacts(&c.contacts()?, Party::Caf)
                    }
                    None => vec![],
                },
            )
        },
    )
}
