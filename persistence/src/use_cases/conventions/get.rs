//! One convention.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::ConventionId;

use super::*;

/// One convention.
pub fn get(db: &Database, ctx: &Ctx, id: ConventionId) -> Result<Convention> {
    db.read(|conn| load_for(conn, ctx, id, Function::ReadPartners))
}
