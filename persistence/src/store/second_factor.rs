//! The TOTP second factor of accounts: enrolment (pending until a first code confirms it), use
//! at login (each code once), removal. Codes are computed by the caller; this module keeps state.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::Result;
use crate::id::Id;
use crate::schema::account_totp;
use mcp_domain::ids::AccountId;

/// An account's second factor.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_totp)]
pub struct Totp {
    /// The account.
    pub account_id: Id<AccountId>,
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
pub(crate) fn of(conn: &mut DbConnection, account_id: Id<AccountId>) -> Result<Option<Totp>> {
    Ok(account_totp::table
        .find(account_id)
        .select(Totp::as_select())
        .first(conn)
        .optional()?)
}

/// Marks `step` used, if no code at or after it was used meanwhile; false when it was (a
/// replay, or two sign-ins racing with one code).
pub(crate) fn mark_step_used(
    conn: &mut DbConnection,
    account_id: Id<AccountId>,
    step: i64,
) -> Result<bool> {
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
}
