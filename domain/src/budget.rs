//! Request budgets: how many requests an account, or a partner's software, may send per minute
//! before it is told to slow down (a runaway loop in town-hall software must not take the
//! service from everyone else).

use chrono::{DurationRound, NaiveDateTime, TimeDelta};

/// The length of a budget's window, in seconds.
pub const WINDOW_SECS: i64 = 60;

/// The window `now` falls in: its first instant.
pub fn window_start(now: NaiveDateTime) -> NaiveDateTime {
    now.duration_trunc(TimeDelta::seconds(WINDOW_SECS))
        .unwrap_or(now)
}

/// Seconds until the window of `now` ends (at least 1).
pub fn seconds_left(now: NaiveDateTime) -> i64 {
    let end = window_start(now) + TimeDelta::seconds(WINDOW_SECS);
    ((end - now).num_milliseconds() + 999)
        .div_euclid(1000)
        .max(1)
}

/// What a budget of `limit` says after `spent` requests in the window: the requests left, or
/// `None` once the request is over budget.
pub fn spend(limit: u32, spent: i64) -> Option<u32> {
    (spent <= i64::from(limit)).then(|| (i64::from(limit) - spent) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn windows_are_whole_minutes() {
        assert_eq!(
            window_start(at("2026-12-01 10:41:59.9")),
            at("2026-12-01 10:41:00.0")
        );
        assert_eq!(seconds_left(at("2026-12-01 10:41:59.9")), 1);
        assert_eq!(seconds_left(at("2026-12-01 10:41:00.0")), 60);
        assert_eq!(seconds_left(at("2026-12-01 10:41:30.5")), 30);
    }

    #[test]
    fn a_budget_counts_down_then_refuses() {
        assert_eq!(spend(3, 1), Some(2));
        assert_eq!(spend(3, 3), Some(0));
        assert_eq!(spend(3, 4), None);
    }
}
