//! A partner's staff under delegated management: users created by the partner's managers,
//! delegations that make some of them delegated managers, groups, and the closing of an account
//! when someone leaves.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{
    authorize, authorize_touching, Delegation, Function, ManagementFunction, Reach, Role,
};
use mcp_domain::habilitation::{check_delegation, check_group, check_reason};
use mcp_domain::person::Person;
use mcp_domain::DomainError;
use serde_json::json;
use uuid::Uuid;

use crate::accounts::Account;
use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{on_unique, Error, Result};
use crate::partners::{self, Partner};
use crate::schema::{accounts, delegations, group_members, partner_groups};
use crate::trace::{self, Event, Outcome};

/// Loads the partner and checks a partner-side management function; partner staff may manage
/// only while the contract is in mode délégué (C-art. 9.1).
pub(crate) fn managed_partner(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner_id: Uuid,
    function: Function,
) -> Result<Partner> {
    let partner = partners::load_for(conn, ctx, partner_id, function)?;
    if ctx.principal().is_partner_staff() {
        let mode = crate::habilitations::management_mode(conn, &partner.id, ctx.today())?;
        mcp_domain::habilitation::require_delegated_mode(mode)?;
    }
    Ok(partner)
}

/// Loads an account of `partner` (404 for anyone else's), with its role.
pub(crate) fn staff_member(
    conn: &mut DbConnection,
    partner: &Partner,
    account_id: Uuid,
) -> Result<(Account, Role)> {
    let account: Account = accounts::table
        .find(account_id.to_string())
        .filter(accounts::partner_id.eq(&partner.id))
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let role =
        Role::from_code(&account.role).ok_or_else(|| Error::Corrupt(account.role.clone()))?;
    Ok((account, role))
}

/// Creates a user of the partner (a management function). The person receives their identifier
/// and activation code by message: the manager never sees a password (C-art. 9.1).
pub fn create_user(db: &Database, ctx: &Ctx, partner_id: Uuid, person: &Person) -> Result<Account> {
    if person.phone.is_none() {
        return Err(DomainError::field(
            "phone",
            "required",
            "a partner user gives at least one telephone number",
        )
        .into());
    }
    authorize(ctx.principal(), Function::ManageUsers, Reach::National)?;
    db.write(|conn| {
        let partner = managed_partner(conn, ctx, partner_id, Function::ManageUsers)?;
        create_user_in(conn, ctx, &partner, person, None)
    })
}

/// Creates a partner user inside the caller's transaction (whose access checks are done): the
/// account, the message that delivers its code to the person, and the trace — by a manager, or
/// by the Caf approving `request_id`.
pub(crate) fn create_user_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    person: &Person,
    request_id: Option<&str>,
) -> Result<Account> {
    let caf_id = crate::uuid(&partner.caf_id)?;
    let account = crate::accounts::invite(
        conn,
        ctx.now,
        Role::PartnerUser,
        Some(caf_id),
        Some(crate::uuid(&partner.id)?),
        person,
        &partner.name,
    )?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(crate::uuid(&partner.id)?),
            action: "partner_user.created",
            target_type: "account",
            target_id: Some(crate::uuid(&account.id)?),
            caf_id: Some(caf_id),
            outcome: Outcome::Success,
            detail: json!({ "partner_id": partner.id, "identifier": account.identifier, "full_name": account.full_name, "function_title": account.function_title, "request_id": request_id }),
        },
    )?;
    Ok(account)
}

/// The partner's staff: administrators and users, in creation order.
pub fn list_staff(db: &Database, ctx: &Ctx, partner_id: Uuid) -> Result<Vec<Account>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(accounts::table
                .filter(accounts::partner_id.eq(&partner.id))
                .order(accounts::id.asc())
                .select(Account::as_select())
                .load(conn)?)
        },
    )
}

/// Closes the account of someone who left (or should no longer have access, C-art. 9.2): the
/// account is disabled, its sessions end, its direct habilitations are devalidated (their
/// seats freed, the records kept), it leaves its groups and loses any delegation.
pub fn close_account(db: &Database, ctx: &Ctx, account_id: Uuid, reason: &str) -> Result<Account> {
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
        let Some((function, reach)) = mcp_domain::access::supervision_of(
            role,
            account.caf_id.as_deref().map(crate::uuid).transpose()?,
            account.partner_id.as_deref().map(crate::uuid).transpose()?,
        ) else {
            return Err(DomainError::NotFound.into());
        };
        authorize(ctx.principal(), function, reach)?;
        authorize_touching(ctx.principal(), role)?;
        if account.id == ctx.principal().account_id.to_string() {
            return Err(
                DomainError::rule("own_account", "you cannot close your own account").into(),
            );
        }
        close_in(conn, ctx, account, &reason)
    })
}

/// Closes an account inside the caller's transaction (whose access checks are done).
pub(crate) fn close_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account: Account,
    reason: &str,
) -> Result<Account> {
    if account.status == "disabled" {
        return Err(DomainError::conflict(
            "account_status_conflict",
            "the account is already closed",
        )
        .into());
    }
    diesel::update(accounts::table.find(&account.id))
        .set((
            accounts::status.eq("disabled"),
            accounts::administrator_rank.eq(None::<String>),
            accounts::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    let sessions =
        crate::sessions::revoke_others_in(conn, ctx, &account.id, None, "account_closed")?;
    let devalidated = crate::habilitations::devalidate_held_by(
        conn,
        ctx,
        "account",
        &account.id,
        "the holder's account was closed",
    )?;
    let groups =
        diesel::delete(group_members::table.filter(group_members::account_id.eq(&account.id)))
            .execute(conn)?;
    let delegation = end_delegation_of(
        conn,
        ctx.now,
        &account.id,
        ctx.principal().account_id,
        "account closed",
    )?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
            action: "account.closed",
            target_type: "account",
            target_id: Some(crate::uuid(&account.id)?),
            caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
            outcome: Outcome::Success,
            detail: json!({ "reason": reason, "sessions_ended": sessions, "habilitations_devalidated": devalidated, "groups_left": groups, "delegation_withdrawn": delegation }),
        },
    )?;
    Ok(Account {
        status: "disabled".into(),
        administrator_rank: None,
        ..account
    })
}

/// A delegation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delegations)]
pub struct DelegationRow {
    /// Opaque id.
    pub id: String,
    /// The Caf.
    pub caf_id: String,
    /// The partner.
    pub partner_id: String,
    /// The delegated manager.
    pub account_id: String,
    /// Function codes, JSON array.
    pub functions: String,
    /// Profile ids, JSON array.
    pub profile_ids: String,
    /// The administrator who gave it.
    pub granted_by: String,
    /// When.
    pub granted_at: NaiveDateTime,
    /// When it was withdrawn.
    pub withdrawn_at: Option<NaiveDateTime>,
    /// By whom.
    pub withdrawn_by: Option<String>,
    /// Why.
    pub withdrawn_reason: Option<String>,
}

impl DelegationRow {
    /// The delegation as the domain decides with it.
    pub fn to_domain(&self) -> Result<Delegation> {
        let functions: Vec<String> =
            serde_json::from_str(&self.functions).map_err(|e| Error::Corrupt(e.to_string()))?;
        let profiles: Vec<String> =
            serde_json::from_str(&self.profile_ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(Delegation {
            functions: functions
                .iter()
                .map(|f| ManagementFunction::from_code(f).ok_or_else(|| Error::Corrupt(f.clone())))
                .collect::<Result<_>>()?,
            profiles: profiles
                .iter()
                .map(|p| crate::uuid(p))
                .collect::<Result<_>>()?,
        })
    }
}

/// The delegation an account holds now, read with its session on each request.
pub(crate) fn delegation_in_force(
    conn: &mut DbConnection,
    account_id: Uuid,
) -> Result<Option<Delegation>> {
    let row: Option<DelegationRow> = delegations::table
        .filter(delegations::account_id.eq(account_id.to_string()))
        .filter(delegations::withdrawn_at.is_null())
        .select(DelegationRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| r.to_domain()).transpose()
}

/// Gives a partner user a delegation (the partner's administrators only): which management
/// functions, over which profiles. One delegation in force per person; change it by withdrawing
/// it and giving another.
pub fn give_delegation(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    account_id: Uuid,
    functions: &[ManagementFunction],
    profiles: &[Uuid],
) -> Result<DelegationRow> {
    check_delegation(functions, profiles)?;
    authorize(
        ctx.principal(),
        Function::ManageDelegations,
        Reach::National,
    )?;
    db.write(|conn| {
        let partner = managed_partner(conn, ctx, partner_id, Function::ManageDelegations)?;
        let (account, role) = staff_member(conn, &partner, account_id).map_err(|e| match e {
            Error::Domain(DomainError::NotFound) => DomainError::field("account_id", "unknown_account", "no such person among this partner's staff").into(),
            e => e,
        })?;
        if role != Role::PartnerUser || account.status == "disabled" {
            return Err(DomainError::field("account_id", "not_a_partner_user", "delegations go to partner users whose account is open; administrators hold every function already").into());
        }
        let subscribed = crate::habilitations::subscribed_profiles(conn, &partner.id, ctx.today())?;
        for (i, p) in profiles.iter().enumerate() {
            if !subscribed.contains(&p.to_string()) {
                return Err(DomainError::field(format!("profile_ids[{i}]"), "profile_not_subscribed", "the partner does not subscribe to this profile under a convention in force").into());
            }
        }
        let mut functions: Vec<ManagementFunction> = functions.to_vec();
        functions.sort();
        functions.dedup();
        let mut profile_ids: Vec<String> = profiles.iter().map(Uuid::to_string).collect();
        profile_ids.sort();
        profile_ids.dedup();
        let row = DelegationRow {
            id: crate::new_id(),
            caf_id: partner.caf_id.clone(),
            partner_id: partner.id.clone(),
            account_id: account.id.clone(),
            functions: serde_json::to_string(&functions.iter().map(|f| f.code()).collect::<Vec<_>>()).expect("strings"),
            profile_ids: serde_json::to_string(&profile_ids).expect("strings"),
            granted_by: ctx.principal().account_id.to_string(),
            granted_at: ctx.now,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawn_reason: None,
        };
        diesel::insert_into(delegations::table)
            .values((
                delegations::id.eq(&row.id),
                delegations::caf_id.eq(&row.caf_id),
                delegations::partner_id.eq(&row.partner_id),
                delegations::account_id.eq(&row.account_id),
                delegations::functions.eq(&row.functions),
                delegations::profile_ids.eq(&row.profile_ids),
                delegations::granted_by.eq(&row.granted_by),
                delegations::granted_at.eq(row.granted_at),
            ))
            .execute(conn)
            .map_err(on_unique("delegation_in_force", "this person already holds a delegation: withdraw it before giving another"))?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&partner.id)?),
                action: "delegation.given",
                target_type: "delegation",
                target_id: Some(crate::uuid(&row.id)?),
                caf_id: Some(crate::uuid(&partner.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": partner.id, "account_id": account.id, "functions": functions.iter().map(|f| f.code()).collect::<Vec<_>>(), "profile_ids": profile_ids }),
            },
        )?;
        Ok(row)
    })
}

/// The delegations of a partner, in force first then withdrawn, newest first.
pub fn list_delegations(db: &Database, ctx: &Ctx, partner_id: Uuid) -> Result<Vec<DelegationRow>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut rows: Vec<DelegationRow> = delegations::table
                .filter(delegations::partner_id.eq(&partner.id))
                .order(delegations::id.desc())
                .select(DelegationRow::as_select())
                .load(conn)?;
            rows.sort_by_key(|r| r.withdrawn_at.is_some());
            Ok(rows)
        },
    )
}

fn end_delegation_of(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    account_id: &str,
    by: Uuid,
    reason: &str,
) -> Result<bool> {
    let n = diesel::update(
        delegations::table
            .filter(delegations::account_id.eq(account_id))
            .filter(delegations::withdrawn_at.is_null()),
    )
    .set((
        delegations::withdrawn_at.eq(now),
        delegations::withdrawn_by.eq(by.to_string()),
        delegations::withdrawn_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// Withdraws a delegation (the partner's administrators): the manager loses their management
/// functions on their next request.
pub fn withdraw_delegation(
    db: &Database,
    ctx: &Ctx,
    id: Uuid,
    reason: &str,
) -> Result<DelegationRow> {
    let reason = check_reason("reason", reason)?;
    authorize(
        ctx.principal(),
        Function::ManageDelegations,
        Reach::National,
    )?;
    db.write(|conn| {
        let row: DelegationRow = delegations::table
            .find(id.to_string())
            .select(DelegationRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        partners::load_for(
            conn,
            ctx,
            crate::uuid(&row.partner_id)?,
            Function::ManageDelegations,
        )?;
        if row.withdrawn_at.is_some() {
            return Err(DomainError::conflict(
                "delegation_withdrawn",
                "this delegation was already withdrawn",
            )
            .into());
        }
        end_delegation_of(
            conn,
            ctx.now,
            &row.account_id,
            ctx.principal().account_id,
            &reason,
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&row.partner_id)?),
                action: "delegation.withdrawn",
                target_type: "delegation",
                target_id: Some(id),
                caf_id: Some(crate::uuid(&row.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "account_id": row.account_id, "reason": reason }),
            },
        )?;
        Ok(DelegationRow {
            withdrawn_at: Some(ctx.now),
            withdrawn_by: Some(ctx.principal().account_id.to_string()),
            withdrawn_reason: Some(reason.clone()),
            ..row
        })
    })
}

/// Withdraws every delegation of a partner when the Caf takes management back (mode
/// centralisé), inside the contract change's transaction; returns how many.
pub(crate) fn withdraw_all_delegations(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner_id: &str,
    reason: &str,
) -> Result<usize> {
    Ok(diesel::update(
        delegations::table
            .filter(delegations::partner_id.eq(partner_id))
            .filter(delegations::withdrawn_at.is_null()),
    )
    .set((
        delegations::withdrawn_at.eq(ctx.now),
        delegations::withdrawn_by.eq(ctx.principal().account_id.to_string()),
        delegations::withdrawn_reason.eq(reason),
    ))
    .execute(conn)?)
}

/// A group of people of one partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partner_groups)]
pub struct Group {
    /// Opaque id.
    pub id: String,
    /// The Caf.
    pub caf_id: String,
    /// The partner.
    pub partner_id: String,
    /// Name, unique within the partner.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Creation.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// A member of a group.
#[derive(Debug, Clone)]
pub struct Member {
    /// The person's account.
    pub account: Account,
    /// When they joined.
    pub added_at: NaiveDateTime,
}

/// Creates a group (a management function).
pub fn create_group(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    name: &str,
    description: Option<&str>,
) -> Result<Group> {
    let (name, description) = check_group(name, description)?;
    authorize(ctx.principal(), Function::ManageGroups, Reach::National)?;
    db.write(|conn| {
        let partner = managed_partner(conn, ctx, partner_id, Function::ManageGroups)?;
        let group = Group {
            id: crate::new_id(),
            caf_id: partner.caf_id.clone(),
            partner_id: partner.id.clone(),
            name: name.clone(),
            description: description.clone(),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        diesel::insert_into(partner_groups::table)
            .values((
                partner_groups::id.eq(&group.id),
                partner_groups::caf_id.eq(&group.caf_id),
                partner_groups::partner_id.eq(&group.partner_id),
                partner_groups::name.eq(&group.name),
                partner_groups::description.eq(&group.description),
                partner_groups::created_at.eq(group.created_at),
                partner_groups::updated_at.eq(group.updated_at),
            ))
            .execute(conn)
            .map_err(on_unique(
                "group_name_taken",
                "this partner already has a group of that name",
            ))?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&group.partner_id)?),
                action: "group.created",
                target_type: "group",
                target_id: Some(crate::uuid(&group.id)?),
                caf_id: Some(crate::uuid(&group.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": partner.id, "name": group.name }),
            },
        )?;
        Ok(group)
    })
}

/// The groups of a partner, by name.
pub fn list_groups(db: &Database, ctx: &Ctx, partner_id: Uuid) -> Result<Vec<Group>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(partner_groups::table
                .filter(partner_groups::partner_id.eq(&partner.id))
                .order(partner_groups::name.asc())
                .select(Group::as_select())
                .load(conn)?)
        },
    )
}

/// Loads a group and checks `function` on its partner.
pub(crate) fn load_group(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: Uuid,
    function: Function,
) -> Result<(Group, Partner)> {
    let group: Group = partner_groups::table
        .find(id.to_string())
        .select(Group::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let partner_id = crate::uuid(&group.partner_id)?;
    let partner = if matches!(function, Function::ReadHabilitations) {
        partners::load_for(conn, ctx, partner_id, function)?
    } else {
        managed_partner(conn, ctx, partner_id, function)?
    };
    Ok((group, partner))
}

pub(crate) fn members_of(conn: &mut DbConnection, group_id: &str) -> Result<Vec<Member>> {
    let rows: Vec<(Account, NaiveDateTime)> = group_members::table
        .inner_join(accounts::table.on(accounts::id.eq(group_members::account_id)))
        .filter(group_members::group_id.eq(group_id))
        .order(accounts::full_name.asc())
        .select((Account::as_select(), group_members::added_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(account, added_at)| Member { account, added_at })
        .collect())
}

/// A group and its members.
pub fn get_group(db: &Database, ctx: &Ctx, id: Uuid) -> Result<(Group, Vec<Member>)> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::National,
    )?;
    db.read(|conn| {
        let (group, _) = load_group(conn, ctx, id, Function::ReadHabilitations)?;
        let members = members_of(conn, &group.id)?;
        Ok((group, members))
    })
}

/// Adds a person to a group: they then hold every profile the group holds, so each of those
/// profiles' quota is checked under its lock, the manager must be able to hand each on, and
/// nobody adds themselves to a group that holds profiles (four eyes).
pub fn add_member(db: &Database, ctx: &Ctx, group_id: Uuid, account_id: Uuid) -> Result<Member> {
    authorize(ctx.principal(), Function::ManageGroups, Reach::National)?;
    db.write(|conn| {
        let (group, partner) = load_group(conn, ctx, group_id, Function::ManageGroups)?;
        let (account, role) = staff_member(conn, &partner, account_id).map_err(|e| match e {
            Error::Domain(DomainError::NotFound) => DomainError::field(
                "account_id",
                "unknown_account",
                "no such person among this partner's staff",
            )
            .into(),
            e => e,
        })?;
        authorize_touching(ctx.principal(), role)?;
        if account.status == "disabled" {
            return Err(DomainError::field(
                "account_id",
                "account_closed",
                "this account is closed",
            )
            .into());
        }
        let newcomer = crate::uuid(&account.id)?;
        crate::habilitations::check_seats_for_group(conn, ctx, &group.id, newcomer)?;
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(&group.id),
                group_members::account_id.eq(&account.id),
                group_members::added_at.eq(ctx.now),
                group_members::added_by.eq(ctx.principal().account_id.to_string()),
            ))
            .execute(conn)
            .map_err(on_unique(
                "already_member",
                "this person is already a member of the group",
            ))?;
        touch_group(conn, &group.id, ctx.now)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&group.partner_id)?),
                action: "group.member_added",
                target_type: "group",
                target_id: Some(group_id),
                caf_id: Some(crate::uuid(&group.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "account_id": account.id, "full_name": account.full_name }),
            },
        )?;
        Ok(Member {
            account,
            added_at: ctx.now,
        })
    })
}

fn touch_group(conn: &mut DbConnection, group_id: &str, now: NaiveDateTime) -> Result<()> {
    diesel::update(partner_groups::table.find(group_id))
        .set(partner_groups::updated_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Removes a person from a group: the profiles they held only through it free their seats.
pub fn remove_member(db: &Database, ctx: &Ctx, group_id: Uuid, account_id: Uuid) -> Result<()> {
    authorize(ctx.principal(), Function::ManageGroups, Reach::National)?;
    db.write(|conn| {
        let (group, partner) = load_group(conn, ctx, group_id, Function::ManageGroups)?;
        let (account, role) = staff_member(conn, &partner, account_id)?;
        authorize_touching(ctx.principal(), role)?;
        let n = diesel::delete(
            group_members::table
                .filter(group_members::group_id.eq(&group.id))
                .filter(group_members::account_id.eq(&account.id)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(DomainError::NotFound.into());
        }
        touch_group(conn, &group.id, ctx.now)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&group.partner_id)?),
                action: "group.member_removed",
                target_type: "group",
                target_id: Some(group_id),
                caf_id: Some(crate::uuid(&group.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "account_id": account.id, "full_name": account.full_name }),
            },
        )
    })
}

/// The groups a person belongs to.
pub(crate) fn groups_of(conn: &mut DbConnection, account_id: &str) -> Result<Vec<Group>> {
    Ok(partner_groups::table
        .inner_join(group_members::table)
        .filter(group_members::account_id.eq(account_id))
        .order(partner_groups::name.asc())
        .select(Group::as_select())
        .load(conn)?)
}
