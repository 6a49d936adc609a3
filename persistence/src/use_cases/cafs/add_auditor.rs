//! Registers an auditor (Cnaf operators).

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

use super::*;

/// Registers an auditor (Cnaf operators): of one Caf with `caf_id`, of the Cnaf without. The
/// person receives their identifier and activation code; auditors read traces and habilitation
/// history, nothing else.
pub fn add_auditor(
    db: &Database,
    ctx: &Ctx,
    caf_id: Option<CafId>,
    person: &Person,
) -> Result<Account> {
    let reach = caf_id.map_or(Reach::National, Reach::Caf);
    authorize(ctx.principal(), Function::ManageAuditors, reach)?;
    db.write(|conn| {
        let (role, organisation) = match caf_id {
            Some(c) => (Role::CafAuditor, load(conn, c)?.name),
            None => (Role::CnafAuditor, "Cnaf".to_string()),
        };
        let account = accounts::invite(
            conn,
            ctx.now,
            role,
            caf_id,
            None,
            person,
            crate::store::accounts::Welcome {
                organisation: &organisation,
                links: db.links(),
            },
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                action: TraceAction::AuditorCreated,
                target_type: TargetType::Account,
                target_id: Some(account.id.get().uuid()),
                caf_id,
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
