//! Records both signatures.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use chrono::NaiveDate;
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Records both signatures.
pub fn sign(
    db: &Database,
    ctx: &Ctx,
    id: ConventionId,
    partner_signed_on: NaiveDate,
    caf_signed_on: NaiveDate,
) -> Result<Convention> {
    let today = ctx.today();
    transition(db, ctx, id, TraceAction::ConventionSigned, |life| {
        let since = life.sign(partner_signed_on, caf_signed_on, today)?;
        Ok(
            json!({ "partner_signed_on": partner_signed_on, "caf_signed_on": caf_signed_on, "effective_since": since }),
        )
    })
}
