//! An agent closes a request.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SupportRequestId;
use mcp_domain::service_centre::{check_text, Step, MAX_MESSAGE_CHARS};

use super::*;

/// Closes a request, with a last word if the agent gives one; nothing is added afterwards
/// (409 `support_request_closed`). The partner is told.
pub fn close(
    db: &Database,
    ctx: &Ctx,
    id: SupportRequestId,
    text: Option<&str>,
) -> Result<SupportRequest> {
    let text = text
        .filter(|t| !t.trim().is_empty())
        .map(|t| check_text("text", t, MAX_MESSAGE_CHARS))
        .transpose()?;
    db.write(|conn| {
        let extra = Extra {
            body: text.as_deref(),
            ..Extra::default()
        };
        apply(conn, ctx, id, Step::Closed, extra)
    })
}
