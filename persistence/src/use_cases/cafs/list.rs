//! The Cafs within the caller's reach, by registration order.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::cafs;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};

use super::*;

/// The Cafs within the caller's reach, by registration order.
pub fn list(db: &Database, ctx: &Ctx, page: &PageRequest) -> Result<Page<Caf>> {
    authorize(ctx.principal(), Function::ReadCaf, Reach::National)?;
    let scope = ctx.principal().caf_scope();
    db.read(|conn| {
        let mut q = cafs::table.select(Caf::as_select()).into_boxed();
        if let Some(own) = scope {
            q = q.filter(cafs::id.eq(own.to_string()));
        }
        if let Some(c) = &page.cursor {
            q = q.filter(cafs::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q.order(cafs::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(rows, limit, |c: &Caf| c.id.to_string(), Ok)
    })
}
