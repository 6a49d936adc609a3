//! Registers a Caf (Cnaf only).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Result};
use crate::id::Id;
use crate::schema::cafs;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::caf::CafData;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::ErrorCode;
use serde_json::json;

use super::*;

/// Registers a Caf (Cnaf only).
pub fn create(db: &Database, ctx: &Ctx, data: &CafData) -> Result<Caf> {
    authorize(ctx.principal(), Function::ManageCafs, Reach::National)?;
    db.write(|conn| {
        let caf = Caf {
            id: Id::new(),
            code: data.code.clone(),
            name: data.name.clone(),
            address: data.address.clone(),
            director_name: data.director_name.clone(),
            created_at: ctx.now,
            updated_at: ctx.now,
            second_factor_required: false,
        };
        diesel::insert_into(cafs::table)
            .values((
                cafs::id.eq(&caf.id),
                cafs::code.eq(&caf.code),
                cafs::name.eq(&caf.name),
                cafs::address.eq(&caf.address),
                cafs::director_name.eq(&caf.director_name),
                cafs::created_at.eq(caf.created_at),
                cafs::updated_at.eq(caf.updated_at),
            ))
            .execute(conn)
            .map_err(on_unique(
                ErrorCode::CafAlreadyRegistered,
                mcp_domain::msg!(
                    "une Caf portant ce numéro est déjà enregistrée",
                    "a Caf with this number is already registered"
                ),
            ))?;
        let id = caf.id.get();
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::CafCreated,
                target_type: TargetType::Caf,
                target_id: Some(id.uuid()),
                caf_id: Some(id),
                outcome: Outcome::Success,
                detail: json!({ "code": caf.code, "name": caf.name }),
            },
        )?;
        Ok(caf)
    })
}
