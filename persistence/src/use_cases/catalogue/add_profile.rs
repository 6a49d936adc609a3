//! Adds a profile to a service of the catalogue (Cnaf only).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::store::trace::{self, Event, Outcome};
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::catalogue::{ProfileEntry, ProfileInput};
use mcp_domain::ids::{ProfileId, ServiceId};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Adds a profile at the end of a service's list; partners may be given it from the next
/// bulletin recorded. Gives the service and the new profile's id.
pub fn add_profile(
    db: &Database,
    ctx: &Ctx,
    service_id: ServiceId,
    input: &ProfileInput,
) -> Result<(Service, ProfileId)> {
    authorize(ctx.principal(), Function::ManageCatalogue, Reach::National)?;
    db.write(|conn| {
        let service = load(conn, Key::Id(Id(service_id)))?;
        let entry = ProfileEntry::new(input, service.sees_files())?;
        let id: Id<ProfileId> = Id::new();
        insert_profile(conn, service.id, id, &entry)?;
        let after = load(conn, Key::Id(Id(service_id)))?;
        let added = after
            .profile(id)
            .map(|p| described(&after, p))
            .unwrap_or_default();
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::CatalogueProfileAdded,
                target_type: TargetType::Profile,
                target_id: Some(id.uuid()),
                caf_id: None,
                outcome: Outcome::Success,
                detail: json!({ "service": after.code, "profile": added }),
            },
        )?;
        Ok((after, id.get()))
    })
}
