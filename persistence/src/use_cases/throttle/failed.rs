//! Counts a failure on every key.

use crate::db::Database;
use crate::error::Result;
use crate::schema::login_throttle;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::*;

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
