//! The sign-in rules that apply to an account (by identifier).

use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use diesel::prelude::*;

/// The sign-in rules that apply to an account (by identifier): its partner's contract in force
/// for partner staff, the defaults otherwise (and for unknown identifiers); a second factor
/// wherever the account's Caf requires one.
pub fn sign_in_rules_for(
    db: &Database,
    identifier: &str,
    today: chrono::NaiveDate,
) -> Result<mcp_domain::contract::SignInRules> {
    use crate::schema::conventions;
    use mcp_domain::contract::SignInRules;
    db.read(|conn| {
        let found: Option<(Option<String>, Option<String>)> = accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select((accounts::caf_id, accounts::partner_id))
            .first(conn)
            .optional()?;
        let Some((caf_id, partner)) = found else {
            return Ok(SignInRules::default());
        };
        let caf_requires = match caf_id {
            Some(caf) => crate::schema::cafs::table
                .find(caf)
                .select(crate::schema::cafs::second_factor_required)
                .first::<bool>(conn)
                .optional()?
                .unwrap_or(false),
            None => false,
        };
        let Some(partner_id) = partner else {
            return Ok(SignInRules::default().with_caf_requirement(caf_requires));
        };
        let rows: Vec<crate::use_cases::conventions::ConventionRow> = conventions::table
            .filter(conventions::partner_id.eq(&partner_id))
            .select(crate::use_cases::conventions::ConventionRow::as_select())
            .load(conn)?;
        let contracts = rows
            .iter()
            .map(|r| {
                Ok((
                    r.life()?,
                    SignInRules {
                        password_policy: r.password_policy()?,
                        second_factor_required: r.second_factor_required,
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(mcp_domain::contract::rules_in_force(&contracts, today)
            .with_caf_requirement(caf_requires))
    })
}
