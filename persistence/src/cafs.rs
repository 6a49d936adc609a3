//! Cafs and their administrators, registered by the Cnaf.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach, Role};
use mcp_domain::caf::CafData;
use mcp_domain::person::Person;
use mcp_domain::DomainError;
use serde_json::json;
use uuid::Uuid;

use crate::accounts::{self, Account};
use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{on_unique, Error, Result};
use crate::page::{Page, PageRequest};
use crate::schema::{accounts as accounts_t, cafs};
use crate::trace::{self, Event, Outcome};

/// A registered Caf.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cafs)]
pub struct Caf {
    /// Opaque id.
    pub id: String,
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

/// Registers a Caf (Cnaf only).
pub fn create(db: &Database, ctx: &Ctx, data: &CafData) -> Result<Caf> {
    authorize(ctx.principal(), Function::ManageCafs, Reach::National)?;
    db.write(|conn| {
        let caf = Caf {
            id: crate::new_id(),
            code: data.code.clone(),
            name: data.name.clone(),
            address: data.address.clone(),
            director_name: data.director_name.clone(),
            created_at: ctx.now,
            updated_at: ctx.now,
            second_factor_required: false,
        };
        diesel::insert_into(cafs::table)
            .values((
                cafs::id.eq(&caf.id),
                cafs::code.eq(&caf.code),
                cafs::name.eq(&caf.name),
                cafs::address.eq(&caf.address),
                cafs::director_name.eq(&caf.director_name),
                cafs::created_at.eq(caf.created_at),
                cafs::updated_at.eq(caf.updated_at),
            ))
            .execute(conn)
            .map_err(on_unique(
                "caf_already_registered",
                "a Caf with this number is already registered",
            ))?;
        let id = crate::uuid(&caf.id)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "caf.created",
                target_type: "caf",
                target_id: Some(id),
                caf_id: Some(id),
                outcome: Outcome::Success,
                detail: json!({ "code": caf.code, "name": caf.name }),
            },
        )?;
        Ok(caf)
    })
}

/// Replaces a Caf's registration data (Cnaf only): a new director, a move.
pub fn update(db: &Database, ctx: &Ctx, id: Uuid, data: &CafData) -> Result<Caf> {
    authorize(ctx.principal(), Function::ManageCafs, Reach::Caf(id))?;
    db.write(|conn| {
        let before = load(conn, id)?;
        diesel::update(cafs::table.find(&before.id))
            .set((
                cafs::code.eq(&data.code),
                cafs::name.eq(&data.name),
                cafs::address.eq(&data.address),
                cafs::director_name.eq(&data.director_name),
                cafs::updated_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(on_unique("caf_already_registered", "a Caf with this number is already registered"))?;
        let after = load(conn, id)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "caf.updated",
                target_type: "caf",
                target_id: Some(id),
                caf_id: Some(id),
                outcome: Outcome::Success,
                detail: json!({
                    "before": { "code": before.code, "name": before.name, "address": before.address, "director_name": before.director_name },
                    "after": { "code": after.code, "name": after.name, "address": after.address, "director_name": after.director_name },
                }),
            },
        )?;
        Ok(after)
    })
}

/// Requires (or stops requiring) a second factor of the Caf's administrators and its partners'
/// staff. Requiring it restricts at once, on their next request, everyone concerned who has not
/// enrolled one to their own account until they do; lifting it leaves each contract's own
/// requirement, applied at their next login.
pub fn set_second_factor_requirement(
    db: &Database,
    ctx: &Ctx,
    id: Uuid,
    required: bool,
) -> Result<(Caf, usize)> {
    use crate::schema::account_totp;
    authorize(ctx.principal(), Function::ManageCafSecurity, Reach::Caf(id))?;
    db.write(|conn| {
        let before = load(conn, id)?;
        diesel::update(cafs::table.find(&before.id))
            .set((
                cafs::second_factor_required.eq(required),
                cafs::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let restricted = if required && !before.second_factor_required {
            let enrolled = account_totp::table
                .filter(account_totp::confirmed_at.is_not_null())
                .select(account_totp::account_id);
            diesel::update(
                accounts_t::table
                    .filter(accounts_t::caf_id.eq(&before.id))
                    .filter(accounts_t::must_enrol_second_factor.eq(false))
                    .filter(accounts_t::id.ne_all(enrolled)),
            )
            .set(accounts_t::must_enrol_second_factor.eq(true))
            .execute(conn)?
        } else {
            0
        };
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "caf.second_factor_requirement_changed",
                target_type: "caf",
                target_id: Some(id),
                caf_id: Some(id),
                outcome: Outcome::Success,
                detail: json!({ "required": required, "accounts_restricted": restricted }),
            },
        )?;
        Ok((load(conn, id)?, restricted))
    })
}

pub(crate) fn load(conn: &mut DbConnection, id: Uuid) -> Result<Caf> {
    cafs::table
        .find(id.to_string())
        .select(Caf::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// One Caf, within the caller's reach.
pub fn get(db: &Database, ctx: &Ctx, id: Uuid) -> Result<Caf> {
    authorize(ctx.principal(), Function::ReadCaf, Reach::Caf(id))?;
    db.read(|conn| load(conn, id))
}

/// The Cafs within the caller's reach, by registration order.
pub fn list(db: &Database, ctx: &Ctx, page: &PageRequest) -> Result<Page<Caf>> {
    authorize(ctx.principal(), Function::ReadCaf, Reach::National)?;
    let scope = ctx.principal().caf_scope();
    db.read(|conn| {
        let mut q = cafs::table.select(Caf::as_select()).into_boxed();
        if let Some(own) = scope {
            q = q.filter(cafs::id.eq(own.to_string()));
        }
        if let Some(c) = &page.cursor {
            q = q.filter(cafs::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(cafs::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |c: &Caf| c.id.clone(), Ok)
    })
}

/// Registers an administrator of a Caf (Cnaf only). The person receives their identifier and a
/// one-time activation code through the outbox; the operator never sees the code.
pub fn add_administrator(
    db: &Database,
    ctx: &Ctx,
    caf_id: Uuid,
    person: &Person,
) -> Result<Account> {
    authorize(
        ctx.principal(),
        Function::ManageCafAdministrators,
        Reach::Caf(caf_id),
    )?;
    db.write(|conn| {
        let caf = load(conn, caf_id)?;
        let account = accounts::invite(
            conn,
            ctx.now,
            Role::CafAdministrator,
            Some(caf_id),
            None,
            person,
            &caf.name,
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "caf_administrator.created",
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: json!({ "identifier": account.identifier, "full_name": account.full_name }),
            },
        )?;
        Ok(account)
    })
}

/// The administrators of a Caf.
pub fn administrators(
    db: &Database,
    ctx: &Ctx,
    caf_id: Uuid,
    page: &PageRequest,
) -> Result<Page<Account>> {
    authorize(ctx.principal(), Function::ReadCaf, Reach::Caf(caf_id))?;
    db.read(|conn| {
        load(conn, caf_id)?;
        let mut q = accounts_t::table
            .filter(accounts_t::caf_id.eq(caf_id.to_string()))
            .filter(accounts_t::role.eq(Role::CafAdministrator.code()))
            .select(Account::as_select())
            .into_boxed();
        if let Some(c) = &page.cursor {
            q = q.filter(accounts_t::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(accounts_t::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |a: &Account| a.id.clone(), Ok)
    })
}

/// Registers an auditor (Cnaf operators): of one Caf with `caf_id`, of the Cnaf without. The
/// person receives their identifier and activation code; auditors read traces and habilitation
/// history, nothing else.
pub fn add_auditor(
    db: &Database,
    ctx: &Ctx,
    caf_id: Option<Uuid>,
    person: &Person,
) -> Result<Account> {
    let reach = caf_id.map_or(Reach::National, Reach::Caf);
    authorize(ctx.principal(), Function::ManageAuditors, reach)?;
    db.write(|conn| {
        let (role, organisation) = match caf_id {
            Some(c) => (Role::CafAuditor, load(conn, c)?.name),
            None => (Role::CnafAuditor, "Cnaf".to_string()),
        };
        let account = accounts::invite(conn, ctx.now, role, caf_id, None, person, &organisation)?;
        trace::record(
            conn,
            ctx,
            Event {
                action: "auditor.created",
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id,
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({
                    "identifier": account.identifier, "full_name": account.full_name,
                    "role": role.code(),
                }),
            },
        )?;
        Ok(account)
    })
}

/// The auditors, of the Cnaf and of every Caf, or of one Caf (Cnaf operators).
pub fn auditors(
    db: &Database,
    ctx: &Ctx,
    caf_id: Option<Uuid>,
    page: &PageRequest,
) -> Result<Page<Account>> {
    authorize(ctx.principal(), Function::ManageAuditors, Reach::National)?;
    db.read(|conn| {
        let mut q = accounts_t::table
            .filter(accounts_t::role.eq_any([Role::CnafAuditor.code(), Role::CafAuditor.code()]))
            .select(Account::as_select())
            .into_boxed();
        if let Some(c) = caf_id {
            q = q.filter(accounts_t::caf_id.eq(c.to_string()));
        }
        if let Some(c) = &page.cursor {
            q = q.filter(accounts_t::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(accounts_t::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |a: &Account| a.id.clone(), Ok)
    })
}
