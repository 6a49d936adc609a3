//! The partner's staff, whole, as a file.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::accounts::{of_partner, Account};
use crate::store::partners::load_for;
use crate::store::trace::{record, Event, Outcome};
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

/// Every member of the partner's staff, in creation order, for a file its administrators keep:
/// personal data leaving the service, so the export is traced with the number of lines, in the
/// transaction that reads them.
pub fn export_staff(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<Vec<Account>> {
    db.write(|conn| {
        let partner = load_for(conn, ctx, partner_id, Function::ReadHabilitations)?;
        let staff = of_partner(conn, partner.id, None, None)?;
        record(
            conn,
            ctx,
            Event {
                action: TraceAction::PartnerStaffExported,
                target_type: TargetType::Partner,
                target_id: Some(partner_id.uuid()),
                caf_id: Some(partner.caf_id.get()),
                partner_id: Some(partner_id),
                outcome: Outcome::Success,
                detail: json!({ "lines": staff.len() }),
            },
        )?;
        Ok(staff)
    })
}
