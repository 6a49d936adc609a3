//! Revokes a software.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::client_applications;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::ClientId;
use mcp_domain::vocabulary::{SoftwareStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// Revokes a software: it can no longer sign anyone in, and every session it holds ends now.
pub fn revoke(
    db: &Database,
    ctx: &Ctx,
    client_id: ClientId,
    reason: &str,
) -> Result<ClientApplication> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    db.write(|conn| {
        let app: ClientApplication = client_applications::table
            .find(client_id.to_string())
            .select(ClientApplication::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        crate::store::partners::load_for(
            conn,
            ctx,
            app.partner_id.get().uuid().into(),
            Function::ManagePartners,
        )?;
        if crate::read_code(&app.status, SoftwareStatus::from_code)? == SoftwareStatus::Revoked {
            return Err(DomainError::conflict(
                ErrorCode::ClientRevoked,
                mcp_domain::msg!(
                    "ce logiciel est déjà révoqué",
                    "this software is already revoked"
                ),
            )
            .into());
        }
        diesel::update(client_applications::table.find(&app.id))
            .set((
                client_applications::status.eq(SoftwareStatus::Revoked.code()),
                client_applications::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = crate::store::sessions::revoke_client_in(conn, ctx, app.id)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(app.partner_id.get()),
                action: TraceAction::ClientApplicationRevoked,
                target_type: TargetType::ClientApplication,
                target_id: Some(client_id.into()),
                caf_id: Some(app.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "reason": reason, "sessions_ended": ended }),
            },
        )?;
        Ok(ClientApplication {
            status: SoftwareStatus::Revoked.code().into(),
            ..app
        })
    })
}
