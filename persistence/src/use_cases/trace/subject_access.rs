//! Produces a person's own traces for their partner's administrator.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::schema::traces;
use crate::store::accounts::Account;
use crate::Database;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::{AccountId, PartnerId};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;

use super::*;

/// A person's own traces, produced at their request by their partner's administrator
/// (RGPD art. 15).
#[derive(Debug, Clone)]
pub struct SubjectAccess {
    /// The person.
    pub account: Account,
    /// When it was produced.
    pub produced_at: NaiveDateTime,
    /// Every kept trace of what they did or what was done to their account, oldest first.
    pub traces: Vec<Trace>,
}

/// Produces a person's own traces for their partner's administrator; the production is traced
/// in the same transaction.
pub fn subject_access(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    account_id: AccountId,
) -> Result<SubjectAccess> {
    db.write(|conn| {
        crate::store::partners::load_for(conn, ctx, partner_id, Function::ProduceSubjectAccess)?;
        let account: crate::store::accounts::Account = crate::schema::accounts::table
            .find(account_id.to_string())
            .filter(crate::schema::accounts::partner_id.eq(partner_id.to_string()))
            .select(crate::use_cases::accounts::Account::as_select())
            .first(conn)
            .optional()?
            .ok_or(DomainError::NotFound)?;
        let id = account.id;
        let traces: Vec<Trace> = traces::table
            .filter(
                traces::actor_account_id
                    .eq(&id)
                    .or(traces::target_id.eq(&id)),
            )
            .select(Trace::as_select())
            .order(traces::id.asc())
            .load(conn)?;
        record(
            conn,
            ctx,
            Event {
                action: TraceAction::TracesSubjectAccessProduced,
                target_type: TargetType::Account,
                target_id: Some(account_id.into()),
                caf_id: None,
                partner_id: Some(partner_id),
                outcome: Outcome::Success,
                detail: json!({ "traces": traces.len() }),
            },
        )?;
        Ok(SubjectAccess {
            account,
            produced_at: ctx.now,
            traces,
        })
    })
}
