//! Exchanges a code.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::{accounts, authorization_codes};
use crate::use_cases::accounts::{secret_hash, LoginCandidate};
use diesel::prelude::*;
use mcp_domain::access::{Scope, Software};
use mcp_domain::vocabulary::AccountStatus;
use mcp_domain::{DomainError, ErrorCode};

use super::*;

/// Exchanges a code: it must be unused, unexpired, issued to this software for this redirect
/// URI, and `challenge_of_verifier` (the S256 of the verifier presented) must match. Gives the
/// person and the software acting for them. A code works once.
pub fn redeem_code(
    db: &Database,
    ctx: &Ctx,
    code: &str,
    client_id: &str,
    redirect_uri: &str,
    challenge_of_verifier: &str,
) -> Result<(LoginCandidate, Software)> {
    let hash = secret_hash(code);
    // A refusal is returned from a committed transaction: a code tried once stays spent.
    let outcome = db.write(|conn| {
        let found: Option<CodeRow> = authorization_codes::table
            .find(&hash)
            .select(CodeRow::as_select())
            .first(conn)
            .optional()?;
        let Some(row) = found else {
            return Ok(None);
        };
        diesel::update(authorization_codes::table.find(&hash))
            .set(authorization_codes::used_at.eq(ctx.now))
            .execute(conn)?;
        let challenge_ok = mcp_domain::text::constant_time_eq(
            row.code_challenge.as_bytes(),
            challenge_of_verifier.as_bytes(),
        );
        if row.used_at.is_some()
            || row.expires_at <= ctx.now
            || row.client_id != client_id
            || row.redirect_uri != redirect_uri
            || !challenge_ok
        {
            return Ok(None);
        }
        let account: Option<LoginCandidate> = accounts::table
            .find(&row.account_id)
            .filter(accounts::status.eq(AccountStatus::Active.code()))
            .select(LoginCandidate::as_select())
            .first(conn)
            .optional()?;
        Ok(account.map(|a| (a, row.scope)))
    })?;
    let (account, scope) = outcome.ok_or_else(|| {
        Error::Domain(DomainError::rule(
            ErrorCode::InvalidGrant,
            "this code is unknown, used, expired, or not issued to this software",
        ))
    })?;
    Ok((
        account,
        Software {
            client_id: crate::uuid(client_id)?,
            scopes: Scope::parse_list(&scope).unwrap_or_default(),
        },
    ))
}
