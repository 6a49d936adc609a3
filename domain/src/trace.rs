//! Traces: their chain of hashes (tamper evidence) and how long the law keeps them
//! (S-art. 5.3).
//!
//! Each sealed trace carries a sequence number and `hash = SHA-256(previous hash, "\n", its
//! canonical form)`. Editing, inserting or deleting a sealed trace breaks the link to the next
//! one; the retention purge removes only a prefix of the chain and keeps the hash of the last
//! trace it removed as the anchor the remaining chain starts from.

use chrono::{Months, NaiveDateTime};
use sha2::{Digest, Sha256};

/// The hash the first trace of the chain links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Traces of connections and actions are kept six months (S-art. 5.3).
pub const TRACE_RETENTION_MONTHS: u32 = 6;

/// Habilitation data is kept six years after the habilitation is devalidated (S-art. 5.3).
pub const HABILITATION_RETENTION_YEARS: u32 = 6;

/// The canonical form of a trace's content: a JSON array of its fields in a fixed order, absent
/// fields as `null`, so that no two different contents share a form.
pub fn canonical(fields: &[Option<&str>]) -> String {
    serde_json::Value::Array(
        fields
            .iter()
            .map(|f| f.map_or(serde_json::Value::Null, |v| v.into()))
            .collect(),
    )
    .to_string()
}

/// The hash of a trace whose canonical form is `canonical`, following `previous`.
pub fn link(previous: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// Traces that occurred before this instant are due for purge.
pub fn traces_expire_before(now: NaiveDateTime) -> NaiveDateTime {
    now.checked_sub_months(Months::new(TRACE_RETENTION_MONTHS))
        .unwrap_or(NaiveDateTime::MIN)
}

/// Habilitations devalidated before this instant are due for purge, with their history.
pub fn habilitations_expire_before(now: NaiveDateTime) -> NaiveDateTime {
    now.checked_sub_months(Months::new(HABILITATION_RETENTION_YEARS * 12))
        .unwrap_or(NaiveDateTime::MIN)
}

/// Why the chain is broken at a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// A sequence number is missing before this trace: a trace was deleted.
    Missing,
    /// The stored hash is not the hash of the trace's content after the previous one: the
    /// trace, or one before it, was changed.
    HashMismatch,
}

impl Break {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::HashMismatch => "hash_mismatch",
        }
    }
}

/// Walks the chain in sequence order from an anchor, one trace at a time.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    next_seq: i64,
    previous: String,
}

impl ChainCheck {
    /// Starts after the trace `seq` whose hash was `hash` (0 and [`GENESIS`] for the start).
    pub fn after(seq: i64, hash: &str) -> Self {
        Self {
            next_seq: seq + 1,
            previous: hash.to_string(),
        }
    }

    /// Checks the next trace; on success it becomes the previous one.
    pub fn check(&mut self, seq: i64, stored_hash: &str, canonical: &str) -> Result<(), Break> {
        if seq != self.next_seq {
            return Err(Break::Missing);
        }
        let expected = link(&self.previous, canonical);
        if expected != stored_hash {
            return Err(Break::HashMismatch);
        }
        self.next_seq += 1;
        self.previous = expected;
        Ok(())
    }

    /// The sequence number expected next.
    pub fn next_seq(&self) -> i64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    fn chain(contents: &[&str]) -> Vec<(i64, String, String)> {
        let mut prev = GENESIS.to_string();
        contents
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let canon = canonical(&[Some(c), None]);
                prev = link(&prev, &canon);
                (i as i64 + 1, prev.clone(), canon)
            })
            .collect()
    }

    #[test]
    fn canonical_forms_differ_when_fields_differ() {
        assert_ne!(canonical(&[Some("a"), None]), canonical(&[None, Some("a")]));
        assert_ne!(canonical(&[Some("")]), canonical(&[None]));
        assert_ne!(
            canonical(&[Some("a,b")]),
            canonical(&[Some("a"), Some("b")])
        );
    }

    #[test]
    fn an_intact_chain_checks() {
        let rows = chain(&["login", "grant", "logout"]);
        let mut c = ChainCheck::after(0, GENESIS);
        for (seq, hash, canon) in &rows {
            assert_eq!(c.check(*seq, hash, canon), Ok(()));
        }
        assert_eq!(c.next_seq(), 4);
    }

    #[test]
    fn an_edited_trace_breaks_at_itself() {
        let rows = chain(&["login", "grant", "logout"]);
        let mut c = ChainCheck::after(0, GENESIS);
        c.check(rows[0].0, &rows[0].1, &rows[0].2).unwrap();
        let edited = canonical(&[Some("nothing"), None]);
        assert_eq!(
            c.check(rows[1].0, &rows[1].1, &edited),
            Err(Break::HashMismatch)
        );
    }

    #[test]
    fn a_deleted_trace_breaks_at_the_next() {
        let rows = chain(&["login", "grant", "logout"]);
        let mut c = ChainCheck::after(0, GENESIS);
        c.check(rows[0].0, &rows[0].1, &rows[0].2).unwrap();
        assert_eq!(
            c.check(rows[2].0, &rows[2].1, &rows[2].2),
            Err(Break::Missing)
        );
    }

    #[test]
    fn a_purged_prefix_is_checked_from_its_anchor() {
        let rows = chain(&["login", "grant", "logout"]);
        let mut c = ChainCheck::after(rows[0].0, &rows[0].1);
        assert_eq!(c.check(rows[1].0, &rows[1].1, &rows[1].2), Ok(()));
        // From a wrong anchor, the first remaining trace does not link.
        let mut wrong = ChainCheck::after(rows[0].0, GENESIS);
        assert_eq!(
            wrong.check(rows[1].0, &rows[1].1, &rows[1].2),
            Err(Break::HashMismatch)
        );
    }

    #[test]
    fn retention_periods_follow_the_calendar() {
        assert_eq!(traces_expire_before(at(2026, 11, 23)), at(2026, 5, 23));
        // Month ends clamp: 31 August minus six months is the end of February.
        assert_eq!(traces_expire_before(at(2026, 8, 31)), at(2026, 2, 28));
        assert_eq!(
            habilitations_expire_before(at(2026, 11, 23)),
            at(2020, 11, 23)
        );
        assert_eq!(
            habilitations_expire_before(at(2028, 2, 29)),
            at(2022, 2, 28)
        );
    }
}
