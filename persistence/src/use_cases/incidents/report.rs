//! A partner reports a security incident in its perimeter.

use chrono::NaiveDateTime;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use mcp_domain::access::Function;
use mcp_domain::convention::Party;
use mcp_domain::ids::{AccountId, PartnerId, SecurityIncidentId};
use mcp_domain::incident::{self, Report};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// What the partner reports.
#[derive(Debug, Clone)]
pub struct Reported<'a> {
    /// A `Nature` code.
    pub nature: &'a str,
    /// What it knows.
    pub description: &'a str,
    /// When it was detected.
    pub detected_at: NaiveDateTime,
    /// Its accounts whose access may be endangered.
    pub accounts: &'a [AccountId],
}

/// Reports an incident (the partner's administrators, without delay: C-art. 9.2); the Caf's
/// security officers and administrators are told in the same transaction.
pub fn report(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    r: Reported<'_>,
) -> Result<IncidentRow> {
    db.write(|conn| {
        let partner =
            crate::store::partners::load_for(conn, ctx, partner_id, Function::ReportIncidents)?;
        let own = partner_accounts(conn, partner_id)?;
        let checked = Report::check(
            r.nature,
            r.description,
            r.detected_at,
            r.accounts,
            &own,
            ctx.now,
        )?;
        let id: Id<SecurityIncidentId> = Id::new();
        let caf_id = partner.caf_id.get();
        insert(
            conn,
            id,
            (caf_id, partner_id),
            &checked,
            ctx.principal().account_id(),
            ctx.now,
        )?;
        let row = load(conn, id.get())?;
        let told = tell(
            conn,
            ctx,
            &row,
            Party::Caf,
            &incident::reported_message(&partner.name, &checked),
        )?;
        traced(
            conn,
            ctx,
            &row,
            TraceAction::SecurityIncidentReported,
            json!({
                "nature": checked.nature.code(),
                "detected_at": checked.detected_at,
                "accounts_concerned": checked.accounts,
                "told": told,
            }),
        )?;
        Ok(row)
    })
}
