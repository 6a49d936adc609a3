//! Designs a role bundle (a management function).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Result};
use crate::id::Id;
use crate::schema::role_bundles;
use crate::store::staff::{self};
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize_profile, Function};
use mcp_domain::habilitation::check_bundle;
use mcp_domain::ids::PartnerId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::*;

/// Designs a role bundle (a management function): profiles the partner subscribes to and the
/// manager may hand on.
pub fn create_bundle(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    name: &str,
    description: Option<&str>,
    profile_ids: &[Uuid],
) -> Result<RoleBundle> {
    let (name, description, profile_ids) = check_bundle(name, description, profile_ids)?;
    db.write(|conn| {
        let partner = staff::managed_partner(conn, ctx, partner_id, Function::ManageHabilitations)?;
        let subscribed = subscribed_profiles(conn, partner.id, ctx.today())?;
        for (i, p) in profile_ids.iter().enumerate() {
            if !subscribed.contains(&Id(mcp_domain::ids::ProfileId::from(*p))) {
                return Err(DomainError::field(format!("profile_ids[{i}]"), "profile_not_subscribed", mcp_domain::msg!("le partenaire n'a pas souscrit ce profil au titre d'une convention en vigueur", "the partner does not subscribe to this profile under a convention in force")).into());
            }
            authorize_profile(ctx.principal(), (*p).into())?;
        }
        let b = RoleBundle {
            id: Id::new(),
            caf_id: partner.caf_id,
            partner_id: partner.id,
            name,
            description,
            profile_ids: serde_json::to_string(&profile_ids.iter().map(Uuid::to_string).collect::<Vec<_>>()).expect("strings"),
            created_by: Id(ctx.principal().account_id),
            created_at: ctx.now,
        };
        diesel::insert_into(role_bundles::table)
            .values((
                role_bundles::id.eq(&b.id),
                role_bundles::caf_id.eq(&b.caf_id),
                role_bundles::partner_id.eq(&b.partner_id),
                role_bundles::name.eq(&b.name),
                role_bundles::description.eq(&b.description),
                role_bundles::profile_ids.eq(&b.profile_ids),
                role_bundles::created_by.eq(&b.created_by),
                role_bundles::created_at.eq(b.created_at),
            ))
            .execute(conn)
            .map_err(on_unique(ErrorCode::RoleBundleNameTaken, mcp_domain::msg!("ce partenaire a déjà un ensemble de rôles de ce nom", "this partner already has a role bundle of that name")))?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(b.partner_id.get()),
                action: TraceAction::RoleBundleCreated,
                target_type: TargetType::RoleBundle,
                target_id: Some(b.id.get().uuid()),
                caf_id: Some(b.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": b.partner_id, "name": b.name, "profile_ids": profile_ids }),
            },
        )?;
        Ok(b)
    })
}
