//! A person leaving a partner: their account closed with everything that hangs on it —
//! sessions ended, trusted devices forgotten, habilitations devalidated, groups left,
//! delegation withdrawn — in the caller's transaction, traced.

use crate::id::Id;
use diesel::prelude::*;
use mcp_domain::vocabulary::HolderKind;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{accounts, group_members};
use crate::store::accounts::Account;
use crate::store::staff::end_delegation_of;
use crate::store::trace::{self, Event, Outcome};

/// Closes an account inside the caller's transaction (whose access checks are done).
pub(crate) fn close_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account: Account,
    reason: &str,
) -> Result<Account> {
    if crate::read_code(&account.status, AccountStatus::from_code)? == AccountStatus::Disabled {
        return Err(DomainError::conflict(
            ErrorCode::AccountStatusConflict,
            "the account is already closed",
        )
        .into());
    }
    diesel::update(accounts::table.find(&account.id))
        .set((
            accounts::status.eq(AccountStatus::Disabled.code()),
            accounts::administrator_rank.eq(None::<String>),
            accounts::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    let sessions = crate::store::sessions::revoke_others_in(
        conn,
        ctx,
        account.id,
        None,
        mcp_domain::vocabulary::SessionEnd::AccountClosed,
    )?;
    crate::store::devices::forget_all(conn, account.id)?;
    let devalidated = crate::store::habilitations::devalidate_held_by(
        conn,
        ctx,
        HolderKind::Account.code(),
        account.id,
        "the holder's account was closed",
    )?;
    let groups =
        diesel::delete(group_members::table.filter(group_members::account_id.eq(&account.id)))
            .execute(conn)?;
    let delegation = end_delegation_of(
        conn,
        ctx.now,
        account.id,
        ctx.principal().account_id.into(),
        "account closed",
    )?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: account.partner_id.map(Id::get),
            action: TraceAction::AccountClosed,
            target_type: TargetType::Account,
            target_id: Some(account.id.get().uuid()),
            caf_id: account.caf_id.map(Id::get),
            outcome: Outcome::Success,
            detail: json!({ "reason": reason, "sessions_ended": sessions, "habilitations_devalidated": devalidated, "groups_left": groups, "delegation_withdrawn": delegation }),
        },
    )?;
    Ok(Account {
        status: AccountStatus::Disabled.code().into(),
        administrator_rank: None,
        ..account
    })
}
