//! The questions of the Caf a partner has not answered yet.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::habilitation_questions;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// The questions of the Caf a partner has not answered yet.
pub fn open_questions(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    page: &PageRequest,
) -> Result<Page<Question>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let mut q = habilitation_questions::table
                .filter(habilitation_questions::partner_id.eq(&partner.id))
                .filter(habilitation_questions::answered_at.is_null())
                .into_boxed();
            if let Some(after) = &page.cursor {
                q = q.filter(habilitation_questions::id.gt(after));
            }
            let limit = page.limit();
            let rows = q
                .order(habilitation_questions::id.asc())
                .limit(limit + 1)
                .select(Question::as_select())
                .load(conn)?;
            Page::from_rows(rows, limit, |r| r.id.to_string(), Ok)
        },
    )
}
