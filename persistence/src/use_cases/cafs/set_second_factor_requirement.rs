//! Requires (or stops requiring) a second factor of the Caf's administrators and its partners'
//! staff.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::{accounts as accounts_t, cafs};
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Requires (or stops requiring) a second factor of the Caf's administrators and its partners'
/// staff. Requiring it restricts at once, on their next request, everyone concerned who has not
/// enrolled one to their own account until they do; lifting it leaves each contract's own
/// requirement, applied at their next login.
pub fn set_second_factor_requirement(
    db: &Database,
    ctx: &Ctx,
    id: CafId,
    required: bool,
) -> Result<(Caf, usize)> {
    use crate::schema::account_totp;
    authorize(ctx.principal(), Function::ManageCafSecurity, Reach::Caf(id))?;
    db.write(|conn| {
        let before = load(conn, id)?;
        diesel::update(cafs::table.find(&before.id))
            .set((
                cafs::second_factor_required.eq(required),
                cafs::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let restricted = if required && !before.second_factor_required {
            let enrolled = account_totp::table
                .filter(account_totp::confirmed_at.is_not_null())
                .select(account_totp::account_id);
            diesel::update(
                accounts_t::table
                    .filter(accounts_t::caf_id.eq(&before.id))
                    .filter(accounts_t::must_enrol_second_factor.eq(false))
                    .filter(accounts_t::id.ne_all(enrolled)),
            )
            .set(accounts_t::must_enrol_second_factor.eq(true))
            .execute(conn)?
        } else {
            0
        };
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::CafSecondFactorRequirementChanged,
                target_type: TargetType::Caf,
                target_id: Some(id.uuid()),
                caf_id: Some(id),
                outcome: Outcome::Success,
                detail: json!({ "required": required, "accounts_restricted": restricted }),
            },
        )?;
        Ok((load(conn, id)?, restricted))
    })
}
