//! Quota use across a Caf's partners.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::partners::Partner;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;

use super::*;

/// Quota use across a Caf's partners; with `over_only`, only the profiles held by more people
/// than their quota allows (after a lowering) — what the Caf must have resolved.
pub fn caf_quota_use(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    over_only: bool,
) -> Result<Vec<QuotaLine>> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::Caf(caf_id),
    )?;
    db.read(|conn| {
        crate::store::cafs::load(conn, caf_id.into())?;
        let partners: Vec<Partner> = crate::schema::partners::table
            .filter(crate::schema::partners::caf_id.eq(caf_id.to_string()))
            .order(crate::schema::partners::name.asc())
            .select(Partner::as_select())
            .load(conn)?;
        let mut out = vec![];
        for p in &partners {
            out.extend(
                quota_lines(conn, p, ctx.today())?
                    .into_iter()
                    .filter(|l| !over_only || l.usage.over_by() > 0),
            );
        }
        Ok(out)
    })
}
