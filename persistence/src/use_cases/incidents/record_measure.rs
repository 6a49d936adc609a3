//! A side records a measure taken on an incident.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::convention::Party;
use mcp_domain::ids::SecurityIncidentId;
use mcp_domain::incident;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Records a measure (the partner's administrators or the Caf's) on an incident not closed;
/// the other side is told.
pub fn record_measure(
    db: &Database,
    ctx: &Ctx,
    id: SecurityIncidentId,
    text: &str,
) -> Result<IncidentRow> {
    let (side, function) = incident::side_of(ctx.principal())?;
    let text = incident::check_text("text", text)?;
    db.write(|conn| {
        let n = load_for(conn, ctx, id, function)?;
        incident::check_open(n.closed_at)?;
        let mut measures = n.measures()?;
        measures.push(Measure {
            at: ctx.now,
            by: ctx.principal().account_id(),
            side,
            text: text.clone(),
        });
        set_measures(conn, n.id, &measures)?;
        let name = partner_name(conn, ctx, &n)?;
        let other = match side {
            Party::Caf => Party::Partner,
            Party::Partner => Party::Caf,
        };
        tell(
            conn,
            ctx,
            &n,
            other,
            &incident::measure_message(&name, side, &text),
        )?;
        traced(
            conn,
            ctx,
            &n,
            TraceAction::SecurityIncidentMeasureRecorded,
            json!({ "side": side, "text": text }),
        )?;
        load(conn, id)
    })
}
