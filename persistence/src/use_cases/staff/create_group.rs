//! Creates a group (a management function).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Result};
use crate::id::Id;
use crate::schema::partner_groups;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::habilitation::check_group;
use mcp_domain::ids::PartnerId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::ErrorCode;
use serde_json::json;

use super::*;

/// Creates a group (a management function).
pub fn create_group(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    name: &str,
    description: Option<&str>,
) -> Result<Group> {
    let (name, description) = check_group(name, description)?;
    db.write(|conn| {
        let partner = managed_partner(conn, ctx, partner_id, Function::ManageGroups)?;
        let group = Group {
            id: Id::new(),
            caf_id: partner.caf_id,
            partner_id: partner.id,
            name: name.clone(),
            description: description.clone(),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        diesel::insert_into(partner_groups::table)
            .values((
                partner_groups::id.eq(&group.id),
                partner_groups::caf_id.eq(&group.caf_id),
                partner_groups::partner_id.eq(&group.partner_id),
                partner_groups::name.eq(&group.name),
                partner_groups::description.eq(&group.description),
                partner_groups::created_at.eq(group.created_at),
                partner_groups::updated_at.eq(group.updated_at),
            ))
            .execute(conn)
            .map_err(on_unique(
                ErrorCode::GroupNameTaken,
                mcp_domain::msg!(
                    "ce partenaire a déjà un groupe de ce nom",
                    "this partner already has a group of that name"
                ),
            ))?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(group.partner_id.get()),
                action: TraceAction::GroupCreated,
                target_type: TargetType::Group,
                target_id: Some(group.id.get().uuid()),
                caf_id: Some(group.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": partner.id, "name": group.name }),
            },
        )?;
        Ok(group)
    })
}
