//! Partners, registered by their Caf; one partner per SIRET per Caf.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;
use mcp_domain::partner::PartnerCategory;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::schema::partners;
use crate::store::trace::{self, Event, Outcome};

/// A registered partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partners)]
pub struct Partner {
    /// Opaque id.
    pub id: String,
    /// The Caf it signs with.
    pub caf_id: String,
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
}

impl Partner {
    /// The category, as the domain knows it.
    pub fn category(&self) -> Result<PartnerCategory> {
        PartnerCategory::from_code(&self.category)
            .ok_or_else(|| Error::Corrupt(format!("category {}", self.category)))
    }
}

pub(crate) const DUPLICATE: (mcp_domain::ErrorCode, &str) = (
    mcp_domain::ErrorCode::PartnerAlreadyRegistered,
    "this Caf already registered a partner with this SIRET",
);

/// Loads a partner and checks the caller may use `function` on it; outside the caller's reach
/// it does not exist.
pub(crate) fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: Uuid,
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
            caf_id: crate::uuid(&p.caf_id)?,
            partner_id: id.into(),
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

/// The rank of a partner administrator named in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdministratorRank {
    /// Principal administrator (gestionnaire principal d'habilitations).
    Principal,
    /// Deputy (suppléant).
    Deputy,
}

impl AdministratorRank {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Principal => "principal",
            Self::Deputy => "deputy",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Principal, Self::Deputy]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// Names an administrator inside the caller's transaction (whose access checks are done).
pub(crate) fn name_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    rank: AdministratorRank,
    person: &mcp_domain::person::Person,
) -> Result<crate::store::accounts::Account> {
    use crate::schema::accounts;
    let partner_id = crate::uuid(&partner.id)?;
    {
        let taken: i64 = accounts::table
            .filter(accounts::partner_id.eq(&partner.id))
            .filter(accounts::administrator_rank.eq(rank.code()))
            .filter(accounts::status.ne(AccountStatus::Disabled.code()))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(DomainError::conflict(
                ErrorCode::AdministratorAlreadyNamed,
                format!("this partner already has a {} administrator; replacing one is an administrator change", rank.code()),
            )
            .into());
        }
        let caf_id = crate::uuid(&partner.caf_id)?;
        let account = crate::store::accounts::invite(
            conn,
            ctx.now,
            mcp_domain::access::Role::PartnerAdministrator,
            Some(caf_id),
            Some(partner_id),
            person,
            &partner.name,
        )?;
        diesel::update(accounts::table.find(&account.id))
            .set(accounts::administrator_rank.eq(rank.code()))
            .execute(conn)?;
        let account = crate::store::accounts::Account {
            administrator_rank: Some(rank.code().into()),
            ..account
        };
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&partner.id)?),
                action: TraceAction::PartnerAdministratorNamed,
                target_type: TargetType::Account,
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": partner.id, "rank": rank.code(), "identifier": account.identifier, "full_name": account.full_name }),
            },
        )?;
        Ok(account)
    }
}
