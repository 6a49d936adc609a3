//! The administrators of a Caf.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::store::accounts::Account;
use mcp_domain::access::{authorize, Function, Reach, Role};
use mcp_domain::ids::CafId;

use super::*;

/// The administrators of a Caf.
pub fn administrators(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    page: &PageRequest,
) -> Result<Page<Account>> {
    authorize(ctx.principal(), Function::ReadCaf, Reach::Caf(caf_id))?;
    db.read(|conn| {
        load(conn, caf_id)?;
        crate::store::accounts::of_caf_with_role(conn, caf_id, Role::CafAdministrator, page)
    })
}
