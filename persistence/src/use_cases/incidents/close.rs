//! The Caf closes an incident.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::convention::Party;
use mcp_domain::ids::SecurityIncidentId;
use mcp_domain::incident;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Closes an incident with what was found and done (the Caf's administrators); the partner is
/// told. Nothing is added to it afterwards.
pub fn close(
    db: &Database,
    ctx: &Ctx,
    id: SecurityIncidentId,
    summary: &str,
) -> Result<IncidentRow> {
    let summary = incident::check_text("summary", summary)?;
    db.write(|conn| {
        let n = load_for(conn, ctx, id, Function::HandleIncidents)?;
        incident::check_open(n.closed_at)?;
        super::close_row(conn, n.id, ctx.principal().account_id(), &summary, ctx.now)?;
        let name = partner_name(conn, ctx, &n)?;
        tell(
            conn,
            ctx,
            &n,
            Party::Partner,
            &incident::closed_message(&name, &summary),
        )?;
        traced(
            conn,
            ctx,
            &n,
            TraceAction::SecurityIncidentClosed,
            json!({ "summary": summary }),
        )?;
        load(conn, id)
    })
}
