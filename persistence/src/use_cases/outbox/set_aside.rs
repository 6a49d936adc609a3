//! The messages set aside after their last attempt: the Cnaf's operators see them.

use mcp_domain::access::{authorize, Function, Reach};

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::store::outbox::{self, SetAside};

/// The messages set aside, oldest first.
pub fn set_aside(db: &Database, ctx: &Ctx, page: &PageRequest) -> Result<Page<SetAside>> {
    authorize(
        ctx.principal(),
        Function::SuperviseDelivery,
        Reach::National,
    )?;
    let limit = page.limit();
    db.read(|conn| {
        let rows = outbox::set_aside(conn, page.cursor.as_deref(), limit + 1)?;
        Page::from_rows(rows, limit, |m| m.id.clone(), Ok)
    })
}
