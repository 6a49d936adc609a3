//! The documents of a convention.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::ConventionId;

use super::*;

/// The documents of a convention, oldest first, without their bytes.
pub fn list_for_convention(
    db: &Database,
    ctx: &Ctx,
    convention_id: ConventionId,
) -> Result<Vec<DocumentRow>> {
    db.read(|conn| {
        let conv =
            crate::store::conventions::load_for(conn, ctx, convention_id, Function::ReadPartners)?;
        of_convention(conn, conv.row.id)
    })
}
