//! Queues a message set aside again (a relay repaired, an address corrected at the relay).

use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::outbox::{self, SetAside};
use crate::store::trace::{record, Event, Outcome};

/// Queues the message `id` again; 404 unless it is set aside.
pub fn retry(db: &Database, ctx: &Ctx, id: Uuid) -> Result<SetAside> {
    authorize(
        ctx.principal(),
        Function::SuperviseDelivery,
        Reach::National,
    )?;
    db.write(|conn| {
        let message =
            outbox::load_set_aside(conn, &id.to_string())?.ok_or(DomainError::NotFound)?;
        outbox::queue_again(conn, &message.id)?;
        record(
            conn,
            ctx,
            Event {
                action: TraceAction::MessageRetried,
                target_type: TargetType::Message,
                target_id: Some(id),
                caf_id: None,
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({"subject": message.subject, "attempts": message.attempts}),
            },
        )?;
        Ok(message)
    })
}
