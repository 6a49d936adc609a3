//! The evidence of past purges, newest first.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::retention_purges;
use crate::Database;
use diesel::prelude::*;
use mcp_domain::access::{Function, Reach};

use super::*;

/// The evidence of past purges, newest first: Cnaf auditors.
pub fn purges(db: &Database, ctx: &Ctx, page: &PageRequest) -> Result<Page<PurgeRecord>> {
    mcp_domain::access::authorize(ctx.principal(), Function::VerifyTraces, Reach::National)?;
    db.read(|conn| {
        let mut q = retention_purges::table
            .select(PurgeRecord::as_select())
            .into_boxed();
        if let Some(c) = &page.cursor {
            q = q.filter(retention_purges::id.lt(c.clone()));
        }
        let limit = page.limit();
        let rows = q
            .order(retention_purges::id.desc())
            .limit(limit + 1)
            .load(conn)?;
        Page::from_rows(rows, limit, |r: &PurgeRecord| r.id.clone(), Ok)
    })
}
