//! The principal administrator confirms or removes one item.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::{review_campaigns, review_items};
use crate::store::trace::{self, Event, Outcome};
use crate::use_cases::habilitations::{self as habs};
use diesel::prelude::*;
use mcp_domain::ids::{CampaignId, ReviewItemId};
use mcp_domain::review::{check_decision, ItemState, Verdict};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;

use super::*;

/// The principal administrator confirms or removes one item. A removal devalidates the
/// habilitation in the same transaction, through the path every devalidation takes (seat freed,
/// record kept, traced).
pub fn decide(
    db: &Database,
    ctx: &Ctx,
    campaign_id: CampaignId,
    item_id: ReviewItemId,
    verdict: &Verdict,
) -> Result<ItemView> {
    db.write(|conn| {
        let c = load_campaign_to_change(conn, campaign_id)?;
        check_decider(conn, ctx, &c)?;
        let item: ItemRow = review_items::table
            .find(item_id.to_string())
            .filter(review_items::campaign_id.eq(&c.id))
            .select(ItemRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let h = habs::load(conn, item.habilitation_id.get().uuid().into())?;
        let before = item_state(&item.decision, &h.status)?;
        let after = check_decision(c.status()?, before, verdict)?;
        if after == ItemState::Removed {
            habs::devalidate_in(
                conn,
                ctx,
                &h,
                &format!(
                    "revue inverse {} : {}",
                    c.year,
                    verdict.reason().unwrap_or_default()
                ),
            )?;
        }
        let by = ctx.principal().account_id.to_string();
        diesel::update(review_items::table.find(&item.id))
            .set((
                review_items::decision.eq(after.code()),
                review_items::decided_by.eq(&by),
                review_items::decided_at.eq(ctx.now),
                review_items::reason.eq(verdict.reason()),
            ))
            .execute(conn)?;
        diesel::update(review_campaigns::table.find(&c.id))
            .set(review_campaigns::updated_at.eq(ctx.now))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(c.partner_id.get()),
                action: if after == ItemState::Removed {
                    TraceAction::ReviewItemRemoved
                } else {
                    TraceAction::ReviewItemConfirmed
                },
                target_type: TargetType::ReviewCampaign,
                target_id: Some(campaign_id.into()),
                caf_id: Some(c.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({
                    "partner_id": c.partner_id, "item_id": item.id,
                    "habilitation_id": item.habilitation_id, "from": before.code(),
                    "to": after.code(), "reason": verdict.reason(),
                }),
            },
        )?;
        item_views(conn, c.id)?
            .into_iter()
            .find(|v| v.item.id == item.id)
            .ok_or_else(|| Error::Corrupt(format!("review item {} vanished", item.id)))
    })
}
