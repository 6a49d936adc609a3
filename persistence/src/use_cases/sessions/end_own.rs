//! Ends another of the caller's sessions, seen in their list.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SessionId;

use super::*;

/// Ends another of the caller's sessions, seen in their list.
pub fn end_own(db: &Database, ctx: &Ctx, session_id: SessionId) -> Result<()> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    revoke_own(
        db,
        ctx,
        session_id,
        mcp_domain::vocabulary::SessionEnd::EndedByOwner,
    )
}
