//! One subscription.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::SubscriptionId;

use super::*;

/// One subscription.
pub fn get(db: &Database, ctx: &Ctx, id: SubscriptionId) -> Result<SubscriptionView> {
    db.read(|conn| {
        let (conv, sub) = load_for(conn, ctx, id, Function::ReadPartners)?;
        Ok(view(&conv, sub, ctx.today()))
    })
}
