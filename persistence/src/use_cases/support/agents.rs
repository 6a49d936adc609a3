//! The agents of a Caf's service centre.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::store::accounts::Account;
use mcp_domain::access::{authorize, Function, Reach, Role};
use mcp_domain::ids::CafId;

/// The agents of a Caf's service centre, for its administrators and the Cnaf.
pub fn list_agents(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    page: &PageRequest,
) -> Result<Page<Account>> {
    authorize(
        ctx.principal(),
        Function::ManageServiceCentreAgents,
        Reach::Caf(caf_id),
    )?;
    db.read(|conn| {
        crate::store::cafs::load(conn, caf_id)?;
        crate::store::accounts::of_caf_with_role(conn, caf_id, Role::ServiceCentreAgent, page)
    })
}
