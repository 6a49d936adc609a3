//! Counters of failed logins behind the throttling policy, kept in the database so that every
//! instance behind a load balancer applies the same limits.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::throttle::{FailureRecord, ThrottlePolicy};

use crate::db::DbConnection;
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

    /// Key of a trusted device (by the stored hash of its token).
    pub fn device(token_hash: &str, policy: ThrottlePolicy) -> Self {
        Self {
            key: format!("device:{token_hash}"),
            policy,
        }
    }
}

pub(crate) fn load(conn: &mut DbConnection, key: &str) -> Result<Option<FailureRecord>> {
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

/// The keys a sign-in attempt counts on: the identifier typed and, when known, the address it
/// came from — or, from a device the person signed in from before, that device alone, under the
/// identifier's policy (OWASP's device cookie): guesses by others on the identifier or from the
/// address never hold the person back, and a stolen device token gets no more guesses than
/// the identifier would.
pub fn keys_of(
    identifier: &str,
    source: Option<&str>,
    device: Option<&str>,
    policies: (ThrottlePolicy, ThrottlePolicy),
) -> Vec<Key> {
    if let Some(device) = device {
        return vec![Key::device(device, policies.0)];
    }
    let mut keys = vec![Key::identifier(identifier, policies.0)];
    if let Some(source) = source {
        keys.push(Key::source(source, policies.1));
    }
    keys
}

/// Takes the lock on each key's counter, creating it at zero failures, so that concurrent
/// attempts on one key are decided one after the other: PostgreSQL holds the row lock until
/// commit, SQLite runs one writer at a time anyway. Keys are locked in one order (sorted), so
/// two attempts never wait on each other crosswise.
pub(crate) fn lock(conn: &mut DbConnection, keys: &[Key], now: NaiveDateTime) -> Result<()> {
    let mut names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    // MultiConnection has no ON CONFLICT, each engine's connection has.
    macro_rules! lock_on {
        ($c:expr, $key:expr) => {
            diesel::insert_into(login_throttle::table)
                .values((
                    login_throttle::key.eq($key),
                    login_throttle::failures.eq(0),
                    login_throttle::last_failure_at.eq(now),
                ))
                .on_conflict(login_throttle::key)
                .do_update()
                .set(login_throttle::failures.eq(login_throttle::failures))
                .execute($c)
        };
    }
    for key in names {
        match conn {
            DbConnection::Sqlite(c) => lock_on!(c, key),
            DbConnection::Postgresql(c) => lock_on!(c, key),
        }?;
    }
    Ok(())
}

/// The longest wait any of the keys imposes at `now`.
pub(crate) fn wait(
    conn: &mut DbConnection,
    keys: &[Key],
    now: NaiveDateTime,
) -> Result<Option<chrono::Duration>> {
    let mut longest: Option<chrono::Duration> = None;
    for k in keys {
        if let Some(wait) = k.policy.retry_after(load(conn, &k.key)?, now) {
            longest = Some(longest.map_or(wait, |l| l.max(wait)));
        }
    }
    Ok(longest)
}

/// Counts a failure at `now` on every key (locked first with [`lock`]).
pub(crate) fn count_failure(
    conn: &mut DbConnection,
    keys: &[Key],
    now: NaiveDateTime,
) -> Result<()> {
    for k in keys {
        let after = k.policy.after_failure(load(conn, &k.key)?, now);
        diesel::update(login_throttle::table.find(&k.key))
            .set((
                login_throttle::failures.eq(after.failures.min(i32::MAX as u32) as i32),
                login_throttle::last_failure_at.eq(after.last_failure_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the failures of a key after a successful sign-in.
pub(crate) fn forget(conn: &mut DbConnection, key: &Key) -> Result<()> {
    diesel::delete(login_throttle::table.find(&key.key)).execute(conn)?;
    Ok(())
}

/// A wait in whole seconds, rounded up (what `Retry-After` says).
pub fn whole_seconds(wait: chrono::Duration) -> i64 {
    wait.num_seconds() + i64::from(wait.subsec_nanos() > 0)
}
