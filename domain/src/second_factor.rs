//! The time-based one-time code (TOTP, RFC 6238) of a second factor: which codes are accepted.

/// Length of a time step, in seconds.
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted on either side of the current one, for clocks that drift.
pub const SKEW_STEPS: u64 = 1;

/// The time step a submitted code matches at `now_unix`, if any: the current step or one either
/// side, never one at or before the last step already used (a code works once).
pub fn matching_step(
    now_unix: u64,
    last_used_step: Option<u64>,
    submitted: &str,
    code_for_step: impl Fn(u64) -> String,
) -> Option<u64> {
    let submitted = submitted.trim();
    if submitted.len() != 6 || !submitted.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now_unix / STEP_SECONDS;
    (current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS)
        .filter(|step| last_used_step.is_none_or(|used| *step > used))
        .find(|step| {
            crate::text::constant_time_eq(code_for_step(*step).as_bytes(), submitted.as_bytes())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    // A stand-in generator: the code of step n is n written on six digits.
    fn code(step: u64) -> String {
        format!("{:06}", step % 1_000_000)
    }

    #[test]
    fn accepted_codes() {
        let now = 1_000 * STEP_SECONDS + 7; // step 1000
                                            // (last used step, submitted, expected step)
        let cases = [
            (None, "001000", Some(1000)),
            (None, "000999", Some(999)), // the previous step, for a slow clock
            (None, "001001", Some(1001)), // the next, for a fast one
            (None, "000998", None),      // too old
            (None, "001002", None),      // too far ahead
            (Some(1000), "001000", None), // already used: a code works once
            (Some(999), "001000", Some(1000)),
            (Some(1000), "000999", None), // not before the last used one either
            (None, "1000", None),
            (None, "00100a", None),
            (None, " 001000 ", Some(1000)),
        ];
        for (last, submitted, expected) in cases {
            assert_eq!(
                matching_step(now, last, submitted, code),
                expected,
                "{last:?} {submitted:?}"
            );
        }
    }
}
