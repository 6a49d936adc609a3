//! How a partner uses each profile's quota, over its conventions not terminated.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::use_cases::partners::{self};
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// How a partner uses each profile's quota, over its conventions not terminated.
pub fn quota_use(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<Vec<QuotaLine>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| quota_lines(conn, &partner, ctx.today()),
    )
}
