//! The outbox: messages to people, written in the transaction that decides to send them, then
//! delivered through a [`Transport`] (the API crate's: `.eml` files in a mail folder by default,
//! or a mail relay over SMTP). Once delivered, the body (which may carry a one-time secret) is
//! erased from the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::Result;
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

/// Queues the same message to each of `recipients`, inside the caller's transaction; says how
/// many were queued.
pub fn enqueue_to_each(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    recipients: &[String],
    subject: &str,
    body: &str,
) -> Result<usize> {
    for recipient in recipients {
        enqueue(conn, now, recipient, subject, body)?;
    }
    Ok(recipients.len())
}

/// How many messages wait to be delivered (not delivered, not set aside).
pub fn waiting(conn: &mut DbConnection) -> Result<i64> {
    Ok(outbox::table
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::set_aside_at.is_null())
        .count()
        .get_result(conn)?)
}

/// A message leaving the outbox.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Its id, also its `Message-ID`'s local part.
    pub id: String,
    /// The recipient's address.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body (it may carry a one-time secret: never log it).
    pub body: String,
    /// When it was queued.
    pub created_at: NaiveDateTime,
}

/// Where messages go: a mail folder (the default, so a fresh machine works), or a mail relay.
pub trait Transport: Send + Sync {
    /// Delivers one message; an error leaves it queued for the next round.
    fn send(&self, message: &Outgoing) -> std::result::Result<(), String>;
    /// Where messages go, for the logs.
    fn describe(&self) -> String;
}

/// A message set aside after its last attempt (its body is kept, for the retry, but never
/// shown: it may carry a one-time secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct SetAside {
    /// Its id.
    pub id: String,
    /// The recipient's address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// Attempts made.
    pub attempts: i32,
    /// What the transport said the last time (without the address).
    pub last_error: Option<String>,
    /// When it was set aside.
    pub set_aside_at: Option<NaiveDateTime>,
}

/// The messages set aside, oldest first, after `after` (a page).
pub fn set_aside(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<SetAside>> {
    let mut q = outbox::table
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::set_aside_at.is_not_null())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(outbox::id.gt(after.to_string()));
    }
    Ok(q.order(outbox::id.asc())
        .limit(limit)
        .select(SetAside::as_select())
        .load(conn)?)
}

/// One message set aside, if it is.
pub fn load_set_aside(conn: &mut DbConnection, id: &str) -> Result<Option<SetAside>> {
    Ok(outbox::table
        .find(id)
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::set_aside_at.is_not_null())
        .select(SetAside::as_select())
        .first(conn)
        .optional()?)
}

/// Queues a message set aside again, as if new: its attempts start over.
pub fn queue_again(conn: &mut DbConnection, id: &str) -> Result<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(None::<NaiveDateTime>),
            outbox::set_aside_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}
