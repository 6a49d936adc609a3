//! Closes the account of someone who left (or should no longer have access, C-art.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::accounts;
use crate::store::accounts::Account;
use diesel::prelude::*;
use mcp_domain::access::{authorize_touching, Role};
use mcp_domain::habilitation::check_reason;
use mcp_domain::ids::AccountId;
use mcp_domain::{DomainError, ErrorCode};

use crate::store::departures::close_in;

/// Closes the account of someone who left (or should no longer have access, C-art. 9.2): the
/// account is disabled, its sessions end, its direct habilitations are devalidated (their
/// seats freed, the records kept), it leaves its groups and loses any delegation.
pub fn close_account(
    db: &Database,
    ctx: &Ctx,
    account_id: AccountId,
    reason: &str,
) -> Result<Account> {
    let reason = check_reason("reason", reason)?;
    db.write(|conn| {
        let account: Account = accounts::table
            .find(account_id.to_string())
            .select(Account::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let role =
            Role::from_code(&account.role).ok_or_else(|| Error::Corrupt(account.role.clone()))?;
        mcp_domain::access::authorize_supervision(
            ctx.principal(),
            role,
            account.caf_id.map(Id::get),
            account.partner_id.map(Id::get),
        )?;
        authorize_touching(ctx.principal(), role)?;
        if account.id == ctx.principal().account_id {
            return Err(DomainError::rule(
                ErrorCode::OwnAccount,
                mcp_domain::msg!(
                    "vous ne pouvez pas fermer votre propre compte",
                    "you cannot close your own account"
                ),
            )
            .into());
        }
        close_in(conn, ctx, account, &reason)
    })
}
