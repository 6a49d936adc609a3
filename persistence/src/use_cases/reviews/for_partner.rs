//! A partner's campaigns, latest year first (its administrators, its Caf, the Cnaf).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::review_campaigns;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's campaigns, latest year first (its administrators, its Caf, the Cnaf).
pub fn for_partner(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<CampaignView>> {
    let today = ctx.today();
    partners::read_for(db, ctx, partner_id, Function::ReadReviews, |conn, p| {
        let mut q = review_campaigns::table
            .filter(review_campaigns::partner_id.eq(&p.id))
            .select(Campaign::as_select())
            .into_boxed();
        if let Some(c) = &page.cursor {
            q = q.filter(review_campaigns::id.lt(c.clone()));
        }
        let limit = page.limit();
        let rows = q
            .order(review_campaigns::id.desc())
            .limit(limit + 1)
            .load(conn)?;
        let page = Page::from_rows(rows, limit, |c: &Campaign| c.id.to_string(), Ok)?;
        Ok(Page {
            items: views(conn, page.items, today)?,
            next_cursor: page.next_cursor,
        })
    })
}
