//! One habilitation.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::{authorize, Function};
use mcp_domain::ids::HabilitationId;

use super::*;

/// One habilitation.
pub fn get(db: &Database, ctx: &Ctx, id: HabilitationId) -> Result<HabilitationView> {
    db.read(|conn| {
        let h = load(conn, id)?;
        authorize(ctx.principal(), Function::ReadHabilitations, reach_of(&h)?)?;
        view(conn, h)
    })
}
