//! What the partner's contract says of its Caf service centre.

use chrono::NaiveDateTime;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::contract::{Contact, ContactRole};
use mcp_domain::convention::Party;
use mcp_domain::error::{DomainError, ErrorCode};
use mcp_domain::ids::PartnerId;
use mcp_domain::service_centre::{self as centre, ServiceCentreTerms};

/// The service centre as the partner sees it.
#[derive(Debug, Clone)]
pub struct ServiceCentre {
    /// The contract's terms.
    pub terms: ServiceCentreTerms,
    /// Whether it is open now.
    pub open_now: bool,
    /// When it next opens (now when open).
    pub next_opening: NaiveDateTime,
    /// Its mailbox and other contacts (annex 1).
    pub contacts: Vec<Contact>,
    /// The escalation's contacts, the Caf's then the partner's, in the contract's order.
    pub escalation_contacts: (Vec<Contact>, Vec<Contact>),
}

/// The service centre of the partner's contract in force: its hours (shown to the partner),
/// whether it is open now, its contacts and those of the escalation. Anyone of the partner's
/// staff, its Caf, the Cnaf.
pub fn service_centre(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<ServiceCentre> {
    db.read(|conn| {
        let p = crate::store::partners::load_for(conn, ctx, partner_id, Function::ReadPartners)?;
        let conv =
            crate::store::conventions::row_in_force(conn, p.id, ctx.today())?.ok_or_else(|| {
                DomainError::rule(
                    ErrorCode::ConventionNotActive,
                    mcp_domain::msg!(
                        "aucun contrat de services de ce partenaire n'est en vigueur aujourd'hui",
                        "no service contract of this partner is in force today"
                    ),
                )
            })?;
        let terms = conv.service_centre()?;
        let contacts = conv.contacts()?;
        Ok(ServiceCentre {
            open_now: terms.is_open(ctx.now),
            next_opening: terms.next_opening(ctx.now),
            escalation_contacts: (
                centre::escalation_contacts(&contacts, Party::Caf),
                centre::escalation_contacts(&contacts, Party::Partner),
            ),
            contacts: contacts
                .into_iter()
                .filter(|c| c.role == ContactRole::ServiceCentre)
                .collect(),
            terms,
        })
    })
}
