//! A software ends the session one of its tokens belongs to: token revocation (RFC 7009) or the
//! person's logout through it (OpenID Connect RP-Initiated Logout).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::use_cases::sessions::{open_session_of_software, revoke_in, Presented};
use mcp_domain::ids::ClientId;
use mcp_domain::vocabulary::SessionEnd;

/// Ends the open session of the software `client_id` that `presented` belongs to, traced as
/// the person's action through the software, with `reason`; gives whether there was one (a
/// token unknown, already ended or another software's ends nothing).
pub fn end_software_session(
    db: &Database,
    ctx: &Ctx,
    client_id: ClientId,
    presented: Presented<'_>,
    reason: SessionEnd,
) -> Result<bool> {
    db.write(|conn| {
        let found = open_session_of_software(conn, ctx.now, crate::id::Id(client_id), presented)?;
        let Some((session, holder)) = found else {
            return Ok(false);
        };
        let ctx = ctx.acting_as(session.principal(&holder));
        revoke_in(
            conn,
            &ctx,
            &session,
            reason,
            holder.caf_id.map(crate::id::Id::get),
        )?;
        Ok(true)
    })
}
