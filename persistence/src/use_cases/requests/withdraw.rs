//! Withdraws a request not yet decided (the partner's administrators).

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

/// Withdraws a request not yet decided (the partner's administrators).
pub fn withdraw(db: &Database, ctx: &Ctx, id: RequestId, reason: &str) -> Result<RequestView> {
    let reason = check_reason("reason", reason)?;
    db.write(|conn| {
        let (row, _) = load(conn, ctx, id, Function::FileRequests)?;
        let to = row.status()?.after(RequestStep::Withdraw)?;
        let row = set_status(conn, ctx, row, to, Some(reason.clone()), None)?;
        record(
            conn,
            ctx,
            &row,
            TraceAction::RequestWithdrawn,
            json!({ "reason": reason }),
        )?;
        view(row, ctx.now)
    })
}
