//! The Caf approves software its partner submitted.

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

/// The Caf approves software its partner submitted: from now on people of that partner may
/// sign in to it.
pub fn approve(db: &Database, ctx: &Ctx, client_id: ClientId) -> Result<ClientApplication> {
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
        let status = crate::read_code(&app.status, SoftwareStatus::from_code)?;
        if status != SoftwareStatus::PendingApproval {
            let status_en = &app.status;
            let status_fr = match status {
                SoftwareStatus::Revoked => "révoqué",
                _ => "approuvé",
            };
            return Err(DomainError::conflict(
                ErrorCode::ClientNotPending,
                mcp_domain::msg!(
                    "ce logiciel est {status_fr} : il n'est pas en attente d'approbation",
                    "this software is {status_en}, not waiting for approval"
                ),
            )
            .into());
        }
        diesel::update(client_applications::table.find(&app.id))
            .set((
                client_applications::status.eq(SoftwareStatus::Approved.code()),
                client_applications::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(app.partner_id.get()),
                action: TraceAction::ClientApplicationApproved,
                target_type: TargetType::ClientApplication,
                target_id: Some(client_id.into()),
                caf_id: Some(app.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": app.partner_id, "name": app.name, "scopes": app.scopes, "password_grant": app.password_grant }),
            },
        )?;
        Ok(ClientApplication {
            status: SoftwareStatus::Approved.code().into(),
            updated_at: ctx.now,
            ..app
        })
    })
}
