//! Suspending and reinstating accounts, in the caller's transaction: the status, the sessions
//! ended, the trace.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::accounts::Account;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};

/// Suspends (ends every session) or reinstates an account already checked as supervised by
/// the caller, and traces it with `detail` and the sessions ended; 409 when its status is not
/// the one the change starts from.
pub fn change_suspension(
    conn: &mut crate::db::DbConnection,
    ctx: &Ctx,
    account: &Account,
    suspended: bool,
    mut detail: serde_json::Value,
) -> Result<Account> {
    {
        let caf_id = account.caf_id.map(Id::get);
        let account_id = account.id.get();
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
        let current = crate::read_code(&account.status, AccountStatus::from_code)?;
        if current != from {
            let (current_fr, from_fr) = (
                current.in_french().to_lowercase(),
                from.in_french().to_lowercase(),
            );
            let (current_en, from_en) = (&account.status, from.code());
            return Err(DomainError::conflict(
                ErrorCode::AccountStatusConflict,
                mcp_domain::msg!(
                    "le compte est {current_fr}, et non {from_fr}",
                    "the account is {current_en}, not {from_en}"
                ),
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
                detail: {
                    detail["sessions_ended"] = ended.into();
                    detail
                },
            },
        )?;
        Ok(Account {
            status: to.code().into(),
            ..account.clone()
        })
    }
}
