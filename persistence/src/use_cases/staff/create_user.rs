//! Creates a user of the partner (a management function).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::accounts::Account;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;
use mcp_domain::person::Person;
use mcp_domain::DomainError;

use super::*;

/// Creates a user of the partner (a management function). The person receives their identifier
/// and activation code by message: the manager never sees a password (C-art. 9.1).
pub fn create_user(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    person: &Person,
) -> Result<Account> {
    if person.phone.is_none() {
        return Err(DomainError::field(
            "phone",
            "required",
            mcp_domain::msg!(
                "un utilisateur du partenaire indique au moins un numéro de téléphone",
                "a partner user gives at least one telephone number"
            ),
        )
        .into());
    }
    db.write(|conn| {
        let partner = managed_partner(conn, ctx, partner_id, Function::ManageUsers)?;
        create_user_in(conn, ctx, &partner, person, None, db.links())
    })
}
