//! Quotas (S-art. 2.2.1): who holds a subscription's profiles, counted as distinct people
//! directly or through groups, checked under a lock on the subscription so that concurrent
//! grants on either engine never exceed it; and the quota views.

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{
    accounts, group_members, habilitations, partner_groups, subscription_quotas, subscriptions,
};
use crate::store::accounts::Account;
use crate::store::partners::Partner;
use crate::store::staff::{self, Group};
use chrono::NaiveDate;
use diesel::prelude::*;
use mcp_domain::access::{authorize_profile, authorize_touching};
use mcp_domain::habilitation::{check_quota, HabilitationStatus, Holder, QuotaUse};
use mcp_domain::ids::{AccountId, ConventionId, GroupId, PartnerId, ProfileId, SubscriptionId};
use mcp_domain::vocabulary::{AccountStatus, HolderKind};
use mcp_domain::{DomainError, ErrorCode};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Takes the lock that serialises every change of who holds the profiles of one subscription:
/// a write on its row. PostgreSQL holds the row lock until commit, so a concurrent grant waits
/// and then counts what this one wrote; SQLite runs one writer at a time anyway. Quota changes
/// write the same row, so they serialise with grants too.
pub(crate) fn lock_subscription(
    conn: &mut DbConnection,
    subscription_id: Id<SubscriptionId>,
) -> Result<()> {
    diesel::update(subscriptions::table.find(subscription_id))
        .set(subscriptions::updated_at.eq(subscriptions::updated_at))
        .execute(conn)?;
    Ok(())
}

/// The distinct people holding a profile of a subscription, directly or through a group;
/// suspended habilitations keep their seat.
pub(crate) fn holders_of(
    conn: &mut DbConnection,
    subscription_id: Id<SubscriptionId>,
    profile_id: Id<ProfileId>,
) -> Result<BTreeSet<Uuid>> {
    let rows: Vec<(String, String)> = habilitations::table
        .filter(habilitations::subscription_id.eq(subscription_id))
        .filter(habilitations::profile_id.eq(profile_id))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .select((habilitations::holder_kind, habilitations::holder_id))
        .load(conn)?;
    let mut people = BTreeSet::new();
    let mut groups = vec![];
    for (kind, id) in rows {
        if crate::read_code(&kind, HolderKind::from_code)? == HolderKind::Group {
            groups.push(id);
        } else {
            people.insert(crate::uuid(&id)?);
        }
    }
    if !groups.is_empty() {
        let members: Vec<Id<AccountId>> = group_members::table
            .filter(group_members::group_id.eq_any(&groups))
            .select(group_members::account_id)
            .load(conn)?;
        for m in members {
            people.insert(m.uuid());
        }
    }
    Ok(people)
}

/// Locks the subscription, then checks that `people` fit in the profile's quota beside its
/// holders and `reserved` seats promised to requests awaiting the Caf.
pub(crate) fn check_seats(
    conn: &mut DbConnection,
    subscription_id: Id<SubscriptionId>,
    profile_id: Id<ProfileId>,
    people: &BTreeSet<Uuid>,
    reserved: u32,
) -> Result<()> {
    lock_subscription(conn, subscription_id)?;
    // Read under the lock: the quota may have changed while this request waited.
    let max = quota_of(conn, subscription_id, profile_id)?.ok_or_else(|| {
        DomainError::rule(
            ErrorCode::ProfileNotSubscribed,
            mcp_domain::msg!(
                "le partenaire ne souscrit plus ce profil",
                "the partner no longer subscribes to this profile"
            ),
        )
    })?;
    let holders = holders_of(conn, subscription_id, profile_id)?;
    check_quota(max.saturating_sub(reserved), &holders, people)?;
    Ok(())
}

pub(crate) fn quota_of(
    conn: &mut DbConnection,
    subscription_id: Id<SubscriptionId>,
    profile_id: Id<ProfileId>,
) -> Result<Option<u32>> {
    let max: Option<i32> = subscription_quotas::table
        .find((subscription_id, profile_id))
        .select(subscription_quotas::max_users)
        .first(conn)
        .optional()?;
    Ok(max.map(|m| m.max(0) as u32))
}

pub(crate) fn people_of_holder(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    holder: Holder,
) -> Result<BTreeSet<Uuid>> {
    match holder {
        Holder::Account(id) => {
            let (account, role) = staff::named_staff_member(conn, partner, id.into())?;
            authorize_touching(ctx.principal(), role)?;
            if crate::read_code(&account.status, AccountStatus::from_code)?
                == AccountStatus::Disabled
            {
                return Err(DomainError::field(
                    "account_id",
                    "account_closed",
                    mcp_domain::msg!("ce compte est fermé", "this account is closed"),
                )
                .into());
            }
            Ok(BTreeSet::from([id]))
        }
        Holder::Group(id) => {
            let found: Option<Id<GroupId>> = partner_groups::table
                .find(id.to_string())
                .filter(partner_groups::partner_id.eq(&partner.id))
                .select(partner_groups::id)
                .first(conn)
                .optional()?;
            let Some(group) = found else {
                return Err(DomainError::field(
                    "group_id",
                    "unknown_group",
                    mcp_domain::msg!(
                        "ce groupe n'existe pas chez ce partenaire",
                        "no such group at this partner"
                    ),
                )
                .into());
            };
            let members: Vec<(Id<AccountId>, String)> = group_members::table
                .inner_join(accounts::table.on(accounts::id.eq(group_members::account_id)))
                .filter(group_members::group_id.eq(&group))
                .select((group_members::account_id, accounts::role))
                .load(conn)?;
            // Habilitating a group habilitates each member: a delegated manager may not reach
            // an administrator that way either.
            for (_, role) in &members {
                if let Some(role) = mcp_domain::access::Role::from_code(role) {
                    authorize_touching(ctx.principal(), role)?;
                }
            }
            Ok(members.iter().map(|(m, _)| m.uuid()).collect())
        }
    }
}

/// Checks, under the locks of the subscriptions concerned, that `newcomer` joining a group
/// keeps every profile the group holds within its quota; the manager must be able to hand on
/// each of those profiles, and may not add themselves.
pub(crate) fn check_seats_for_group(
    conn: &mut DbConnection,
    ctx: &Ctx,
    group_id: Id<GroupId>,
    newcomer: Uuid,
) -> Result<()> {
    let mut held: Vec<(Id<SubscriptionId>, Id<ProfileId>)> = habilitations::table
        .filter(habilitations::holder_kind.eq(HolderKind::Group.code()))
        .filter(habilitations::holder_id.eq(group_id))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .select((habilitations::subscription_id, habilitations::profile_id))
        .load(conn)?;
    if held.is_empty() {
        return Ok(());
    }
    held.sort();
    held.dedup();
    crate::store::accounts::check_not_self(conn, ctx, &BTreeSet::from([newcomer]))?;
    let partner_id: Id<PartnerId> = crate::schema::partner_groups::table
        .find(group_id)
        .select(crate::schema::partner_groups::partner_id)
        .first(conn)?;
    check_manager_of(conn, ctx, partner_id, &BTreeSet::from([newcomer]))?;
    for (_, profile) in &held {
        authorize_profile(ctx.principal(), profile.get())?;
    }
    // Locks in a fixed order, so that two requests never wait on each other.
    let subs: BTreeSet<Id<SubscriptionId>> = held.iter().map(|(s, _)| *s).collect();
    for s in subs {
        lock_subscription(conn, s)?;
    }
    let newcomers = BTreeSet::from([newcomer]);
    for (sub, profile) in &held {
        let max = quota_of(conn, *sub, *profile)?.unwrap_or(0);
        let holders = holders_of(conn, *sub, *profile)?;
        check_quota(max, &holders, &newcomers)?;
    }
    Ok(())
}

/// The use of one profile's quota.
#[derive(Debug, Clone)]
pub struct QuotaLine {
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// The partner's name.
    pub partner_name: String,
    /// The convention.
    pub convention_id: Id<ConventionId>,
    /// The subscription.
    pub subscription_id: Id<SubscriptionId>,
    /// The profile.
    pub profile_id: Id<ProfileId>,
    /// Its code.
    pub profile_code: String,
    /// Its name.
    pub profile_name: String,
    /// Quota and use.
    pub usage: QuotaUse,
}

pub(crate) fn quota_lines(
    conn: &mut DbConnection,
    partner: &Partner,
    today: NaiveDate,
) -> Result<Vec<QuotaLine>> {
    let mut out = vec![];
    for (convention_id, sub) in
        crate::store::subscriptions::live_subscriptions(conn, partner.id, today)?
    {
        for q in &sub.quotas {
            let used = holders_of(conn, sub.id, q.profile_id)?.len() as u32;
            out.push(QuotaLine {
                partner_id: partner.id,
                partner_name: partner.name.clone(),
                convention_id,
                subscription_id: sub.id,
                profile_id: q.profile_id,
                profile_code: q.profile_code.clone(),
                profile_name: q.profile_name.clone(),
                usage: QuotaUse {
                    max_users: q.max_users.max(0) as u32,
                    used,
                },
            });
        }
    }
    Ok(out)
}

/// A person holding a profile, and how.
#[derive(Debug, Clone)]
pub struct ProfileHolder {
    /// The person.
    pub account: Account,
    /// The habilitations that give it (one direct, and one per group).
    pub through: Vec<(String, Option<Group>)>,
}

/// Checks that the caller manages the habilitations of `people` of the partner
/// ([`mcp_domain::habilitation::check_management`]: the administrators' are the Caf's).
pub(crate) fn check_manager_of(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner_id: Id<PartnerId>,
    people: &std::collections::BTreeSet<Uuid>,
) -> Result<()> {
    let roles = crate::store::accounts::roles_of(conn, people)?;
    let mode = crate::store::conventions::management_mode(conn, partner_id, ctx.today())?;
    Ok(mcp_domain::habilitation::check_management(
        ctx.principal(),
        mode,
        &roles,
    )?)
}
