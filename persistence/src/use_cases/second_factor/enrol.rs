//! Starts (or restarts) the caller's enrolment with a new secret.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::account_totp;
use diesel::prelude::*;
use mcp_domain::{DomainError, ErrorCode};

use super::*;

/// A second factor being enrolled, shown once: load it into an authenticator app, then confirm
/// with a first code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The shared secret, base32.
    pub secret: String,
    /// Its `otpauth://totp/…` URI.
    pub otpauth_uri: String,
}

/// Starts (or restarts) the caller's enrolment with a new secret; refused once confirmed.
pub fn enrol(db: &Database, ctx: &Ctx) -> Result<Enrolment> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| {
        let identifier: String = crate::schema::accounts::table
            .find(&me)
            .select(crate::schema::accounts::identifier)
            .first(conn)?;
        let (secret, otpauth_uri) = crate::credentials::new_totp_secret(&identifier)?;
        let existing: Option<Totp> = account_totp::table
            .find(&me)
            .select(Totp::as_select())
            .first(conn)
            .optional()?;
        if existing.as_ref().is_some_and(|t| t.confirmed_at.is_some()) {
            return Err(DomainError::conflict(
                ErrorCode::TotpAlreadyEnrolled,
                mcp_domain::msg!("un second facteur est déjà utilisé : retirez-le d'abord pour en enrôler un autre", "a second factor is already in use: remove it first to enrol another"),
            )
            .into());
        }
        diesel::delete(account_totp::table.find(&me)).execute(conn)?;
        diesel::insert_into(account_totp::table)
            .values((
                account_totp::account_id.eq(&me),
                account_totp::secret.eq(&secret),
                account_totp::created_at.eq(ctx.now),
            ))
            .execute(conn)?;
        Ok(Enrolment {
            secret,
            otpauth_uri,
        })
    })
}
