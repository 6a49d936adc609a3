//! Quota use across a Caf's partners.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::store::partners::Partner;
use crate::DbConnection;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;

use super::*;

/// Quota use across a Caf's partners, partner by partner in creation order; with `over_only`, only the profiles held by more people
/// than their quota allows (after a lowering) — what the Caf must have resolved.
pub fn caf_quota_use(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    over_only: bool,
    page: &PageRequest,
) -> Result<Page<QuotaLine>> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::Caf(caf_id),
    )?;
    db.read(|conn| {
        crate::store::cafs::load(conn, caf_id)?;
        use crate::schema::partners;
        let partners_after = |conn: &mut DbConnection, after: Option<&str>, n: i64| {
            let mut q = partners::table
                .filter(partners::caf_id.eq(caf_id.to_string()))
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(partners::id.gt(after.to_string()));
            }
            Ok(q.order(partners::id.asc())
                .limit(n)
                .select(Partner::as_select())
                .load(conn)?)
        };
        // A page ends at a partner's boundary: a partner's lines stay on one page.
        Page::by_groups(
            page,
            conn,
            partners_after,
            |p: &Partner| p.id.to_string(),
            |conn, p| {
                Ok(quota_lines(conn, &p, ctx.today())?
                    .into_iter()
                    .filter(|l| !over_only || l.usage.over_by() > 0)
                    .collect())
            },
        )
    })
}
