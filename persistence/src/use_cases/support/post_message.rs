//! Either side writes on a request.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SupportRequestId;
use mcp_domain::service_centre::{check_text, Step, MAX_MESSAGE_CHARS};

use super::*;

/// Writes on a request: the partner's support structure answers or adds to it (the centre is
/// then to answer, from its oldest message left unanswered); the centre answers, and asks the
/// partner something with `awaits_reply` (the partner is then to answer). The other side is
/// told.
pub fn post_message(
    db: &Database,
    ctx: &Ctx,
    id: SupportRequestId,
    text: &str,
    awaits_reply: bool,
) -> Result<SupportRequest> {
    let text = check_text("text", text, MAX_MESSAGE_CHARS)?;
    db.write(|conn| {
        let extra = Extra {
            body: Some(&text),
            awaits_reply,
            ..Extra::default()
        };
        apply(conn, ctx, id, Step::Message, extra)
    })
}
