//! Suspends or reinstates an account as a precaution (the Cnaf over Caf administrators, a Caf over
//! its partners' administrators).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::ids::AccountId;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};

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
        let caf_id = account.caf_id.map(Id::get);
        let (from, to, action) = if suspended {
            (
                AccountStatus::Active,
                AccountStatus::Suspended,
                TraceAction::AccountSuspended,
            )
        } else {
            (
                AccountStatus::Suspended,
                AccountStatus::Active,
                TraceAction::AccountReinstated,
            )
        };
        if crate::read_code(&account.status, AccountStatus::from_code)? != from {
            return Err(DomainError::conflict(
                ErrorCode::AccountStatusConflict,
                format!("the account is {}, not {}", account.status, from.code()),
            )
            .into());
        }
        diesel::update(accounts::table.find(&account.id))
            .set((
                accounts::status.eq(to.code()),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = if suspended {
            crate::store::sessions::revoke_others_in(
                conn,
                ctx,
                account.id,
                None,
                mcp_domain::vocabulary::SessionEnd::AccountSuspended,
            )?
        } else {
            0
        };
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account.partner_id.map(Id::get),
                action,
                target_type: TargetType::Account,
                target_id: Some(account_id.into()),
                caf_id,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "reason": reason, "sessions_ended": ended }),
            },
        )?;
        Ok(Account {
            status: to.code().into(),
            ..account
        })
    })
}
