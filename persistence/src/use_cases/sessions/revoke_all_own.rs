//! Ends every open session of the caller ("log out everywhere").

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;

use super::*;

/// Ends every open session of the caller ("log out everywhere"); returns how many.
pub fn revoke_all_own(db: &Database, ctx: &Ctx) -> Result<usize> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = Id(ctx.principal().account_id());
    db.write(|conn| {
        revoke_others_in(
            conn,
            ctx,
            me,
            None,
            mcp_domain::vocabulary::SessionEnd::LogoutEverywhere,
        )
    })
}
