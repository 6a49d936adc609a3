//! Removes the caller's second factor (the caller proved they hold it).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::account_totp;
use crate::use_cases::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::vocabulary::TraceAction;
use mcp_domain::DomainError;
use serde_json::json;

/// Removes the caller's second factor (the caller proved they hold it).
pub fn remove(db: &Database, ctx: &Ctx) -> Result<()> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| {
        let removed = diesel::delete(account_totp::table.find(&me)).execute(conn)?;
        if removed == 0 {
            return Err(Error::Domain(DomainError::NotFound));
        }
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::AccountTotpRemoved,
                target_type: "account",
                target_id: Some(crate::uuid(&me)?),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: json!({}),
            },
        )
    })
}
