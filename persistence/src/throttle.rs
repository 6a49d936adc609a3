//! Counters of failed logins behind the throttling policy, kept in the database so that every
//! instance behind a load balancer applies the same limits.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::throttle::{FailureRecord, ThrottlePolicy};

use crate::db::{Database, DbConnection};
use crate::error::Result;
use crate::schema::login_throttle;

/// A throttled key and its policy.
#[derive(Debug, Clone)]
pub struct Key {
    /// `identifier:K7M2-Q9XD`, `source:192.0.2.1`…
    pub key: String,
    /// Its policy.
    pub policy: ThrottlePolicy,
}

impl Key {
    /// Key of a typed identifier (known or not: unknown ones are throttled alike, so the
    /// throttling tells nothing of which exist).
    pub fn identifier(identifier: &str, policy: ThrottlePolicy) -> Self {
        Self {
            key: format!("identifier:{identifier}"),
            policy,
        }
    }

    /// Key of a source address.
    pub fn source(source: &str, policy: ThrottlePolicy) -> Self {
        Self {
            key: format!("source:{source}"),
            policy,
        }
    }
}

fn load(conn: &mut DbConnection, key: &str) -> Result<Option<FailureRecord>> {
    let row: Option<(i32, NaiveDateTime)> = login_throttle::table
        .find(key)
        .select((login_throttle::failures, login_throttle::last_failure_at))
        .first(conn)
        .optional()?;
    Ok(row.map(|(failures, last_failure_at)| FailureRecord {
        failures: failures.max(0) as u32,
        last_failure_at,
    }))
}

/// The longest wait any of the keys imposes at `now`.
pub fn retry_after(db: &Database, keys: &[Key], now: NaiveDateTime) -> Result<Option<Duration>> {
    db.read(|conn| {
        let mut longest: Option<Duration> = None;
        for k in keys {
            if let Some(wait) = k.policy.retry_after(load(conn, &k.key)?, now) {
                longest = Some(longest.map_or(wait, |l| l.max(wait)));
            }
        }
        Ok(longest)
    })
}

/// Counts a failure on every key. Concurrent failures on one key are all counted: the counter
/// is incremented in place, and a key first created by a concurrent request is then updated.
pub fn failed(db: &Database, keys: &[Key], now: NaiveDateTime) -> Result<()> {
    let attempt = || {
        db.write(|conn| {
            for k in keys {
                match load(conn, &k.key)? {
                    Some(r) if k.policy.still_counts(&r, now) => {
                        diesel::update(login_throttle::table.find(&k.key))
                            .set((
                                login_throttle::failures.eq(login_throttle::failures + 1),
                                login_throttle::last_failure_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    Some(_) => {
                        diesel::update(login_throttle::table.find(&k.key))
                            .set((
                                login_throttle::failures.eq(1),
                                login_throttle::last_failure_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    None => {
                        diesel::insert_into(login_throttle::table)
                            .values((
                                login_throttle::key.eq(&k.key),
                                login_throttle::failures.eq(1),
                                login_throttle::last_failure_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                }
            }
            Ok(())
        })
    };
    match attempt() {
        Err(crate::Error::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => attempt(),
        other => other,
    }
}

/// Forgets the failures of a key after a successful login.
pub fn succeeded(db: &Database, key: &Key) -> Result<()> {
    db.write(|conn| {
        diesel::delete(login_throttle::table.find(&key.key)).execute(conn)?;
        Ok(())
    })
}
