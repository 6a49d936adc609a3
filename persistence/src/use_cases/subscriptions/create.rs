//! Subscribes a convention to a service.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Error, Result};
use crate::id::Id;
use crate::schema::subscriptions;
use crate::store::conventions::{self, Amendment};
use crate::store::trace::{self, Event, Outcome};
use crate::use_cases::catalogue;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::convention::AmendmentSignature;
use mcp_domain::ids::{ConventionId, SubscriptionId};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// Subscribes a convention to a service: directly on a draft, by amendment once signed.
pub fn create(
    db: &Database,
    ctx: &Ctx,
    convention_id: ConventionId,
    new: NewSubscription,
    amendment: Option<AmendmentSignature>,
) -> Result<(SubscriptionView, Option<Amendment>)> {
    db.write(|conn| {
        let conv = conventions::load_for(conn, ctx, convention_id, Function::ManagePartners)?;
        let service = catalogue::by_code(conn, &new.service)?.ok_or_else(|| {
            DomainError::field(
                "service",
                "unknown_service",
                mcp_domain::msg!(
                    "{} n'est pas un service du catalogue",
                    "{} is not a service of the catalogue",
                    new.service
                ),
            )
        })?;
        check_against_catalogue(conn, &service, conv.row.partner_id, &new.profiles)?;
        let id: Id<SubscriptionId> = Id::new();
        let ((), amendment) = crate::store::amendments::change(conn, ctx, &conv, amendment, "subscription", |conn, _| {
            diesel::insert_into(subscriptions::table)
                .values((
                    subscriptions::id.eq(&id),
                    subscriptions::convention_id.eq(&conv.row.id),
                    subscriptions::service_id.eq(&service.id),
                    subscriptions::made_available_on.eq(new.made_available_on),
                    subscriptions::created_at.eq(ctx.now),
                    subscriptions::updated_at.eq(ctx.now),
                ))
                .execute(conn)
                .map_err(on_unique(ErrorCode::AlreadySubscribed, mcp_domain::msg!("cette convention souscrit déjà ce service", "this convention already subscribes to this service")))?;
            write_quotas(conn, id, &service, &new.profiles)
        })?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(conv.row.partner_id.get()),
                action: TraceAction::SubscriptionCreated,
                target_type: TargetType::Subscription,
                target_id: Some(id.uuid()),
                caf_id: Some(conv.row.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({
                    "convention_id": conv.row.id, "service": service.code,
                    "profiles": quotas_json(&new.profiles), "amendment": amendment.as_ref().map(|a| a.number),
                }),
            },
        )?;
        let sub = load_rows(conn, Key::Id(id))?.pop().ok_or(Error::Domain(DomainError::NotFound))?;
        Ok((view(&conv, sub, ctx.today()), amendment))
    })
}
