//! The use cases of conventions: one file per action.

pub use crate::store::conventions::*;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::conventions;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::convention::ConventionLife;
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::Value;

mod create;
pub use create::create;
mod get;
pub use get::get;
mod list_for_partner;
pub use list_for_partner::list_for_partner;
mod update;
pub use update::update;
mod sign;
pub use sign::sign;
mod complete_rgpd;
pub use complete_rgpd::complete_rgpd;
mod notify_termination;
pub use notify_termination::notify_termination;
mod withdraw_termination;
pub use withdraw_termination::withdraw_termination;
mod update_contract;
pub use update_contract::update_contract;
mod amendments;
pub use amendments::amendments;

/// Runs one transition of the convention's life and stores the resulting events.
pub(crate) fn transition(
    db: &Database,
    ctx: &Ctx,
    id: ConventionId,
    action: TraceAction,
    step: impl FnOnce(&mut ConventionLife) -> Result<Value, DomainError>,
) -> Result<Convention> {
    db.write(|conn| {
        let conv = load_for(conn, ctx, id, Function::ManagePartners)?;
        let mut life = conv.life.clone();
        let detail = step(&mut life)?;
        let t = life.termination.as_ref();
        diesel::update(conventions::table.find(&conv.row.id))
            .set((
                conventions::partner_signed_on.eq(life.partner_signed_on),
                conventions::caf_signed_on.eq(life.caf_signed_on),
                conventions::rgpd_completed_on.eq(life.rgpd_completed_on),
                conventions::termination_kind.eq(t.map(|t| t.kind.code())),
                conventions::termination_initiated_by.eq(t.map(|t| t.initiated_by.code())),
                conventions::termination_received_on.eq(t.map(|t| t.received_on)),
                conventions::termination_requested_on.eq(t.and_then(|t| t.requested_on)),
                conventions::termination_effective_on.eq(t.map(|t| t.effective_on)),
                conventions::termination_reason.eq(t.map(|t| t.reason.clone())),
                conventions::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(conv.row.partner_id.get()),
                action,
                target_type: TargetType::Convention,
                target_id: Some(id.uuid()),
                caf_id: Some(conv.row.caf_uuid()?.into()),
                outcome: Outcome::Success,
                detail,
            },
        )?;
        load(conn, conv.row.id)
    })
}
