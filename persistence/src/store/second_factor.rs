//! The TOTP second factor of accounts: enrolment (pending until a first code confirms it), use
//! at login (each code once), removal. Codes are computed by the caller; this module keeps state.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::account_totp;

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
