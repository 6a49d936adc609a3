//! Suspends or reinstates an account as a precaution (the Cnaf over Caf administrators, a Caf over
//! its partners' administrators).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::suspensions::change_suspension;
use mcp_domain::ids::AccountId;

use super::*;

/// Suspends or reinstates an account as a precaution (the Cnaf over Caf administrators, a Caf
/// over its partners' administrators). A suspension ends every session of the account at once;
/// the reason is kept in the trace.
pub fn set_suspended(
    db: &Database,
    ctx: &Ctx,
    account_id: AccountId,
    suspended: bool,
    reason: &str,
) -> Result<Account> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    db.write(|conn| {
        let account = load_supervised(conn, ctx, account_id)?;
        change_suspension(
            conn,
            ctx,
            &account,
            suspended,
            serde_json::json!({ "reason": reason }),
        )
    })
}
