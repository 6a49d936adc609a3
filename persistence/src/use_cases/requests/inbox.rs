//! The Caf administrator's inbox.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::page::{Page, PageRequest};
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;

use super::*;

/// The Caf administrator's inbox: its partners' requests in the order they were filed, with
/// those unanswered past their contract's delay flagged.
pub fn inbox(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    filter: &RequestFilter,
    page: &PageRequest,
) -> Result<Page<RequestView>> {
    authorize(ctx.principal(), Function::ReadRequests, Reach::Caf(caf_id))?;
    db.read(|conn| {
        crate::store::cafs::load(conn, caf_id)?;
        list(
            conn,
            ctx.now,
            Some(Id(caf_id)),
            filter.partner_id.map(|p| p.to_string()),
            filter,
            page,
        )
    })
}
