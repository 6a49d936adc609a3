//! Creates a national (Cnaf) operator from the console.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Role;
use mcp_domain::person::Person;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};

use super::*;

/// Creates a national (Cnaf) operator from the console. Refused once an active operator exists:
/// from then on, people are registered through the API by those who may.
pub fn bootstrap_cnaf_operator(
    db: &Database,
    ctx: &Ctx,
    person: &Person,
) -> Result<(Account, Activation)> {
    db.write(|conn| {
        let active: i64 = accounts::table
            .filter(accounts::role.eq(Role::CnafOperator.code()))
            .filter(accounts::status.eq(AccountStatus::Active.code()))
            .count()
            .get_result(conn)?;
        if active > 0 {
            return Err(DomainError::conflict(
                ErrorCode::AlreadyBootstrapped,
                mcp_domain::msg!("un opérateur actif de la Cnaf existe déjà ; enregistrez les personnes par l'API", "an active Cnaf operator exists; register people through the API"),
            )
            .into());
        }
        let (account, activation) = create(conn, ctx.now, Role::CnafOperator, None, None, person)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::AccountBootstrapped,
                target_type: TargetType::Account,
                target_id: Some(account.id.get().uuid()),
                caf_id: None,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "identifier": account.identifier, "role": account.role }),
            },
        )?;
        Ok((account, activation))
    })
}
