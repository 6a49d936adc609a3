//! The longest wait any of the keys imposes at `now`.

use crate::db::Database;
use crate::error::Result;
use chrono::{Duration, NaiveDateTime};

use super::*;

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
