//! Delivers every undelivered message through `transport` and marks it delivered, erasing its body.

use crate::db::Database;
use crate::error::Result;
use crate::schema::outbox;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::*;

/// Delivers every undelivered message due through `transport` and marks it delivered, erasing
/// its body. Returns how many were delivered. A message the transport refuses stays queued and
/// is tried again later, with backoff (`domain::delivery`); after its last attempt it is set
/// aside, for the Cnaf to see and retry. The action that queued it never waits for any of this.
pub fn deliver_pending(
    db: &Database,
    transport: &dyn Transport,
    now: NaiveDateTime,
) -> Result<usize> {
    let pending: Vec<(String, String, String, String, NaiveDateTime)> = db.read(|c| {
        Ok(outbox::table
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::set_aside_at.is_null())
            .filter(
                outbox::next_attempt_at
                    .is_null()
                    .or(outbox::next_attempt_at.le(now)),
            )
            .order(outbox::id.asc())
            .limit(500)
            .select((
                outbox::id,
                outbox::recipient,
                outbox::subject,
                outbox::body,
                outbox::created_at,
            ))
            .load(c)?)
    })?;
    let mut delivered = 0;
    for (id, to, subject, body, created_at) in pending {
        let message = Outgoing {
            id,
            to,
            subject,
            body,
            created_at,
        };
        if let Err(e) = transport.send(&message) {
            log::error!(
                "outbox: message {} not delivered to {}: {e}",
                message.id,
                transport.describe()
            );
            // What the transport said, without the address it was for.
            let error: String = e.replace(&message.to, "…").chars().take(300).collect();
            db.write(|c| {
                let attempts: i32 = outbox::table
                    .find(&message.id)
                    .select(outbox::attempts)
                    .first(c)?;
                let attempts = attempts + 1;
                let aside = mcp_domain::delivery::set_aside(attempts);
                diesel::update(outbox::table.find(&message.id))
                    .set((
                        outbox::attempts.eq(attempts),
                        outbox::last_error.eq(&error),
                        outbox::next_attempt_at
                            .eq(now + mcp_domain::delivery::retry_delay(attempts)),
                        outbox::set_aside_at.eq(aside.then_some(now)),
                    ))
                    .execute(c)?;
                Ok(())
            })?;
            continue;
        }
        db.write(|c| {
            diesel::update(outbox::table.find(&message.id))
                .set((outbox::delivered_at.eq(now), outbox::body.eq("")))
                .execute(c)?;
            Ok(())
        })?;
        delivered += 1;
    }
    Ok(delivered)
}
