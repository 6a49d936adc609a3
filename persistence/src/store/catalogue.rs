//! The service catalogue, read from reference data.

use diesel::prelude::*;
use mcp_domain::catalogue::{parse_categories, CatalogueProfile};
use mcp_domain::partner::PartnerCategory;
use mcp_domain::DomainError;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::schema::{profiles, services};

/// A service of the catalogue with its profiles.
#[derive(Debug, Clone)]
pub struct Service {
    /// Opaque id.
    pub id: String,
    /// Code (`CDAP`).
    pub code: String,
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its profiles, in catalogue order.
    pub profiles: Vec<Profile>,
}

/// A profile of a service.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = profiles)]
pub struct Profile {
    /// Opaque id.
    pub id: String,
    /// Its service.
    pub service_id: String,
    /// Code (`T13`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Who it is for.
    pub description: String,
    /// Eligible partner category codes, comma-separated.
    pub eligible_categories: String,
    /// Restriction written in the bulletin.
    pub restriction: Option<String>,
    /// Catalogue order.
    pub position: i32,
}

impl Profile {
    /// The categories that may hold it.
    pub fn categories(&self) -> Vec<PartnerCategory> {
        parse_categories(&self.eligible_categories)
    }

    /// The profile as the domain decides with it.
    pub fn to_domain(&self) -> CatalogueProfile {
        CatalogueProfile {
            code: self.code.clone(),
            eligible_categories: self.categories(),
        }
    }
}

pub(crate) type ServiceRow = (String, String, String, String);

pub(crate) fn with_profiles(
    conn: &mut DbConnection,
    rows: Vec<ServiceRow>,
) -> Result<Vec<Service>> {
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let all: Vec<Profile> = profiles::table
        .filter(profiles::service_id.eq_any(ids))
        .order((profiles::service_id, profiles::position))
        .select(Profile::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name, description)| Service {
            profiles: all.iter().filter(|p| p.service_id == id).cloned().collect(),
            id,
            code,
            name,
            description,
        })
        .collect())
}

pub(crate) const SERVICE_COLUMNS: (
    services::id,
    services::code,
    services::name,
    services::description,
) = (
    services::id,
    services::code,
    services::name,
    services::description,
);

/// One service by code, inside a use case.
pub(crate) fn by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Service>> {
    match load(conn, Key::Code(code)) {
        Ok(s) => Ok(Some(s)),
        Err(Error::Domain(DomainError::NotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// One service by id, inside a use case.
pub(crate) fn by_id(conn: &mut DbConnection, id: &str) -> Result<Service> {
    load(conn, Key::Id(id))
}

pub(crate) enum Key<'a> {
    Id(&'a str),
    Code(&'a str),
}

pub(crate) fn load(conn: &mut DbConnection, key: Key<'_>) -> Result<Service> {
    let q = services::table.select(SERVICE_COLUMNS).into_boxed();
    let q = match key {
        Key::Id(id) => q.filter(services::id.eq(id.to_string())),
        Key::Code(code) => q.filter(services::code.eq(code.to_string())),
    };
    let rows: Vec<ServiceRow> = q.load(conn)?;
    with_profiles(conn, rows)?
        .pop()
        .ok_or(Error::Domain(DomainError::NotFound))
}
