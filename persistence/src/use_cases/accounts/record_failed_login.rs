//! Traces a refused login attempt.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::use_cases::trace::{self, Event, Outcome};
use mcp_domain::vocabulary::TraceAction;

use super::*;

/// Traces a refused login attempt: the account when known, the identifier typed in any case.
/// (A successful one is traced with the session it opens.)
pub fn record_failed_login(
    db: &Database,
    ctx: &Ctx,
    identifier: &str,
    account: Option<&LoginCandidate>,
    reason: &str,
) -> Result<()> {
    db.write(|conn| {
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account
                    .and_then(|a| a.partner_id.as_deref())
                    .map(crate::uuid)
                    .transpose()?,
                action: TraceAction::AuthLogin,
                target_type: "account",
                target_id: account.map(|a| crate::uuid(&a.id)).transpose()?,
                caf_id: account
                    .and_then(|a| a.caf_id.as_deref())
                    .map(crate::uuid)
                    .transpose()?,
                outcome: Outcome::Denied,
                detail: serde_json::json!({ "identifier": identifier, "reason": reason }),
            },
        )
    })
}
