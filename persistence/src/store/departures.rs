//! A person leaving a partner: their account closed with everything that hangs on it —
//! sessions ended, trusted devices forgotten, habilitations devalidated, groups left,
//! delegation withdrawn — in the caller's transaction, traced.

use crate::id::Id;
use chrono::NaiveDate;
use diesel::prelude::*;
use mcp_domain::ids::ProfileId;
use mcp_domain::vocabulary::HolderKind;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

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
    let by = ctx.principal().account_id;
    close_decided_by(conn, ctx, account, reason, by.into())
}

/// Closes an account as `by` decided (who may have decided it earlier: a closure scheduled for a
/// day, carried out by the service that day).
pub(crate) fn close_decided_by(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account: Account,
    reason: &str,
    by: Uuid,
) -> Result<Account> {
    if crate::read_code(&account.status, AccountStatus::from_code)? == AccountStatus::Disabled {
        return Err(DomainError::conflict(
            ErrorCode::AccountStatusConflict,
            mcp_domain::msg!("le compte est déjà fermé", "the account is already closed"),
        )
        .into());
    }
    diesel::update(accounts::table.find(&account.id))
        .set((
            accounts::status.eq(AccountStatus::Disabled.code()),
            accounts::administrator_rank.eq(None::<String>),
            accounts::closes_on.eq(None::<NaiveDate>),
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
        account.id,
        "the holder's account was closed",
    )?;
    let groups =
        diesel::delete(group_members::table.filter(group_members::account_id.eq(&account.id)))
            .execute(conn)?;
    let delegation = end_delegation_of(conn, ctx.now, account.id, by, "account closed")?;
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

/// Schedules the closure of an account on `on`, its first day without access (a removal approved
/// ahead of the date its form gives), as the caller decides; traced.
pub(crate) fn schedule_closure(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account: &Account,
    on: NaiveDate,
    reason: &str,
) -> Result<()> {
    diesel::update(accounts::table.find(&account.id))
        .set((
            accounts::closes_on.eq(Some(on)),
            accounts::closure_reason.eq(Some(reason)),
            accounts::closure_decided_by.eq(Some(ctx.principal().account_id.to_string())),
            accounts::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: account.partner_id.map(Id::get),
            action: TraceAction::AccountClosureScheduled,
            target_type: TargetType::Account,
            target_id: Some(account.id.get().uuid()),
            caf_id: account.caf_id.map(Id::get),
            outcome: Outcome::Success,
            detail: json!({ "closes_on": on, "reason": reason }),
        },
    )
}

/// A closure due: the account, the reason and who decided it.
pub(crate) type DueClosure = (Account, String, Uuid);

/// The accounts whose scheduled closure falls on or before `today`, not closed yet.
pub(crate) fn due_closures(conn: &mut DbConnection, today: NaiveDate) -> Result<Vec<DueClosure>> {
    let rows: Vec<(Account, Option<String>, Option<String>)> = accounts::table
        .filter(accounts::closes_on.le(today))
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select((
            Account::as_select(),
            accounts::closure_reason,
            accounts::closure_decided_by,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(a, reason, by)| {
            let by = by
                .as_deref()
                .and_then(|b| Uuid::parse_str(b).ok())
                .ok_or_else(|| crate::error::Error::Corrupt(format!("closure of {}", a.id)))?;
            Ok((a, reason.unwrap_or_default(), by))
        })
        .collect()
}

/// What a person's removal from one service did: habilitations ended at once, and those set to
/// end on the removal's day.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ServiceRemoval {
    /// Devalidated now.
    pub ended: usize,
    /// Given the removal's eve as last day (the expiry job devalidates them then).
    pub ending: usize,
}

/// The live habilitations `account` holds itself to the profiles of `service`.
fn held_in_service(
    conn: &mut DbConnection,
    account: &Account,
    service: &crate::store::catalogue::Service,
) -> Result<Vec<crate::store::habilitations::Habilitation>> {
    let profiles: Vec<_> = service.profiles.iter().map(|p| p.id).collect();
    held_of_profiles(conn, account, &profiles)
}

/// The live habilitations `account` holds itself to some profiles.
pub(crate) fn held_of_profiles(
    conn: &mut DbConnection,
    account: &Account,
    profiles: &[Id<ProfileId>],
) -> Result<Vec<crate::store::habilitations::Habilitation>> {
    use crate::schema::habilitations;
    use mcp_domain::habilitation::HabilitationStatus;
    Ok(habilitations::table
        .filter(habilitations::holder_kind.eq(HolderKind::Account.code()))
        .filter(habilitations::holder_id.eq(account.id))
        .filter(habilitations::profile_id.eq_any(profiles))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .select(crate::store::habilitations::Habilitation::as_select())
        .load(conn)?)
}

/// Whether `account` reaches a profile of `service` through one of its groups (which only
/// leaving the group ends).
pub(crate) fn reaches_service_through_a_group(
    conn: &mut DbConnection,
    account: &Account,
    service: &crate::store::catalogue::Service,
) -> Result<bool> {
    let profiles: Vec<_> = service.profiles.iter().map(|p| p.id).collect();
    reaches_through_a_group(conn, account, &profiles)
}

/// Whether `account` reaches one of some profiles through one of its groups.
pub(crate) fn reaches_through_a_group(
    conn: &mut DbConnection,
    account: &Account,
    profiles: &[Id<ProfileId>],
) -> Result<bool> {
    use crate::schema::habilitations;
    use mcp_domain::habilitation::HabilitationStatus;
    let groups = group_members::table
        .filter(group_members::account_id.eq(&account.id))
        .select(group_members::group_id);
    let n: i64 = habilitations::table
        .filter(habilitations::holder_kind.eq(HolderKind::Group.code()))
        .filter(habilitations::holder_id.eq_any(groups))
        .filter(habilitations::profile_id.eq_any(profiles))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether `account` holds any live habilitation of `service` itself.
pub(crate) fn holds_service(
    conn: &mut DbConnection,
    account: &Account,
    service: &crate::store::catalogue::Service,
) -> Result<bool> {
    Ok(!held_in_service(conn, account, service)?.is_empty())
}

/// Ends `account`'s access to `service` and to it only (the account stays, for the others): its
/// habilitations of the service's profiles are devalidated at once, or, when the removal takes
/// effect on `from` still to come, given its eve as last day; each traced.
pub(crate) fn remove_from_service(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account: &Account,
    service: &crate::store::catalogue::Service,
    from: Option<NaiveDate>,
    reason: &str,
) -> Result<ServiceRemoval> {
    let mut done = ServiceRemoval::default();
    for h in held_in_service(conn, account, service)? {
        match from.filter(|d| *d > ctx.today()) {
            Some(from) => {
                let eve = from.pred_opt().expect("a day after today has an eve");
                crate::store::habilitations::end_by(conn, ctx, &h, eve, reason)?;
                done.ending += 1;
            }
            None => {
                crate::store::habilitations::devalidate_in(conn, ctx, &h, reason)?;
                done.ended += 1;
            }
        }
    }
    Ok(done)
}
