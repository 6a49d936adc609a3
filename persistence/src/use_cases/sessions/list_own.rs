//! The caller's sessions still open, most recent first.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::sessions;
use diesel::prelude::*;

use super::*;

/// The caller's sessions still open, most recent first: part of their own security, which
/// no software sees (their addresses and devices).
pub fn list_own(db: &Database, ctx: &Ctx, page: &PageRequest) -> Result<Page<Session>> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.read(|conn| {
        let mut q = sessions::table
            .filter(sessions::account_id.eq(&me))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(ctx.now))
            .into_boxed();
        if let Some(before) = &page.cursor {
            q = q.filter(sessions::id.lt(before));
        }
        let limit = page.limit();
        let rows = q
            .order(sessions::id.desc())
            .limit(limit + 1)
            .select(Session::as_select())
            .load(conn)?;
        Page::from_rows(rows, limit, |s| s.id.to_string(), Ok)
    })
}
