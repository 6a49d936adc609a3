//! One service by id.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::ServiceId;

use super::*;

/// One service by id.
pub fn get(db: &Database, ctx: &Ctx, id: ServiceId) -> Result<Service> {
    authorize(ctx.principal(), Function::ReadCatalogue, Reach::National)?;
    db.read(|conn| load(conn, Key::Id(Id(id))))
}
