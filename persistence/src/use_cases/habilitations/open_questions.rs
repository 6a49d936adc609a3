//! The questions of the Caf a partner has not answered yet.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::habilitation_questions;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// The questions of the Caf a partner has not answered yet.
pub fn open_questions(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<Vec<Question>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(habilitation_questions::table
                .filter(habilitation_questions::partner_id.eq(&partner.id))
                .filter(habilitation_questions::answered_at.is_null())
                .order(habilitation_questions::id.asc())
                .select(Question::as_select())
                .load(conn)?)
        },
    )
}
