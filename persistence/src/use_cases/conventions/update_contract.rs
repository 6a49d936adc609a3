//! Replaces the service contract's terms.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::conventions;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::contract::ManagementMode;
use mcp_domain::convention::AmendmentSignature;
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;
use crate::store::amendments::change;

/// Changes the service contract's terms — those given; the others keep their value — directly
/// on a draft, by amendment once signed. A change of management mode is an amendment like any
/// other (S-art. 2.2).
pub fn update_contract(
    db: &Database,
    ctx: &Ctx,
    id: ConventionId,
    asked: ContractChange,
    amendment: Option<AmendmentSignature>,
) -> Result<(Convention, Option<Amendment>)> {
    db.write(|conn| {
        let conv = load_for(conn, ctx, id, Function::ManagePartners)?;
        let terms = asked.over(&conv.row)?.check()?;
        let ((), amendment) = change(conn, ctx, &conv, amendment, "contract", |conn, _| {
            diesel::update(conventions::table.find(&conv.row.id))
                .set((
                    conventions::management_mode.eq(terms.management_mode.code()),
                    conventions::password_policy.eq(to_json(&terms.password_policy)),
                    conventions::contacts.eq(to_json(&terms.contacts)),
                    conventions::second_factor_required.eq(terms.second_factor_required),
                    conventions::email_domains.eq(to_json(&terms.email_domains)),
                    conventions::service_centre.eq(to_json(&terms.service_centre)),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        // The Caf taking management back withdraws the delegation (S-art. 2.2.1): the
        // partner's delegated managers lose their functions now; habilitations stay.
        let delegations_withdrawn = if conv.row.management_mode()? == ManagementMode::Delegue
            && terms.management_mode == ManagementMode::Centralise
        {
            crate::store::staff::withdraw_all_delegations(
                conn,
                ctx,
                conv.row.partner_id,
                "the contract switched to mode centralisé",
            )?
        } else {
            0
        };
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(conv.row.partner_id.get()),
                action: TraceAction::ContractUpdated,
                target_type: TargetType::Convention,
                target_id: Some(id.uuid()),
                caf_id: Some(conv.row.caf_uuid()?.into()),
                outcome: Outcome::Success,
                detail: json!({
                    "amendment": amendment.as_ref().map(|a| a.number),
                    "management_mode": terms.management_mode,
                    "delegations_withdrawn": delegations_withdrawn,
                    "password_policy": terms.password_policy,
                    "contacts": terms.contacts.len(),
                    "email_domains": terms.email_domains,
                    "service_centre": terms.service_centre,
                }),
            },
        )?;
        Ok((load(conn, conv.row.id)?, amendment))
    })
}
