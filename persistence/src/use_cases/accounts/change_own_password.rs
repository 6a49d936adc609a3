//! Replaces the caller's password.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use crate::use_cases::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::vocabulary::TraceAction;
use uuid::Uuid;

/// Replaces the caller's password; every other session of theirs ends (a password is changed
/// when it may be known to someone else).
pub fn change_own_password(
    db: &Database,
    ctx: &Ctx,
    current_session: Uuid,
    new_hash: &str,
) -> Result<usize> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let id = ctx.principal().account_id().to_string();
    db.write(|conn| {
        diesel::update(accounts::table.find(&id))
            .set((
                accounts::password_hash.eq(new_hash),
                accounts::password_changed_at.eq(ctx.now),
                accounts::must_change_password.eq(false),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = crate::use_cases::sessions::revoke_others_in(
            conn,
            ctx,
            &id,
            Some(current_session),
            "password_changed",
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::AccountPasswordChanged,
                target_type: "account",
                target_id: Some(crate::uuid(&id)?),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: serde_json::json!({ "other_sessions_ended": ended }),
            },
        )?;
        Ok(ended)
    })
}
