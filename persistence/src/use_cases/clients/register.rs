//! Registers a partner's software.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::client_applications;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{Function, Scope};
use mcp_domain::ids::PartnerId;
use mcp_domain::software::Registration;
use mcp_domain::vocabulary::{SoftwareStatus, TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Registers a partner's software: approved at once when the Caf registers it; pending the
/// Caf's approval when the partner's administrators submit it.
pub fn register(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    reg: &Registration,
) -> Result<ClientApplication> {
    let submitted = ctx.principal().is_partner_staff();
    let (function, status, action) = if submitted {
        (
            Function::SubmitSoftware,
            SoftwareStatus::PendingApproval.code(),
            TraceAction::ClientApplicationSubmitted,
        )
    } else {
        (
            Function::ManagePartners,
            SoftwareStatus::Approved.code(),
            TraceAction::ClientApplicationRegistered,
        )
    };
    db.write(|conn| {
        let partner = crate::store::partners::load_for(conn, ctx, partner_id, function)?;
        let app = ClientApplication {
            id: Id::new(),
            caf_id: partner.caf_id,
            partner_id: partner.id,
            name: reg.name.clone(),
            redirect_uris: serde_json::to_string(&reg.redirect_uris).expect("strings serialise"),
            scopes: Scope::join(&reg.scopes),
            password_grant: reg.password_grant,
            status: status.into(),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        diesel::insert_into(client_applications::table)
            .values((
                client_applications::id.eq(&app.id),
                client_applications::caf_id.eq(&app.caf_id),
                client_applications::partner_id.eq(&app.partner_id),
                client_applications::name.eq(&app.name),
                client_applications::redirect_uris.eq(&app.redirect_uris),
                client_applications::scopes.eq(&app.scopes),
                client_applications::password_grant.eq(app.password_grant),
                client_applications::status.eq(&app.status),
                client_applications::created_at.eq(app.created_at),
                client_applications::updated_at.eq(app.updated_at),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(app.partner_id.get()),
                action,
                target_type: TargetType::ClientApplication,
                target_id: Some(app.client_uuid()?.into()),
                caf_id: Some(app.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": app.partner_id, "name": app.name, "redirect_uris": reg.redirect_uris, "scopes": app.scopes, "password_grant": app.password_grant }),
            },
        )?;
        Ok(app)
    })
}
