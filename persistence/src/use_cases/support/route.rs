//! An agent routes a request to the sector concerned.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::ids::SupportRequestId;
use mcp_domain::service_centre::{check_text, Step};

use super::*;

/// Routes a request to the sector that will intervene, or to the national level (S-art. 3.1:
/// "aiguiller les interventions vers les secteurs appropriés"); the partner is told where.
pub fn route(db: &Database, ctx: &Ctx, id: SupportRequestId, to: &str) -> Result<SupportRequest> {
    let to = check_text("routed_to", to, 200)?;
    db.write(|conn| {
        let extra = Extra {
            routed_to: Some(&to),
            ..Extra::default()
        };
        apply(conn, ctx, id, Step::Routed, extra)
    })
}
