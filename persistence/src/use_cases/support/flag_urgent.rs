//! Either side deems the situation urgent.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SupportRequestId;
use mcp_domain::service_centre::{check_text, EscalationReason, Step, MAX_MESSAGE_CHARS};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Deems the situation urgent, saying why (S-art. 3.3: "une situation jugée urgente par l'une
/// ou l'autre des parties"): the escalation opens at once, if it is not open already, and the
/// contacts of both sides are told.
pub fn flag_urgent(
    db: &Database,
    ctx: &Ctx,
    id: SupportRequestId,
    reason: &str,
) -> Result<SupportRequest> {
    let reason = check_text("reason", reason, MAX_MESSAGE_CHARS)?;
    db.write(|conn| {
        let (row, side) = load_to_change(conn, ctx, id)?;
        row.state()?
            .after(Step::FlaggedUrgent, side, false, ctx.now)?;
        let me = ctx.principal().account_id();
        add_message(
            conn,
            row.id,
            Step::FlaggedUrgent,
            side,
            Some(me),
            Some(&reason),
            false,
            ctx.now,
        )?;
        let told = open_escalation(
            conn,
            ctx,
            &row,
            EscalationReason::Urgent(side),
            Some(me),
            ctx.now,
        )?;
        traced(
            conn,
            ctx,
            &row,
            TraceAction::SupportRequestStep,
            json!({ "step": Step::FlaggedUrgent.code(), "side": side.code(), "told": told }),
        )?;
        let row = load(conn, id)?;
        read(conn, row)
    })
}
