//! The subscriptions of a convention.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::conventions::{self};
use mcp_domain::access::Function;
use mcp_domain::ids::ConventionId;

use super::*;

/// The subscriptions of a convention.
pub fn list(
    db: &Database,
    ctx: &Ctx,
    convention_id: ConventionId,
) -> Result<Vec<SubscriptionView>> {
    db.read(|conn| {
        let conv = conventions::load_for(conn, ctx, convention_id, Function::ReadPartners)?;
        let subs = for_convention(conn, conv.row.id)?;
        Ok(subs
            .into_iter()
            .map(|s| view(&conv, s, ctx.today()))
            .collect())
    })
}
