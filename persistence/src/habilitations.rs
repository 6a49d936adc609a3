//! Habilitations under delegated management: grants within the subscription's quota (checked
//! under a lock on the subscription, so that concurrent grants on either engine never exceed
//! it), suspension, devalidation, expiry of temporary missions, role bundles, the Caf's
//! questions, and the views partners and Cafs need.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{authorize, authorize_profile, authorize_touching, Function, Reach};
use mcp_domain::contract::ManagementMode;
use mcp_domain::convention::ConventionStatus;
use mcp_domain::habilitation::{
    check_bundle, check_grant, check_not_self, check_quota, check_reason, GrantConditions,
    HabilitationStatus, Holder, QuotaUse,
};
use mcp_domain::DomainError;
use serde_json::json;
use uuid::Uuid;

use crate::accounts::Account;
use crate::catalogue::Profile;
use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{on_unique, Error, Result};
use crate::page::{Page, PageRequest};
use crate::partners::{self, Partner};
use crate::schema::{
    accounts, caf_suspensions, convention_missions, conventions, group_members,
    habilitation_questions, habilitations, partner_groups, profiles, role_bundles, services,
    sessions, subscription_quotas, subscriptions,
};
use crate::staff::{self, Group};
use crate::trace::{self, Event, Outcome};

/// A habilitation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = habilitations)]
pub struct Habilitation {
    /// Opaque id.
    pub id: String,
    /// The Caf.
    pub caf_id: String,
    /// The partner.
    pub partner_id: String,
    /// The convention whose mission it serves.
    pub convention_id: String,
    /// The mission it serves.
    pub mission_id: String,
    /// The subscription whose quota it uses.
    pub subscription_id: String,
    /// The profile.
    pub profile_id: String,
    /// `account` or `group`.
    pub holder_kind: String,
    /// The holder.
    pub holder_id: String,
    /// `active`, `suspended` or `devalidated`.
    pub status: String,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// Who granted it.
    pub granted_by: String,
    /// When.
    pub granted_at: NaiveDateTime,
    /// Whether the Caf suspended it (only the Caf lifts that).
    pub suspended_by_caf: bool,
    /// Why its status last changed.
    pub status_reason: Option<String>,
    /// When its status last changed.
    pub status_changed_at: Option<NaiveDateTime>,
    /// When it was devalidated; kept six years from then.
    pub devalidated_at: Option<NaiveDateTime>,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// The last CDAP consultation served through it; `None`: never used.
    pub last_used_at: Option<NaiveDateTime>,
}

impl Habilitation {
    /// Its status.
    pub fn status(&self) -> Result<HabilitationStatus> {
        HabilitationStatus::from_code(&self.status)
            .ok_or_else(|| Error::Corrupt(self.status.clone()))
    }
}

/// A habilitation with the names people read.
#[derive(Debug, Clone)]
pub struct HabilitationView {
    /// The habilitation.
    pub habilitation: Habilitation,
    /// Its profile's code (`T13`).
    pub profile_code: String,
    /// The holder's name: the person's, or the group's.
    pub holder_name: String,
}

pub(crate) fn view(conn: &mut DbConnection, h: Habilitation) -> Result<HabilitationView> {
    let profile_code: String = profiles::table
        .find(&h.profile_id)
        .select(profiles::code)
        .first(conn)?;
    let holder_name: String = if h.holder_kind == "group" {
        partner_groups::table
            .find(&h.holder_id)
            .select(partner_groups::name)
            .first(conn)?
    } else {
        accounts::table
            .find(&h.holder_id)
            .select(accounts::full_name)
            .first(conn)?
    };
    Ok(HabilitationView {
        habilitation: h,
        profile_code,
        holder_name,
    })
}

/// The management mode of a partner's contract: that of its convention opening access today,
/// else of its latest convention not terminated; délégué, the default, when it has none.
pub(crate) fn management_mode(
    conn: &mut DbConnection,
    partner_id: &str,
    today: NaiveDate,
) -> Result<ManagementMode> {
    let ids: Vec<String> = conventions::table
        .filter(conventions::partner_id.eq(partner_id))
        .order(conventions::id.desc())
        .select(conventions::id)
        .load(conn)?;
    let mut fallback = None;
    for id in ids {
        let c = crate::conventions::load_for_system(conn, &id)?;
        if c.life.access_open(today) {
            return c.row.management_mode();
        }
        if fallback.is_none() && c.life.status(today) != ConventionStatus::Terminated {
            fallback = Some(c.row.management_mode()?);
        }
    }
    Ok(fallback.unwrap_or_default())
}

/// The profiles a partner subscribes to under its conventions not terminated.
pub(crate) fn subscribed_profiles(
    conn: &mut DbConnection,
    partner_id: &str,
    today: NaiveDate,
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for (_, sub) in live_subscriptions(conn, partner_id, today)? {
        out.extend(sub.quotas.into_iter().map(|q| q.profile_id));
    }
    Ok(out)
}

fn live_subscriptions(
    conn: &mut DbConnection,
    partner_id: &str,
    today: NaiveDate,
) -> Result<Vec<(String, crate::subscriptions::Subscription)>> {
    let ids: Vec<String> = conventions::table
        .filter(conventions::partner_id.eq(partner_id))
        .order(conventions::id.asc())
        .select(conventions::id)
        .load(conn)?;
    let mut out = vec![];
    for id in ids {
        let c = crate::conventions::load_for_system(conn, &id)?;
        if c.life.status(today) == ConventionStatus::Terminated {
            continue;
        }
        for sub in crate::subscriptions::for_convention(conn, &id)? {
            out.push((id.clone(), sub));
        }
    }
    Ok(out)
}

/// Takes the lock that serialises every change of who holds the profiles of one subscription:
/// a write on its row. PostgreSQL holds the row lock until commit, so a concurrent grant waits
/// and then counts what this one wrote; SQLite runs one writer at a time anyway. Quota changes
/// write the same row, so they serialise with grants too.
fn lock_subscription(conn: &mut DbConnection, subscription_id: &str) -> Result<()> {
    diesel::update(subscriptions::table.find(subscription_id))
        .set(subscriptions::updated_at.eq(subscriptions::updated_at))
        .execute(conn)?;
    Ok(())
}

/// The distinct people holding a profile of a subscription, directly or through a group;
/// suspended habilitations keep their seat.
fn holders_of(
    conn: &mut DbConnection,
    subscription_id: &str,
    profile_id: &str,
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
        if kind == "group" {
            groups.push(id);
        } else {
            people.insert(crate::uuid(&id)?);
        }
    }
    if !groups.is_empty() {
        let members: Vec<String> = group_members::table
            .filter(group_members::group_id.eq_any(&groups))
            .select(group_members::account_id)
            .load(conn)?;
        for m in members {
            people.insert(crate::uuid(&m)?);
        }
    }
    Ok(people)
}

/// Locks the subscription, then checks that `people` fit in the profile's quota beside its
/// holders and `reserved` seats promised to requests awaiting the Caf.
pub(crate) fn check_seats(
    conn: &mut DbConnection,
    subscription_id: &str,
    profile_id: &str,
    people: &BTreeSet<Uuid>,
    reserved: u32,
) -> Result<()> {
    lock_subscription(conn, subscription_id)?;
    // Read under the lock: the quota may have changed while this request waited.
    let max = quota_of(conn, subscription_id, profile_id)?.ok_or_else(|| {
        DomainError::rule(
            "profile_not_subscribed",
            "the partner no longer subscribes to this profile",
        )
    })?;
    let holders = holders_of(conn, subscription_id, profile_id)?;
    check_quota(max.saturating_sub(reserved), &holders, people)?;
    Ok(())
}

fn quota_of(
    conn: &mut DbConnection,
    subscription_id: &str,
    profile_id: &str,
) -> Result<Option<u32>> {
    let max: Option<i32> = subscription_quotas::table
        .find((subscription_id, profile_id))
        .select(subscription_quotas::max_users)
        .first(conn)
        .optional()?;
    Ok(max.map(|m| m.max(0) as u32))
}

/// What a manager asks for.
#[derive(Debug, Clone, Copy)]
pub struct GrantRequest {
    /// A person or a group of the partner.
    pub holder: Holder,
    /// The profile.
    pub profile_id: Uuid,
    /// The convention mission it serves.
    pub mission_id: Uuid,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
}

fn people_of_holder(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    holder: Holder,
) -> Result<BTreeSet<Uuid>> {
    match holder {
        Holder::Account(id) => {
            let (account, role) = staff::staff_member(conn, partner, id).map_err(|e| match e {
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
            Ok(BTreeSet::from([id]))
        }
        Holder::Group(id) => {
            let found: Option<String> = partner_groups::table
                .find(id.to_string())
                .filter(partner_groups::partner_id.eq(&partner.id))
                .select(partner_groups::id)
                .first(conn)
                .optional()?;
            let Some(group) = found else {
                return Err(DomainError::field(
                    "group_id",
                    "unknown_group",
                    "no such group at this partner",
                )
                .into());
            };
            let members: Vec<(String, String)> = group_members::table
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
            members.iter().map(|(m, _)| crate::uuid(m)).collect()
        }
    }
}

/// What a grant of a profile for a mission rests on, once checked.
pub(crate) struct Grantable {
    /// The profile.
    pub profile: Profile,
    /// The mission.
    pub mission_id: String,
    /// Its convention.
    pub convention_id: String,
    /// The subscription whose quota the grant uses.
    pub subscription_id: String,
}

/// Checks that `profile_id` may be granted at `partner` for `mission_id` (principle of least
/// assignment); with `mode_applies`, also that the contract lets the partner grant it itself.
pub(crate) fn check_grantable(
    conn: &mut DbConnection,
    partner: &Partner,
    profile_id: Uuid,
    mission_id: Uuid,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
    mode_applies: bool,
) -> Result<Grantable> {
    let profile: Profile = profiles::table
        .find(profile_id.to_string())
        .select(Profile::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            DomainError::field(
                "profile_id",
                "unknown_profile",
                "no such profile in the catalogue",
            )
        })?;
    let unknown_mission = || {
        DomainError::field(
            "mission_id",
            "unknown_mission",
            "no such mission in this partner's conventions",
        )
    };
    let mission: crate::conventions::Mission = convention_missions::table
        .find(mission_id.to_string())
        .select(crate::conventions::Mission::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(unknown_mission)?;
    let conv = crate::conventions::load_for_system(conn, &mission.convention_id)?;
    if conv.row.partner_id != partner.id {
        return Err(unknown_mission().into());
    }
    let subscription = crate::subscriptions::for_convention(conn, &conv.row.id)?
        .into_iter()
        .find(|s| s.service_id == profile.service_id);
    let quota = match &subscription {
        Some(s) => quota_of(conn, &s.id, &profile.id)?,
        None => None,
    };
    check_grant(&GrantConditions {
        mode: if mode_applies {
            conv.row.management_mode()?
        } else {
            ManagementMode::Delegue
        },
        convention_open: conv.life.access_open(today),
        mission_in_force: mission.withdrawn_in_version.is_none(),
        quota,
        eligible: profile.to_domain().is_eligible(partner.category()?),
        ends_on,
        today,
    })?;
    let (Some(subscription), Some(_)) = (subscription, quota) else {
        unreachable!("check_grant refuses a profile without a quota");
    };
    Ok(Grantable {
        profile,
        mission_id: mission.id,
        convention_id: conv.row.id,
        subscription_id: subscription.id,
    })
}

/// Grants inside the caller's transaction. The partner's managers grant in mode délégué only;
/// the Caf grants when it approves a request, in either mode.
pub(crate) fn grant_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    req: &GrantRequest,
    bundle: Option<&str>,
) -> Result<Habilitation> {
    authorize_profile(ctx.principal(), req.profile_id)?;
    let Grantable {
        profile,
        mission_id,
        convention_id,
        subscription_id,
    } = check_grantable(
        conn,
        partner,
        req.profile_id,
        req.mission_id,
        req.ends_on,
        ctx.today(),
        ctx.principal().is_partner_staff(),
    )?;
    let people = people_of_holder(conn, ctx, partner, req.holder)?;
    check_not_self(ctx.principal().account_id, &people)?;
    check_seats(conn, &subscription_id, &profile.id, &people, 0)?;
    let h = Habilitation {
        id: crate::new_id(),
        caf_id: partner.caf_id.clone(),
        partner_id: partner.id.clone(),
        convention_id,
        mission_id,
        subscription_id,
        profile_id: profile.id.clone(),
        holder_kind: req.holder.kind().into(),
        holder_id: req.holder.id().to_string(),
        status: HabilitationStatus::Active.code().into(),
        ends_on: req.ends_on,
        granted_by: ctx.principal().account_id.to_string(),
        granted_at: ctx.now,
        suspended_by_caf: false,
        status_reason: None,
        status_changed_at: None,
        devalidated_at: None,
        updated_at: ctx.now,
        last_used_at: None,
    };
    diesel::insert_into(habilitations::table)
        .values((
            habilitations::id.eq(&h.id),
            habilitations::caf_id.eq(&h.caf_id),
            habilitations::partner_id.eq(&h.partner_id),
            habilitations::convention_id.eq(&h.convention_id),
            habilitations::mission_id.eq(&h.mission_id),
            habilitations::subscription_id.eq(&h.subscription_id),
            habilitations::profile_id.eq(&h.profile_id),
            habilitations::holder_kind.eq(&h.holder_kind),
            habilitations::holder_id.eq(&h.holder_id),
            habilitations::status.eq(&h.status),
            habilitations::ends_on.eq(h.ends_on),
            habilitations::granted_by.eq(&h.granted_by),
            habilitations::granted_at.eq(h.granted_at),
            habilitations::suspended_by_caf.eq(false),
            habilitations::updated_at.eq(h.updated_at),
        ))
        .execute(conn)
        .map_err(on_unique(
            "already_habilitated",
            "this holder already holds this profile",
        ))?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(crate::uuid(&h.partner_id)?),
            action: "habilitation.granted",
            target_type: "habilitation",
            target_id: Some(crate::uuid(&h.id)?),
            caf_id: Some(crate::uuid(&h.caf_id)?),
            outcome: Outcome::Success,
            detail: json!({
                "partner_id": h.partner_id, "holder_kind": h.holder_kind, "holder_id": h.holder_id,
                "profile": profile.code, "mission_id": h.mission_id, "ends_on": h.ends_on,
                "role_bundle_id": bundle, "people": people.len(),
            }),
        },
    )?;
    Ok(h)
}

/// Grants a habilitation (a management function), within the quota and the principle of least
/// assignment.
pub fn grant(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    req: GrantRequest,
) -> Result<HabilitationView> {
    authorize(
        ctx.principal(),
        Function::ManageHabilitations,
        Reach::National,
    )?;
    db.write(|conn| {
        let partner = staff::managed_partner(conn, ctx, partner_id, Function::ManageHabilitations)?;
        let h = grant_in(conn, ctx, &partner, &req, None)?;
        view(conn, h)
    })
}

/// Checks, under the locks of the subscriptions concerned, that `newcomer` joining a group
/// keeps every profile the group holds within its quota; the manager must be able to hand on
/// each of those profiles, and may not add themselves.
pub(crate) fn check_seats_for_group(
    conn: &mut DbConnection,
    ctx: &Ctx,
    group_id: &str,
    newcomer: Uuid,
) -> Result<()> {
    let mut held: Vec<(String, String)> = habilitations::table
        .filter(habilitations::holder_kind.eq("group"))
        .filter(habilitations::holder_id.eq(group_id))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .select((habilitations::subscription_id, habilitations::profile_id))
        .load(conn)?;
    if held.is_empty() {
        return Ok(());
    }
    held.sort();
    held.dedup();
    check_not_self(ctx.principal().account_id, &BTreeSet::from([newcomer]))?;
    for (_, profile) in &held {
        authorize_profile(ctx.principal(), crate::uuid(profile)?)?;
    }
    // Locks in a fixed order, so that two requests never wait on each other.
    let subs: BTreeSet<&String> = held.iter().map(|(s, _)| s).collect();
    for s in subs {
        lock_subscription(conn, s)?;
    }
    let newcomers = BTreeSet::from([newcomer]);
    for (sub, profile) in &held {
        let max = quota_of(conn, sub, profile)?.unwrap_or(0);
        let holders = holders_of(conn, sub, profile)?;
        check_quota(max, &holders, &newcomers)?;
    }
    Ok(())
}

fn set_status(
    conn: &mut DbConnection,
    ctx: &Ctx,
    h: &Habilitation,
    to: HabilitationStatus,
    by_caf: bool,
    reason: &str,
    action: &str,
) -> Result<Habilitation> {
    let devalidated_at = if to == HabilitationStatus::Devalidated {
        Some(ctx.now)
    } else {
        h.devalidated_at
    };
    let suspended_by_caf = to == HabilitationStatus::Suspended && by_caf;
    diesel::update(habilitations::table.find(&h.id))
        .set((
            habilitations::status.eq(to.code()),
            habilitations::status_reason.eq(reason),
            habilitations::status_changed_at.eq(ctx.now),
            habilitations::suspended_by_caf.eq(suspended_by_caf),
            habilitations::devalidated_at.eq(devalidated_at),
            habilitations::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    if by_caf {
        record_caf_supervision(conn, ctx, h, to, reason)?;
    }
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(crate::uuid(&h.partner_id)?),
            action,
            target_type: "habilitation",
            target_id: Some(crate::uuid(&h.id)?),
            caf_id: Some(crate::uuid(&h.caf_id)?),
            outcome: Outcome::Success,
            detail: json!({ "partner_id": h.partner_id, "from": h.status, "to": to.code(), "reason": reason, "by_caf": by_caf }),
        },
    )?;
    Ok(Habilitation {
        status: to.code().into(),
        status_reason: Some(reason.into()),
        status_changed_at: Some(ctx.now),
        suspended_by_caf,
        devalidated_at,
        updated_at: ctx.now,
        ..h.clone()
    })
}

/// Keeps the Caf's precautionary suspensions beyond the traces' six months: the annual review
/// reports them (C-art. 16). A suspension is lifted by the Caf only.
fn record_caf_supervision(
    conn: &mut DbConnection,
    ctx: &Ctx,
    h: &Habilitation,
    to: HabilitationStatus,
    reason: &str,
) -> Result<()> {
    let by = ctx.principal.as_ref().map(|p| p.account_id.to_string());
    match to {
        HabilitationStatus::Suspended => {
            diesel::insert_into(caf_suspensions::table)
                .values((
                    caf_suspensions::id.eq(crate::new_id()),
                    caf_suspensions::habilitation_id.eq(&h.id),
                    caf_suspensions::caf_id.eq(&h.caf_id),
                    caf_suspensions::partner_id.eq(&h.partner_id),
                    caf_suspensions::reason.eq(reason),
                    caf_suspensions::suspended_by.eq(&by),
                    caf_suspensions::suspended_at.eq(ctx.now),
                ))
                .execute(conn)?;
        }
        HabilitationStatus::Active if h.suspended_by_caf => {
            diesel::update(
                caf_suspensions::table
                    .filter(caf_suspensions::habilitation_id.eq(&h.id))
                    .filter(caf_suspensions::lifted_at.is_null()),
            )
            .set((
                caf_suspensions::lifted_by.eq(&by),
                caf_suspensions::lifted_at.eq(ctx.now),
                caf_suspensions::lift_reason.eq(reason),
            ))
            .execute(conn)?;
        }
        _ => {}
    }
    Ok(())
}

/// Devalidates one habilitation inside the caller's transaction (whose access checks are
/// done), through the same path as any devalidation: seat freed, record kept, traced.
pub(crate) fn devalidate_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    h: &Habilitation,
    reason: &str,
) -> Result<Habilitation> {
    let to = h.status()?.devalidate()?;
    set_status(conn, ctx, h, to, false, reason, "habilitation.devalidated")
}

/// Devalidates every live habilitation of a holder (their account closed), each traced.
pub(crate) fn devalidate_held_by(
    conn: &mut DbConnection,
    ctx: &Ctx,
    kind: &str,
    id: &str,
    reason: &str,
) -> Result<usize> {
    let live: Vec<Habilitation> = habilitations::table
        .filter(habilitations::holder_kind.eq(kind))
        .filter(habilitations::holder_id.eq(id))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .select(Habilitation::as_select())
        .load(conn)?;
    for h in &live {
        set_status(
            conn,
            ctx,
            h,
            HabilitationStatus::Devalidated,
            false,
            reason,
            "habilitation.devalidated",
        )?;
    }
    Ok(live.len())
}

/// A change of a habilitation's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Suspend it: it keeps its seat.
    Suspend,
    /// Lift a suspension.
    Reinstate,
    /// End it for good: its seat is freed, the record kept six years.
    Devalidate,
}

pub(crate) fn load(conn: &mut DbConnection, id: Uuid) -> Result<Habilitation> {
    habilitations::table
        .find(id.to_string())
        .select(Habilitation::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

pub(crate) fn reach_of(h: &Habilitation) -> Result<Reach> {
    Ok(Reach::Partner {
        caf_id: crate::uuid(&h.caf_id)?,
        partner_id: crate::uuid(&h.partner_id)?,
    })
}

/// Suspends, reinstates or devalidates a habilitation. The partner's managers do it within
/// their delegation while in mode délégué; the Caf suspends and reinstates any habilitation of
/// its partners as a precaution (S-art. 2.2.1), and only the Caf lifts its own suspensions.
pub fn change_status(
    db: &Database,
    ctx: &Ctx,
    id: Uuid,
    change: StatusChange,
    reason: &str,
) -> Result<HabilitationView> {
    let reason = check_reason("reason", reason)?;
    let by_caf = !ctx.principal().is_partner_staff();
    db.write(|conn| {
        let h = load(conn, id)?;
        if by_caf {
            authorize(
                ctx.principal(),
                Function::SuperviseHabilitations,
                reach_of(&h)?,
            )?;
            if change == StatusChange::Devalidate {
                return Err(DomainError::Forbidden.into());
            }
        } else {
            staff::managed_partner(
                conn,
                ctx,
                crate::uuid(&h.partner_id)?,
                Function::ManageHabilitations,
            )?;
            authorize_profile(ctx.principal(), crate::uuid(&h.profile_id)?)?;
        }
        let status = h.status()?;
        let (to, action) = match change {
            StatusChange::Suspend => (status.suspend()?, "habilitation.suspended"),
            StatusChange::Reinstate => (
                status.reinstate(h.suspended_by_caf, by_caf)?,
                "habilitation.reinstated",
            ),
            StatusChange::Devalidate => (status.devalidate()?, "habilitation.devalidated"),
        };
        let h = set_status(conn, ctx, &h, to, by_caf, &reason, action)?;
        view(conn, h)
    })
}

/// Devalidates the temporary habilitations whose last day has passed, each traced as done by
/// the service itself. Run by a background job; `now` is passed in so tests move the clock.
pub fn expire_due(db: &Database, now: NaiveDateTime) -> Result<usize> {
    let ctx = Ctx {
        principal: None,
        request_id: "habilitation-expiry".into(),
        now,
        asked: None,
    };
    db.write(|conn| {
        let due: Vec<Habilitation> = habilitations::table
            .filter(habilitations::ends_on.lt(now.date()))
            .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
            .select(Habilitation::as_select())
            .load(conn)?;
        for h in &due {
            let reason = format!(
                "temporary mission ended on {}",
                h.ends_on.expect("filtered on its end date")
            );
            set_status(
                conn,
                &ctx,
                h,
                HabilitationStatus::Devalidated,
                false,
                &reason,
                "habilitation.expired",
            )?;
        }
        Ok(due.len())
    })
}

/// One habilitation.
pub fn get(db: &Database, ctx: &Ctx, id: Uuid) -> Result<HabilitationView> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::National,
    )?;
    db.read(|conn| {
        let h = load(conn, id)?;
        authorize(ctx.principal(), Function::ReadHabilitations, reach_of(&h)?)?;
        view(conn, h)
    })
}

/// Filters of a habilitation list.
#[derive(Debug, Clone, Default)]
pub struct HabilitationFilter {
    /// Only this status.
    pub status: Option<HabilitationStatus>,
    /// Only this profile.
    pub profile_id: Option<Uuid>,
    /// Only those held by this holder.
    pub holder: Option<Holder>,
}

/// A partner's habilitations, in grant order.
pub fn list(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    filter: &HabilitationFilter,
    page: &PageRequest,
) -> Result<Page<HabilitationView>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut q = habilitations::table
                .filter(habilitations::partner_id.eq(&partner.id))
                .select(Habilitation::as_select())
                .into_boxed();
            if let Some(s) = filter.status {
                q = q.filter(habilitations::status.eq(s.code()));
            }
            if let Some(p) = filter.profile_id {
                q = q.filter(habilitations::profile_id.eq(p.to_string()));
            }
            if let Some(h) = filter.holder {
                q = q
                    .filter(habilitations::holder_kind.eq(h.kind()))
                    .filter(habilitations::holder_id.eq(h.id().to_string()));
            }
            if let Some(c) = &page.cursor {
                q = q.filter(habilitations::id.gt(c.clone()));
            }
            let limit = page.limit();
            let rows: Vec<Habilitation> = q
                .order(habilitations::id.asc())
                .limit(limit + 1)
                .load(conn)?;
            Page::from_rows(rows, limit, |h| h.id.clone(), |h| view(conn, h))
        },
    )
}

/// The use of one profile's quota.
#[derive(Debug, Clone)]
pub struct QuotaLine {
    /// The partner.
    pub partner_id: String,
    /// The partner's name.
    pub partner_name: String,
    /// The convention.
    pub convention_id: String,
    /// The subscription.
    pub subscription_id: String,
    /// The profile.
    pub profile_id: String,
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
    for (convention_id, sub) in live_subscriptions(conn, &partner.id, today)? {
        for q in &sub.quotas {
            let used = holders_of(conn, &sub.id, &q.profile_id)?.len() as u32;
            out.push(QuotaLine {
                partner_id: partner.id.clone(),
                partner_name: partner.name.clone(),
                convention_id: convention_id.clone(),
                subscription_id: sub.id.clone(),
                profile_id: q.profile_id.clone(),
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

/// How a partner uses each profile's quota, over its conventions not terminated.
pub fn quota_use(db: &Database, ctx: &Ctx, partner_id: Uuid) -> Result<Vec<QuotaLine>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| quota_lines(conn, &partner, ctx.today()),
    )
}

/// Quota use across a Caf's partners; with `over_only`, only the profiles held by more people
/// than their quota allows (after a lowering) — what the Caf must have resolved.
pub fn caf_quota_use(
    db: &Database,
    ctx: &Ctx,
    caf_id: Uuid,
    over_only: bool,
) -> Result<Vec<QuotaLine>> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::Caf(caf_id),
    )?;
    db.read(|conn| {
        crate::cafs::load(conn, caf_id)?;
        let partners: Vec<Partner> = crate::schema::partners::table
            .filter(crate::schema::partners::caf_id.eq(caf_id.to_string()))
            .order(crate::schema::partners::name.asc())
            .select(Partner::as_select())
            .load(conn)?;
        let mut out = vec![];
        for p in &partners {
            out.extend(
                quota_lines(conn, p, ctx.today())?
                    .into_iter()
                    .filter(|l| !over_only || l.usage.over_by() > 0),
            );
        }
        Ok(out)
    })
}

/// Where a person's hold on a profile comes from.
#[derive(Debug, Clone)]
pub struct Held {
    /// The habilitation.
    pub habilitation: HabilitationView,
    /// The group it comes through; `None` when given to the person directly.
    pub via_group: Option<Group>,
}

/// Every habilitation a person holds or held, directly or through their groups.
pub fn of_person(db: &Database, ctx: &Ctx, account_id: Uuid) -> Result<(Account, Vec<Held>)> {
    db.read(|conn| {
        let account: Account = accounts::table
            .find(account_id.to_string())
            .select(Account::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let own = ctx.principal().account_id == account_id;
        match (&account.partner_id, own) {
            (_, true) => authorize(ctx.principal(), Function::ReadOwnAccount, Reach::National)?,
            (Some(p), false) => {
                partners::load_for(conn, ctx, crate::uuid(p)?, Function::ReadHabilitations)?;
            }
            (None, false) => return Err(DomainError::NotFound.into()),
        }
        let mut out = vec![];
        let direct: Vec<Habilitation> = habilitations::table
            .filter(habilitations::holder_kind.eq("account"))
            .filter(habilitations::holder_id.eq(&account.id))
            .order(habilitations::id.asc())
            .select(Habilitation::as_select())
            .load(conn)?;
        for h in direct {
            out.push(Held {
                habilitation: view(conn, h)?,
                via_group: None,
            });
        }
        for g in staff::groups_of(conn, &account.id)? {
            let through: Vec<Habilitation> = habilitations::table
                .filter(habilitations::holder_kind.eq("group"))
                .filter(habilitations::holder_id.eq(&g.id))
                .order(habilitations::id.asc())
                .select(Habilitation::as_select())
                .load(conn)?;
            for h in through {
                out.push(Held {
                    habilitation: view(conn, h)?,
                    via_group: Some(g.clone()),
                });
            }
        }
        Ok((account, out))
    })
}

/// A person holding a profile, and how.
#[derive(Debug, Clone)]
pub struct ProfileHolder {
    /// The person.
    pub account: Account,
    /// The habilitations that give it (one direct, and one per group).
    pub through: Vec<(String, Option<Group>)>,
}

/// The people holding one profile at a partner (live habilitations), with the quota.
pub fn holders(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    profile_id: Uuid,
) -> Result<(Vec<QuotaLine>, Vec<ProfileHolder>)> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let lines: Vec<QuotaLine> = quota_lines(conn, &partner, ctx.today())?
                .into_iter()
                .filter(|l| l.profile_id == profile_id.to_string())
                .collect();
            let live: Vec<Habilitation> = habilitations::table
                .filter(habilitations::partner_id.eq(&partner.id))
                .filter(habilitations::profile_id.eq(profile_id.to_string()))
                .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
                .order(habilitations::id.asc())
                .select(Habilitation::as_select())
                .load(conn)?;
            let mut by_person: BTreeMap<String, Vec<(String, Option<Group>)>> = BTreeMap::new();
            for h in live {
                if h.holder_kind == "group" {
                    let group: Group = partner_groups::table
                        .find(&h.holder_id)
                        .select(Group::as_select())
                        .first(conn)?;
                    let members: Vec<String> = group_members::table
                        .filter(group_members::group_id.eq(&group.id))
                        .select(group_members::account_id)
                        .load(conn)?;
                    for m in members {
                        by_person
                            .entry(m)
                            .or_default()
                            .push((h.id.clone(), Some(group.clone())));
                    }
                } else {
                    by_person
                        .entry(h.holder_id.clone())
                        .or_default()
                        .push((h.id.clone(), None));
                }
            }
            let ids: Vec<&String> = by_person.keys().collect();
            let people: Vec<Account> = accounts::table
                .filter(accounts::id.eq_any(ids))
                .order(accounts::full_name.asc())
                .select(Account::as_select())
                .load(conn)?;
            let out = people
                .into_iter()
                .map(|account| {
                    let through = by_person.remove(&account.id).unwrap_or_default();
                    ProfileHolder { account, through }
                })
                .collect();
            Ok((lines, out))
        },
    )
}

/// The profiles whose use is recorded (`last_used_at`, consultation counts): CDAP's.
pub(crate) fn use_recorded_profiles(conn: &mut DbConnection) -> Result<BTreeSet<String>> {
    Ok(profiles::table
        .inner_join(services::table.on(services::id.eq(profiles::service_id)))
        .filter(services::code.eq("CDAP"))
        .select(profiles::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// A person reached by a habilitation that has not been used since a date.
#[derive(Debug, Clone)]
pub struct Unused {
    /// The habilitation (its `last_used_at` is its last consultation, by any of its holders).
    pub habilitation: HabilitationView,
    /// The person it reaches.
    pub account: Account,
    /// Their last sign-in or token refresh, if ever.
    pub last_seen_at: Option<NaiveDateTime>,
}

/// Live habilitations of a Caf's partners not used since `since`: candidates for removal at the
/// next review (C-art. 9.2: keep the number of people low). A CDAP habilitation is unused when no
/// consultation was served through it since then (never used: `last_used_at` null); a group's
/// habilitation also lists each member who has not signed in since then, since a consultation by
/// one member says nothing of the others. Services whose use is not recorded fall back on the
/// holder's last sign-in.
pub fn unused(db: &Database, ctx: &Ctx, caf_id: Uuid, since: NaiveDateTime) -> Result<Vec<Unused>> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::Caf(caf_id),
    )?;
    db.read(|conn| {
        crate::cafs::load(conn, caf_id)?;
        let live: Vec<Habilitation> = habilitations::table
            .filter(habilitations::caf_id.eq(caf_id.to_string()))
            .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
            .order(habilitations::id.asc())
            .limit(5000)
            .select(Habilitation::as_select())
            .load(conn)?;
        let recorded = use_recorded_profiles(conn)?;
        let mut out = vec![];
        let mut last_seen: BTreeMap<String, Option<NaiveDateTime>> = BTreeMap::new();
        for h in live {
            let by_group = h.holder_kind == "group";
            let people: Vec<String> = if by_group {
                group_members::table
                    .filter(group_members::group_id.eq(&h.holder_id))
                    .select(group_members::account_id)
                    .load(conn)?
            } else {
                vec![h.holder_id.clone()]
            };
            let use_recorded = recorded.contains(&h.profile_id);
            let habilitation_unused = h.last_used_at.is_none_or(|l| l < since);
            let hv = view(conn, h)?;
            for person in people {
                // A person reached by several habilitations is looked up once.
                let last = match last_seen.get(&person) {
                    Some(l) => *l,
                    None => {
                        let l: Option<NaiveDateTime> = sessions::table
                            .filter(sessions::account_id.eq(&person))
                            .select(diesel::dsl::max(sessions::last_used_at))
                            .first(conn)?;
                        last_seen.insert(person.clone(), l);
                        l
                    }
                };
                let unseen = last.is_none_or(|l| l < since);
                let unused = match (use_recorded, by_group) {
                    (true, false) => habilitation_unused,
                    (true, true) => habilitation_unused || unseen,
                    (false, _) => unseen,
                };
                if unused {
                    let account: Account = accounts::table
                        .find(&person)
                        .select(Account::as_select())
                        .first(conn)?;
                    out.push(Unused {
                        habilitation: hv.clone(),
                        account,
                        last_seen_at: last,
                    });
                }
            }
        }
        Ok(out)
    })
}

/// A question the Caf asked about a habilitation, and the partner's answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = habilitation_questions)]
pub struct Question {
    /// Opaque id.
    pub id: String,
    /// The habilitation.
    pub habilitation_id: String,
    /// The Caf.
    pub caf_id: String,
    /// The partner.
    pub partner_id: String,
    /// The question.
    pub question: String,
    /// Who asked.
    pub asked_by: String,
    /// When.
    pub asked_at: NaiveDateTime,
    /// The answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    pub answered_at: Option<NaiveDateTime>,
}

/// The Caf asks a partner why a habilitation was given (S-art. 2.2.1); both are kept.
pub fn ask(db: &Database, ctx: &Ctx, habilitation_id: Uuid, question: &str) -> Result<Question> {
    let question = check_reason("question", question)?;
    db.write(|conn| {
        let h = load(conn, habilitation_id)?;
        authorize(
            ctx.principal(),
            Function::SuperviseHabilitations,
            reach_of(&h)?,
        )?;
        let q = Question {
            id: crate::new_id(),
            habilitation_id: h.id.clone(),
            caf_id: h.caf_id.clone(),
            partner_id: h.partner_id.clone(),
            question: question.clone(),
            asked_by: ctx.principal().account_id.to_string(),
            asked_at: ctx.now,
            answer: None,
            answered_by: None,
            answered_at: None,
        };
        diesel::insert_into(habilitation_questions::table)
            .values((
                habilitation_questions::id.eq(&q.id),
                habilitation_questions::habilitation_id.eq(&q.habilitation_id),
                habilitation_questions::caf_id.eq(&q.caf_id),
                habilitation_questions::partner_id.eq(&q.partner_id),
                habilitation_questions::question.eq(&q.question),
                habilitation_questions::asked_by.eq(&q.asked_by),
                habilitation_questions::asked_at.eq(q.asked_at),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&h.partner_id)?),
                action: "habilitation.question_asked",
                target_type: "habilitation",
                target_id: Some(habilitation_id),
                caf_id: Some(crate::uuid(&h.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "question_id": q.id, "question": q.question }),
            },
        )?;
        Ok(q)
    })
}

/// The questions asked about a habilitation, oldest first.
pub fn questions(db: &Database, ctx: &Ctx, habilitation_id: Uuid) -> Result<Vec<Question>> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::National,
    )?;
    db.read(|conn| {
        let h = load(conn, habilitation_id)?;
        authorize(ctx.principal(), Function::ReadHabilitations, reach_of(&h)?)?;
        Ok(habilitation_questions::table
            .filter(habilitation_questions::habilitation_id.eq(&h.id))
            .order(habilitation_questions::id.asc())
            .select(Question::as_select())
            .load(conn)?)
    })
}

/// The questions of the Caf a partner has not answered yet.
pub fn open_questions(db: &Database, ctx: &Ctx, partner_id: Uuid) -> Result<Vec<Question>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(habilitation_questions::table
                .filter(habilitation_questions::partner_id.eq(&partner.id))
                .filter(habilitation_questions::answered_at.is_null())
                .order(habilitation_questions::id.asc())
                .select(Question::as_select())
                .load(conn)?)
        },
    )
}

/// The partner answers a question of the Caf (its administrators, or a manager of that profile).
pub fn answer(db: &Database, ctx: &Ctx, question_id: Uuid, answer: &str) -> Result<Question> {
    let answer = check_reason("answer", answer)?;
    db.write(|conn| {
        let q: Question = habilitation_questions::table
            .find(question_id.to_string())
            .select(Question::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let h = load(conn, crate::uuid(&q.habilitation_id)?)?;
        authorize(
            ctx.principal(),
            Function::ManageHabilitations,
            reach_of(&h)?,
        )?;
        authorize_profile(ctx.principal(), crate::uuid(&h.profile_id)?)?;
        if q.answered_at.is_some() {
            return Err(DomainError::conflict(
                "question_answered",
                "this question was already answered",
            )
            .into());
        }
        diesel::update(habilitation_questions::table.find(&q.id))
            .set((
                habilitation_questions::answer.eq(&answer),
                habilitation_questions::answered_by.eq(ctx.principal().account_id.to_string()),
                habilitation_questions::answered_at.eq(ctx.now),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&h.partner_id)?),
                action: "habilitation.question_answered",
                target_type: "habilitation",
                target_id: Some(crate::uuid(&h.id)?),
                caf_id: Some(crate::uuid(&h.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "question_id": q.id, "answer": answer }),
            },
        )?;
        Ok(Question {
            answer: Some(answer.clone()),
            answered_by: Some(ctx.principal().account_id.to_string()),
            answered_at: Some(ctx.now),
            ..q
        })
    })
}

/// A role bundle: profiles a partner gives together, designed by its managers.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = role_bundles)]
pub struct RoleBundle {
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
    /// Profile ids, JSON array.
    pub profile_ids: String,
    /// Who designed it.
    pub created_by: String,
    /// When.
    pub created_at: NaiveDateTime,
}

impl RoleBundle {
    /// Its profiles.
    pub fn profiles(&self) -> Result<Vec<Uuid>> {
        let ids: Vec<String> =
            serde_json::from_str(&self.profile_ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        ids.iter().map(|i| crate::uuid(i)).collect()
    }
}

/// Designs a role bundle (a management function): profiles the partner subscribes to and the
/// manager may hand on.
pub fn create_bundle(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    name: &str,
    description: Option<&str>,
    profile_ids: &[Uuid],
) -> Result<RoleBundle> {
    let (name, description, profile_ids) = check_bundle(name, description, profile_ids)?;
    authorize(
        ctx.principal(),
        Function::ManageHabilitations,
        Reach::National,
    )?;
    db.write(|conn| {
        let partner = staff::managed_partner(conn, ctx, partner_id, Function::ManageHabilitations)?;
        let subscribed = subscribed_profiles(conn, &partner.id, ctx.today())?;
        for (i, p) in profile_ids.iter().enumerate() {
            if !subscribed.contains(&p.to_string()) {
                return Err(DomainError::field(format!("profile_ids[{i}]"), "profile_not_subscribed", "the partner does not subscribe to this profile under a convention in force").into());
            }
            authorize_profile(ctx.principal(), *p)?;
        }
        let b = RoleBundle {
            id: crate::new_id(),
            caf_id: partner.caf_id.clone(),
            partner_id: partner.id.clone(),
            name,
            description,
            profile_ids: serde_json::to_string(&profile_ids.iter().map(Uuid::to_string).collect::<Vec<_>>()).expect("strings"),
            created_by: ctx.principal().account_id.to_string(),
            created_at: ctx.now,
        };
        diesel::insert_into(role_bundles::table)
            .values((
                role_bundles::id.eq(&b.id),
                role_bundles::caf_id.eq(&b.caf_id),
                role_bundles::partner_id.eq(&b.partner_id),
                role_bundles::name.eq(&b.name),
                role_bundles::description.eq(&b.description),
                role_bundles::profile_ids.eq(&b.profile_ids),
                role_bundles::created_by.eq(&b.created_by),
                role_bundles::created_at.eq(b.created_at),
            ))
            .execute(conn)
            .map_err(on_unique("role_bundle_name_taken", "this partner already has a role bundle of that name"))?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&b.partner_id)?),
                action: "role_bundle.created",
                target_type: "role_bundle",
                target_id: Some(crate::uuid(&b.id)?),
                caf_id: Some(crate::uuid(&b.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": b.partner_id, "name": b.name, "profile_ids": profile_ids }),
            },
        )?;
        Ok(b)
    })
}

/// A partner's role bundles, by name.
pub fn list_bundles(db: &Database, ctx: &Ctx, partner_id: Uuid) -> Result<Vec<RoleBundle>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(role_bundles::table
                .filter(role_bundles::partner_id.eq(&partner.id))
                .order(role_bundles::name.asc())
                .select(RoleBundle::as_select())
                .load(conn)?)
        },
    )
}

/// Grants every profile of a role bundle to one holder for one mission: all or none.
pub fn grant_bundle(
    db: &Database,
    ctx: &Ctx,
    bundle_id: Uuid,
    holder: Holder,
    mission_id: Uuid,
    ends_on: Option<NaiveDate>,
) -> Result<Vec<HabilitationView>> {
    authorize(
        ctx.principal(),
        Function::ManageHabilitations,
        Reach::National,
    )?;
    db.write(|conn| {
        let b: RoleBundle = role_bundles::table
            .find(bundle_id.to_string())
            .select(RoleBundle::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let partner = staff::managed_partner(
            conn,
            ctx,
            crate::uuid(&b.partner_id)?,
            Function::ManageHabilitations,
        )?;
        // Every subscription the bundle may touch, locked in a fixed order first.
        let mut subs: Vec<String> = live_subscriptions(conn, &partner.id, ctx.today())?
            .into_iter()
            .map(|(_, s)| s.id)
            .collect();
        subs.sort();
        for s in &subs {
            lock_subscription(conn, s)?;
        }
        let mut out = vec![];
        for profile_id in b.profiles()? {
            let req = GrantRequest {
                holder,
                profile_id,
                mission_id,
                ends_on,
            };
            let h = grant_in(conn, ctx, &partner, &req, Some(&b.id))?;
            out.push(view(conn, h)?);
        }
        Ok(out)
    })
}

/// The history of a habilitation: every traced change, oldest first (grant, suspensions,
/// reinstatements, devalidation or expiry, the Caf's questions and the answers).
pub fn history(
    db: &Database,
    ctx: &Ctx,
    id: Uuid,
    page: &PageRequest,
) -> Result<Page<crate::trace::Trace>> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::National,
    )?;
    db.read(|conn| {
        let h = load(conn, id)?;
        authorize(ctx.principal(), Function::ReadHabilitations, reach_of(&h)?)?;
        crate::trace::habilitation_history(conn, id, page)
    })
}
