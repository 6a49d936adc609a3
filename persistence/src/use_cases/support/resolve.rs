//! An agent resolves a request.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SupportRequestId;
use mcp_domain::service_centre::{check_text, Step, MAX_MESSAGE_CHARS};

use super::*;

/// Says a request is resolved, and how (S-art. 3.1: "rendre compte à l'utilisateur"); the
/// partner is told and may still answer, which reopens it. An open escalation ends.
pub fn resolve(
    db: &Database,
    ctx: &Ctx,
    id: SupportRequestId,
    text: &str,
) -> Result<SupportRequest> {
    let text = check_text("text", text, MAX_MESSAGE_CHARS)?;
    db.write(|conn| {
        let extra = Extra {
            body: Some(&text),
            ..Extra::default()
        };
        apply(conn, ctx, id, Step::Resolved, extra)
    })
}
