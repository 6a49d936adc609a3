//! The TOTP second factor of accounts: enrolment (pending until a first code confirms it), use
//! at login (each code once), removal. Codes are computed by the caller; this module keeps state.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::DomainError;
use serde_json::json;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::account_totp;
use crate::trace::{self, Event, Outcome};

/// An account's second factor.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_totp)]
pub struct Totp {
    /// The account.
    pub account_id: String,
    /// Shared secret, base32.
    pub secret: String,
    /// When a first code confirmed it; until then it is not required at login.
    pub confirmed_at: Option<NaiveDateTime>,
    /// Last time step used.
    pub last_used_step: Option<i64>,
    /// Enrolment instant.
    pub created_at: NaiveDateTime,
}

/// The second factor of an account, if any.
pub fn of_account(db: &Database, account_id: &str) -> Result<Option<Totp>> {
    db.read(|conn| {
        Ok(account_totp::table
            .find(account_id)
            .select(Totp::as_select())
            .first(conn)
            .optional()?)
    })
}

/// Starts (or restarts) the caller's enrolment with a new secret; refused once confirmed.
pub fn enrol(db: &Database, ctx: &Ctx, secret: &str) -> Result<()> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| {
        let existing: Option<Totp> = account_totp::table
            .find(&me)
            .select(Totp::as_select())
            .first(conn)
            .optional()?;
        if existing.as_ref().is_some_and(|t| t.confirmed_at.is_some()) {
            return Err(DomainError::conflict(
                "totp_already_enrolled",
                "a second factor is already in use: remove it first to enrol another",
            )
            .into());
        }
        diesel::delete(account_totp::table.find(&me)).execute(conn)?;
        diesel::insert_into(account_totp::table)
            .values((
                account_totp::account_id.eq(&me),
                account_totp::secret.eq(secret),
                account_totp::created_at.eq(ctx.now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Marks `step` used, if no code at or after it was used meanwhile; false when it was (a replay,
/// or two logins racing with one code).
pub fn use_step(db: &Database, account_id: &str, step: i64) -> Result<bool> {
    db.write(|conn| {
        let moved = diesel::update(
            account_totp::table.find(account_id).filter(
                account_totp::last_used_step
                    .is_null()
                    .or(account_totp::last_used_step.lt(step)),
            ),
        )
        .set(account_totp::last_used_step.eq(step))
        .execute(conn)?;
        Ok(moved == 1)
    })
}

/// Confirms the caller's pending enrolment once a first code matched at `step`.
pub fn confirm(db: &Database, ctx: &Ctx, step: i64) -> Result<()> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| {
        let moved = diesel::update(
            account_totp::table
                .find(&me)
                .filter(account_totp::confirmed_at.is_null()),
        )
        .set((
            account_totp::confirmed_at.eq(ctx.now),
            account_totp::last_used_step.eq(step),
        ))
        .execute(conn)?;
        diesel::update(crate::schema::accounts::table.find(&me))
            .set(crate::schema::accounts::must_enrol_second_factor.eq(false))
            .execute(conn)?;
        if moved != 1 {
            return Err(DomainError::conflict(
                "no_pending_enrolment",
                "no second factor is waiting for confirmation",
            )
            .into());
        }
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "account.totp_enrolled",
                target_type: "account",
                target_id: Some(crate::uuid(&me)?),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: json!({}),
            },
        )
    })
}

/// Removes the caller's second factor (the caller proved they hold it).
pub fn remove(db: &Database, ctx: &Ctx) -> Result<()> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| {
        let removed = diesel::delete(account_totp::table.find(&me)).execute(conn)?;
        if removed == 0 {
            return Err(Error::Domain(DomainError::NotFound));
        }
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "account.totp_removed",
                target_type: "account",
                target_id: Some(crate::uuid(&me)?),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: json!({}),
            },
        )
    })
}
