//! Suspends, reinstates or devalidates a habilitation.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::staff::{self};
use mcp_domain::access::{authorize, authorize_profile, Function};
use mcp_domain::habilitation::check_reason;
use mcp_domain::ids::HabilitationId;
use mcp_domain::vocabulary::HolderKind;
use mcp_domain::vocabulary::TraceAction;

use super::*;

/// Suspends, reinstates or devalidates a habilitation. The partner's managers do it within
/// their delegation while in mode délégué, but not to an administrator's; the Caf suspends and
/// reinstates any habilitation of its partners as a precaution (S-art. 2.2.1), only the Caf
/// lifts its own suspensions, and the Caf devalidates the administrators' habilitations
/// (S-art. 2.2.2) and, once management is its own, anyone's.
pub fn change_status(
    db: &Database,
    ctx: &Ctx,
    id: HabilitationId,
    change: StatusChange,
    reason: &str,
) -> Result<HabilitationView> {
    let reason = check_reason("reason", reason)?;
    let by_caf = !ctx.principal().is_partner_staff();
    db.write(|conn| {
        let h = load(conn, id)?;
        // The people the habilitation reaches: an administrator's are the Caf's to manage.
        let holder = crate::read_code(&h.holder_kind, HolderKind::from_code)?;
        let people = match holder {
            HolderKind::Account => std::collections::BTreeSet::from([crate::uuid(&h.holder_id)?]),
            HolderKind::Group => std::collections::BTreeSet::new(),
        };
        if by_caf {
            authorize(
                ctx.principal(),
                Function::SuperviseHabilitations,
                reach_of(&h)?,
            )?;
            // Suspending is supervision; devalidating is management (an administrator's, or
            // anyone's once management is the Caf's).
            if change == StatusChange::Devalidate {
                check_manager_of(conn, ctx, h.partner_id, &people)?;
            }
        } else {
            staff::managed_partner(conn, ctx, h.partner_id.get(), Function::ManageHabilitations)?;
            authorize_profile(ctx.principal(), h.profile_id.get())?;
            check_manager_of(conn, ctx, h.partner_id, &people)?;
        }
        let status = h.status()?;
        let (to, action) = match change {
            StatusChange::Suspend => (status.suspend()?, TraceAction::HabilitationSuspended),
            StatusChange::Reinstate => (
                status.reinstate(h.suspended_by_caf, by_caf)?,
                TraceAction::HabilitationReinstated,
            ),
            StatusChange::Devalidate => {
                (status.devalidate()?, TraceAction::HabilitationDevalidated)
            }
        };
        let h = set_status(conn, ctx, &h, to, by_caf, &reason, action)?;
        view(conn, h)
    })
}
