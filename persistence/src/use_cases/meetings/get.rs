//! One meeting.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::MeetingId;

use super::*;

/// One meeting, for both parties' administrators and the Cnaf.
pub fn get(db: &Database, ctx: &Ctx, id: MeetingId) -> Result<MeetingRow> {
    db.read(|conn| load_for(conn, ctx, id, Function::ReadReviews))
}
