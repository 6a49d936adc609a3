//! The use cases of partners: one file per action.

pub use crate::store::partners::*;

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::PartnerId;

mod get;
pub use get::get;
mod list;
pub use list::list;
mod update;
pub use update::update;
mod name_administrator;
pub use name_administrator::name_administrator;
mod administrators;
pub use administrators::administrators;
mod create;
pub use create::create;

/// Runs a read within one partner: the function is checked first (403 before anything is
/// looked up), then the partner's reach (404 outside it).
pub(crate) fn read_for<T>(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    function: Function,
    read: impl FnOnce(&mut DbConnection, Partner) -> Result<T>,
) -> Result<T> {
    authorize(ctx.principal(), function, Reach::National)?;
    db.read(|conn| {
        let partner = load_for(conn, ctx, partner_id.into(), function)?;
        read(conn, partner)
    })
}
