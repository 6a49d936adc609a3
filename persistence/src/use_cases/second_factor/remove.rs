//! Removes the caller's second factor, proven with their password.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::account_totp;
use crate::store::trace::{self, Event, Outcome};
use crate::use_cases::accounts::OwnPassword;
use diesel::prelude::*;
use mcp_domain::throttle::ThrottlePolicy;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;

/// Removes the caller's second factor (a lost or replaced device), proven with their password:
/// a wrong one counts as a failed sign-in.
pub fn remove(db: &Database, ctx: &Ctx, password: &str, policy: ThrottlePolicy) -> Result<()> {
    let proof = OwnPassword::check(db, ctx, password, policy)?;
    let me = ctx.principal().account_id();
    db.write(|conn| {
        if let Err(refused) = proof.decide(conn, ctx, password, "password")? {
            return Ok(Err(refused));
        }
        let removed = diesel::delete(account_totp::table.find(Id(me))).execute(conn)?;
        if removed == 0 {
            return Ok(Err(Error::Domain(DomainError::NotFound)));
        }
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::AccountTotpRemoved,
                target_type: TargetType::Account,
                target_id: Some(me.uuid()),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: json!({}),
            },
        )?;
        Ok(Ok(()))
    })?
}
