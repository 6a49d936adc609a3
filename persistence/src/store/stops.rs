//! Planned stops of the service (S-art. 3.1, 4) and the people told of them.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::Role;
use mcp_domain::contract::{Contact, ContactRole};
use mcp_domain::ids::{AccountId, CafId, PartnerId, StopId};
use mcp_domain::maintenance::{Phase, Stop, StopScope, Window};
use mcp_domain::vocabulary::AccountStatus;
use mcp_domain::DomainError;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{accounts, conventions, partners, planned_stops, services, subscriptions};

/// A planned stop as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = planned_stops)]
pub struct StopRow {
    /// Opaque id.
    pub id: Id<StopId>,
    /// The Caf whose operations stop; `None` for national maintenance.
    pub caf_id: Option<Id<CafId>>,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// Services stopped, JSON array of catalogue codes (empty: the whole service).
    pub services: String,
    /// What it is for.
    pub description: String,
    /// Who declared it.
    pub declared_by: Id<AccountId>,
    /// When.
    pub declared_at: NaiveDateTime,
    /// Who cancelled it.
    pub cancelled_by: Option<Id<AccountId>>,
    /// When.
    pub cancelled_at: Option<NaiveDateTime>,
    /// Why.
    pub cancellation_reason: Option<String>,
}

impl StopRow {
    /// Whose stop it is.
    pub fn scope(&self) -> StopScope {
        match self.caf_id {
            None => StopScope::National,
            Some(caf) => StopScope::Caf(caf.get()),
        }
    }

    /// The services it stops.
    pub fn services(&self) -> Result<Vec<String>> {
        serde_json::from_str(&self.services).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// Where it stands at `now`.
    pub fn phase(&self, now: NaiveDateTime) -> Phase {
        Phase::at(
            self.starts_at,
            self.ends_at,
            self.cancelled_at.is_some(),
            now,
        )
    }

    /// The stop as the rules know it (for its messages).
    pub fn stop(&self) -> Result<Stop> {
        Ok(Stop {
            scope: self.scope(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            services: self.services()?,
            description: self.description.clone(),
        })
    }
}

/// Records a declared stop.
pub fn insert(
    conn: &mut DbConnection,
    id: Id<StopId>,
    stop: &Stop,
    declared_by: AccountId,
    now: NaiveDateTime,
) -> Result<()> {
    let caf_id = match stop.scope {
        StopScope::National => None,
        StopScope::Caf(caf) => Some(Id(caf)),
    };
    diesel::insert_into(planned_stops::table)
        .values((
            planned_stops::id.eq(id),
            planned_stops::caf_id.eq(caf_id),
            planned_stops::starts_at.eq(stop.starts_at),
            planned_stops::ends_at.eq(stop.ends_at),
            planned_stops::services.eq(serde_json::json!(stop.services).to_string()),
            planned_stops::description.eq(&stop.description),
            planned_stops::declared_by.eq(Id(declared_by)),
            planned_stops::declared_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One stop; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: StopId) -> Result<StopRow> {
    planned_stops::table
        .find(Id(id))
        .select(StopRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// Marks a stop cancelled.
pub fn mark_cancelled(
    conn: &mut DbConnection,
    id: Id<StopId>,
    by: AccountId,
    reason: &str,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::update(planned_stops::table.find(id))
        .set((
            planned_stops::cancelled_by.eq(Some(Id(by))),
            planned_stops::cancelled_at.eq(Some(now)),
            planned_stops::cancellation_reason.eq(Some(reason)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The stops to come and under way at `now` (not cancelled, not ended), by start.
pub fn to_come(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<StopRow>> {
    Ok(planned_stops::table
        .filter(planned_stops::ends_at.gt(now))
        .filter(planned_stops::cancelled_at.is_null())
        .order((planned_stops::starts_at, planned_stops::id))
        .select(StopRow::as_select())
        .load(conn)?)
}

/// The windows of the national stops to come and under way at `now`.
pub fn national_windows(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<Window>> {
    Ok(to_come(conn, now)?
        .into_iter()
        .filter(|s| s.caf_id.is_none())
        .map(|s| Window {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
        })
        .collect())
}

/// The e-mail addresses told of a stop: for each partner concerned — of the Caf, or of every
/// Caf for national maintenance; with a convention signed by the Caf and not ended on `today`;
/// subscribed to one of the services stopped, when the stop names some — the "responsable
/// services" of its contract (annex 1) and its administrators. Each address once, sorted.
pub fn recipients(
    conn: &mut DbConnection,
    scope: StopScope,
    services_stopped: &[String],
    today: NaiveDate,
) -> Result<Vec<String>> {
    let mut q = conventions::table
        .inner_join(partners::table)
        .filter(conventions::caf_signed_on.is_not_null())
        .filter(
            conventions::termination_effective_on
                .is_null()
                .or(conventions::termination_effective_on.gt(today)),
        )
        .select((conventions::partner_id, conventions::contacts))
        .into_boxed();
    if let StopScope::Caf(caf) = scope {
        q = q.filter(partners::caf_id.eq(Id(caf)));
    }
    if !services_stopped.is_empty() {
        let subscribed = subscriptions::table
            .inner_join(services::table)
            .filter(services::code.eq_any(services_stopped))
            .select(subscriptions::convention_id);
        q = q.filter(conventions::id.eq_any(subscribed));
    }
    let concerned: Vec<(Id<PartnerId>, String)> = q.load(conn)?;
    let partners_concerned: HashSet<Id<PartnerId>> = concerned.iter().map(|(p, _)| *p).collect();
    let mut emails = std::collections::BTreeSet::new();
    for (_, contacts) in &concerned {
        let contacts: Vec<Contact> =
            serde_json::from_str(contacts).map_err(|e| Error::Corrupt(e.to_string()))?;
        emails.extend(
            contacts
                .into_iter()
                .filter(|c| c.role == ContactRole::ServicesManager)
                .filter_map(|c| c.email),
        );
    }
    let mut admins = accounts::table
        .inner_join(partners::table.on(accounts::partner_id.eq(partners::id.nullable())))
        .filter(accounts::role.eq(Role::PartnerAdministrator.code()))
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select((partners::id, accounts::email))
        .into_boxed();
    if let StopScope::Caf(caf) = scope {
        admins = admins.filter(partners::caf_id.eq(Id(caf)));
    }
    let admins: Vec<(Id<PartnerId>, String)> = admins.load(conn)?;
    emails.extend(
        admins
            .into_iter()
            .filter(|(p, _)| partners_concerned.contains(p))
            .map(|(_, email)| email),
    );
    Ok(emails.into_iter().collect())
}
