//! Replaces the form of a draft, or of a request sent back for changes.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::habilitation_requests;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::RequestId;
use mcp_domain::request::RequestStep;
use mcp_domain::vocabulary::TraceAction;

use super::*;

/// Replaces the form of a draft, or of a request sent back for changes.
pub fn edit(db: &Database, ctx: &Ctx, id: RequestId, form: Form) -> Result<RequestView> {
    db.write(|conn| {
        let (row, partner) = load(conn, ctx, id, Function::FileRequests)?;
        row.status()?.after(RequestStep::Edit)?;
        if form.kind().code() != row.kind {
            return Err(field_error(
                "kind",
                "kind_changed",
                mcp_domain::msg!(
                    "une demande garde sa nature : déposez-en une nouvelle",
                    "a request keeps its kind: file a new one"
                ),
            ));
        }
        let (form, seat) = check_form(conn, &partner, form, ctx.today())?;
        let text = serde_json::to_string(&form).expect("plain data");
        diesel::update(habilitation_requests::table.find(&row.id))
            .set((
                habilitation_requests::form.eq(&text),
                habilitation_requests::subscription_id.eq(seat.as_ref().map(|s| s.0)),
                habilitation_requests::profile_id.eq(seat.as_ref().map(|s| s.1)),
                habilitation_requests::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        record(
            conn,
            ctx,
            &row,
            TraceAction::RequestEdited,
            serde_json::to_value(&form).unwrap_or_default(),
        )?;
        view(
            RequestRow {
                form: text,
                subscription_id: seat.as_ref().map(|s| s.0),
                profile_id: seat.map(|s| s.1),
                updated_at: ctx.now,
                ..row
            },
            ctx.now,
        )
    })
}
