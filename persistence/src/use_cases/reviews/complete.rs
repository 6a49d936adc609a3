//! The principal administrator completes the campaign once every item is decided or ended.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{conventions, partners as partners_t, review_campaigns, review_items};
use crate::store::partners::Partner;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::ids::CampaignId;
use mcp_domain::review::{
    check_completion, timestamp, CampaignStatus, ItemState, ReportCaf, ReportConvention,
    ReportHeader, ReportHolder, ReportItem, ReportPartner, ReviewReport,
};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// The principal administrator completes the campaign once every item is decided or ended: the
/// report is built, its canonical JSON and digest stored, and the Caf's administrators are sent
/// it — all in one transaction.
pub fn complete(db: &Database, ctx: &Ctx, campaign_id: CampaignId) -> Result<CampaignView> {
    db.write(|conn| {
        let c = load_campaign_to_change(conn, campaign_id)?;
        check_decider(conn, ctx, &c)?;
        let items = item_views(conn, c.id)?;
        let states: Vec<ItemState> = items.iter().map(|i| i.state).collect();
        check_completion(c.status()?, &states)?;
        let mut lines = vec![];
        for i in items {
            if i.state == ItemState::Ended && i.item.decision != ItemState::Ended.code() {
                // Written as it is reported: the habilitation ended otherwise.
                diesel::update(review_items::table.find(&i.item.id))
                    .set(review_items::decision.eq(ItemState::Ended.code()))
                    .execute(conn)?;
            }
            let decided_by = match (&i.item.decided_by, i.state) {
                (Some(by), ItemState::Confirmed | ItemState::Removed) => Some(person(conn, *by)?),
                _ => None,
            };
            let decided = decided_by.is_some();
            lines.push(ReportItem {
                habilitation_id: i.item.habilitation_id.to_string(),
                holder: ReportHolder {
                    kind: i.item.holder_kind,
                    id: i.item.holder_id,
                    name: i.item.holder_name,
                },
                profile_id: i.item.profile_id.to_string(),
                profile_code: i.item.profile_code,
                mission_id: i.item.mission_id.to_string(),
                mission_label: i.item.mission_label,
                granted_at: timestamp(i.item.granted_at),
                ends_on: i.item.ends_on,
                status_at_opening: i.item.status_at_opening,
                status_at_completion: i.habilitation_status,
                last_used_at: i.last_used_at.map(timestamp),
                decision: i.state.code().into(),
                decided_by,
                decided_at: i.item.decided_at.filter(|_| decided).map(timestamp),
                reason: i.item.reason.filter(|_| decided),
                ended_at: if i.state == ItemState::Ended {
                    i.devalidated_at.map(timestamp)
                } else {
                    None
                },
            });
        }
        let caf = crate::store::cafs::load(conn, c.caf_id.get().uuid().into())?;
        let partner: Partner = partners_t::table
            .find(&c.partner_id)
            .select(Partner::as_select())
            .first(conn)?;
        let number: String = conventions::table
            .find(&c.convention_id)
            .select(conventions::number)
            .first(conn)?;
        let opened_by = c.opened_by.map(|a| person(conn, a)).transpose()?;
        let completed_by = person(conn, Id(ctx.principal().account_id))?;
        let report = ReviewReport::new(
            ReportHeader {
                campaign_id: c.id.to_string(),
                year: c.year,
                caf: ReportCaf {
                    id: caf.id.to_string(),
                    code: caf.code.clone(),
                    name: caf.name.clone(),
                },
                partner: ReportPartner {
                    id: partner.id.to_string(),
                    siret: partner.siret.clone(),
                    name: partner.name.clone(),
                },
                convention: ReportConvention {
                    id: c.convention_id.to_string(),
                    number,
                },
                opened_at: c.opened_at,
                opened_by,
                due_on: c.due_on,
                completed_at: ctx.now,
                completed_by,
            },
            lines,
        )?;
        let canonical = report.canonical_json();
        let digest = digest_of(&canonical);
        diesel::update(review_campaigns::table.find(&c.id))
            .set((
                review_campaigns::status.eq(CampaignStatus::Completed.code()),
                review_campaigns::completed_at.eq(ctx.now),
                review_campaigns::completed_by.eq(Id(ctx.principal().account_id)),
                review_campaigns::report.eq(&canonical),
                review_campaigns::report_digest.eq(&digest),
                review_campaigns::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let counts = report.counts;
        let told = notify_caf(
            conn,
            ctx.now,
            c.caf_id,
            &format!(
                "Mon Compte Partenaire : revue inverse {} de {}",
                c.year, partner.name
            ),
            &format!(
                "Bonjour,\n\n{name} (SIRET {siret}) a terminé la revue inverse {year} de ses \
                 habilitations (convention {number}) le {day}.\n\n\
                 Habilitations revues : {items}\nConfirmées : {confirmed}\nRetirées : {removed}\n\
                 Terminées pendant la campagne : {ended}\n\n\
                 Empreinte SHA-256 du rapport : {digest}\n\n\
                 Rapport : GET /api/v1/review-campaigns/{id}/report (JSON)\n\
                 Version imprimable : GET /api/v1/review-campaigns/{id}/report.html\n",
                name = partner.name,
                siret = partner.siret,
                year = c.year,
                number = report.convention.number,
                day = ctx.now.format("%d/%m/%Y"),
                items = counts.items,
                confirmed = counts.confirmed,
                removed = counts.removed,
                ended = counts.ended,
                id = c.id,
            ),
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(c.partner_id.get()),
                action: TraceAction::ReviewCampaignCompleted,
                target_type: TargetType::ReviewCampaign,
                target_id: Some(campaign_id.into()),
                caf_id: Some(c.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({
                    "partner_id": c.partner_id, "year": c.year, "report_sha256": digest,
                    "items": counts.items, "confirmed": counts.confirmed,
                    "removed": counts.removed, "ended": counts.ended,
                    "caf_administrators_told": told,
                }),
            },
        )?;
        let c = load_campaign(conn, campaign_id)?;
        view(conn, c, ctx.today())
    })
}
