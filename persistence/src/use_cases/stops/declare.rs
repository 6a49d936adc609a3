//! Declares a planned stop and tells the partners concerned.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::store::trace::{self, Event, Outcome};
use mcp_domain::ids::StopId;
use mcp_domain::maintenance::{Stop, StopInput, StopScope};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Declares a stop: national maintenance for the Cnaf's operators, the Caf's own operations for
/// its administrators (S-art. 3.1, 4). In the same transaction every partner concerned is told
/// by message — the "responsable services" of its contract and its administrators — and the
/// declaration is traced with how many were told.
pub fn declare(db: &Database, ctx: &Ctx, input: &StopInput) -> Result<Listed> {
    let scope = StopScope::declared_by(ctx.principal())?;
    db.write(|conn| {
        let known = crate::store::catalogue::codes(conn)?;
        let stop = Stop::declare(scope, input, ctx.now, &known)?;
        let id: Id<StopId> = Id::new();
        insert(conn, id, &stop, ctx.principal().account_id(), ctx.now)?;
        let declarer = declarer(conn, &stop)?;
        let told = tell(conn, ctx.now, &stop, stop.announcement(&declarer))?;
        trace::record(
            conn,
            ctx,
            Event {
                action: TraceAction::StopDeclared,
                target_type: TargetType::Stop,
                target_id: Some(id.uuid()),
                caf_id: match scope {
                    StopScope::National => None,
                    StopScope::Caf(caf) => Some(caf),
                },
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({
                    "starts_at": stop.starts_at,
                    "ends_at": stop.ends_at,
                    "services": stop.services,
                    "description": stop.description,
                    "told": told,
                }),
            },
        )?;
        let row = load(conn, id.get())?;
        listed(conn, row)
    })
}
