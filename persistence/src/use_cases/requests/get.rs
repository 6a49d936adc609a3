//! One request.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use uuid::Uuid;

use super::*;

/// One request.
pub fn get(db: &Database, ctx: &Ctx, id: Uuid) -> Result<RequestView> {
    authorize(ctx.principal(), Function::ReadRequests, Reach::National)?;
    db.read(|conn| {
        let (row, _) = load(conn, ctx, id, Function::ReadRequests)?;
        view(row, ctx.now)
    })
}
