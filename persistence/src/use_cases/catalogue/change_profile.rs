//! Changes a profile of the catalogue (Cnaf only).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::store::trace::{self, Event, Outcome};
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::catalogue::{ProfileEntry, ProfileInput};
use mcp_domain::ids::{ProfileId, ServiceId};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;

use super::*;

/// Changes what the catalogue says of a profile: who may hold it, what the bulletin prints,
/// what it sees of a file. Its code stays, as signed bulletins print it. Bulletins already
/// recorded keep their lines; the next amendment of one is checked against the new entry.
pub fn change_profile(
    db: &Database,
    ctx: &Ctx,
    service_id: ServiceId,
    profile_id: ProfileId,
    input: &ProfileInput,
) -> Result<Service> {
    authorize(ctx.principal(), Function::ManageCatalogue, Reach::National)?;
    db.write(|conn| {
        let service = load(conn, Key::Id(Id(service_id)))?;
        let before = service
            .profile(Id(profile_id))
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let entry = ProfileEntry::new(input, service.sees_files())?;
        if entry.code != before.code {
            return Err(DomainError::field(
                "code",
                "immutable",
                mcp_domain::msg!("le code d'un profil figure sur des bulletins d'adhésion signés : ajoutez plutôt un nouveau profil", "a profile's code is printed on signed bulletins: add a new profile instead"),
            )
            .into());
        }
        let was = described(&service, before);
        update_profile(conn, Id(profile_id), &entry)?;
        let after = load(conn, Key::Id(Id(service_id)))?;
        let now = after
            .profile(Id(profile_id))
            .map(|p| described(&after, p))
            .unwrap_or_default();
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::CatalogueProfileChanged,
                target_type: TargetType::Profile,
                target_id: Some(profile_id.uuid()),
                caf_id: None,
                outcome: Outcome::Success,
                detail: json!({ "service": after.code, "before": was, "after": now }),
            },
        )?;
        Ok(after)
    })
}
