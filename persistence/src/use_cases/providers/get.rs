//! One notice of providers.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::ProviderNoticeId;

use super::*;

/// One notice, for the partner's administrators, its Caf and the Cnaf.
pub fn get(db: &Database, ctx: &Ctx, id: ProviderNoticeId) -> Result<NoticeRow> {
    db.read(|conn| load_for(conn, ctx, id, Function::ReadRequests))
}
