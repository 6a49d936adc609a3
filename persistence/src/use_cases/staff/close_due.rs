//! Closes the accounts whose removal was approved ahead of its date, that day.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::departures::{close_decided_by, due_closures};
use chrono::NaiveDateTime;

/// Closes every account whose scheduled closure is due (`closes_on` on or before `now`'s day)
/// as a departure does, in the name of whoever approved the removal; traced as carried out by
/// the service. Run by a background job; `now` is passed in so tests move the clock.
pub fn close_due(db: &Database, now: NaiveDateTime) -> Result<usize> {
    let ctx = Ctx::without_person("scheduled-closure", now);
    db.write(|conn| {
        let due = due_closures(conn, now.date())?;
        let n = due.len();
        for (account, reason, by) in due {
            close_decided_by(conn, &ctx, account, &reason, by)?;
        }
        Ok(n)
    })
}
