//! Checks that the caller may load files for this Caf (before the body is read).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;

/// Checks that the caller may load files for this Caf (before the body is read).
pub fn authorize_import(db: &Database, ctx: &Ctx, caf_id: CafId) -> Result<()> {
    authorize(ctx.principal(), Function::ImportFiles, Reach::Caf(caf_id))?;
    db.read(|conn| crate::store::cafs::load(conn, caf_id).map(|_| ()))
}
