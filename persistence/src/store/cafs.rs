//! Cafs and their administrators, registered by the Cnaf.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::DomainError;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::cafs;
use mcp_domain::ids::CafId;

/// A registered Caf.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cafs)]
pub struct Caf {
    /// Opaque id.
    pub id: Id<CafId>,
    /// Three-digit number.
    pub code: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Director.
    pub director_name: String,
    /// Registration instant.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Whether the Caf requires a second factor of its administrators and its partners' staff.
    pub second_factor_required: bool,
}

pub(crate) fn load(conn: &mut DbConnection, id: CafId) -> Result<Caf> {
    cafs::table
        .find(id.to_string())
        .select(Caf::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}
