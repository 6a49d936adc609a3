//! One campaign with its items (those who read reviews, within their reach).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::{authorize, Function};
use mcp_domain::ids::CampaignId;

use super::*;

/// One campaign with its items (those who read reviews, within their reach).
pub fn get(db: &Database, ctx: &Ctx, id: CampaignId) -> Result<(CampaignView, Vec<ItemView>)> {
    db.read(|conn| {
        let c = load_campaign(conn, id)?;
        authorize(ctx.principal(), Function::ReadReviews, c.reach()?)?;
        let items = item_views(conn, c.id)?;
        Ok((view(conn, c, ctx.today())?, items))
    })
}
