//! The service catalogue, read from reference data.

use diesel::prelude::*;
use mcp_domain::catalogue::{parse_categories, CatalogueProfile, ProfileEntry};
use mcp_domain::partner::PartnerCategory;
use mcp_domain::DomainError;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{profile_views, profiles, services};
use mcp_domain::cdap::{Restriction, View};
use mcp_domain::ids::{ProfileId, ServiceId};

/// A service of the catalogue with its profiles.
#[derive(Debug, Clone)]
pub struct Service {
    /// Opaque id.
    pub id: Id<ServiceId>,
    /// Code (`CDAP`).
    pub code: String,
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its profiles, in catalogue order.
    pub profiles: Vec<Profile>,
    /// What each profile sees of a file, by profile id (CDAP's profiles have one).
    pub views: std::collections::BTreeMap<Id<ProfileId>, View>,
}

impl Service {
    /// What a profile of this service sees of a file, if it has a view.
    pub fn view_of(&self, profile: &Profile) -> Option<&View> {
        self.views.get(&profile.id)
    }

    /// Whether the service's profiles consult beneficiaries' files (each then has a view).
    pub fn sees_files(&self) -> bool {
        !self.views.is_empty()
    }

    /// One of its profiles.
    pub fn profile(&self, id: Id<ProfileId>) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }
}

/// A profile as a trace records it: what the Cnaf may change, before or after.
pub(crate) fn described(service: &Service, p: &Profile) -> serde_json::Value {
    let view = service.view_of(p).map(|v| {
        serde_json::json!({
            "sections": v.sections,
            "months": v.months,
            "benefits": v.benefits,
            "restriction": v.restriction.map(|r| r.code()),
            "identity_search": v.identity_search,
        })
    });
    serde_json::json!({
        "code": p.code,
        "name": p.name,
        "eligible_categories": p.categories().iter().map(|c| c.code()).collect::<Vec<_>>(),
        "restriction": p.restriction,
        "temporary": p.temporary,
        "subsidised_only": p.subsidised_only,
        "view": view,
    })
}

/// Adds a profile at the end of its service's list; a code the service already has is a
/// conflict.
pub(crate) fn insert_profile(
    conn: &mut DbConnection,
    service_id: Id<ServiceId>,
    id: Id<ProfileId>,
    entry: &ProfileEntry,
) -> Result<()> {
    let last: Option<i32> = profiles::table
        .filter(profiles::service_id.eq(service_id))
        .select(diesel::dsl::max(profiles::position))
        .first(conn)?;
    diesel::insert_into(profiles::table)
        .values((
            profiles::id.eq(id),
            profiles::service_id.eq(service_id),
            profiles::code.eq(&entry.code),
            profiles::position.eq(last.unwrap_or(0) + 1),
            entry_columns(entry),
        ))
        .execute(conn)
        .map_err(crate::error::on_unique(
            mcp_domain::ErrorCode::ProfileCodeTaken,
            mcp_domain::msg!(
                "le service a déjà un profil portant ce code",
                "the service already has a profile with this code"
            ),
        ))?;
    write_view(conn, id, entry)
}

/// The columns of a profile the Cnaf writes.
#[allow(clippy::type_complexity)]
fn entry_columns(
    entry: &ProfileEntry,
) -> (
    diesel::dsl::Eq<profiles::name, String>,
    diesel::dsl::Eq<profiles::description, String>,
    diesel::dsl::Eq<profiles::eligible_categories, String>,
    diesel::dsl::Eq<profiles::restriction, Option<String>>,
    diesel::dsl::Eq<profiles::temporary, bool>,
    diesel::dsl::Eq<profiles::subsidised_only, bool>,
) {
    let categories: Vec<&str> = entry.eligible_categories.iter().map(|c| c.code()).collect();
    (
        profiles::name.eq(entry.name.clone()),
        profiles::description.eq(entry.description.clone()),
        profiles::eligible_categories.eq(categories.join(",")),
        profiles::restriction.eq(entry.restriction.clone()),
        profiles::temporary.eq(entry.temporary),
        profiles::subsidised_only.eq(entry.subsidised_only),
    )
}

/// Writes what the Cnaf set for a profile (its code stays) and its view.
pub(crate) fn update_profile(
    conn: &mut DbConnection,
    id: Id<ProfileId>,
    entry: &ProfileEntry,
) -> Result<()> {
    diesel::update(profiles::table.find(id))
        .set(entry_columns(entry))
        .execute(conn)?;
    write_view(conn, id, entry)
}

/// Replaces a profile's view with the entry's.
fn write_view(conn: &mut DbConnection, id: Id<ProfileId>, entry: &ProfileEntry) -> Result<()> {
    diesel::delete(profile_views::table.find(id)).execute(conn)?;
    if let Some(v) = &entry.view {
        diesel::insert_into(profile_views::table)
            .values((
                profile_views::profile_id.eq(id),
                profile_views::sections.eq(v.sections.join(",")),
                profile_views::months.eq(v.months as i32),
                profile_views::benefits.eq(v.benefits.join(",")),
                profile_views::restriction.eq(v.restriction.map(|r| r.code())),
                profile_views::identity_search.eq(v.identity_search),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A profile of a service.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = profiles)]
pub struct Profile {
    /// Opaque id.
    pub id: Id<ProfileId>,
    /// Its service.
    pub service_id: Id<ServiceId>,
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
    /// Opened only for a time: a habilitation to it says until when.
    pub temporary: bool,
    /// Opened only for services the Caf subsidises (T2).
    pub subsidised_only: bool,
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
            temporary: self.temporary,
            subsidised_only: self.subsidised_only,
        }
    }
}

pub(crate) type ServiceRow = (Id<ServiceId>, String, String, String);

pub(crate) fn with_profiles(
    conn: &mut DbConnection,
    rows: Vec<ServiceRow>,
) -> Result<Vec<Service>> {
    let ids: Vec<Id<ServiceId>> = rows.iter().map(|r| r.0).collect();
    let all: Vec<Profile> = profiles::table
        .filter(profiles::service_id.eq_any(ids))
        .order((profiles::service_id, profiles::position))
        .select(Profile::as_select())
        .load(conn)?;
    let mut views = views_of(conn, all.iter().map(|p| p.id))?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name, description)| Service {
            profiles: all.iter().filter(|p| p.service_id == id).cloned().collect(),
            views: all
                .iter()
                .filter(|p| p.service_id == id)
                .filter_map(|p| views.remove(&p.id).map(|v| (p.id, v)))
                .collect(),
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
/// The codes of every service of the catalogue.
pub(crate) fn codes(conn: &mut DbConnection) -> Result<Vec<String>> {
    Ok(services::table
        .order(services::code)
        .select(services::code)
        .load(conn)?)
}

pub(crate) fn by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Service>> {
    match load(conn, Key::Code(code)) {
        Ok(s) => Ok(Some(s)),
        Err(Error::Domain(DomainError::NotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// One service by id, inside a use case.
pub(crate) fn by_id(conn: &mut DbConnection, id: Id<ServiceId>) -> Result<Service> {
    load(conn, Key::Id(id))
}

pub(crate) enum Key<'a> {
    Id(Id<ServiceId>),
    Code(&'a str),
}

pub(crate) fn load(conn: &mut DbConnection, key: Key<'_>) -> Result<Service> {
    let q = services::table.select(SERVICE_COLUMNS).into_boxed();
    let q = match key {
        Key::Id(id) => q.filter(services::id.eq(id)),
        Key::Code(code) => q.filter(services::code.eq(code.to_string())),
    };
    let rows: Vec<ServiceRow> = q.load(conn)?;
    with_profiles(conn, rows)?
        .pop()
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// What a profile sees of a file (every CDAP profile has a view).
pub(crate) fn view_of(conn: &mut DbConnection, profile_id: Id<ProfileId>) -> Result<View> {
    let (sections, months, benefits, restriction, identity_search): (
        String,
        i32,
        String,
        Option<String>,
        bool,
    ) = profile_views::table
        .find(profile_id)
        .select(VIEW_COLUMNS)
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::Corrupt(format!("profile {profile_id} has no view")))?;
    read_view((sections, months, benefits, restriction, identity_search))
}

type ViewRow = (String, i32, String, Option<String>, bool);

const VIEW_COLUMNS: (
    profile_views::sections,
    profile_views::months,
    profile_views::benefits,
    profile_views::restriction,
    profile_views::identity_search,
) = (
    profile_views::sections,
    profile_views::months,
    profile_views::benefits,
    profile_views::restriction,
    profile_views::identity_search,
);

/// The views of some profiles, by profile id (those without one are left out).
fn views_of(
    conn: &mut DbConnection,
    profile_ids: impl Iterator<Item = Id<ProfileId>>,
) -> Result<std::collections::BTreeMap<Id<ProfileId>, View>> {
    let ids: Vec<Id<ProfileId>> = profile_ids.collect();
    let rows: Vec<(Id<ProfileId>, ViewRow)> = profile_views::table
        .filter(profile_views::profile_id.eq_any(ids))
        .select((profile_views::profile_id, VIEW_COLUMNS))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, row)| Ok((id, read_view(row)?)))
        .collect()
}

fn read_view((sections, months, benefits, restriction, identity_search): ViewRow) -> Result<View> {
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    Ok(View {
        sections: list(&sections),
        months: months.max(1) as u32,
        benefits: list(&benefits),
        restriction: restriction
            .as_deref()
            .map(|r| Restriction::from_code(r).ok_or_else(|| Error::Corrupt(r.to_string())))
            .transpose()?,
        identity_search,
    })
}
