//! Records a termination letter or formal notice.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::convention::TerminationNotice;
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Records a termination letter or formal notice.
pub fn notify_termination(
    db: &Database,
    ctx: &Ctx,
    id: ConventionId,
    notice: TerminationNotice,
) -> Result<Convention> {
    let today = ctx.today();
    transition(
        db,
        ctx,
        id,
        TraceAction::ConventionTerminationNotified,
        |life| {
            let t = life.notify_termination(notice, today)?;
            Ok(json!({
                "kind": t.kind, "initiated_by": t.initiated_by, "received_on": t.received_on,
                "requested_on": t.requested_on, "effective_on": t.effective_on, "reason": t.reason,
            }))
        },
    )
}
