//! An agent of the service centre takes a request.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SupportRequestId;
use mcp_domain::service_centre::Step;

use super::*;

/// Takes a request (the Caf's service-centre agents and administrators): the agent follows it
/// from now; the partner is told.
pub fn take(db: &Database, ctx: &Ctx, id: SupportRequestId) -> Result<SupportRequest> {
    db.write(|conn| apply(conn, ctx, id, Step::Taken, Extra::default()))
}
