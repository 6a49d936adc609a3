//! The questions asked about a habilitation, oldest first.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::habilitation_questions;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function};
use mcp_domain::ids::HabilitationId;

use super::*;

/// The questions asked about a habilitation, oldest first.
pub fn questions(
    db: &Database,
    ctx: &Ctx,
    habilitation_id: HabilitationId,
) -> Result<Vec<Question>> {
    db.read(|conn| {
        let h = load(conn, habilitation_id)?;
        authorize(ctx.principal(), Function::ReadHabilitations, reach_of(&h)?)?;
        Ok(habilitation_questions::table
            .filter(habilitation_questions::habilitation_id.eq(&h.id))
            .order(habilitation_questions::id.asc())
            .select(Question::as_select())
            .load(conn)?)
    })
}
