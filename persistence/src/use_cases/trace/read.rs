//! A page of the traces the caller may read.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::Database;
use mcp_domain::access::trace_perimeter;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// A page of the traces the caller may read; the reading is traced before anything is shown.
pub fn read(
    db: &Database,
    ctx: &Ctx,
    filter: &TraceFilter,
    page: &PageRequest,
) -> Result<Page<Trace>> {
    let perimeter = trace_perimeter(ctx.principal())?;
    let p = db.read(|conn| list(conn, perimeter, filter, page))?;
    record_reading(
        db,
        ctx,
        TraceAction::TracesRead,
        perimeter,
        json!({ "filter": filter.describe(), "cursor": page.cursor, "returned": p.items.len() }),
    )?;
    Ok(p)
}
