//! Withdraws a delegation (the partner's administrators).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::delegations;
use crate::store::partners::{self};
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::habilitation::check_reason;
use mcp_domain::ids::DelegationId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// Withdraws a delegation (the partner's administrators): the manager loses their management
/// functions on their next request.
pub fn withdraw_delegation(
    db: &Database,
    ctx: &Ctx,
    id: DelegationId,
    reason: &str,
) -> Result<DelegationRow> {
    let reason = check_reason("reason", reason)?;
    db.write(|conn| {
        let row: DelegationRow = delegations::table
            .find(id.to_string())
            .select(DelegationRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        partners::load_for(
            conn,
            ctx,
            row.partner_id.get().uuid().into(),
            Function::ManageDelegations,
        )?;
        if row.withdrawn_at.is_some() {
            return Err(DomainError::conflict(
                ErrorCode::DelegationWithdrawn,
                mcp_domain::msg!(
                    "cette délégation a déjà été retirée",
                    "this delegation was already withdrawn"
                ),
            )
            .into());
        }
        end_delegation_of(
            conn,
            ctx.now,
            row.account_id,
            ctx.principal().account_id.into(),
            &reason,
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(row.partner_id.get()),
                action: TraceAction::DelegationWithdrawn,
                target_type: TargetType::Delegation,
                target_id: Some(id.uuid()),
                caf_id: Some(row.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "account_id": row.account_id, "reason": reason }),
            },
        )?;
        Ok(DelegationRow {
            withdrawn_at: Some(ctx.now),
            withdrawn_by: Some(Id(ctx.principal().account_id)),
            withdrawn_reason: Some(reason.clone()),
            ..row
        })
    })
}
