//! Delivers every undelivered message through `transport` and marks it delivered, erasing its body.

use crate::db::Database;
use crate::error::Result;
use crate::schema::outbox;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::*;

/// Delivers every undelivered message through `transport` and marks it delivered, erasing its
/// body. Returns how many were delivered. A message the transport refuses stays queued.
pub fn deliver_pending(
    db: &Database,
    transport: &dyn Transport,
    now: NaiveDateTime,
) -> Result<usize> {
    let pending: Vec<(String, String, String, String, NaiveDateTime)> = db.read(|c| {
        Ok(outbox::table
            .filter(outbox::delivered_at.is_null())
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
