//! One Caf, within the caller's reach.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;

use super::*;

/// One Caf, within the caller's reach.
pub fn get(db: &Database, ctx: &Ctx, id: CafId) -> Result<Caf> {
    authorize(ctx.principal(), Function::ReadCaf, Reach::Caf(id))?;
    db.read(|conn| load(conn, id))
}
