//! The Caf suspends accesses as a precaution from an incident.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::suspensions::change_suspension;
use mcp_domain::access::Function;
use mcp_domain::convention::Party;
use mcp_domain::ids::{AccountId, SecurityIncidentId};
use mcp_domain::incident;
use mcp_domain::vocabulary::{AccountStatus, TraceAction};
use serde_json::json;

use super::*;

/// Suspends, as a precaution, the accounts `accounts` — the incident's accounts concerned when
/// none are given — of an incident not closed (the Caf's administrators, who supervise the
/// partner's staff). Each suspension ends the account's sessions and is traced with the
/// incident; accounts already suspended or closed are left as they are. The suspension is
/// recorded as a measure, and the partner is told.
pub fn suspend_accesses(
    db: &Database,
    ctx: &Ctx,
    id: SecurityIncidentId,
    accounts: &[AccountId],
) -> Result<IncidentRow> {
    db.write(|conn| {
        let n = load_for(conn, ctx, id, Function::HandleIncidents)?;
        incident::check_open(n.closed_at)?;
        let asked = if accounts.is_empty() {
            n.accounts()?
        } else {
            accounts.to_vec()
        };
        let own = partner_accounts(conn, n.partner_id.get())?;
        incident::check_suspension(&asked, &own)?;
        let mut suspended = vec![];
        for account_id in asked {
            let account = crate::store::accounts::load_supervised(conn, ctx, account_id)?;
            if crate::read_code(&account.status, AccountStatus::from_code)? != AccountStatus::Active
            {
                continue;
            }
            change_suspension(
                conn,
                ctx,
                &account,
                true,
                json!({ "reason": "security_incident", "incident": n.id.uuid() }),
            )?;
            suspended.push(account_id);
        }
        let text = incident::suspension_measure(suspended.len());
        let mut measures = n.measures()?;
        measures.push(Measure {
            at: ctx.now,
            by: ctx.principal().account_id(),
            side: Party::Caf,
            text: text.clone(),
        });
        set_measures(conn, n.id, &measures)?;
        let name = partner_name(conn, ctx, &n)?;
        tell(
            conn,
            ctx,
            &n,
            Party::Partner,
            &incident::measure_message(&name, Party::Caf, &text),
        )?;
        traced(
            conn,
            ctx,
            &n,
            TraceAction::SecurityIncidentAccessesSuspended,
            json!({ "suspended": suspended }),
        )?;
        load(conn, id)
    })
}
