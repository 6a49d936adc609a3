//! The use cases of service providers' notices (C-art. 14): one file per action.

pub use crate::store::providers::*;

mod file_notice;
pub use file_notice::file_notice;
mod get;
pub use get::get;
mod list_for_convention;
pub use list_for_convention::list_for_convention;
mod observe;
pub use observe::observe;
mod record_receipt;
pub use record_receipt::record_receipt;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::ProviderNoticeId;

/// Loads a notice and checks the caller may use `function` on it (outside their reach it does
/// not exist).
fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: ProviderNoticeId,
    function: Function,
) -> Result<NoticeRow> {
    let n = load(conn, id)?;
    authorize(
        ctx.principal(),
        function,
        Reach::Partner {
            caf_id: n.caf_id.get(),
            partner_id: n.partner_id.get(),
        },
    )?;
    Ok(n)
}

/// Queues one message to each address.
fn tell(
    conn: &mut DbConnection,
    ctx: &Ctx,
    to: &[String],
    (subject, body): &(String, String),
) -> Result<()> {
    crate::store::outbox::enqueue_to_each(conn, ctx.now, to, subject, body)?;
    Ok(())
}

/// The event of an action on a notice.
fn event(
    n: &NoticeRow,
    action: mcp_domain::vocabulary::TraceAction,
    detail: serde_json::Value,
) -> crate::store::trace::Event {
    crate::store::trace::Event::on_partner_object(
        action,
        mcp_domain::vocabulary::TargetType::ProviderNotice,
        n.id.uuid(),
        (n.caf_id.get(), n.partner_id.get()),
        detail,
    )
}
