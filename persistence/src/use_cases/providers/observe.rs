//! The Caf makes an observation on a notice of providers.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::trace;
use mcp_domain::access::Function;
use mcp_domain::ids::ProviderNoticeId;
use mcp_domain::provider;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Adds an observation of the Caf (its administrators) to a notice; the partner's
/// administrators receive it.
pub fn observe(db: &Database, ctx: &Ctx, id: ProviderNoticeId, text: &str) -> Result<NoticeRow> {
    let text = provider::check_observation(text)?;
    db.write(|conn| {
        let n = load_for(conn, ctx, id, Function::ManagePartners)?;
        let mut observations = n.observations()?;
        observations.push(Observation {
            at: ctx.now,
            by: ctx.principal().account_id(),
            text: text.clone(),
        });
        set_observations(conn, n.id, &observations)?;
        let number = crate::store::conventions::load(conn, n.convention_id)?
            .row
            .number;
        let partner_admins =
            crate::store::accounts::administrators(conn, n.caf_id.get(), Some(n.partner_id.get()))?;
        tell(
            conn,
            ctx,
            &partner_admins,
            &provider::observation_message(&number, &text),
        )?;
        let row = load(conn, id)?;
        trace::record(
            conn,
            ctx,
            event(
                &row,
                TraceAction::ProviderNoticeObserved,
                json!({ "text": text }),
            ),
        )?;
        Ok(row)
    })
}
