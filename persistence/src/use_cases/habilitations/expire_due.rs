//! Devalidates the habilitations whose time is over — temporary ones past their last day, and
//! those of a convention whose termination took effect — each traced as done by the service
//! itself.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{conventions, habilitations};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::convention::ConventionStatus;
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::TraceAction;

use super::*;

/// Devalidates the temporary habilitations whose last day has passed, and every habilitation of
/// a convention whose termination has taken effect (access closed that day; devalidated, their
/// records start their six-year retention, S-art. 5.3.2), each traced as done by the service
/// itself. Run by a background job; `now` is passed in so tests move the clock.
pub fn expire_due(db: &Database, now: NaiveDateTime) -> Result<usize> {
    let ctx = Ctx::without_person("habilitation-expiry", now);
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
        let mut ended = 0;
        let terminated: Vec<Id<ConventionId>> = conventions::table
            .filter(conventions::termination_effective_on.le(now.date()))
            .select(conventions::id)
            .load(conn)?;
        for convention_id in terminated {
            let conv = crate::store::conventions::load_for_system(conn, convention_id)?;
            if conv.life.status(now.date()) != ConventionStatus::Terminated {
                continue;
            }
            let live: Vec<Habilitation> = habilitations::table
                .filter(habilitations::convention_id.eq(&convention_id))
                .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
                .select(Habilitation::as_select())
                .load(conn)?;
            let reason = format!(
                "convention {} terminated on {}",
                conv.row.number,
                conv.row
                    .termination_effective_on
                    .expect("filtered on its termination")
            );
            for h in &live {
                set_status(
                    conn,
                    &ctx,
                    h,
                    HabilitationStatus::Devalidated,
                    false,
                    &reason,
                    TraceAction::HabilitationConventionEnded,
                )?;
            }
            ended += live.len();
        }
        Ok(due.len() + ended)
    })
}
