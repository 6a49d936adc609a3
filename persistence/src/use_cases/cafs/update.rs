//! Replaces a Caf's registration data (Cnaf only).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Result};
use crate::schema::cafs;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::caf::CafData;
use mcp_domain::ids::CafId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::ErrorCode;
use serde_json::json;

use super::*;

/// Replaces a Caf's registration data (Cnaf only): a new director, a move.
pub fn update(db: &Database, ctx: &Ctx, id: CafId, data: &CafData) -> Result<Caf> {
    authorize(ctx.principal(), Function::ManageCafs, Reach::Caf(id))?;
    db.write(|conn| {
        let before = load(conn, id)?;
        diesel::update(cafs::table.find(&before.id))
            .set((
                cafs::code.eq(&data.code),
                cafs::name.eq(&data.name),
                cafs::address.eq(&data.address),
                cafs::director_name.eq(&data.director_name),
                cafs::updated_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(on_unique(ErrorCode::CafAlreadyRegistered, mcp_domain::msg!("une Caf portant ce numéro est déjà enregistrée", "a Caf with this number is already registered")))?;
        let after = load(conn, id)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::CafUpdated,
                target_type: TargetType::Caf,
                target_id: Some(id.uuid()),
                caf_id: Some(id),
                outcome: Outcome::Success,
                detail: json!({
                    "before": { "code": before.code, "name": before.name, "address": before.address, "director_name": before.director_name },
                    "after": { "code": after.code, "name": after.name, "address": after.address, "director_name": after.director_name },
                }),
            },
        )?;
        Ok(after)
    })
}
