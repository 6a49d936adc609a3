//! A party records that a meeting was held.

use chrono::NaiveDate;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::MeetingId;
use mcp_domain::meeting::{self, Attendee};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// What a party records of a meeting held.
#[derive(Debug, Clone)]
pub struct HeldInput {
    /// The day.
    pub held_on: NaiveDate,
    /// Who attended.
    pub attendees: Vec<Attendee>,
}

/// Records, once, that the meeting was held, who attended (the Cnaf included, if it did), and
/// so which party drafts the minutes (each in turn) and by when both validate them.
pub fn hold(db: &Database, ctx: &Ctx, id: MeetingId, input: &HeldInput) -> Result<MeetingRow> {
    meeting::side_of(ctx.principal())?;
    db.write(|conn| {
        let m = load_for(conn, ctx, id, Function::HoldMeetings)?;
        meeting::check_not_yet(
            m.held_on.is_some(),
            mcp_domain::msg!(
                "la tenue de la réunion est déjà enregistrée",
                "the meeting's holding is already recorded"
            ),
        )?;
        let last = last_drafter(conn, m.partner_id.get())?;
        let held = meeting::hold(input.held_on, &input.attendees, m.due_by, last, ctx.today())?;
        record_held(conn, m.id, &held)?;
        traced(
            conn,
            ctx,
            &m,
            TraceAction::MeetingHeld,
            json!({
                "held_on": held.held_on,
                "cnaf_attended": held.cnaf_attended,
                "late": held.late,
                "drafter": held.drafter,
                "attendees": held.attendees.len(),
            }),
        )?;
        load(conn, id)
    })
}
