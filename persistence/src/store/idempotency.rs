//! The first answer to each `Idempotency-Key` of an account, so that a retried request gets it
//! again instead of doing the work twice.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::idempotency_keys as keys;

/// How long a key's answer is kept.
pub const KEPT_HOURS: i64 = 24;

/// A stored first answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// HTTP status.
    pub status: u16,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its `Location`, for a creation.
    pub location: Option<String>,
    /// Its body.
    pub body: String,
}

/// What a request with a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: this request does the work, then stores its answer.
    Claimed,
    /// The key answered already: give this answer again.
    Answered(StoredAnswer),
    /// The first request with this key is still being served.
    InProgress,
    /// The key was used for another request (another method, path or body).
    Reused,
}

#[derive(Queryable)]
struct Row {
    request_hash: String,
    status: Option<i32>,
    content_type: Option<String>,
    location: Option<String>,
    body: Option<String>,
    created_at: NaiveDateTime,
}

/// Claims `key` for `account`'s request of digest `request_hash`, or says why not. A key older
/// than [`KEPT_HOURS`] is forgotten first.
pub fn claim(
    conn: &mut DbConnection,
    account: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> Result<Claim> {
    let mine = keys::table
        .filter(keys::account_id.eq(account))
        .filter(keys::idem_key.eq(key));
    diesel::delete(mine.filter(keys::created_at.lt(now - Duration::hours(KEPT_HOURS))))
        .execute(conn)?;
    // Both engines take ON CONFLICT DO NOTHING; only their placeholders differ.
    let insert = match conn {
        DbConnection::Postgresql(_) => {
            "INSERT INTO idempotency_keys (account_id, idem_key, request_hash, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, idem_key) DO NOTHING"
        }
        DbConnection::Sqlite(_) => {
            "INSERT INTO idempotency_keys (account_id, idem_key, request_hash, created_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT (account_id, idem_key) DO NOTHING"
        }
    };
    let inserted = diesel::sql_query(insert)
        .bind::<Text, _>(account)
        .bind::<Text, _>(key)
        .bind::<Text, _>(request_hash)
        .bind::<Timestamp, _>(now)
        .execute(conn)?;
    if inserted == 1 {
        return Ok(Claim::Claimed);
    }
    let row: Row = mine
        .select((
            keys::request_hash,
            keys::status,
            keys::content_type,
            keys::location,
            keys::body,
            keys::created_at,
        ))
        .first(conn)?;
    let _ = row.created_at;
    Ok(if row.request_hash != request_hash {
        Claim::Reused
    } else {
        match row.status {
            Some(status) => Claim::Answered(StoredAnswer {
                status: status as u16,
                content_type: row.content_type,
                location: row.location,
                body: row.body.unwrap_or_default(),
            }),
            None => Claim::InProgress,
        }
    })
}

/// Stores the first answer of a claimed key.
pub fn answer(
    conn: &mut DbConnection,
    account: &str,
    key: &str,
    stored: &StoredAnswer,
) -> Result<()> {
    diesel::update(
        keys::table
            .filter(keys::account_id.eq(account))
            .filter(keys::idem_key.eq(key)),
    )
    .set((
        keys::status.eq(stored.status as i32),
        keys::content_type.eq(&stored.content_type),
        keys::location.eq(&stored.location),
        keys::body.eq(&stored.body),
    ))
    .execute(conn)?;
    Ok(())
}

/// Releases a claimed key whose request did nothing lasting (a malformed request, a database
/// outage): a retry with it does the work.
pub fn release(conn: &mut DbConnection, account: &str, key: &str) -> Result<()> {
    diesel::delete(
        keys::table
            .filter(keys::account_id.eq(account))
            .filter(keys::idem_key.eq(key))
            .filter(keys::status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// Forgets the keys older than [`KEPT_HOURS`]; returns how many.
pub fn forget_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(
        diesel::delete(keys::table.filter(keys::created_at.lt(now - Duration::hours(KEPT_HOURS))))
            .execute(conn)?,
    )
}
