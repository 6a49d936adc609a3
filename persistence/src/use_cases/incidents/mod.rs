//! The use cases of security incidents (C-art. 9.2): one file per action.

pub use crate::store::incidents::*;

mod close;
pub use close::close;
mod get;
pub use get::get;
mod list_for_partner;
pub use list_for_partner::list_for_partner;
mod record_measure;
pub use record_measure::record_measure;
mod report;
pub use report::{report, Reported};
mod suspend_accesses;
pub use suspend_accesses::suspend_accesses;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::convention::Party;
use mcp_domain::ids::SecurityIncidentId;
use mcp_domain::vocabulary::TraceAction;

/// Loads an incident and checks the caller may use `function` on it (outside their reach it
/// does not exist).
fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: SecurityIncidentId,
    function: Function,
) -> Result<IncidentRow> {
    let n = load(conn, id)?;
    authorize(ctx.principal(), function, reach(&n))?;
    Ok(n)
}

fn reach(n: &IncidentRow) -> Reach {
    Reach::Partner {
        caf_id: n.caf_id.get(),
        partner_id: n.partner_id.get(),
    }
}

/// Tells `side` of the incident's partner: its security officers and administrators.
fn tell(
    conn: &mut DbConnection,
    ctx: &Ctx,
    n: &IncidentRow,
    side: Party,
    (subject, body): &(String, String),
) -> Result<usize> {
    let to = security_contacts(conn, (n.caf_id.get(), n.partner_id.get()), side)?;
    crate::store::outbox::enqueue_to_each(conn, ctx.now, &to, subject, body)
}

/// The partner's name, for messages.
fn partner_name(conn: &mut DbConnection, ctx: &Ctx, n: &IncidentRow) -> Result<String> {
    Ok(
        crate::store::partners::load_for(conn, ctx, n.partner_id.get(), Function::ReadRequests)?
            .name,
    )
}

/// Traces an action on an incident.
fn traced(
    conn: &mut DbConnection,
    ctx: &Ctx,
    n: &IncidentRow,
    action: TraceAction,
    detail: serde_json::Value,
) -> Result<()> {
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event::on_partner_object(
            action,
            mcp_domain::vocabulary::TargetType::SecurityIncident,
            n.id.uuid(),
            (n.caf_id.get(), n.partner_id.get()),
            detail,
        ),
    )
}
