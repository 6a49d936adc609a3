//! Ends every session of a supervised account (a lost or stolen device reported, a doubt), without
//! suspending it.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::store::trace::{self, Event, Outcome};
use mcp_domain::ids::AccountId;
use mcp_domain::vocabulary::{TargetType, TraceAction};

use super::*;

/// Ends every session of a supervised account (a lost or stolen device reported, a doubt),
/// without suspending it; returns how many.
pub fn end_sessions_of(
    db: &Database,
    ctx: &Ctx,
    account_id: AccountId,
    reason: &str,
) -> Result<usize> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    db.write(|conn| {
        let account = load_supervised(conn, ctx, account_id)?;
        let ended = crate::store::sessions::revoke_others_in(
            conn,
            ctx,
            account.id,
            None,
            mcp_domain::vocabulary::SessionEnd::EndedBySupervisor,
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account.partner_id.map(Id::get),
                action: TraceAction::AccountSessionsEnded,
                target_type: TargetType::Account,
                target_id: Some(account_id.into()),
                caf_id: account.caf_id.map(Id::get),
                outcome: Outcome::Success,
                detail: serde_json::json!({ "reason": reason, "sessions_ended": ended }),
            },
        )?;
        Ok(ended)
    })
}
