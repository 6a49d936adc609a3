//! A partner's conventions.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::page::{Page, PageRequest};
use crate::schema::conventions;
use crate::use_cases::partners;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::{ConventionId, PartnerId};

use super::*;

/// A partner's conventions.
pub fn list_for_partner(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<Convention>> {
    db.read(|conn| {
        partners::load_for(conn, ctx, partner_id, Function::ReadPartners)?;
        let mut q = conventions::table
            .filter(conventions::partner_id.eq(partner_id.to_string()))
            .select(conventions::id)
            .into_boxed();
        if let Some(c) = &page.cursor {
            q = q.filter(conventions::id.gt(c.clone()));
        }
        let limit = page.limit();
        let ids: Vec<Id<ConventionId>> =
            q.order(conventions::id.asc()).limit(limit + 1).load(conn)?;
        Page::from_rows(ids, limit, |id| id.to_string(), |id| load(conn, id))
    })
}
