//! One request.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::RequestId;

use super::*;

/// One request.
pub fn get(db: &Database, ctx: &Ctx, id: RequestId) -> Result<RequestView> {
    db.read(|conn| {
        let (row, _) = load(conn, ctx, id, Function::ReadRequests)?;
        view(row, ctx.now)
    })
}
