//! Throttling of failed logins: a few free attempts, then a delay that doubles with each further
//! failure, capped, and forgotten after a quiet period — so that guessing is slowed to uselessness
//! without ever locking the real owner out for good.

use chrono::{Duration, NaiveDateTime};

/// How failures on one key (a typed identifier, a source address) are throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before any delay.
    pub free_failures: u32,
    /// Delay after the first failure beyond the free ones, in seconds; doubles with each next.
    pub base_delay_secs: i64,
    /// Longest delay, in seconds.
    pub max_delay_secs: i64,
    /// Failures are forgotten after this long without a new one, in seconds.
    pub forget_after_secs: i64,
}

impl ThrottlePolicy {
    /// Per typed identifier: 5 free failures, then 1 s, 2 s, 4 s… up to 15 minutes.
    pub const IDENTIFIER: Self = Self {
        free_failures: 5,
        base_delay_secs: 1,
        max_delay_secs: 900,
        forget_after_secs: 3600,
    };
    /// Per source address: more room, since a whole town hall may share one address.
    pub const SOURCE: Self = Self {
        free_failures: 50,
        base_delay_secs: 1,
        max_delay_secs: 900,
        forget_after_secs: 3600,
    };

    /// Whether past failures still count at `now` (else they are forgotten).
    pub fn still_counts(&self, record: &FailureRecord, now: NaiveDateTime) -> bool {
        now - record.last_failure_at < Duration::seconds(self.forget_after_secs)
    }

    fn current(&self, record: Option<FailureRecord>, now: NaiveDateTime) -> Option<FailureRecord> {
        record.filter(|r| self.still_counts(r, now))
    }

    /// The wait imposed at `now` before another attempt, if any.
    pub fn retry_after(
        &self,
        record: Option<FailureRecord>,
        now: NaiveDateTime,
    ) -> Option<Duration> {
        let r = self.current(record, now)?;
        let beyond = r.failures.checked_sub(self.free_failures)?.checked_sub(1)?;
        let delay = self
            .base_delay_secs
            .saturating_mul(1i64.checked_shl(beyond.min(40)).unwrap_or(i64::MAX))
            .min(self.max_delay_secs);
        let until = r.last_failure_at + Duration::seconds(delay);
        (until > now).then(|| until - now)
    }

    /// The record after a failure at `now`.
    pub fn after_failure(
        &self,
        record: Option<FailureRecord>,
        now: NaiveDateTime,
    ) -> FailureRecord {
        let failures = self
            .current(record, now)
            .map_or(0, |r| r.failures)
            .saturating_add(1);
        FailureRecord {
            failures,
            last_failure_at: now,
        }
    }
}

/// Failures counted on one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRecord {
    /// Consecutive failures not yet forgotten.
    pub failures: u32,
    /// The last one.
    pub last_failure_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_790_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn delays_grow_then_cap_then_are_forgotten() {
        let p = ThrottlePolicy::IDENTIFIER;
        // (failures so far, seconds since the last one, expected wait in seconds)
        let cases = [
            (0, 0, None),
            (5, 0, None), // the five free failures
            (6, 0, Some(1)),
            (6, 1, None), // waited long enough
            (7, 0, Some(2)),
            (8, 1, Some(3)),
            (10, 0, Some(16)),
            (20, 0, Some(900)), // capped at 15 minutes
            (60, 0, Some(900)),
            (60, 899, Some(1)),
            (60, 900, None),
            (1000, 3599, None), // past the cap, attempts are allowed again
            (1000, 3600, None), // and after an hour the slate is clean
        ];
        for (failures, since, expected) in cases {
            let record = (failures > 0).then(|| FailureRecord {
                failures,
                last_failure_at: t(0),
            });
            assert_eq!(
                p.retry_after(record, t(since)).map(|d| d.num_seconds()),
                expected,
                "{failures} failures, {since}s ago"
            );
        }
    }

    #[test]
    fn failures_accumulate_until_forgotten() {
        let p = ThrottlePolicy::IDENTIFIER;
        let mut r = None;
        for i in 0..6 {
            r = Some(p.after_failure(r, t(i)));
        }
        assert_eq!(r.unwrap().failures, 6);
        assert_eq!(p.retry_after(r, t(5)).map(|d| d.num_seconds()), Some(1));
        let later = p.after_failure(r, t(5 + 3600));
        assert_eq!(
            later.failures, 1,
            "an hour of quiet forgets the past failures"
        );
        assert_eq!(p.retry_after(Some(later), t(5 + 3600)), None);
    }

    #[test]
    fn sources_get_more_room() {
        let p = ThrottlePolicy::SOURCE;
        let r = FailureRecord {
            failures: 30,
            last_failure_at: t(0),
        };
        assert_eq!(p.retry_after(Some(r), t(0)), None);
    }
}
