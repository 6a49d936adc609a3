//! Requires the holder of an account to change their password before anything else.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use diesel::prelude::*;
use mcp_domain::ids::AccountId;

use super::*;

/// Requires the holder of an account to change their password before anything else: by whoever
/// supervises it (`ctx` with a principal), or by the contract's maximum age at login (`ctx`
/// without). Takes effect on the account's next request.
pub fn require_password_change(
    db: &Database,
    ctx: &Ctx,
    account_id: AccountId,
    reason: &str,
) -> Result<()> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    db.write(|conn| {
        let (caf_id, partner_id) = if ctx.principal.is_some() {
            let account = load_supervised(conn, ctx, account_id)?;
            (account.caf_id, account.partner_id)
        } else {
            accounts::table
                .find(account_id.to_string())
                .select((accounts::caf_id, accounts::partner_id))
                .first::<Organisation>(conn)?
        };
        mark_password_change_required(conn, ctx, account_id, (caf_id, partner_id), &reason)
    })
}
