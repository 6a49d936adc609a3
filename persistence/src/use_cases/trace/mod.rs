//! The use cases of trace: one file per action.

pub use crate::store::trace::*;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::Database;
use mcp_domain::access::TracePerimeter;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::Value;

mod read;
pub use read::read;
mod subject_access;
pub use subject_access::{subject_access, SubjectAccess};
mod verify_chain;
pub use verify_chain::verify_chain;
mod checkpoint;
pub use checkpoint::{take_checkpoint, Signed};
mod checkpoints;
pub use crate::store::trace_chains::Checkpoint;
pub use checkpoints::checkpoints;

/// Records that someone read traces: reading traces is itself an action.
pub(crate) fn record_reading(
    db: &Database,
    ctx: &Ctx,
    action: TraceAction,
    perimeter: TracePerimeter,
    detail: Value,
) -> Result<()> {
    let (caf_id, partner_id) = match perimeter {
        TracePerimeter::National => (None, None),
        TracePerimeter::Caf(c) => (Some(c), None),
        TracePerimeter::Partner(p) => (None, Some(p)),
    };
    db.write(|conn| {
        record(
            conn,
            ctx,
            Event {
                action,
                target_type: TargetType::Traces,
                target_id: None,
                caf_id,
                partner_id,
                outcome: Outcome::Success,
                detail,
            },
        )
    })
}
mod open_export;
pub use open_export::open_export;
