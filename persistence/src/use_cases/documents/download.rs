//! Gives a document's bytes.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::DocumentId;

use super::*;

/// A document and its bytes, for those who read the partner's registry (its staff, its Caf,
/// the Cnaf).
pub fn download(
    db: &Database,
    ctx: &Ctx,
    contents: &dyn Contents,
    id: DocumentId,
) -> Result<(DocumentRow, Vec<u8>)> {
    db.read(|conn| {
        let d = load(conn, id)?;
        authorize(
            ctx.principal(),
            Function::ReadPartners,
            Reach::Partner {
                caf_id: d.caf_id.get(),
                partner_id: d.partner_id.get(),
            },
        )?;
        let bytes = contents.get(conn, d.id)?;
        Ok((d, bytes))
    })
}
