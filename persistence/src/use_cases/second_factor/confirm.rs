//! Confirms the caller's pending enrolment once a first code matched at `step`.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::account_totp;
use crate::use_cases::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::vocabulary::TraceAction;
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

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
                ErrorCode::NoPendingEnrolment,
                "no second factor is waiting for confirmation",
            )
            .into());
        }
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::AccountTotpEnrolled,
                target_type: "account",
                target_id: Some(crate::uuid(&me)?),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: json!({}),
            },
        )
    })
}
