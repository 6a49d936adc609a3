//! Registers a partner of the caller's Caf.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::partners;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::partner::PartnerData;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;

use super::*;

/// Registers a partner of the caller's Caf.
pub fn create(db: &Database, ctx: &Ctx, data: &PartnerData) -> Result<Partner> {
    let caf_id = ctx.principal().caf_scope().ok_or(DomainError::Forbidden)?;
    authorize(
        ctx.principal(),
        Function::ManagePartners,
        Reach::Caf(caf_id),
    )?;
    db.write(|conn| {
        let p = Partner {
            id: Id::new(),
            caf_id: Id(caf_id),
            siret: data.siret.to_string(),
            name: data.name.clone(),
            address: data.address.clone(),
            representative_name: data.representative_name.clone(),
            representative_title: data.representative_title.clone(),
            category: data.category.code().to_string(),
            created_at: ctx.now,
            updated_at: ctx.now,
            management_taken_over_at: None,
            management_takeover_reason: None,
        };
        diesel::insert_into(partners::table)
            .values((
                partners::id.eq(&p.id),
                partners::caf_id.eq(&p.caf_id),
                partners::siret.eq(&p.siret),
                partners::name.eq(&p.name),
                partners::address.eq(&p.address),
                partners::representative_name.eq(&p.representative_name),
                partners::representative_title.eq(&p.representative_title),
                partners::category.eq(&p.category),
                partners::created_at.eq(p.created_at),
                partners::updated_at.eq(p.updated_at),
            ))
            .execute(conn)
            .map_err(on_duplicate())?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(p.id.get()),
                action: TraceAction::PartnerCreated,
                target_type: TargetType::Partner,
                target_id: Some(p.id.get().uuid()),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: json!({ "siret": p.siret, "name": p.name, "category": p.category }),
            },
        )?;
        Ok(p)
    })
}
