//! The partner's support structure files a request with the Caf service centre.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use mcp_domain::access::Function;
use mcp_domain::convention::Party;
use mcp_domain::error::{DomainError, ErrorCode};
use mcp_domain::ids::{PartnerId, SupportRequestId};
use mcp_domain::service_centre::{self as centre, Filing, FilingInput, State, Step};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// What the partner gives, and whether it deems the situation urgent.
#[derive(Debug, Clone)]
pub struct Filed<'a> {
    /// The request.
    pub input: FilingInput<'a>,
    /// The situation is urgent: the escalation opens at once (S-art. 3.3).
    pub urgent: bool,
}

/// Files a request (the partner's habilitation managers only: S-art. 3), under the contract in
/// force; the service centre is told in the same transaction, and the escalation's contacts too
/// when the partner deems it urgent.
pub fn file(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    filed: Filed<'_>,
) -> Result<SupportRequest> {
    db.write(|conn| {
        let partner =
            crate::store::partners::load_for(conn, ctx, partner_id, Function::FileSupportRequests)?;
        let known = crate::store::catalogue::codes(conn)?;
        let own = partner_accounts(conn, partner_id)?;
        let f = Filing::check(&filed.input, &known, &own)?;
        let conv = crate::store::conventions::row_in_force(conn, partner.id, ctx.today())?
            .ok_or_else(|| {
                DomainError::rule(
                    ErrorCode::ConventionNotActive,
                    mcp_domain::msg!(
                        "aucun contrat de services de ce partenaire n'est en vigueur aujourd'hui",
                        "no service contract of this partner is in force today"
                    ),
                )
            })?;
        let terms = conv.service_centre()?;
        let id: Id<SupportRequestId> = Id::new();
        let state = State::filed(ctx.now);
        let me = ctx.principal().account_id();
        let (name, phone, email) = &f.callback;
        insert(
            conn,
            &NewRequest {
                id,
                caf_id: partner.caf_id.get(),
                partner_id,
                convention_id: conv.id,
                summary: &f.summary,
                services: &f.services,
                motive: f.motive,
                user_concerned: f.user_concerned,
                callback: (name, phone, email.as_deref()),
                filed_by: me,
            },
            state,
            centre::escalation_due_at(&terms, state.waiting),
            ctx.now,
        )?;
        add_message(
            conn,
            id,
            Step::Filed,
            Party::Partner,
            Some(me),
            Some(&f.description),
            false,
            ctx.now,
        )?;
        let row = load(conn, id.get())?;
        let to = addresses(conn, &row, &conv.contacts()?, Party::Caf)?;
        let (subject, text) = centre::filed_message(&partner.name, &f.summary, f.motive, &terms);
        let told = crate::store::outbox::enqueue_to_each(conn, ctx.now, &to, &subject, &text)?;
        traced(
            conn,
            ctx,
            &row,
            TraceAction::SupportRequestFiled,
            json!({
                "motive": f.motive.code(), "services": f.services,
                "user_concerned": f.user_concerned, "urgent": filed.urgent, "told": told,
            }),
        )?;
        if filed.urgent {
            let reason = centre::EscalationReason::Urgent(Party::Partner);
            open_escalation(conn, ctx, &row, reason, Some(me), ctx.now)?;
        }
        let row = load(conn, id.get())?;
        read(conn, row)
    })
}
