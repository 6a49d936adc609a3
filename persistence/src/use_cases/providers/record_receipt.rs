//! The Caf records the day it received a notice of providers.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::trace;
use chrono::NaiveDate;
use mcp_domain::access::Function;
use mcp_domain::ids::ProviderNoticeId;
use mcp_domain::provider;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Records, once, the day the Caf received the notice (the Caf's administrators); the providers
/// may start six months later at the earliest, which the partner's administrators are told.
pub fn record_receipt(
    db: &Database,
    ctx: &Ctx,
    id: ProviderNoticeId,
    received_on: NaiveDate,
) -> Result<NoticeRow> {
    db.write(|conn| {
        let n = load_for(conn, ctx, id, Function::ManagePartners)?;
        provider::check_not_received(n.received_on)?;
        let earliest = provider::earliest_start(received_on, n.filed_at.date(), ctx.today())?;
        record_receipt_of(
            conn,
            n.id,
            received_on,
            earliest,
            ctx.principal().account_id(),
        )?;
        let number = crate::store::conventions::load(conn, n.convention_id)?
            .row
            .number;
        let message = provider::receipt_message(&number, received_on, earliest);
        let partner_admins =
            crate::store::accounts::administrators(conn, n.caf_id.get(), Some(n.partner_id.get()))?;
        tell(conn, ctx, &partner_admins, &message)?;
        let row = load(conn, id)?;
        trace::record(
            conn,
            ctx,
            event(
                &row,
                TraceAction::ProviderNoticeReceived,
                json!({ "received_on": received_on, "earliest_start_on": earliest }),
            ),
        )?;
        Ok(row)
    })
}
