//! Ends one of the caller's own sessions (logout.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::sessions;
use diesel::prelude::*;
use mcp_domain::ids::SessionId;
use mcp_domain::vocabulary::SessionEnd;
use mcp_domain::DomainError;

use super::*;

/// Ends one of the caller's own sessions (logout: software may end the session it acts in).
/// Another person's session does not exist for the caller.
pub fn revoke_own(
    db: &Database,
    ctx: &Ctx,
    session_id: SessionId,
    reason: SessionEnd,
) -> Result<()> {
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| {
        let session: Session = sessions::table
            .find(session_id.to_string())
            .filter(sessions::account_id.eq(&me))
            .select(Session::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        if session.revoked_at.is_some() {
            return Ok(());
        }
        revoke_in(conn, ctx, &session, reason, caf_of(ctx.principal()))
    })
}
