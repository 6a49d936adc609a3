//! Partners, registered by their Caf; one partner per SIRET per Caf.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::{CafId, PartnerId};
use mcp_domain::partner::PartnerCategory;
use mcp_domain::DomainError;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::partners;

/// A registered partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partners)]
pub struct Partner {
    /// Opaque id.
    pub id: Id<PartnerId>,
    /// The Caf it signs with.
    pub caf_id: Id<CafId>,
    /// SIRET.
    pub siret: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Legal representative.
    pub representative_name: String,
    /// Their title.
    pub representative_title: Option<String>,
    /// Category code.
    pub category: String,
    /// Registration instant.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Since when the Caf manages the partner's habilitations itself, if it took them back.
    pub management_taken_over_at: Option<NaiveDateTime>,
    /// Why it did.
    pub management_takeover_reason: Option<String>,
}

impl Partner {
    /// The category, as the domain knows it.
    pub fn category(&self) -> Result<PartnerCategory> {
        PartnerCategory::from_code(&self.category)
            .ok_or_else(|| Error::Corrupt(format!("category {}", self.category)))
    }
}

pub(crate) fn on_duplicate() -> impl Fn(diesel::result::Error) -> crate::Error {
    crate::error::on_unique(
        mcp_domain::ErrorCode::PartnerAlreadyRegistered,
        mcp_domain::msg!(
            "cette Caf a déjà enregistré un partenaire portant ce SIRET",
            "this Caf already registered a partner with this SIRET"
        ),
    )
}

/// Loads a partner and checks the caller may use `function` on it; outside the caller's reach
/// it does not exist.
pub(crate) fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: PartnerId,
    function: Function,
) -> Result<Partner> {
    let p: Partner = partners::table
        .find(id.to_string())
        .select(Partner::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    authorize(
        ctx.principal(),
        function,
        Reach::Partner {
            caf_id: p.caf_id.get(),
            partner_id: id,
        },
    )?;
    Ok(p)
}

/// Filters on the partner list.
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    /// Only this SIRET.
    pub siret: Option<String>,
    /// Only this category.
    pub category: Option<PartnerCategory>,
    /// Only this Caf's partners (within the caller's reach).
    pub caf_id: Option<CafId>,
}

pub use mcp_domain::vocabulary::AdministratorRank;
