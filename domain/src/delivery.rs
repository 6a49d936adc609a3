//! Delivery of messages to people: how often a refused message is tried again, and when it is
//! set aside for the Cnaf to look at instead of being retried forever.

use chrono::Duration;

/// Attempts after which a message is set aside.
pub const MAX_ATTEMPTS: i32 = 10;

/// The wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 32) - 1;
    let secs = 30i64.saturating_mul(1i64 << doublings.min(20));
    Duration::seconds(secs.min(3600))
}

/// Whether a message that failed `attempts` times is set aside.
pub fn set_aside(attempts: i32) -> bool {
    attempts >= MAX_ATTEMPTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_stop() {
        let secs: Vec<i64> = (1..=9).map(|a| retry_delay(a).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert!(!set_aside(9));
        assert!(set_aside(10));
        // About three hours of trying before a person's message is set aside.
        let total: i64 = (1..MAX_ATTEMPTS)
            .map(|a| retry_delay(a).num_seconds())
            .sum();
        assert_eq!(total, 11_010);
    }
}
