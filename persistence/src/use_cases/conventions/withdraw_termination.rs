//! Withdraws a pending termination (letter withdrawn, or breach remedied in time).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Withdraws a pending termination (letter withdrawn, or breach remedied in time).
pub fn withdraw_termination(
    db: &Database,
    ctx: &Ctx,
    id: ConventionId,
    reason: &str,
) -> Result<Convention> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    let today = ctx.today();
    transition(
        db,
        ctx,
        id,
        TraceAction::ConventionTerminationWithdrawn,
        |life| {
            let t = life.withdraw_termination(today)?;
            Ok(
                json!({ "withdrawn_kind": t.kind, "was_effective_on": t.effective_on, "reason": reason }),
            )
        },
    )
}
