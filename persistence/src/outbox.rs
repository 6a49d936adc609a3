//! The outbox: messages to people, written in the transaction that decides to send them, then
//! delivered. Delivery here writes RFC 5322 `.eml` files to a mail folder; once delivered, the
//! body (which may carry a one-time secret) is erased from the database.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{Database, DbConnection};
use crate::error::{Error, Result};
use crate::schema::outbox;

/// Queues a message on `conn`, inside the caller's transaction.
pub fn enqueue(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(crate::new_id()),
            outbox::recipient.eq(recipient),
            outbox::subject.eq(subject),
            outbox::body.eq(body),
            outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes every undelivered message to `dir` as an `.eml` file and marks it delivered.
/// Returns how many were delivered. A message whose file cannot be written stays queued.
pub fn deliver_pending(db: &Database, dir: &Path, from: &str, now: NaiveDateTime) -> Result<usize> {
    let pending: Vec<(String, String, String, String, NaiveDateTime)> = db.read(|c| {
        Ok(outbox::table
            .filter(outbox::delivered_at.is_null())
            .order(outbox::id.asc())
            .select((
                outbox::id,
                outbox::recipient,
                outbox::subject,
                outbox::body,
                outbox::created_at,
            ))
            .load(c)?)
    })?;
    if pending.is_empty() {
        return Ok(0);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Unavailable(format!("mail folder {}: {e}", dir.display())))?;
    let mut delivered = 0;
    for (id, to, subject, body, created_at) in pending {
        let file = dir.join(format!("{id}.eml"));
        let tmp = dir.join(format!(".{id}.eml.tmp"));
        let message = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: <{id}@mon-compte-partenaire>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
            created_at.and_utc().to_rfc2822(),
            body.replace('\n', "\r\n"),
        );
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| {
                f.write_all(message.as_bytes())?;
                f.sync_all()
            })
            .and_then(|_| std::fs::rename(&tmp, &file));
        if let Err(e) = written {
            log::error!("outbox: message {id} not delivered: {e}");
            continue;
        }
        db.write(|c| {
            diesel::update(outbox::table.find(&id))
                .set((outbox::delivered_at.eq(now), outbox::body.eq("")))
                .execute(c)?;
            Ok(())
        })?;
        delivered += 1;
    }
    Ok(delivered)
}
