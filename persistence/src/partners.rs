//! Partners, registered by their Caf; one partner per SIRET per Caf.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::partner::{PartnerCategory, PartnerData};
use mcp_domain::DomainError;
use serde_json::json;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{on_unique, Error, Result};
use crate::page::{Page, PageRequest};
use crate::schema::partners;
use crate::trace::{self, Event, Outcome};

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

const DUPLICATE: (&str, &str) = (
    "partner_already_registered",
    "this Caf already registered a partner with this SIRET",
);

/// Registers a partner of the caller's Caf.
pub fn create(db: &Database, ctx: &Ctx, data: &PartnerData) -> Result<Partner> {
    let caf_id = ctx.principal().caf_scope().ok_or(DomainError::Forbidden)?;
    authorize(
        ctx.principal(),
        Function::ManagePartners,
        Reach::Caf(caf_id),
    )?;
    db.write(|conn| {
        let p = Partner {
            id: crate::new_id(),
            caf_id: caf_id.to_string(),
            siret: data.siret.to_string(),
            name: data.name.clone(),
            address: data.address.clone(),
            representative_name: data.representative_name.clone(),
            representative_title: data.representative_title.clone(),
            category: data.category.code().to_string(),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        diesel::insert_into(partners::table)
            .values((
                partners::id.eq(&p.id),
                partners::caf_id.eq(&p.caf_id),
                partners::siret.eq(&p.siret),
                partners::name.eq(&p.name),
                partners::address.eq(&p.address),
                partners::representative_name.eq(&p.representative_name),
                partners::representative_title.eq(&p.representative_title),
                partners::category.eq(&p.category),
                partners::created_at.eq(p.created_at),
                partners::updated_at.eq(p.updated_at),
            ))
            .execute(conn)
            .map_err(on_unique(DUPLICATE.0, DUPLICATE.1))?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&p.id)?),
                action: "partner.created",
                target_type: "partner",
                target_id: Some(crate::uuid(&p.id)?),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: json!({ "siret": p.siret, "name": p.name, "category": p.category }),
            },
        )?;
        Ok(p)
    })
}

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
            partner_id: id,
        },
    )?;
    Ok(p)
}

/// Runs a read within one partner: the function is checked first (403 before anything is
/// looked up), then the partner's reach (404 outside it).
pub(crate) fn read_for<T>(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    function: Function,
    read: impl FnOnce(&mut DbConnection, Partner) -> Result<T>,
) -> Result<T> {
    authorize(ctx.principal(), function, Reach::National)?;
    db.read(|conn| {
        let partner = load_for(conn, ctx, partner_id, function)?;
        read(conn, partner)
    })
}

/// One partner.
pub fn get(db: &Database, ctx: &Ctx, id: Uuid) -> Result<Partner> {
    authorize(ctx.principal(), Function::ReadPartners, Reach::National)?;
    db.read(|conn| load_for(conn, ctx, id, Function::ReadPartners))
}

/// Filters on the partner list.
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    /// Only this SIRET.
    pub siret: Option<String>,
    /// Only this category.
    pub category: Option<PartnerCategory>,
    /// Only this Caf's partners (within the caller's reach).
    pub caf_id: Option<Uuid>,
}

/// The partners within the caller's reach.
pub fn list(
    db: &Database,
    ctx: &Ctx,
    filter: &PartnerFilter,
    page: &PageRequest,
) -> Result<Page<Partner>> {
    authorize(ctx.principal(), Function::ReadPartners, Reach::National)?;
    let scope = ctx.principal().caf_scope();
    let own_partner = ctx.principal().partner_id;
    db.read(|conn| {
        let mut q = partners::table.select(Partner::as_select()).into_boxed();
        if let Some(own) = scope {
            q = q.filter(partners::caf_id.eq(own.to_string()));
        }
        if let Some(own) = own_partner {
            q = q.filter(partners::id.eq(own.to_string()));
        }
        if let Some(c) = filter.caf_id {
            q = q.filter(partners::caf_id.eq(c.to_string()));
        }
        if let Some(s) = &filter.siret {
            q = q.filter(partners::siret.eq(s.clone()));
        }
        if let Some(c) = filter.category {
            q = q.filter(partners::category.eq(c.code()));
        }
        if let Some(c) = &page.cursor {
            q = q.filter(partners::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(partners::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |p: &Partner| p.id.clone(), Ok)
    })
}

/// Replaces a partner's registration data (name, address, representative, category, SIRET).
pub fn update(db: &Database, ctx: &Ctx, id: Uuid, data: &PartnerData) -> Result<Partner> {
    authorize(ctx.principal(), Function::ReadPartners, Reach::National)?;
    db.write(|conn| {
        let before = load_for(conn, ctx, id, Function::ManagePartners)?;
        if before.category != data.category.code() {
            let refused = crate::subscriptions::ineligible_for(conn, &before.id, data.category, ctx.today())?;
            if !refused.is_empty() {
                return Err(DomainError::conflict(
                    "category_conflicts_with_subscriptions",
                    format!(
                        "a partner of category {} may not hold {}, opened by its subscriptions in force: amend them first",
                        data.category.code(),
                        refused.join(", ")
                    ),
                )
                .into());
            }
        }
        diesel::update(partners::table.find(&before.id))
            .set((
                partners::siret.eq(data.siret.as_str()),
                partners::name.eq(&data.name),
                partners::address.eq(&data.address),
                partners::representative_name.eq(&data.representative_name),
                partners::representative_title.eq(&data.representative_title),
                partners::category.eq(data.category.code()),
                partners::updated_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(on_unique(DUPLICATE.0, DUPLICATE.1))?;
        let after = load_for(conn, ctx, id, Function::ManagePartners)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(id),
                action: "partner.updated",
                target_type: "partner",
                target_id: Some(id),
                caf_id: Some(crate::uuid(&after.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({
                    "before": { "siret": before.siret, "name": before.name, "address": before.address,
                                "representative_name": before.representative_name, "category": before.category },
                    "after": { "siret": after.siret, "name": after.name, "address": after.address,
                               "representative_name": after.representative_name, "category": after.category },
                }),
            },
        )?;
        Ok(after)
    })
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

/// Names a partner's principal administrator or deputy (Caf administrators only, S-art. 2.2.2).
/// The person receives their identifier and activation code by message; the Caf never sees the
/// code. One principal and one deputy at a time: replacing one is an administrator change.
pub fn name_administrator(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    rank: AdministratorRank,
    person: &mcp_domain::person::Person,
) -> Result<crate::accounts::Account> {
    authorize(ctx.principal(), Function::ManagePartners, Reach::National)?;
    db.write(|conn| {
        let partner = load_for(conn, ctx, partner_id, Function::ManagePartners)?;
        name_in(conn, ctx, &partner, rank, person)
    })
}

/// Names an administrator inside the caller's transaction (whose access checks are done).
pub(crate) fn name_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    rank: AdministratorRank,
    person: &mcp_domain::person::Person,
) -> Result<crate::accounts::Account> {
    use crate::schema::accounts;
    let partner_id = crate::uuid(&partner.id)?;
    {
        let taken: i64 = accounts::table
            .filter(accounts::partner_id.eq(&partner.id))
            .filter(accounts::administrator_rank.eq(rank.code()))
            .filter(accounts::status.ne("disabled"))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(DomainError::conflict(
                "administrator_already_named",
                format!("this partner already has a {} administrator; replacing one is an administrator change", rank.code()),
            )
            .into());
        }
        let caf_id = crate::uuid(&partner.caf_id)?;
        let account = crate::accounts::invite(
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
        let account = crate::accounts::Account {
            administrator_rank: Some(rank.code().into()),
            ..account
        };
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&partner.id)?),
                action: "partner_administrator.named",
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": partner.id, "rank": rank.code(), "identifier": account.identifier, "full_name": account.full_name }),
            },
        )?;
        Ok(account)
    }
}

/// A partner's administrators, with their rank.
pub fn administrators(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
) -> Result<Vec<crate::accounts::Account>> {
    use crate::schema::accounts;
    authorize(ctx.principal(), Function::ReadPartners, Reach::National)?;
    db.read(|conn| {
        let partner = load_for(conn, ctx, partner_id, Function::ReadPartners)?;
        Ok(accounts::table
            .filter(accounts::partner_id.eq(&partner.id))
            .filter(accounts::role.eq(mcp_domain::access::Role::PartnerAdministrator.code()))
            .order(accounts::id.asc())
            .select(crate::accounts::Account::as_select())
            .load(conn)?)
    })
}
