//! The use cases of meetings on a convention (C-art. 16): one file per action.

pub use crate::store::meetings::*;

mod get;
pub use get::get;
mod hold;
pub use hold::{hold, HeldInput};
mod list_for_convention;
pub use list_for_convention::list_for_convention;
mod plan;
pub use plan::plan;
mod validate_minutes;
pub use validate_minutes::validate_minutes;
mod write_minutes;
pub use write_minutes::write_minutes;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::convention::Party;
use mcp_domain::ids::MeetingId;
use mcp_domain::vocabulary::TraceAction;

/// Loads a meeting and checks the caller may use `function` on it (outside their reach it does
/// not exist).
fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: MeetingId,
    function: Function,
) -> Result<MeetingRow> {
    let m = load(conn, id)?;
    authorize(
        ctx.principal(),
        function,
        Reach::Partner {
            caf_id: m.caf_id.get(),
            partner_id: m.partner_id.get(),
        },
    )?;
    Ok(m)
}

/// Tells the party other than `by` (the Caf's administrators, or the partner's).
fn tell_other(
    conn: &mut DbConnection,
    ctx: &Ctx,
    m: &MeetingRow,
    by: Party,
    (subject, body): &(String, String),
) -> Result<()> {
    let partner = match by {
        Party::Caf => Some(m.partner_id.get()),
        Party::Partner => None,
    };
    let to = crate::store::accounts::administrators(conn, m.caf_id.get(), partner)?;
    crate::store::outbox::enqueue_to_each(conn, ctx.now, &to, subject, body)?;
    Ok(())
}

/// The partner's name, for messages.
fn partner_name(conn: &mut DbConnection, ctx: &Ctx, m: &MeetingRow) -> Result<String> {
    Ok(
        crate::store::partners::load_for(conn, ctx, m.partner_id.get(), Function::HoldMeetings)?
            .name,
    )
}

/// Traces an action on a meeting.
fn traced(
    conn: &mut DbConnection,
    ctx: &Ctx,
    m: &MeetingRow,
    action: TraceAction,
    detail: serde_json::Value,
) -> Result<()> {
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event::on_partner_object(
            action,
            mcp_domain::vocabulary::TargetType::Meeting,
            m.id.uuid(),
            (m.caf_id.get(), m.partner_id.get()),
            detail,
        ),
    )
}
