//! A partner's staff under delegated management: users created by the partner's managers,
//! delegations that make some of them delegated managers, groups, and the closing of an account
//! when someone leaves.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{Delegation, Function, ManagementFunction, Role};
use mcp_domain::ids::{AccountId, CafId, DelegationId, GroupId, PartnerId, RequestId};
use mcp_domain::person::Person;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{accounts, delegations, group_members, partner_groups};
use crate::store::accounts::Account;
use crate::store::partners::{self, AdministratorRank, Partner};
use crate::store::trace::{self, Event, Outcome};

/// Loads the partner and checks a partner-side management function; partner staff may manage
/// only while the contract is in mode délégué (C-art. 9.1).
pub(crate) fn managed_partner(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner_id: PartnerId,
    function: Function,
) -> Result<Partner> {
    let partner = partners::load_for(conn, ctx, partner_id, function)?;
    if ctx.principal().is_partner_staff() {
        let mode = crate::store::conventions::management_mode(conn, partner.id, ctx.today())?;
        mcp_domain::habilitation::require_delegated_mode(mode)?;
    }
    Ok(partner)
}

/// Names an administrator inside the caller's transaction (whose access checks are done). One
/// person, one account: someone who already has a user account with the partner becomes the
/// administrator on that account (its delegation, needless now, ends); an administrator
/// already is one (409).
pub(crate) fn name_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    rank: AdministratorRank,
    person: &Person,
    links: &mcp_domain::links::Links,
) -> Result<Account> {
    let partner_id = partner.id.get();
    let taken: i64 = accounts::table
        .filter(accounts::partner_id.eq(&partner.id))
        .filter(accounts::administrator_rank.eq(rank.code()))
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        let (rank_fr, rank_en) = (rank.in_french().to_lowercase(), rank.code());
        return Err(DomainError::conflict(
            ErrorCode::AdministratorAlreadyNamed,
            mcp_domain::msg!(
                "ce partenaire a déjà un {rank_fr} ; le remplacer passe par un changement \
                 d'administrateur",
                "this partner already has a {rank_en} administrator; replacing one is an \
                 administrator change"
            ),
        )
        .into());
    }
    let caf_id = partner.caf_id.get();
    let existing = crate::store::accounts::of_person(conn, partner.id, &person.email_key())?;
    let promoted_from = existing.as_ref().map(|a| a.role.clone());
    let account = match existing {
        Some(a) if a.role == Role::PartnerUser.code() => {
            diesel::update(accounts::table.find(&a.id))
                .set((
                    accounts::role.eq(Role::PartnerAdministrator.code()),
                    accounts::updated_at.eq(ctx.now),
                ))
                .execute(conn)?;
            end_delegation_of(
                conn,
                ctx.now,
                a.id,
                ctx.principal().account_id.into(),
                "named administrator",
            )?;
            Account {
                role: Role::PartnerAdministrator.code().into(),
                ..a
            }
        }
        Some(_) => {
            return Err(DomainError::conflict(
                ErrorCode::PersonAlreadyHasAccount,
                mcp_domain::msg!(
                    "cette personne est déjà administrateur de ce partenaire",
                    "this person is already an administrator of this partner"
                ),
            )
            .into())
        }
        None => crate::store::accounts::invite(
            conn,
            ctx.now,
            Role::PartnerAdministrator,
            Some(caf_id),
            Some(partner_id),
            person,
            crate::store::accounts::Welcome {
                organisation: &partner.name,
                links,
            },
        )?,
    };
    diesel::update(accounts::table.find(&account.id))
        .set(accounts::administrator_rank.eq(rank.code()))
        .execute(conn)?;
    let account = Account {
        administrator_rank: Some(rank.code().into()),
        ..account
    };
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(partner_id),
            action: TraceAction::PartnerAdministratorNamed,
            target_type: TargetType::Account,
            target_id: Some(account.id.get().uuid()),
            caf_id: Some(caf_id),
            outcome: Outcome::Success,
            detail: json!({ "partner_id": partner.id, "rank": rank.code(), "identifier": account.identifier, "full_name": account.full_name, "promoted_from": promoted_from }),
        },
    )?;
    Ok(account)
}

/// Loads an account of `partner` (404 for anyone else's), with its role.
pub(crate) fn staff_member(
    conn: &mut DbConnection,
    partner: &Partner,
    account_id: AccountId,
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

/// [`staff_member`] for a person named in a request body (`account_id`): someone outside the
/// partner's staff is a field error (422 `unknown_account`), not a missing route object.
pub(crate) fn named_staff_member(
    conn: &mut DbConnection,
    partner: &Partner,
    account_id: AccountId,
) -> Result<(Account, Role)> {
    staff_member(conn, partner, account_id).map_err(|e| match e {
        Error::Domain(DomainError::NotFound) => DomainError::field(
            "account_id",
            "unknown_account",
            mcp_domain::msg!(
                "cette personne ne fait pas partie du personnel de ce partenaire",
                "no such person among this partner's staff"
            ),
        )
        .into(),
        e => e,
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
    request_id: Option<Id<RequestId>>,
    links: &mcp_domain::links::Links,
) -> Result<Account> {
    let caf_id = partner.caf_id.get();
    let account = crate::store::accounts::invite(
        conn,
        ctx.now,
        Role::PartnerUser,
        Some(caf_id),
        Some(partner.id.get()),
        person,
        crate::store::accounts::Welcome {
            organisation: &partner.name,
            links,
        },
    )?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(partner.id.get()),
            action: TraceAction::PartnerUserCreated,
            target_type: TargetType::Account,
            target_id: Some(account.id.get().uuid()),
            caf_id: Some(caf_id),
            outcome: Outcome::Success,
            detail: json!({ "partner_id": partner.id, "identifier": account.identifier, "full_name": account.full_name, "function_title": account.function_title, "request_id": request_id }),
        },
    )?;
    Ok(account)
}

/// A delegation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delegations)]
pub struct DelegationRow {
    /// Opaque id.
    pub id: Id<DelegationId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// The delegated manager.
    pub account_id: Id<AccountId>,
    /// Function codes, JSON array.
    pub functions: String,
    /// Profile ids, JSON array.
    pub profile_ids: String,
    /// The administrator who gave it.
    pub granted_by: Id<AccountId>,
    /// When.
    pub granted_at: NaiveDateTime,
    /// When it was withdrawn.
    pub withdrawn_at: Option<NaiveDateTime>,
    /// By whom.
    pub withdrawn_by: Option<Id<AccountId>>,
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
    account_id: AccountId,
) -> Result<Option<Delegation>> {
    let row: Option<DelegationRow> = delegations::table
        .filter(delegations::account_id.eq(account_id.to_string()))
        .filter(delegations::withdrawn_at.is_null())
        .select(DelegationRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| r.to_domain()).transpose()
}

pub(crate) fn end_delegation_of(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    account_id: Id<AccountId>,
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

/// Withdraws every delegation of a partner when the Caf takes management back (mode
/// centralisé), inside the contract change's transaction; returns how many.
pub(crate) fn withdraw_all_delegations(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner_id: Id<PartnerId>,
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
    pub id: Id<GroupId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
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

/// Loads a group and checks `function` on its partner.
pub(crate) fn load_group(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: GroupId,
    function: Function,
) -> Result<(Group, Partner)> {
    let group: Group = partner_groups::table
        .find(id.to_string())
        .select(Group::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let partner_id = group.partner_id.get();
    let partner = if matches!(function, Function::ReadHabilitations) {
        partners::load_for(conn, ctx, partner_id.uuid().into(), function)?
    } else {
        managed_partner(conn, ctx, partner_id, function)?
    };
    Ok((group, partner))
}

pub(crate) fn members_of(conn: &mut DbConnection, group_id: Id<GroupId>) -> Result<Vec<Member>> {
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

pub(crate) fn touch_group(
    conn: &mut DbConnection,
    group_id: Id<GroupId>,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::update(partner_groups::table.find(group_id))
        .set(partner_groups::updated_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// The groups a person belongs to.
pub(crate) fn groups_of(conn: &mut DbConnection, account_id: Id<AccountId>) -> Result<Vec<Group>> {
    Ok(partner_groups::table
        .inner_join(group_members::table)
        .filter(group_members::account_id.eq(account_id))
        .order(partner_groups::name.asc())
        .select(Group::as_select())
        .load(conn)?)
}
