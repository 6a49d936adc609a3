//! Records the completion of the RGPD formalities.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use chrono::NaiveDate;
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Records the completion of the RGPD formalities: access may open.
pub fn complete_rgpd(
    db: &Database,
    ctx: &Ctx,
    id: ConventionId,
    completed_on: NaiveDate,
) -> Result<Convention> {
    let today = ctx.today();
    transition(db, ctx, id, TraceAction::ConventionRgpdCompleted, |life| {
        life.complete_rgpd(completed_on, today)?;
        Ok(json!({ "completed_on": completed_on }))
    })
}
