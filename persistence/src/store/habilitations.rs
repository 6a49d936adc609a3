//! Habilitations under delegated management: grants within the subscription's quota (checked
//! under a lock on the subscription, so that concurrent grants on either engine never exceed
//! it), suspension, devalidation, expiry of temporary missions, role bundles, the Caf's
//! questions, and the views partners and Cafs need.

use mcp_domain::ids::{
    AccountId, BundleId, CafId, ConventionId, HabilitationId, MissionId, PartnerId, ProfileId,
    QuestionId, SubscriptionId,
};
use mcp_domain::vocabulary::{HolderKind, TargetType, TraceAction};
use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{authorize_profile, Reach};
use mcp_domain::contract::ManagementMode;
use mcp_domain::habilitation::{check_grant, GrantConditions, HabilitationStatus, Holder};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::quotas::*;
use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{on_unique, Error, Result};
use crate::id::Id;
use crate::schema::{
    accounts, caf_suspensions, convention_missions, habilitation_questions, habilitations,
    partner_groups, profiles, role_bundles, services,
};
use crate::store::accounts::Account;
use crate::store::catalogue::Profile;
use crate::store::partners::Partner;
use crate::store::trace::{self, Event, Outcome};

/// A habilitation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = habilitations)]
pub struct Habilitation {
    /// Opaque id.
    pub id: Id<HabilitationId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// The convention whose mission it serves.
    pub convention_id: Id<ConventionId>,
    /// The mission it serves.
    pub mission_id: Id<MissionId>,
    /// The subscription whose quota it uses.
    pub subscription_id: Id<SubscriptionId>,
    /// The profile.
    pub profile_id: Id<ProfileId>,
    /// `account` or `group`.
    pub holder_kind: String,
    /// The holder.
    pub holder_id: String,
    /// `active`, `suspended` or `devalidated`.
    pub status: String,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// Who granted it.
    pub granted_by: Id<AccountId>,
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
    let holder_name: String =
        if crate::read_code(&h.holder_kind, HolderKind::from_code)? == HolderKind::Group {
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

/// The profiles a partner subscribes to under its conventions not terminated.
pub(crate) fn subscribed_profiles(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: NaiveDate,
) -> Result<BTreeSet<Id<ProfileId>>> {
    let mut out = BTreeSet::new();
    for (_, sub) in crate::store::subscriptions::live_subscriptions(conn, partner_id, today)? {
        out.extend(sub.quotas.into_iter().map(|q| q.profile_id));
    }
    Ok(out)
}

/// What a manager asks for.
#[derive(Debug, Clone, Copy)]
pub struct GrantRequest {
    /// A person or a group of the partner.
    pub holder: Holder,
    /// The profile.
    pub profile_id: ProfileId,
    /// The convention mission it serves.
    pub mission_id: MissionId,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
}

/// What a grant of a profile for a mission rests on, once checked.
pub(crate) struct Grantable {
    /// The profile.
    pub profile: Profile,
    /// The mission.
    pub mission_id: Id<MissionId>,
    /// Its convention.
    pub convention_id: Id<ConventionId>,
    /// The subscription whose quota the grant uses.
    pub subscription_id: Id<SubscriptionId>,
}

/// Checks that `profile_id` may be granted at `partner` for `mission_id` (principle of least
/// assignment); with `mode_applies`, also that the contract lets the partner grant it itself.
pub(crate) fn check_grantable(
    conn: &mut DbConnection,
    partner: &Partner,
    profile_id: ProfileId,
    mission_id: MissionId,
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
                mcp_domain::msg!(
                    "ce profil n'existe pas dans le catalogue",
                    "no such profile in the catalogue"
                ),
            )
        })?;
    let unknown_mission = || {
        DomainError::field(
            "mission_id",
            "unknown_mission",
            mcp_domain::msg!(
                "cette mission ne figure dans aucune convention de ce partenaire",
                "no such mission in this partner's conventions"
            ),
        )
    };
    let mission: crate::store::conventions::Mission = convention_missions::table
        .find(mission_id.to_string())
        .select(crate::store::conventions::Mission::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(unknown_mission)?;
    let conv = crate::store::conventions::load_for_system(conn, mission.convention_id)?;
    if conv.row.partner_id != partner.id {
        return Err(unknown_mission().into());
    }
    let subscription = crate::store::subscriptions::for_convention(conn, conv.row.id)?
        .into_iter()
        .find(|s| s.service_id == profile.service_id);
    let quota = match &subscription {
        Some(s) => quota_of(conn, s.id, profile.id)?,
        None => None,
    };
    let catalogued = profile.to_domain();
    check_grant(&GrantConditions {
        mode: if mode_applies {
            conv.row.management_mode()?
        } else {
            ManagementMode::Delegue
        },
        convention_open: conv.life.access_open(today),
        mission_in_force: mission.withdrawn_in_version.is_none(),
        quota,
        eligible: catalogued.is_eligible(partner.category()?),
        ends_on,
        temporary_profile: catalogued.temporary,
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
    bundle: Option<Id<BundleId>>,
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
    crate::store::accounts::check_not_self(conn, ctx, &people)?;
    check_manager_of(conn, ctx, partner.id, &people)?;
    check_seats(conn, subscription_id, profile.id, &people, 0)?;
    let h = Habilitation {
        id: Id::new(),
        caf_id: partner.caf_id,
        partner_id: partner.id,
        convention_id,
        mission_id,
        subscription_id,
        profile_id: profile.id,
        holder_kind: req.holder.kind().into(),
        holder_id: req.holder.id().to_string(),
        status: HabilitationStatus::Active.code().into(),
        ends_on: req.ends_on,
        granted_by: Id(ctx.principal().account_id),
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
            ErrorCode::AlreadyHabilitated,
            mcp_domain::msg!(
                "ce titulaire détient déjà ce profil",
                "this holder already holds this profile"
            ),
        ))?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(h.partner_id.get()),
            action: TraceAction::HabilitationGranted,
            target_type: TargetType::Habilitation,
            target_id: Some(h.id.get().uuid()),
            caf_id: Some(h.caf_id.get()),
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

pub(crate) fn set_status(
    conn: &mut DbConnection,
    ctx: &Ctx,
    h: &Habilitation,
    to: HabilitationStatus,
    by_caf: bool,
    reason: &str,
    action: TraceAction,
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
            partner_id: Some(h.partner_id.get()),
            action,
            target_type: TargetType::Habilitation,
            target_id: Some(h.id.get().uuid()),
            caf_id: Some(h.caf_id.get()),
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
pub(crate) fn record_caf_supervision(
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
    set_status(
        conn,
        ctx,
        h,
        to,
        false,
        reason,
        TraceAction::HabilitationDevalidated,
    )
}

/// Makes `last_day` a habilitation's last day unless it ends sooner (a removal taking effect
/// later: the expiry job devalidates it the day after), traced.
pub(crate) fn end_by(
    conn: &mut DbConnection,
    ctx: &Ctx,
    h: &Habilitation,
    last_day: NaiveDate,
    reason: &str,
) -> Result<()> {
    let ends_on = h.ends_on.map_or(last_day, |d| d.min(last_day));
    diesel::update(habilitations::table.find(&h.id))
        .set((
            habilitations::ends_on.eq(Some(ends_on)),
            habilitations::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event {
            partner_id: Some(h.partner_id.get()),
            action: TraceAction::HabilitationEndSet,
            target_type: TargetType::Habilitation,
            target_id: Some(h.id.get().uuid()),
            caf_id: Some(h.caf_id.get()),
            outcome: crate::store::trace::Outcome::Success,
            detail: json!({ "ends_on": ends_on, "was": h.ends_on, "reason": reason }),
        },
    )
}

/// Devalidates every live habilitation of one profile under one subscription: the profile was
/// withdrawn from the bulletin, so nobody holds it any more (its records are kept, devalidated).
pub(crate) fn devalidate_profile(
    conn: &mut DbConnection,
    ctx: &Ctx,
    subscription_id: Id<SubscriptionId>,
    profile_id: Id<ProfileId>,
    reason: &str,
) -> Result<usize> {
    let live: Vec<Habilitation> = habilitations::table
        .filter(habilitations::subscription_id.eq(subscription_id))
        .filter(habilitations::profile_id.eq(profile_id))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .select(Habilitation::as_select())
        .load(conn)?;
    for h in &live {
        devalidate_in(conn, ctx, h, reason)?;
    }
    Ok(live.len())
}

/// Devalidates every live habilitation a person holds on their own account (their account
/// closed), each traced.
pub(crate) fn devalidate_held_by(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: Id<AccountId>,
    reason: &str,
) -> Result<usize> {
    let live: Vec<Habilitation> = habilitations::table
        .filter(habilitations::holder_kind.eq(mcp_domain::vocabulary::HolderKind::Account.code()))
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
            TraceAction::HabilitationDevalidated,
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

pub(crate) fn load(conn: &mut DbConnection, id: HabilitationId) -> Result<Habilitation> {
    habilitations::table
        .find(id.to_string())
        .select(Habilitation::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

pub(crate) fn reach_of(h: &Habilitation) -> Result<Reach> {
    Ok(Reach::Partner {
        caf_id: h.caf_id.get(),
        partner_id: h.partner_id.get(),
    })
}

/// Filters of a habilitation list.
#[derive(Debug, Clone, Default)]
pub struct HabilitationFilter {
    /// Only this status.
    pub status: Option<HabilitationStatus>,
    /// Only this profile.
    pub profile_id: Option<ProfileId>,
    /// Only those held by this holder.
    pub holder: Option<Holder>,
}

/// A partner's habilitations that pass `filter`, in grant order after `after`, at most `limit`
/// of them (all without).
pub fn of_partner(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    filter: &HabilitationFilter,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<Habilitation>> {
    let mut q = habilitations::table
        .filter(habilitations::partner_id.eq(&partner_id))
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
    if let Some(after) = after {
        q = q.filter(habilitations::id.gt(after.to_string()));
    }
    if let Some(limit) = limit {
        q = q.limit(limit);
    }
    Ok(q.order(habilitations::id.asc()).load(conn)?)
}

/// The profiles whose use is recorded (`last_used_at`, consultation counts): CDAP's.
pub(crate) fn use_recorded_profiles(conn: &mut DbConnection) -> Result<BTreeSet<Id<ProfileId>>> {
    Ok(profiles::table
        .inner_join(services::table.on(services::id.eq(profiles::service_id)))
        .filter(services::code.eq(mcp_domain::cdap::SERVICE_CODE))
        .select(profiles::id)
        .load::<Id<ProfileId>>(conn)?
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

/// A question the Caf asked about a habilitation, and the partner's answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = habilitation_questions)]
pub struct Question {
    /// Opaque id.
    pub id: Id<QuestionId>,
    /// The habilitation.
    pub habilitation_id: Id<HabilitationId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// The question.
    pub question: String,
    /// Who asked.
    pub asked_by: Id<AccountId>,
    /// When.
    pub asked_at: NaiveDateTime,
    /// The answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<Id<AccountId>>,
    /// When.
    pub answered_at: Option<NaiveDateTime>,
}

/// A role bundle: profiles a partner gives together, designed by its managers.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = role_bundles)]
pub struct RoleBundle {
    /// Opaque id.
    pub id: Id<BundleId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// Name, unique within the partner.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Profile ids, JSON array.
    pub profile_ids: String,
    /// Who designed it.
    pub created_by: Id<AccountId>,
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
