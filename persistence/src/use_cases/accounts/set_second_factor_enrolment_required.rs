//! Records whether an account must enrol a second factor before anything else (its contract
//! requires one it has not enrolled), checked at each login.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use crate::use_cases::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::vocabulary::TraceAction;

use super::*;

/// Records whether an account must enrol a second factor before anything else (its contract
/// requires one it has not enrolled), checked at each login; traced when it becomes required.
pub fn set_second_factor_enrolment_required(
    db: &Database,
    ctx: &Ctx,
    account: &LoginCandidate,
    required: bool,
) -> Result<()> {
    if account.must_enrol_second_factor == required {
        return Ok(());
    }
    db.write(|conn| {
        diesel::update(accounts::table.find(&account.id))
            .set(accounts::must_enrol_second_factor.eq(required))
            .execute(conn)?;
        if required {
            trace::record(
                conn,
                ctx,
                Event {
                    partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                    action: TraceAction::AccountSecondFactorRequired,
                    target_type: "account",
                    target_id: Some(crate::uuid(&account.id)?),
                    caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                    outcome: Outcome::Success,
                    detail: serde_json::json!({ "reason": "the contract requires a second factor" }),
                },
            )?;
        }
        Ok(())
    })
}
