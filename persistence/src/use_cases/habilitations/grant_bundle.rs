//! Grants every profile of a role bundle to one holder for one mission.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::role_bundles;
use crate::store::staff::{self};
use chrono::NaiveDate;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::habilitation::Holder;
use mcp_domain::ids::{BundleId, MissionId, SubscriptionId};
use mcp_domain::DomainError;

use super::*;

/// Grants every profile of a role bundle to one holder for one mission: all or none.
pub fn grant_bundle(
    db: &Database,
    ctx: &Ctx,
    bundle_id: BundleId,
    holder: Holder,
    mission_id: MissionId,
    ends_on: Option<NaiveDate>,
) -> Result<Vec<HabilitationView>> {
    db.write(|conn| {
        let b: RoleBundle = role_bundles::table
            .find(bundle_id.to_string())
            .select(RoleBundle::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let partner =
            staff::managed_partner(conn, ctx, b.partner_id.get(), Function::ManageHabilitations)?;
        // Every subscription the bundle may touch, locked in a fixed order first.
        let mut subs: Vec<Id<SubscriptionId>> =
            crate::store::subscriptions::live_subscriptions(conn, partner.id, ctx.today())?
                .into_iter()
                .map(|(_, s)| s.id)
                .collect();
        subs.sort();
        for s in &subs {
            lock_subscription(conn, *s)?;
        }
        let mut out = vec![];
        for profile_id in b.profiles()? {
            let req = GrantRequest {
                holder,
                profile_id: profile_id.into(),
                mission_id,
                ends_on,
            };
            let h = grant_in(conn, ctx, &partner, &req, Some(b.id))?;
            out.push(view(conn, h)?);
        }
        Ok(out)
    })
}
