//! A partner's habilitations, whole, as a file.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::partners::load_for;
use crate::store::trace::{record, Event, Outcome};
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Every habilitation of the partner that passes `filter`, in grant order, for a file its
/// administrators keep (the list a reverse review starts from): traced with the filter and the
/// number of lines, in the transaction that reads them.
pub fn export(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    filter: &HabilitationFilter,
) -> Result<Vec<HabilitationView>> {
    db.write(|conn| {
        let partner = load_for(conn, ctx, partner_id, Function::ReadHabilitations)?;
        let rows = of_partner(conn, partner.id, filter, None, None)?;
        let views = rows
            .into_iter()
            .map(|h| view(conn, h))
            .collect::<Result<Vec<_>>>()?;
        record(
            conn,
            ctx,
            Event {
                action: TraceAction::PartnerHabilitationsExported,
                target_type: TargetType::Partner,
                target_id: Some(partner_id.uuid()),
                caf_id: Some(partner.caf_id.get()),
                partner_id: Some(partner_id),
                outcome: Outcome::Success,
                detail: json!({
                    "lines": views.len(),
                    "status": filter.status.map(|s| s.code()),
                    "profile_id": filter.profile_id,
                }),
            },
        )?;
        Ok(views)
    })
}
