//! Sets a new password with a reset code.

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::throttle;
use crate::store::trace::{self, Event, Outcome};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::throttle::ThrottlePolicy;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};

use super::*;

/// What a reset led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// The password is set; this many sessions ended.
    Done(usize),
    /// Too many wrong codes for the identifier: wait this many seconds.
    Throttled(i64),
}

/// Sets a new password with a reset code, once the password passes the policy (checked only
/// once the code is right, so that a wrong code gets the same answer for everyone): the same
/// refusal whether the identifier is unknown, the code wrong, expired or used. Wrong codes count as
/// failed sign-ins of the identifier, decided under the lock of its counter so that parallel
/// guesses are counted one after the other. Every session of the account ends; a password
/// change the supervisor required is thereby done.
pub fn reset_password(
    db: &Database,
    ctx: &Ctx,
    identifier: &str,
    secret: &str,
    password: &str,
    policy: ThrottlePolicy,
) -> Result<Reset> {
    let key = [throttle::Key::identifier(identifier, policy)];
    if let Some(wait) = db.read(|conn| throttle::wait(conn, &key, ctx.now))? {
        return Ok(Reset::Throttled(throttle::whole_seconds(wait)));
    }
    // The code first: a wrong one gets the same refusal whoever the identifier names, before any
    // password policy (which differs by contract) is looked at.
    let right_code = db.read(|conn| Ok(prove(conn, ctx, identifier, secret).is_ok()))?;
    let password_hash = if right_code {
        Some(chosen_password_hash(db, identifier, password, ctx.today())?)
    } else {
        None
    };
    db.write(|conn| {
        throttle::lock(conn, &key, ctx.now)?;
        if let Some(wait) = throttle::wait(conn, &key, ctx.now)? {
            return Ok(Err(Reset::Throttled(throttle::whole_seconds(wait))));
        }
        let proven = prove(conn, ctx, identifier, secret);
        let account = match (proven, &password_hash) {
            (Ok(account), Some(_)) => account,
            (proven, _) => {
                // Wrong (or right only since it was read, which a code never becomes).
                let refused = proven.err().unwrap_or_else(|| refusal().into());
                throttle::count_failure(conn, &key, ctx.now)?;
                trace::record(
                    conn,
                    ctx,
                    Event {
                        partner_id: None,
                        action: TraceAction::AccountPasswordReset,
                        target_type: TargetType::Account,
                        target_id: None,
                        caf_id: None,
                        outcome: Outcome::Denied,
                        detail: serde_json::json!({ "identifier": identifier, "reason": "wrong_code" }),
                    },
                )?;
                return Ok(Ok(Err(refused)));
            }
        };
        diesel::update(accounts::table.find(&account.id))
            .set((
                accounts::password_hash.eq(password_hash.as_deref()),
                accounts::password_changed_at.eq(ctx.now),
                accounts::must_change_password.eq(false),
                accounts::reset_secret_hash.eq(None::<String>),
                accounts::reset_expires_at.eq(None::<NaiveDateTime>),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = crate::store::sessions::revoke_others_in(
            conn,
            ctx,
            account.id,
            None,
            mcp_domain::vocabulary::SessionEnd::PasswordReset,
        )?;
        let ctx = ctx.acting_as(account.principal());
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: account.partner_id.map(Id::get),
                action: TraceAction::AccountPasswordReset,
                target_type: TargetType::Account,
                target_id: Some(account.id.get().uuid()),
                caf_id: account.caf_id.map(Id::get),
                outcome: Outcome::Success,
                detail: serde_json::json!({ "sessions_ended": ended }),
            },
        )?;
        Ok(Ok(Ok(ended)))
    })
    .map(|outcome| match outcome {
        Ok(Ok(ended)) => Ok(Reset::Done(ended)),
        Ok(Err(refused)) => Err(refused),
        Err(throttled) => Ok(throttled),
    })?
}

fn refusal() -> DomainError {
    DomainError::rule(
        ErrorCode::ResetRefused,
        mcp_domain::msg!("cet identifiant et ce code de réinitialisation ne correspondent pas : demandez un nouveau code", "this identifier and reset code do not match: ask for a new code"),
    )
}

/// The active account `identifier` names, if `secret` is its unexpired reset code.
fn prove(conn: &mut DbConnection, ctx: &Ctx, identifier: &str, secret: &str) -> Result<Account> {
    let row: Option<(Account, Option<String>, Option<NaiveDateTime>)> = accounts::table
        .filter(accounts::identifier.eq(identifier))
        .select((
            Account::as_select(),
            accounts::reset_secret_hash,
            accounts::reset_expires_at,
        ))
        .first(conn)
        .optional()?;
    proven_by_code(row, AccountStatus::Active, secret, ctx.now, refusal)
}
