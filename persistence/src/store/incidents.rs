//! Security incidents reported by partners (C-art. 9.2) and the people told of them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::contract::{Contact, ContactRole};
use mcp_domain::convention::Party;
use mcp_domain::ids::{AccountId, CafId, PartnerId, SecurityIncidentId};
use mcp_domain::incident::{Nature, Report};
use mcp_domain::DomainError;
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{accounts, conventions, security_incidents};

/// An incident as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = security_incidents)]
pub struct IncidentRow {
    /// Opaque id.
    pub id: Id<SecurityIncidentId>,
    /// The partner that reported it.
    pub partner_id: Id<PartnerId>,
    /// Its Caf.
    pub caf_id: Id<CafId>,
    /// What happened (a `Nature` code).
    pub nature: String,
    /// What the partner knows of it.
    pub description: String,
    /// When it was detected.
    pub detected_at: NaiveDateTime,
    /// The accounts concerned, JSON.
    pub accounts_concerned: String,
    /// Who reported it.
    pub reported_by: Id<AccountId>,
    /// When.
    pub reported_at: NaiveDateTime,
    /// The measures recorded, JSON.
    pub measures: String,
    /// Who closed it.
    pub closed_by: Option<Id<AccountId>>,
    /// When.
    pub closed_at: Option<NaiveDateTime>,
    /// What the Caf wrote when closing it.
    pub closure_summary: Option<String>,
}

/// A measure one side recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// When.
    pub at: NaiveDateTime,
    /// Who.
    pub by: AccountId,
    /// For which side: `partner` or `caf`.
    pub side: Party,
    /// What was done.
    pub text: String,
}

impl IncidentRow {
    /// What happened.
    pub fn nature(&self) -> Result<Nature> {
        crate::read_code(&self.nature, Nature::from_code)
    }

    /// The accounts concerned.
    pub fn accounts(&self) -> Result<Vec<AccountId>> {
        serde_json::from_str(&self.accounts_concerned).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// The measures, oldest first.
    pub fn measures(&self) -> Result<Vec<Measure>> {
        serde_json::from_str(&self.measures).map_err(|e| Error::Corrupt(e.to_string()))
    }
}

/// Records a report.
pub fn insert(
    conn: &mut DbConnection,
    id: Id<SecurityIncidentId>,
    (caf_id, partner_id): (CafId, PartnerId),
    report: &Report,
    by: AccountId,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(security_incidents::table)
        .values((
            security_incidents::id.eq(id),
            security_incidents::partner_id.eq(Id(partner_id)),
            security_incidents::caf_id.eq(Id(caf_id)),
            security_incidents::nature.eq(report.nature.code()),
            security_incidents::description.eq(&report.description),
            security_incidents::detected_at.eq(report.detected_at),
            security_incidents::accounts_concerned
                .eq(serde_json::json!(report.accounts).to_string()),
            security_incidents::reported_by.eq(Id(by)),
            security_incidents::reported_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One incident; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: SecurityIncidentId) -> Result<IncidentRow> {
    security_incidents::table
        .find(Id(id))
        .select(IncidentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// Replaces the measures (the caller appended one).
pub fn set_measures(
    conn: &mut DbConnection,
    id: Id<SecurityIncidentId>,
    measures: &[Measure],
) -> Result<()> {
    diesel::update(security_incidents::table.find(id))
        .set(security_incidents::measures.eq(serde_json::json!(measures).to_string()))
        .execute(conn)?;
    Ok(())
}

/// Marks an incident closed.
pub fn close_row(
    conn: &mut DbConnection,
    id: Id<SecurityIncidentId>,
    by: AccountId,
    summary: &str,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::update(security_incidents::table.find(id))
        .set((
            security_incidents::closed_by.eq(Some(Id(by))),
            security_incidents::closed_at.eq(Some(now)),
            security_incidents::closure_summary.eq(Some(summary)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The incidents a partner reported, oldest first.
pub fn of_partner(conn: &mut DbConnection, partner_id: PartnerId) -> Result<Vec<IncidentRow>> {
    Ok(security_incidents::table
        .filter(security_incidents::partner_id.eq(Id(partner_id)))
        .order(security_incidents::id)
        .select(IncidentRow::as_select())
        .load(conn)?)
}

/// The ids of a partner's accounts.
pub fn partner_accounts(conn: &mut DbConnection, partner_id: PartnerId) -> Result<Vec<AccountId>> {
    let ids: Vec<Id<AccountId>> = accounts::table
        .filter(accounts::partner_id.eq(Id(partner_id)))
        .select(accounts::id)
        .load(conn)?;
    Ok(ids.into_iter().map(Id::get).collect())
}

/// Who is told for `side`: the security officers of that side named in the partner's contracts
/// (annex 1; S-art. 5.1: the partner's is the Caf's single contact for security), and that
/// side's administrators — the Caf's or the partner's. Each address once.
pub fn security_contacts(
    conn: &mut DbConnection,
    (caf_id, partner_id): (CafId, PartnerId),
    side: Party,
) -> Result<Vec<String>> {
    let contracts: Vec<String> = conventions::table
        .filter(conventions::partner_id.eq(Id(partner_id)))
        .select(conventions::contacts)
        .load(conn)?;
    let mut emails = std::collections::BTreeSet::new();
    for contacts in contracts {
        let contacts: Vec<Contact> =
            serde_json::from_str(&contacts).map_err(|e| Error::Corrupt(e.to_string()))?;
        emails.extend(
            contacts
                .into_iter()
                .filter(|c| c.side == side && c.role == ContactRole::SecurityOfficer)
                .filter_map(|c| c.email),
        );
    }
    let partner = (side == Party::Partner).then_some(partner_id);
    emails.extend(crate::store::accounts::administrators(
        conn, caf_id, partner,
    )?);
    Ok(emails.into_iter().collect())
}
