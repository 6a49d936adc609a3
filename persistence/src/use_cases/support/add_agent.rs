//! A Caf's administrator registers an agent of its service centre.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::accounts::{self, Account};
use crate::store::trace::{self, Event, Outcome};
use mcp_domain::access::{authorize, Function, Reach, Role};
use mcp_domain::ids::CafId;
use mcp_domain::person::Person;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

/// Registers an agent of the Caf's service centre (its administrators, or the Cnaf): the person
/// receives their identifier and activation code; agents follow the partners' requests and read
/// their registry and habilitations to diagnose, nothing else.
pub fn add_agent(db: &Database, ctx: &Ctx, caf_id: CafId, person: &Person) -> Result<Account> {
    authorize(
        ctx.principal(),
        Function::ManageServiceCentreAgents,
        Reach::Caf(caf_id),
    )?;
    db.write(|conn| {
        let caf = crate::store::cafs::load(conn, caf_id)?;
        let role = Role::ServiceCentreAgent;
        let account = accounts::invite(
            conn,
            ctx.now,
            role,
            Some(caf_id),
            None,
            person,
            crate::store::accounts::Welcome {
                organisation: &caf.name,
                links: db.links(),
            },
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                action: TraceAction::ServiceCentreAgentCreated,
                target_type: TargetType::Account,
                target_id: Some(account.id.get().uuid()),
                caf_id: Some(caf_id),
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({
                    "identifier": account.identifier, "full_name": account.full_name,
                    "role": role.code(),
                }),
            },
        )?;
        Ok(account)
    })
}
