//! The use cases of partners: one file per action.

pub use crate::store::partners::*;

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::Result;
use mcp_domain::access::Function;
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
mod take_over_management;
pub use take_over_management::{hand_back_management, take_over_management};

/// Runs a read within one partner: outside the caller's reach (or a random id) is 404 whatever
/// the function, and only then the function is checked (403).
pub(crate) fn read_for<T>(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    function: Function,
    read: impl FnOnce(&mut DbConnection, Partner) -> Result<T>,
) -> Result<T> {
    db.read(|conn| {
        let partner = load_for(conn, ctx, partner_id, function)?;
        read(conn, partner)
    })
}
