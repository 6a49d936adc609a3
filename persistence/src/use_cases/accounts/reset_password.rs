//! Sets a new password with a reset code.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use crate::use_cases::trace::{self, Event, Outcome};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::vocabulary::{AccountStatus, TraceAction};
use mcp_domain::{DomainError, ErrorCode};

use super::*;

/// Sets a new password with a reset code: the same refusal whether the identifier is unknown,
/// the code wrong, expired or used. Every session of the account ends; a password change the
/// supervisor required is thereby done. Returns how many sessions ended.
pub fn reset_password(
    db: &Database,
    ctx: &Ctx,
    identifier: &str,
    secret: &str,
    password_hash: &str,
) -> Result<usize> {
    db.write(|conn| {
        let row: Option<(Account, Option<String>, Option<NaiveDateTime>)> = accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select((
                Account::as_select(),
                accounts::reset_secret_hash,
                accounts::reset_expires_at,
            ))
            .first(conn)
            .optional()?;
        let account = proven_by_code(row, AccountStatus::Active, secret, ctx.now, || {
            DomainError::rule(
                ErrorCode::ResetRefused,
                "this identifier and reset code do not match: ask for a new code",
            )
        })?;
        diesel::update(accounts::table.find(&account.id))
            .set((
                accounts::password_hash.eq(password_hash),
                accounts::password_changed_at.eq(ctx.now),
                accounts::must_change_password.eq(false),
                accounts::reset_secret_hash.eq(None::<String>),
                accounts::reset_expires_at.eq(None::<NaiveDateTime>),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = crate::use_cases::sessions::revoke_others_in(
            conn,
            ctx,
            &account.id,
            None,
            "password_reset",
        )?;
        let ctx = Ctx {
            principal: principal_of(
                &account.id,
                &account.role,
                account.caf_id.as_deref(),
                account.partner_id.as_deref(),
            ),
            ..ctx.clone()
        };
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: TraceAction::AccountPasswordReset,
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "sessions_ended": ended }),
            },
        )?;
        Ok(ended)
    })
}
