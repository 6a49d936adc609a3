//! Confirms the caller's pending enrolment with a first code.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::account_totp;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// Confirms the caller's pending enrolment with a first code of the authenticator app: from
/// then on, sign-ins need a code. 404 when nothing is pending.
pub fn confirm(db: &Database, ctx: &Ctx, code: &str) -> Result<()> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = Id(ctx.principal().account_id());
    db.write(|conn| {
        let pending = of(conn, me)?
            .filter(|t| t.confirmed_at.is_none())
            .ok_or(DomainError::NotFound)?;
        let identifier: String = crate::schema::accounts::table
            .find(&me)
            .select(crate::schema::accounts::identifier)
            .first(conn)?;
        let step = crate::credentials::totp_step(
            &pending.secret,
            &identifier,
            pending.last_used_step,
            code,
            ctx.now,
        )?
        .ok_or_else(|| {
            DomainError::field(
                "code",
                "wrong_otp",
                mcp_domain::msg!(
                    "ce code ne correspond pas : vérifiez l'heure de l'appareil",
                    "this code does not match: check the device's clock"
                ),
            )
        })?;
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
                mcp_domain::msg!(
                    "aucun second facteur n'attend de confirmation",
                    "no second factor is waiting for confirmation"
                ),
            )
            .into());
        }
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::AccountTotpEnrolled,
                target_type: TargetType::Account,
                target_id: Some(me.uuid()),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: json!({}),
            },
        )
    })
}
