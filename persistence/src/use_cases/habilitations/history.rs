//! The history of a habilitation.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use mcp_domain::access::{authorize, Function};
use mcp_domain::ids::HabilitationId;

use super::*;

/// The history of a habilitation: every traced change, oldest first (grant, suspensions,
/// reinstatements, devalidation or expiry, the Caf's questions and the answers).
pub fn history(
    db: &Database,
    ctx: &Ctx,
    id: HabilitationId,
    page: &PageRequest,
) -> Result<Page<crate::store::trace::Trace>> {
    db.read(|conn| {
        let h = load(conn, id)?;
        authorize(ctx.principal(), Function::ReadHabilitations, reach_of(&h)?)?;
        crate::store::trace::habilitation_history(conn, id, page)
    })
}
