//! Notices of service providers (C-art. 14).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::ids::{AccountId, CafId, ConventionId, PartnerId, ProviderNoticeId};
use mcp_domain::provider::{Notice, Provider};
use mcp_domain::DomainError;
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::provider_notices;

/// A notice as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = provider_notices)]
pub struct NoticeRow {
    /// Opaque id.
    pub id: Id<ProviderNoticeId>,
    /// The convention it is given under.
    pub convention_id: Id<ConventionId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// Its Caf.
    pub caf_id: Id<CafId>,
    /// The providers, JSON.
    pub providers: String,
    /// The safeguards for transfers outside protected countries.
    pub safeguards: Option<String>,
    /// Who filed it.
    pub filed_by: Id<AccountId>,
    /// When.
    pub filed_at: NaiveDateTime,
    /// The day the Caf received it.
    pub received_on: Option<NaiveDate>,
    /// The earliest day the providers may start.
    pub earliest_start_on: Option<NaiveDate>,
    /// Who recorded the receipt.
    pub receipt_recorded_by: Option<Id<AccountId>>,
    /// The Caf's observations, JSON.
    pub observations: String,
}

/// An observation of the Caf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// When it was made.
    pub at: NaiveDateTime,
    /// Who made it.
    pub by: AccountId,
    /// What it says.
    pub text: String,
}

impl NoticeRow {
    /// The providers.
    pub fn providers(&self) -> Result<Vec<Provider>> {
        serde_json::from_str(&self.providers).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// The observations, oldest first.
    pub fn observations(&self) -> Result<Vec<Observation>> {
        serde_json::from_str(&self.observations).map_err(|e| Error::Corrupt(e.to_string()))
    }
}

/// Records a notice filed.
pub fn insert(
    conn: &mut DbConnection,
    id: Id<ProviderNoticeId>,
    convention_id: Id<ConventionId>,
    (caf_id, partner_id): (CafId, PartnerId),
    notice: &Notice,
    filed_by: AccountId,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(provider_notices::table)
        .values((
            provider_notices::id.eq(id),
            provider_notices::convention_id.eq(convention_id),
            provider_notices::partner_id.eq(Id(partner_id)),
            provider_notices::caf_id.eq(Id(caf_id)),
            provider_notices::providers.eq(serde_json::json!(notice.providers).to_string()),
            provider_notices::safeguards.eq(&notice.safeguards),
            provider_notices::filed_by.eq(Id(filed_by)),
            provider_notices::filed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One notice; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: ProviderNoticeId) -> Result<NoticeRow> {
    provider_notices::table
        .find(Id(id))
        .select(NoticeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// Records the day the Caf received the notice and the earliest start it gives.
pub fn record_receipt_of(
    conn: &mut DbConnection,
    id: Id<ProviderNoticeId>,
    received_on: NaiveDate,
    earliest_start_on: NaiveDate,
    by: AccountId,
) -> Result<()> {
    diesel::update(provider_notices::table.find(id))
        .set((
            provider_notices::received_on.eq(Some(received_on)),
            provider_notices::earliest_start_on.eq(Some(earliest_start_on)),
            provider_notices::receipt_recorded_by.eq(Some(Id(by))),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the observations (the caller appended one).
pub fn set_observations(
    conn: &mut DbConnection,
    id: Id<ProviderNoticeId>,
    observations: &[Observation],
) -> Result<()> {
    diesel::update(provider_notices::table.find(id))
        .set(provider_notices::observations.eq(serde_json::json!(observations).to_string()))
        .execute(conn)?;
    Ok(())
}

/// The notices given under a convention, oldest first (a handful: they come whole).
pub fn of_convention(
    conn: &mut DbConnection,
    convention_id: Id<ConventionId>,
) -> Result<Vec<NoticeRow>> {
    Ok(provider_notices::table
        .filter(provider_notices::convention_id.eq(convention_id))
        .order(provider_notices::id)
        .select(NoticeRow::as_select())
        .load(conn)?)
}
