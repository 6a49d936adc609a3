//! Files a request as a draft (the partner's administrators), checked at once.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::habilitation_requests;
use crate::store::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;
use mcp_domain::request::RequestStatus;
use mcp_domain::vocabulary::TraceAction;

use super::*;

/// Files a request as a draft (the partner's administrators), checked at once.
pub fn file(db: &Database, ctx: &Ctx, partner_id: PartnerId, form: Form) -> Result<RequestView> {
    db.write(|conn| {
        let partner = partners::load_for(conn, ctx, partner_id, Function::FileRequests)?;
        let kind = form.kind();
        let (form, seat) = check_form(conn, &partner, form, ctx.today())?;
        let row = RequestRow {
            id: Id::new(),
            caf_id: partner.caf_id,
            partner_id: partner.id,
            kind: kind.code().into(),
            status: RequestStatus::Draft.code().into(),
            form: serde_json::to_string(&form).expect("plain data"),
            subscription_id: seat.as_ref().map(|s| s.0),
            profile_id: seat.as_ref().map(|s| s.1),
            filed_by: Id(ctx.principal().account_id),
            created_at: ctx.now,
            submitted_at: None,
            escalation_due_at: None,
            decided_by: None,
            decided_at: None,
            reason: None,
            result: None,
            updated_at: ctx.now,
        };
        diesel::insert_into(habilitation_requests::table)
            .values((
                habilitation_requests::id.eq(&row.id),
                habilitation_requests::caf_id.eq(&row.caf_id),
                habilitation_requests::partner_id.eq(&row.partner_id),
                habilitation_requests::kind.eq(&row.kind),
                habilitation_requests::status.eq(&row.status),
                habilitation_requests::form.eq(&row.form),
                habilitation_requests::subscription_id.eq(&row.subscription_id),
                habilitation_requests::profile_id.eq(&row.profile_id),
                habilitation_requests::filed_by.eq(&row.filed_by),
                habilitation_requests::created_at.eq(row.created_at),
                habilitation_requests::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
        record(
            conn,
            ctx,
            &row,
            TraceAction::RequestFiled,
            serde_json::to_value(&form).unwrap_or_default(),
        )?;
        view(row, ctx.now)
    })
}
