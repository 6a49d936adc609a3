//! The drafting party writes the minutes of a meeting.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::convention::Party;
use mcp_domain::ids::MeetingId;
use mcp_domain::meeting;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Writes (or rewrites, until a party validated them) the minutes: the drafting party's
/// administrators only; the other party is asked to validate them.
pub fn write_minutes(db: &Database, ctx: &Ctx, id: MeetingId, text: &str) -> Result<MeetingRow> {
    let by = meeting::side_of(ctx.principal())?;
    let text = meeting::check_minutes(text)?;
    db.write(|conn| {
        let m = load_for(conn, ctx, id, Function::HoldMeetings)?;
        let validated = [Party::Caf, Party::Partner]
            .into_iter()
            .any(|p| m.validated_by(p).is_some());
        meeting::check_drafting(m.drafter()?, by, validated)?;
        super::write_minutes_of(conn, m.id, &text, ctx.now)?;
        if let (Some(held), Some(due)) = (m.held_on, m.minutes_due_by) {
            let name = partner_name(conn, ctx, &m)?;
            tell_other(
                conn,
                ctx,
                &m,
                by,
                &meeting::minutes_message(&name, held, due),
            )?;
        }
        traced(
            conn,
            ctx,
            &m,
            TraceAction::MeetingMinutesWritten,
            json!({ "by": by }),
        )?;
        load(conn, id)
    })
}
