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
