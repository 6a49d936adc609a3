//! Registers an administrator of a Caf (Cnaf only).

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

/// Registers an administrator of a Caf (Cnaf only). The person receives their identifier and a
/// one-time activation code through the outbox; the operator never sees the code.
pub fn add_administrator(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    person: &Person,
) -> Result<Account> {
    authorize(
        ctx.principal(),
        Function::ManageCafAdministrators,
        Reach::Caf(caf_id),
    )?;
    db.write(|conn| {
        let caf = load(conn, caf_id)?;
        let account = accounts::invite(
            conn,
            ctx.now,
            Role::CafAdministrator,
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
                partner_id: None,
                action: TraceAction::CafAdministratorCreated,
                target_type: TargetType::Account,
                target_id: Some(account.id.get().uuid()),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: json!({ "identifier": account.identifier, "full_name": account.full_name }),
            },
        )?;
        Ok(account)
    })
}
