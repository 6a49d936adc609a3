//! The use cases of the Caf service centre (S-art. 3) and its escalation (S-art. 3.3): one file
//! per action.

pub use crate::store::support::*;

mod add_agent;
pub use add_agent::add_agent;
mod agents;
pub use agents::list_agents;
mod close;
pub use close::close;
mod escalate_due;
pub use escalate_due::escalate_due;
mod file;
pub use file::{file, Filed};
mod flag_urgent;
pub use flag_urgent::flag_urgent;
mod get;
pub use get::get;
mod list;
pub use list::{list_for_caf, list_for_partner};
mod post_message;
pub use post_message::post_message;
mod resolve;
pub use resolve::resolve;
mod route;
pub use route::route;
mod service_centre;
pub use service_centre::{service_centre, ServiceCentre};
mod take;
pub use take::take;

use chrono::NaiveDateTime;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use mcp_domain::access::{authorize, Reach};
use mcp_domain::contract::Contact;
use mcp_domain::convention::Party;
use mcp_domain::ids::{AccountId, SupportRequestId};
use mcp_domain::service_centre::{
    self as centre, escalation_due_at, EscalationReason, ServiceCentreTerms, Status, Step,
};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

/// A request with its thread and what its contract says, as read.
#[derive(Debug, Clone)]
pub struct SupportRequest {
    /// The stored request.
    pub row: SupportRequestRow,
    /// Its messages and steps, oldest first.
    pub messages: Vec<MessageRow>,
    /// Its contract's service centre.
    pub terms: ServiceCentreTerms,
    /// While its escalation is open: the contacts of the Caf, then of the partner, in the
    /// contract's order.
    pub escalation_contacts: Option<(Vec<Contact>, Vec<Contact>)>,
}

/// Loads a request to change it, its row taken until commit ([`lock`]), and checks the caller
/// may act on it.
fn load_to_change(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: SupportRequestId,
) -> Result<(SupportRequestRow, Party)> {
    lock(conn, id)?;
    load_for(conn, ctx, id)
}

/// Loads a request and checks the caller may act on it, for their side (outside their reach
/// it does not exist).
fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: SupportRequestId,
) -> Result<(SupportRequestRow, Party)> {
    let row = load(conn, id)?;
    let reach = Reach::Partner {
        caf_id: row.caf_id.get(),
        partner_id: row.partner_id.get(),
    };
    // A role outside both support structures (an auditor, the Cnaf) is refused as any other:
    // 404 outside its reach, 403 within.
    let (side, function) = centre::side_of(ctx.principal()).or_else(|e| {
        authorize(
            ctx.principal(),
            mcp_domain::access::Function::AnswerSupportRequests,
            reach,
        )?;
        Err(e)
    })?;
    authorize(ctx.principal(), function, reach)?;
    Ok((row, side))
}

/// The contract's contacts and service centre, from the convention in force when the request
/// was filed.
fn contract_of(
    conn: &mut DbConnection,
    row: &SupportRequestRow,
) -> Result<(Vec<Contact>, ServiceCentreTerms)> {
    let c = crate::store::conventions::load_for_system(conn, row.convention_id)?;
    Ok((c.row.contacts()?, c.row.service_centre()?))
}

/// A request as read: its thread, its contract's terms, the escalation's contacts while open.
pub(crate) fn read(conn: &mut DbConnection, row: SupportRequestRow) -> Result<SupportRequest> {
    let (contacts, terms) = contract_of(conn, &row)?;
    let messages = messages(conn, row.id)?;
    let escalation_contacts = row.escalated_at.map(|_| {
        (
            centre::escalation_contacts(&contacts, Party::Caf),
            centre::escalation_contacts(&contacts, Party::Partner),
        )
    });
    Ok(SupportRequest {
        row,
        messages,
        terms,
        escalation_contacts,
    })
}

/// The partner's name, for messages.
fn partner_name(conn: &mut DbConnection, row: &SupportRequestRow) -> Result<String> {
    partner_name_of(conn, row.partner_id)
}

/// Whom a side is told through: for the partner, who filed the request and the contact to
/// call back; for the Caf, the service centre's mailbox and agents, and the agent following it.
fn addresses(
    conn: &mut DbConnection,
    row: &SupportRequestRow,
    contacts: &[Contact],
    side: Party,
) -> Result<Vec<String>> {
    let mut to = std::collections::BTreeSet::new();
    match side {
        Party::Partner => {
            to.extend(address_of(conn, row.filed_by)?);
            to.extend(row.callback_email.clone());
        }
        Party::Caf => {
            to.extend(centre_addresses(conn, row.caf_id.get(), contacts)?);
            if let Some(a) = row.assigned_to {
                to.extend(address_of(conn, a)?);
            }
        }
    }
    Ok(to.into_iter().collect())
}

/// What a step changes besides the state.
#[derive(Debug, Clone, Copy, Default)]
struct Extra<'a> {
    /// What the person wrote.
    body: Option<&'a str>,
    /// Whether it asks the other side something.
    awaits_reply: bool,
    /// Where the request is routed.
    routed_to: Option<&'a str>,
}

/// Applies `step` by the caller on a request: the state the domain gives, the step kept in the
/// thread, the other side told, the trace. An escalation ends with the request's resolution.
fn apply(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: SupportRequestId,
    step: Step,
    extra: Extra<'_>,
) -> Result<SupportRequest> {
    let (row, side) = load_to_change(conn, ctx, id)?;
    let state = row
        .state()?
        .after(step, side, extra.awaits_reply, ctx.now)?;
    let (contacts, terms) = contract_of(conn, &row)?;
    let due = escalation_due_at(&terms, state.waiting);
    let me = ctx.principal().account_id();
    let assign = (step == Step::Taken).then_some(me);
    set_state(conn, row.id, state, due, (assign, extra.routed_to), ctx.now)?;
    let body = extra.body.or(extra.routed_to);
    add_message(
        conn,
        row.id,
        step,
        side,
        Some(me),
        body,
        extra.awaits_reply,
        ctx.now,
    )?;
    if matches!(state.status, Status::Resolved | Status::Closed) && row.escalated_at.is_some() {
        set_escalation(conn, row.id, None)?;
    }
    let row = load(conn, id)?;
    let name = partner_name(conn, &row)?;
    let other = match side {
        Party::Caf => Party::Partner,
        Party::Partner => Party::Caf,
    };
    let to = addresses(conn, &row, &contacts, other)?;
    let (subject, text) = centre::step_message(&name, &row.summary, step, side, body);
    let told = crate::store::outbox::enqueue_to_each(conn, ctx.now, &to, &subject, &text)?;
    traced(
        conn,
        ctx,
        &row,
        TraceAction::SupportRequestStep,
        json!({
            "step": step.code(), "side": side.code(), "status": state.status.code(),
            "awaits_reply": extra.awaits_reply, "told": told,
        }),
    )?;
    read(conn, row)
}

/// Opens the escalation of a request (S-art. 3.3), once: the contacts of both sides, in the
/// contract's order, are named on it and told, with who filed it and the agent following it.
fn open_escalation(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &SupportRequestRow,
    reason: EscalationReason,
    author: Option<AccountId>,
    now: NaiveDateTime,
) -> Result<usize> {
    if row.escalated_at.is_some() {
        return Ok(0);
    }
    let (contacts, _) = contract_of(conn, row)?;
    let caf = centre::escalation_contacts(&contacts, Party::Caf);
    let partner = centre::escalation_contacts(&contacts, Party::Partner);
    set_escalation(conn, row.id, Some((reason, now)))?;
    let side = match reason {
        EscalationReason::Urgent(side) => side,
        // The side left waiting opens it.
        EscalationReason::Unanswered(Party::Caf) => Party::Partner,
        EscalationReason::Unanswered(Party::Partner) => Party::Caf,
    };
    add_message(
        conn,
        row.id,
        Step::Escalated,
        side,
        author,
        None,
        false,
        now,
    )?;
    let mut to: std::collections::BTreeSet<String> = caf
        .iter()
        .chain(partner.iter())
        .filter_map(|c| c.email.clone())
        .collect();
    to.extend(address_of(conn, row.filed_by)?);
    if let Some(a) = row.assigned_to {
        to.extend(address_of(conn, a)?);
    }
    let to: Vec<String> = to.into_iter().collect();
    let name = partner_name(conn, row)?;
    let (subject, text) = centre::escalation_message(&name, &row.summary, reason, &caf, &partner);
    let told = crate::store::outbox::enqueue_to_each(conn, now, &to, &subject, &text)?;
    traced(
        conn,
        ctx,
        row,
        TraceAction::SupportRequestEscalated,
        json!({
            "reason": reason.code(),
            "caf_contacts": caf.iter().map(|c| &c.name).collect::<Vec<_>>(),
            "partner_contacts": partner.iter().map(|c| &c.name).collect::<Vec<_>>(),
            "told": told,
        }),
    )?;
    Ok(told)
}

/// Traces an action on a request.
fn traced(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &SupportRequestRow,
    action: TraceAction,
    detail: serde_json::Value,
) -> Result<()> {
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event::on_partner_object(
            action,
            TargetType::SupportRequest,
            row.id.uuid(),
            (row.caf_id.get(), row.partner_id.get()),
            detail,
        ),
    )
}
