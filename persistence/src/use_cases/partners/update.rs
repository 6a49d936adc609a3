//! Replaces a partner's registration data (name, address, representative, category, SIRET).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::partners;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;
use mcp_domain::partner::PartnerData;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// Replaces a partner's registration data (name, address, representative, category, SIRET).
pub fn update(db: &Database, ctx: &Ctx, id: PartnerId, data: &PartnerData) -> Result<Partner> {
    db.write(|conn| {
        let before = load_for(conn, ctx, id, Function::ManagePartners)?;
        if before.category != data.category.code() {
            let refused = crate::store::subscriptions::ineligible_for(conn, before.id, data.category, ctx.today())?;
            if !refused.is_empty() {
                return Err(DomainError::conflict(
                    ErrorCode::CategoryConflictsWithSubscriptions,
                    mcp_domain::msg!(
                        "un partenaire de la catégorie {} ne peut pas détenir {}, que lui ouvrent \
                         ses bulletins d'adhésion en vigueur : modifiez-les d'abord par avenant",
                        "a partner of category {} may not hold {}, opened by its subscriptions in \
                         force: amend them first",
                        data.category.code(),
                        refused.join(", ")
                    ),
                )
                .into());
            }
        }
        diesel::update(partners::table.find(&before.id))
            .set((
                partners::siret.eq(data.siret.as_str()),
                partners::name.eq(&data.name),
                partners::address.eq(&data.address),
                partners::representative_name.eq(&data.representative_name),
                partners::representative_title.eq(&data.representative_title),
                partners::category.eq(data.category.code()),
                partners::updated_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(on_duplicate())?;
        let after = load_for(conn, ctx, id, Function::ManagePartners)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(id),
                action: TraceAction::PartnerUpdated,
                target_type: TargetType::Partner,
                target_id: Some(id.uuid()),
                caf_id: Some(after.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({
                    "before": { "siret": before.siret, "name": before.name, "address": before.address,
                                "representative_name": before.representative_name, "category": before.category },
                    "after": { "siret": after.siret, "name": after.name, "address": after.address,
                               "representative_name": after.representative_name, "category": after.category },
                }),
            },
        )?;
        Ok(after)
    })
}
