//! The schedule, run as the service itself (traces without an actor).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{cafs, partners as partners_t, review_campaigns};
use crate::store::partners::Partner;
use crate::store::trace::{self, Event, Outcome};
use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::ids::PartnerId;
use mcp_domain::review::{is_overdue, scheduled_due_on, CampaignStatus};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;
use std::collections::BTreeSet;

use super::*;

/// The schedule, run as the service itself (traces without an actor): from 1 January, opens the
/// year's campaign of every partner with a convention opening access and none yet (due 31 March,
/// or 90 days on when opened later); and tells each Caf, once, of its campaigns gone overdue.
/// `now` is passed in so tests move the clock.
pub fn run_schedule(db: &Database, now: NaiveDateTime) -> Result<ScheduleRun> {
    let ctx = Ctx::without_person("review-schedule", now);
    let today = now.date();
    let year = today.year();
    let due_on = scheduled_due_on(year, today);
    let mut run = ScheduleRun::default();
    let caf_ids: Vec<String> = db.read(|conn| {
        Ok(cafs::table
            .order(cafs::id.asc())
            .select(cafs::id)
            .load(conn)?)
    })?;
    for caf_id in caf_ids {
        run.opened += retrying(|| {
            db.write(|conn| {
                let reviewed: BTreeSet<Id<PartnerId>> = review_campaigns::table
                    .filter(review_campaigns::caf_id.eq(&caf_id))
                    .filter(review_campaigns::year.eq(year))
                    .select(review_campaigns::partner_id)
                    .load::<Id<PartnerId>>(conn)?
                    .into_iter()
                    .collect();
                let partners: Vec<Partner> = partners_t::table
                    .filter(partners_t::caf_id.eq(&caf_id))
                    .order(partners_t::id.asc())
                    .select(Partner::as_select())
                    .load(conn)?;
                let mut opened = 0;
                for p in partners.iter().filter(|p| !reviewed.contains(&p.id)) {
                    if let Some(conv) = active_convention(conn, p.id, today)? {
                        open_in(conn, &ctx, p, &conv, year, due_on)?;
                        opened += 1;
                    }
                }
                Ok(opened)
            })
        })?;
    }
    run.overdue_notified = db.write(|conn| {
        let candidates: Vec<Campaign> = review_campaigns::table
            .filter(review_campaigns::status.eq(CampaignStatus::Open.code()))
            .filter(review_campaigns::due_on.lt(today))
            .filter(review_campaigns::overdue_notified_at.is_null())
            .order(review_campaigns::id.asc())
            .select(Campaign::as_select())
            .load(conn)?;
        let mut notified = 0;
        for c in candidates {
            if !is_overdue(c.status()?, c.due_on, today) {
                continue;
            }
            // Flagged first, and only if nobody did meanwhile: another instance running the
            // schedule waits on this row, then finds it flagged and sends nothing.
            let flagged = diesel::update(
                review_campaigns::table
                    .find(&c.id)
                    .filter(review_campaigns::status.eq(CampaignStatus::Open.code()))
                    .filter(review_campaigns::overdue_notified_at.is_null()),
            )
            .set((
                review_campaigns::overdue_notified_at.eq(now),
                review_campaigns::updated_at.eq(now),
            ))
            .execute(conn)?;
            if flagged == 0 {
                continue;
            }
            let v = view(conn, c, today)?;
            let c = &v.campaign;
            let told = notify_caf(
                conn,
                now,
                c.caf_id,
                &format!(
                    "Mon Compte Partenaire : revue inverse {} de {} en retard",
                    c.year, v.partner_name
                ),
                &format!(
                    "Bonjour,\n\nLa revue inverse {year} des habilitations de {name} (convention \
                     {number}) devait être terminée le {due} : {pending} habilitation(s) sur \
                     {items} attendent encore une décision de son administrateur principal.\n\n\
                     Consultez-la : GET /api/v1/review-campaigns/{id}\n",
                    year = c.year,
                    name = v.partner_name,
                    number = v.convention_number,
                    due = c.due_on.format("%d/%m/%Y"),
                    pending = v.counts.pending,
                    items = v.counts.items,
                    id = c.id,
                ),
            )?;
            trace::record(
                conn,
                &ctx,
                Event {
                    partner_id: Some(c.partner_id.get()),
                    action: TraceAction::ReviewCampaignOverdueNotified,
                    target_type: TargetType::ReviewCampaign,
                    target_id: Some(c.id.get().uuid()),
                    caf_id: Some(c.caf_id.get()),
                    outcome: Outcome::Success,
                    detail: json!({
                        "partner_id": c.partner_id, "year": c.year, "due_on": c.due_on,
                        "pending": v.counts.pending, "caf_administrators_told": told,
                    }),
                },
            )?;
            notified += 1;
        }
        Ok(notified)
    })?;
    Ok(run)
}
