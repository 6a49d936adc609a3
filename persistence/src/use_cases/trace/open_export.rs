//! Opens an export for the caller.

use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use mcp_domain::access::trace_perimeter;

use super::*;
use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;

/// Opens an export for the caller: decides access and traces the export before any line
/// leaves; the batches are then read with [`Export::next_batch`].
pub fn open_export(db: &Database, ctx: &Ctx, filter: TraceFilter, format: &str) -> Result<Export> {
    let perimeter = trace_perimeter(ctx.principal())?;
    record_reading(
        db,
        ctx,
        TraceAction::TracesExported,
        perimeter,
        json!({ "filter": filter.describe(), "format": format }),
    )?;
    Ok(Export { perimeter, filter })
}
