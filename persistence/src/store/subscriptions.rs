//! Service subscriptions (bulletins d'adhésion) with a quota for every profile opened.

use crate::id::Id;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::convention::ConventionStatus;
use mcp_domain::ids::{ConventionId, PartnerId, ProfileId, ServiceId, SubscriptionId};
use mcp_domain::subscription::{check_profiles, ProfileQuota};
use mcp_domain::DomainError;
use serde_json::json;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::schema::{profiles, services, subscription_quotas, subscriptions};
use crate::store::catalogue;
use crate::store::conventions::{self};

/// A subscription with its quotas.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// Opaque id.
    pub id: Id<SubscriptionId>,
    /// Its convention.
    pub convention_id: Id<ConventionId>,
    /// The service subscribed.
    pub service_id: Id<ServiceId>,
    /// Its code.
    pub service_code: String,
    /// Its name.
    pub service_name: String,
    /// When the service was made available (annex 2).
    pub made_available_on: Option<NaiveDate>,
    /// One quota per profile opened.
    pub quotas: Vec<Quota>,
    /// Creation instant.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// The maximum number of users of one profile.
#[derive(Debug, Clone)]
pub struct Quota {
    /// Profile id.
    pub profile_id: Id<ProfileId>,
    /// Profile code.
    pub profile_code: String,
    /// Profile name.
    pub profile_name: String,
    /// Maximum number of distinct people holding it.
    pub max_users: i32,
    /// The Caf-subsidised services it is opened for (T2), empty otherwise.
    pub subsidised_services: Vec<String>,
}

/// A subscription as read, with the status of its convention.
#[derive(Debug, Clone)]
pub struct SubscriptionView {
    /// The subscription.
    pub subscription: Subscription,
    /// Its convention's status today: the subscription ends with it.
    pub convention_status: ConventionStatus,
    /// Whether its profiles may be used today.
    pub access_open: bool,
}

pub(crate) type SubRow = (
    Id<SubscriptionId>,
    Id<ConventionId>,
    Id<ServiceId>,
    String,
    String,
    Option<NaiveDate>,
    NaiveDateTime,
    NaiveDateTime,
);

/// A quota as read with its profile: subscription, profile, code, name, maximum, and the
/// subsidised services its bulletin line names (JSON).
type QuotaRow = (
    Id<SubscriptionId>,
    Id<ProfileId>,
    String,
    String,
    i32,
    String,
);

pub(crate) fn assemble(conn: &mut DbConnection, rows: Vec<SubRow>) -> Result<Vec<Subscription>> {
    let ids: Vec<Id<SubscriptionId>> = rows.iter().map(|r| r.0).collect();
    let quotas: Vec<QuotaRow> = subscription_quotas::table
        .inner_join(profiles::table)
        .filter(subscription_quotas::subscription_id.eq_any(ids))
        .order(profiles::position.asc())
        .select((
            subscription_quotas::subscription_id,
            profiles::id,
            profiles::code,
            profiles::name,
            subscription_quotas::max_users,
            subscription_quotas::subsidised_services,
        ))
        .load(conn)?;
    let services = |stored: &str| -> Result<Vec<String>> {
        serde_json::from_str(stored).map_err(|_| Error::Corrupt(stored.to_string()))
    };
    let quotas = quotas
        .into_iter()
        .map(|q| services(&q.5).map(|s| (q, s)))
        .collect::<Result<Vec<(QuotaRow, Vec<String>)>>>()?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                convention_id,
                service_id,
                service_code,
                service_name,
                made_available_on,
                created_at,
                updated_at,
            )| Subscription {
                quotas: quotas
                    .iter()
                    .filter(|(q, _)| q.0 == id)
                    .map(|(q, services)| Quota {
                        profile_id: q.1,
                        profile_code: q.2.clone(),
                        profile_name: q.3.clone(),
                        max_users: q.4,
                        subsidised_services: services.clone(),
                    })
                    .collect(),
                id,
                convention_id,
                service_id,
                service_code,
                service_name,
                made_available_on,
                created_at,
                updated_at,
            },
        )
        .collect())
}

pub(crate) enum Key {
    Id(Id<SubscriptionId>),
    Convention(Id<ConventionId>),
}

pub(crate) fn load_rows(conn: &mut DbConnection, key: Key) -> Result<Vec<Subscription>> {
    let q = subscriptions::table
        .inner_join(services::table)
        .select((
            subscriptions::id,
            subscriptions::convention_id,
            subscriptions::service_id,
            services::code,
            services::name,
            subscriptions::made_available_on,
            subscriptions::created_at,
            subscriptions::updated_at,
        ))
        .order(subscriptions::id.asc())
        .into_boxed();
    let q = match key {
        Key::Id(id) => q.filter(subscriptions::id.eq(id)),
        Key::Convention(c) => q.filter(subscriptions::convention_id.eq(c)),
    };
    let rows: Vec<SubRow> = q.load(conn)?;
    assemble(conn, rows)
}

/// The subscriptions of a convention, inside a use case.
pub(crate) fn for_convention(
    conn: &mut DbConnection,
    convention_id: Id<ConventionId>,
) -> Result<Vec<Subscription>> {
    load_rows(conn, Key::Convention(convention_id))
}

pub(crate) fn view(
    conv: &conventions::Convention,
    subscription: Subscription,
    today: NaiveDate,
) -> SubscriptionView {
    SubscriptionView {
        subscription,
        convention_status: conv.life.status(today),
        access_open: conv.life.access_open(today),
    }
}

/// What a Caf asks for in a bulletin.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    /// Service code (`CDAP`).
    pub service: String,
    /// When the service is made available (annex 2).
    pub made_available_on: Option<NaiveDate>,
    /// Profiles and their quotas.
    pub profiles: Vec<ProfileQuota>,
}

pub(crate) fn check_against_catalogue(
    conn: &mut DbConnection,
    service: &catalogue::Service,
    partner_id: Id<PartnerId>,
    requested: &[ProfileQuota],
) -> Result<()> {
    let partner = crate::schema::partners::table
        .find(partner_id)
        .select(crate::schema::partners::category)
        .first::<String>(conn)?;
    let category = mcp_domain::partner::PartnerCategory::from_code(&partner)
        .ok_or_else(|| Error::Corrupt(partner.clone()))?;
    let catalogue: Vec<_> = service.profiles.iter().map(|p| p.to_domain()).collect();
    check_profiles("profiles", requested, &catalogue, category)?;
    Ok(())
}

pub(crate) fn write_quotas(
    conn: &mut DbConnection,
    subscription_id: Id<SubscriptionId>,
    service: &catalogue::Service,
    requested: &[ProfileQuota],
) -> Result<()> {
    diesel::delete(
        subscription_quotas::table.filter(subscription_quotas::subscription_id.eq(subscription_id)),
    )
    .execute(conn)?;
    // A line left blank opens nothing.
    for (q, max_users) in requested.iter().filter_map(|q| q.max_users.map(|n| (q, n))) {
        let profile = service
            .profiles
            .iter()
            .find(|p| p.code == q.profile)
            .expect("checked against the catalogue");
        diesel::insert_into(subscription_quotas::table)
            .values((
                subscription_quotas::subscription_id.eq(subscription_id),
                subscription_quotas::profile_id.eq(&profile.id),
                subscription_quotas::max_users.eq(max_users),
                subscription_quotas::subsidised_services
                    .eq(json!(q.subsidised_services).to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub(crate) fn quotas_json(requested: &[ProfileQuota]) -> serde_json::Value {
    requested
        .iter()
        .map(|q| {
            let mut line = json!({ "profile": q.profile, "max_users": q.max_users });
            if !q.subsidised_services.is_empty() {
                line["subsidised_services"] = json!(q.subsidised_services);
            }
            line
        })
        .collect()
}

pub(crate) fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: SubscriptionId,
    function: Function,
) -> Result<(conventions::Convention, Subscription)> {
    let sub = load_rows(conn, Key::Id(Id(id)))?
        .pop()
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let conv = conventions::load_for(conn, ctx, sub.convention_id.get().uuid().into(), function)?;
    Ok((conv, sub))
}

/// The profiles a partner holds through the subscriptions of its conventions still in force that
/// a partner of `category` could not hold.
pub(crate) fn ineligible_for(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    category: mcp_domain::partner::PartnerCategory,
    today: NaiveDate,
) -> Result<Vec<String>> {
    let convention_ids: Vec<Id<ConventionId>> = crate::schema::conventions::table
        .filter(crate::schema::conventions::partner_id.eq(partner_id))
        .select(crate::schema::conventions::id)
        .load(conn)?;
    let mut refused = vec![];
    for id in convention_ids {
        let conv = conventions::load_for_system(conn, id)?;
        if conv.life.status(today) == ConventionStatus::Terminated {
            continue;
        }
        for sub in for_convention(conn, id)? {
            let service = catalogue::by_id(conn, sub.service_id)?;
            for q in &sub.quotas {
                let eligible = service
                    .profiles
                    .iter()
                    .find(|p| p.id == q.profile_id)
                    .is_some_and(|p| p.to_domain().is_eligible(category));
                if !eligible && !refused.contains(&q.profile_code) {
                    refused.push(q.profile_code.clone());
                }
            }
        }
    }
    Ok(refused)
}

/// The subscriptions of a partner's conventions not terminated on `today`, with their
/// convention's id, in the conventions' order.
pub(crate) fn live_subscriptions(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: NaiveDate,
) -> Result<Vec<(Id<ConventionId>, Subscription)>> {
    let ids: Vec<Id<ConventionId>> = crate::schema::conventions::table
        .filter(crate::schema::conventions::partner_id.eq(partner_id))
        .order(crate::schema::conventions::id.asc())
        .select(crate::schema::conventions::id)
        .load(conn)?;
    let mut out = vec![];
    for id in ids {
        let c = conventions::load_for_system(conn, id)?;
        if c.life.status(today) == ConventionStatus::Terminated {
            continue;
        }
        for sub in for_convention(conn, id)? {
            out.push((id, sub));
        }
    }
    Ok(out)
}
