//! Replaces the profiles and quotas of a bulletin.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::subscriptions;
use crate::store::conventions::Amendment;
use crate::store::trace::{self, Event, Outcome};
use crate::use_cases::catalogue;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::convention::AmendmentSignature;
use mcp_domain::ids::SubscriptionId;
use mcp_domain::subscription::ProfileQuota;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;

use super::*;

/// Replaces the profiles and quotas of a bulletin: directly on a draft, by amendment once
/// signed (changing a quota is an amendment). A profile left out of the bulletin, or whose quota
/// is left blank, is withdrawn:
/// its habilitations are devalidated in the same transaction (bulletin art. 3), so that nobody
/// consults under a profile the partner no longer subscribes to.
pub fn update_quotas(
    db: &Database,
    ctx: &Ctx,
    id: SubscriptionId,
    requested: Vec<ProfileQuota>,
    amendment: Option<AmendmentSignature>,
) -> Result<(SubscriptionView, Option<Amendment>)> {
    db.write(|conn| {
        let (conv, sub) = load_for(conn, ctx, id, Function::ManagePartners)?;
        let service = catalogue::by_id(conn, sub.service_id)?;
        check_against_catalogue(conn, &service, conv.row.partner_id, &requested)?;
        let ((), amendment) = crate::store::amendments::change(conn, ctx, &conv, amendment, "subscription", |conn, _| {
            write_quotas(conn, sub.id, &service, &requested)?;
            diesel::update(subscriptions::table.find(&sub.id))
                .set(subscriptions::updated_at.eq(ctx.now))
                .execute(conn)?;
            Ok(())
        })?;
        let mut devalidated = 0;
        for q in sub.quotas.iter().filter(|q| !requested.iter().any(|r| r.profile == q.profile_code && r.opens())) {
            let reason = match &amendment {
                Some(a) => format!("profile {} withdrawn from the subscription by amendment {}", q.profile_code, a.number),
                None => format!("profile {} withdrawn from the subscription", q.profile_code),
            };
            devalidated += crate::store::habilitations::devalidate_profile(conn, ctx, sub.id, q.profile_id, &reason)?;
        }
        let before: Vec<_> = sub.quotas.iter().map(|q| json!({ "profile": q.profile_code, "max_users": q.max_users })).collect();
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(conv.row.partner_id.get()),
                action: TraceAction::SubscriptionQuotasChanged,
                target_type: TargetType::Subscription,
                target_id: Some(id.uuid()),
                caf_id: Some(conv.row.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "before": before, "after": quotas_json(&requested), "amendment": amendment.as_ref().map(|a| a.number), "habilitations_devalidated": devalidated }),
            },
        )?;
        let sub = load_rows(conn, Key::Id(sub.id))?.pop().ok_or(Error::Domain(DomainError::NotFound))?;
        Ok((view(&conv, sub, ctx.today()), amendment))
    })
}
