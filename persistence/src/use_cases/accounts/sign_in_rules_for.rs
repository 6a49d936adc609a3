//! The sign-in rules that apply to an account (by identifier).

use crate::db::Database;
use crate::error::Result;

/// The sign-in rules that apply to an account (by identifier): its partner's contract in force
/// for partner staff, the defaults otherwise (and for unknown identifiers); a second factor
/// wherever the account's Caf requires one.
pub fn sign_in_rules_for(
    db: &Database,
    identifier: &str,
    today: chrono::NaiveDate,
) -> Result<mcp_domain::contract::SignInRules> {
    db.read(|conn| super::sign_in_rules(conn, identifier, today))
}
