//! The Caf sends a request back for changes, or refuses it.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::habilitation::check_reason;
use mcp_domain::ids::RequestId;
use mcp_domain::request::RequestStep;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// The Caf sends a request back for changes, or refuses it; a reason is required, and the
/// partner is told.
pub fn decline(
    db: &Database,
    ctx: &Ctx,
    id: RequestId,
    refuse: bool,
    reason: &str,
) -> Result<RequestView> {
    let reason = check_reason("reason", reason)?;
    db.write(|conn| {
        let (row, _) = load(conn, ctx, id, Function::DecideRequests)?;
        let (step, action, what) = if refuse {
            (
                RequestStep::Refuse,
                TraceAction::RequestRefused,
                "a été refusée",
            )
        } else {
            (
                RequestStep::RequestChanges,
                TraceAction::RequestChangesRequested,
                "vous est renvoyée pour modification",
            )
        };
        let to = row.status()?.after(step)?;
        let row = set_status(conn, ctx, row, to, Some(reason.clone()), None)?;
        record(conn, ctx, &row, action, json!({ "reason": reason }))?;
        notify(conn, ctx, &row, what)?;
        view(row, ctx.now)
    })
}
