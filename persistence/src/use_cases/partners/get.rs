//! One partner.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use uuid::Uuid;

use super::*;

/// One partner.
pub fn get(db: &Database, ctx: &Ctx, id: Uuid) -> Result<Partner> {
    db.read(|conn| load_for(conn, ctx, id, Function::ReadPartners))
}
