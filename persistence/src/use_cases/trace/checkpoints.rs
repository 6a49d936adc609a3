//! The checkpoints of the chains' ends, newest first (Cnaf auditors), to keep outside.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::store::trace_chains::Checkpoint;
use crate::Database;
use mcp_domain::access::{Function, Reach, TracePerimeter};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// A page of checkpoints, newest first; reading them is traced.
pub fn checkpoints(db: &Database, ctx: &Ctx, page: &PageRequest) -> Result<Page<Checkpoint>> {
    mcp_domain::access::authorize(ctx.principal(), Function::VerifyTraces, Reach::National)?;
    let found = db.read(|conn| crate::store::trace_chains::checkpoints(conn, page))?;
    record_reading(
        db,
        ctx,
        TraceAction::TracesRead,
        TracePerimeter::National,
        json!({"checkpoints": found.items.len()}),
    )?;
    Ok(found)
}
