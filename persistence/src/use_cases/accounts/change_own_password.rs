//! Replaces the caller's password.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::ids::SessionId;
use mcp_domain::throttle::ThrottlePolicy;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;

use super::*;

/// Replaces the caller's password, proven with the current one (a wrong one counts as a failed
/// sign-in), with a new one under the policy that applies to the account; every other session
/// of theirs ends (a password is changed when it may be known to someone else).
pub fn change_own_password(
    db: &Database,
    ctx: &Ctx,
    current_session: SessionId,
    current: &str,
    new: &str,
    policy: ThrottlePolicy,
) -> Result<usize> {
    let proof = OwnPassword::check(db, ctx, current, policy)?;
    let new_hash = if proof.matched() {
        let rules = sign_in_rules_for(db, &proof.identifier, ctx.today())?;
        mcp_domain::password::check(rules.password_policy, new, &proof.identifier)
            .map_err(|e| e.for_field("new_password"))?;
        if new == current {
            return Err(DomainError::field(
                "new_password",
                "password_unchanged",
                mcp_domain::msg!(
                    "choisissez un mot de passe différent de l'actuel",
                    "choose a password other than the current one"
                ),
            )
            .into());
        }
        Some(crate::credentials::hash_password(new)?)
    } else {
        None
    };
    let id = Id(ctx.principal().account_id());
    db.write(|conn| {
        if let Err(refused) = proof.decide(conn, ctx, current, "current_password")? {
            return Ok(Err(refused));
        }
        // Right now although it did not match when checked (changed meanwhile): refused
        // as it was checked, not counted.
        let Some(new_hash) = &new_hash else {
            return Ok(Err(DomainError::field(
                "current_password",
                "wrong_password",
                mcp_domain::msg!(
                    "ce n'est pas votre mot de passe actuel",
                    "this is not your current password"
                ),
            )
            .into()));
        };
        diesel::update(accounts::table.find(&id))
            .set((
                accounts::password_hash.eq(new_hash),
                accounts::password_changed_at.eq(ctx.now),
                accounts::must_change_password.eq(false),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = crate::store::sessions::revoke_others_in(
            conn,
            ctx,
            id,
            Some(current_session.into()),
            mcp_domain::vocabulary::SessionEnd::PasswordChanged,
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::AccountPasswordChanged,
                target_type: TargetType::Account,
                target_id: Some(id.uuid()),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: serde_json::json!({ "other_sessions_ended": ended }),
            },
        )?;
        Ok(Ok(ended))
    })?
}
