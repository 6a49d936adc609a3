//! Cancels a planned stop before its end and tells those who were told of it.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::trace::{self, Event, Outcome};
use mcp_domain::ids::StopId;
use mcp_domain::maintenance::StopScope;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Cancels a stop not ended yet: national maintenance by the Cnaf, a Caf's stop by that Caf's
/// administrators; the partners concerned are told, with the reason.
pub fn cancel(db: &Database, ctx: &Ctx, id: StopId, reason: &str) -> Result<Listed> {
    let reason = mcp_domain::habilitation::check_reason("reason", reason)?;
    db.write(|conn| {
        let row = load(conn, id)?;
        row.scope().authorize(ctx.principal())?;
        row.phase(ctx.now).check_cancellable()?;
        mark_cancelled(conn, row.id, ctx.principal().account_id(), &reason, ctx.now)?;
        let stop = row.stop()?;
        let declarer = declarer(conn, &stop)?;
        let told = tell(conn, ctx.now, &stop, stop.cancellation(&declarer, &reason))?;
        trace::record(
            conn,
            ctx,
            Event {
                action: TraceAction::StopCancelled,
                target_type: TargetType::Stop,
                target_id: Some(id.uuid()),
                caf_id: match stop.scope {
                    StopScope::National => None,
                    StopScope::Caf(caf) => Some(caf),
                },
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({ "reason": reason, "told": told }),
            },
        )?;
        let row = load(conn, id)?;
        listed(conn, row)
    })
}
