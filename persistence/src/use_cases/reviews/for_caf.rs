//! A Caf's campaigns (its administrators, the Cnaf), in opening order.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::review_campaigns;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::CafId;
use mcp_domain::review::CampaignStatus;

use super::*;

/// A Caf's campaigns (its administrators, the Cnaf), in opening order.
pub fn for_caf(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    filter: CampaignFilter,
    page: &PageRequest,
) -> Result<Page<CampaignView>> {
    authorize(ctx.principal(), Function::ReadReviews, Reach::Caf(caf_id))?;
    let today = ctx.today();
    db.read(|conn| {
        crate::store::cafs::load(conn, caf_id)?;
        let mut q = review_campaigns::table
            .filter(review_campaigns::caf_id.eq(caf_id.to_string()))
            .select(Campaign::as_select())
            .into_boxed();
        if let Some(y) = filter.year {
            q = q.filter(review_campaigns::year.eq(y));
        }
        // The SQL form of `review::is_overdue`: open, and due before today.
        match filter.overdue {
            Some(true) => {
                q = q
                    .filter(review_campaigns::status.eq(CampaignStatus::Open.code()))
                    .filter(review_campaigns::due_on.lt(today))
            }
            Some(false) => {
                q = q.filter(
                    review_campaigns::status
                        .ne(CampaignStatus::Open.code())
                        .or(review_campaigns::due_on.ge(today)),
                )
            }
            None => {}
        }
        if let Some(c) = &page.cursor {
            q = q.filter(review_campaigns::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q
            .order(review_campaigns::id.asc())
            .limit(limit + 1)
            .load(conn)?;
        let page = Page::from_rows(rows, limit, |c: &Campaign| c.id.to_string(), Ok)?;
        Ok(Page {
            items: views(conn, page.items, today)?,
            next_cursor: page.next_cursor,
        })
    })
}
