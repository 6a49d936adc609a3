//! One partner.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// One partner.
pub fn get(db: &Database, ctx: &Ctx, id: PartnerId) -> Result<Partner> {
    db.read(|conn| load_for(conn, ctx, id, Function::ReadPartners))
}
