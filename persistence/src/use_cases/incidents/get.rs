//! One security incident.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::SecurityIncidentId;

use super::*;

/// One incident, for the partner's administrators, its Caf and the Cnaf.
pub fn get(db: &Database, ctx: &Ctx, id: SecurityIncidentId) -> Result<IncidentRow> {
    db.read(|conn| load_for(conn, ctx, id, Function::ReadRequests))
}
