//! Opens the year's campaigns for every partner of a Caf with a convention opening access (the
//! Caf's administrators).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::partners as partners_t;
use crate::store::partners::Partner;
use chrono::NaiveDate;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;
use mcp_domain::review::check_opening;

use super::*;

/// Opens the year's campaigns for every partner of a Caf with a convention opening access (the
/// Caf's administrators). Idempotent per partner and year: what exists is returned as such.
pub fn open(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    year: i32,
    due_on: NaiveDate,
) -> Result<Opening> {
    authorize(ctx.principal(), Function::OpenReviews, Reach::Caf(caf_id))?;
    check_opening(year, due_on, ctx.today())?;
    retrying(|| {
        db.write(|conn| {
            crate::store::cafs::load(conn, caf_id)?;
            // In id order, as the schedule goes: two openings never wait on each other.
            let partners: Vec<Partner> = partners_t::table
                .filter(partners_t::caf_id.eq(caf_id.to_string()))
                .order(partners_t::id.asc())
                .select(Partner::as_select())
                .load(conn)?;
            let (mut opened, mut existing, mut skipped) = (vec![], vec![], vec![]);
            for p in partners {
                if let Some(c) = campaign_of(conn, p.id, year)? {
                    existing.push(c);
                } else if let Some(conv) = active_convention(conn, p.id, ctx.today())? {
                    opened.push(open_in(conn, ctx, &p, &conv, year, due_on)?);
                } else {
                    skipped.push(p.id);
                }
            }
            Ok(Opening {
                opened: views(conn, opened, ctx.today())?,
                existing: views(conn, existing, ctx.today())?,
                skipped_partners: skipped,
            })
        })
    })
}
