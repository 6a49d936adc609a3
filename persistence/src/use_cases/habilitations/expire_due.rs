//! Devalidates the temporary habilitations whose last day has passed, each traced as done by the
//! service itself.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::habilitations;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::vocabulary::TraceAction;

use super::*;

/// Devalidates the temporary habilitations whose last day has passed, each traced as done by
/// the service itself. Run by a background job; `now` is passed in so tests move the clock.
pub fn expire_due(db: &Database, now: NaiveDateTime) -> Result<usize> {
    let ctx = Ctx {
        principal: None,
        request_id: "habilitation-expiry".into(),
        now,
        asked: None,
    };
    db.write(|conn| {
        let due: Vec<Habilitation> = habilitations::table
            .filter(habilitations::ends_on.lt(now.date()))
            .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
            .select(Habilitation::as_select())
            .load(conn)?;
        for h in &due {
            let reason = format!(
                "temporary mission ended on {}",
                h.ends_on.expect("filtered on its end date")
            );
            set_status(
                conn,
                &ctx,
                h,
                HabilitationStatus::Devalidated,
                false,
                &reason,
                TraceAction::HabilitationExpired,
            )?;
        }
        Ok(due.len())
    })
}
