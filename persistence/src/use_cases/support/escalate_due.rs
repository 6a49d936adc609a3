//! The escalations that fall due for want of an answer, run as the service itself.

use chrono::NaiveDateTime;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::service_centre::EscalationReason;

use super::*;

/// Opens the escalation of every request a side has left unanswered past its contract's delay
/// (S-art. 3.3), run as the service itself (traces without an actor): the contacts of both
/// sides are told, once. Each request in its own transaction, re-read there, so that an answer
/// arriving meanwhile, or another instance running the same sweep, prevails. `now` is passed
/// in so tests move the clock. Returns how many opened.
pub fn escalate_due(db: &Database, now: NaiveDateTime) -> Result<usize> {
    let ctx = Ctx::without_person("support-escalation", now);
    let due = db.read(|conn| due_for_escalation(conn, now, 500))?;
    let mut opened = 0;
    for candidate in due {
        opened += db.write(|conn| {
            lock(conn, candidate.id.get())?;
            let row = load(conn, candidate.id.get())?;
            let waiting = match row.waiting()? {
                Some(w) if row.escalated_at.is_none() && row.escalation_due_at <= Some(now) => w,
                _ => return Ok(0),
            };
            let reason = EscalationReason::Unanswered(waiting.on);
            open_escalation(conn, &ctx, &row, reason, None, now)?;
            Ok(1)
        })?;
    }
    Ok(opened)
}
