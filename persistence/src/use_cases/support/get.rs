//! One request to the service centre, with its thread.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SupportRequestId;

use super::*;

/// One request with every exchange kept on it: for the partner's support structure and the
/// Caf's service centre.
pub fn get(db: &Database, ctx: &Ctx, id: SupportRequestId) -> Result<SupportRequest> {
    db.read(|conn| {
        let (row, _) = load_for(conn, ctx, id)?;
        read(conn, row)
    })
}
