//! A party validates the minutes of a meeting.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::MeetingId;
use mcp_domain::meeting;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Validates the written minutes for the caller's party, once; a validation after the 30 days
/// is recorded and flagged late.
pub fn validate_minutes(db: &Database, ctx: &Ctx, id: MeetingId) -> Result<MeetingRow> {
    let by = meeting::side_of(ctx.principal())?;
    db.write(|conn| {
        let m = load_for(conn, ctx, id, Function::HoldMeetings)?;
        meeting::check_validation(m.minutes.is_some(), m.validated_by(by).is_some())?;
        validate(conn, m.id, by, ctx.now)?;
        let late = m.minutes_due_by.is_some_and(|due| ctx.today() > due);
        traced(
            conn,
            ctx,
            &m,
            TraceAction::MeetingMinutesValidated,
            json!({ "by": by, "late": late }),
        )?;
        load(conn, id)
    })
}
