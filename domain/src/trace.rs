//! Traces: their chain of hashes (tamper evidence) and how long the law keeps them
//! (S-art. 5.3).
//!
//! Traces are chained per perimeter ([`Chain`]): a partner's, a Caf's own, the Cnaf's. In its
//! chain each trace carries a sequence number and `hash = SHA-256(previous hash, "\n", its
//! canonical form)`. Editing, inserting or deleting a trace breaks the link to the next one;
//! the retention purge removes only a prefix of each chain and keeps the hash of the last trace
//! it removed as the anchor the remaining chain starts from.

use chrono::{Months, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::ids::{CafId, PartnerId};

/// The chain a trace is sealed into: its perimeter's, so that actions in two partners'
/// perimeters never wait on each other, and the readers of a perimeter read and check it as a
/// unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Chain {
    /// The one chain of every trace written before chains were per perimeter; it ends there
    /// and goes with the retention purge.
    Global,
    /// What the Cnaf's staff did outside any Caf, and what no one's perimeter holds.
    National,
    /// A Caf's own perimeter: what was done to the Caf and its staff, outside its partners.
    Caf(CafId),
    /// A partner's perimeter: what its staff did and what was done to its objects.
    Partner(PartnerId),
}

impl Chain {
    /// The chain of a trace about `partner`'s or `caf`'s perimeter: the partner's when it names
    /// one, else the Caf's, else the national one.
    pub fn of(caf: Option<CafId>, partner: Option<PartnerId>) -> Self {
        match (partner, caf) {
            (Some(p), _) => Self::Partner(p),
            (None, Some(c)) => Self::Caf(c),
            (None, None) => Self::National,
        }
    }

    /// Stable code, as stored: `partner:<id>`, `caf:<id>`, `national`, `global`.
    pub fn code(&self) -> String {
        match self {
            Self::Global => "global".into(),
            Self::National => "national".into(),
            Self::Caf(c) => format!("caf:{c}"),
            Self::Partner(p) => format!("partner:{p}"),
        }
    }

    /// Reads a stored code back.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "global" => Some(Self::Global),
            "national" => Some(Self::National),
            _ => {
                let (kind, id) = code.split_once(':')?;
                let id = uuid::Uuid::parse_str(id).ok()?;
                match kind {
                    "caf" => Some(Self::Caf(id.into())),
                    "partner" => Some(Self::Partner(id.into())),
                    _ => None,
                }
            }
        }
    }
}

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

/// The digest a checkpoint signs: SHA-256 of every chain's end, one `chain seq hash` line each,
/// in the order given (the chains' order), so that the same ends always give the same digest.
pub fn heads_digest<'a>(heads: impl IntoIterator<Item = (&'a str, i64, &'a str)>) -> String {
    let mut h = Sha256::new();
    for (chain, seq, hash) in heads {
        h.update(format!("{chain} {seq} {hash}\n").as_bytes());
    }
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
    /// The trace is sealed in another perimeter's chain than its own: it was moved.
    Misplaced,
    /// The trace has no place in any chain: it was written around the service.
    Unsealed,
    /// The chain no longer holds the trace a checkpoint saw at its end: it was cut or
    /// rewritten since.
    CheckpointMismatch,
    /// The stored hash is not the hash of the trace's content after the previous one: the
    /// trace, or one before it, was changed.
    HashMismatch,
}

impl Break {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Misplaced => "misplaced",
            Self::Unsealed => "unsealed",
            Self::CheckpointMismatch => "checkpoint_mismatch",
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
    fn a_trace_is_chained_in_the_narrowest_perimeter_it_names() {
        let caf: CafId = uuid::Uuid::from_u128(1).into();
        let partner: PartnerId = uuid::Uuid::from_u128(2).into();
        assert_eq!(Chain::of(Some(caf), Some(partner)), Chain::Partner(partner));
        assert_eq!(Chain::of(None, Some(partner)), Chain::Partner(partner));
        assert_eq!(Chain::of(Some(caf), None), Chain::Caf(caf));
        assert_eq!(Chain::of(None, None), Chain::National);
        for c in [
            Chain::Global,
            Chain::National,
            Chain::Caf(caf),
            Chain::Partner(partner),
        ] {
            assert_eq!(Chain::from_code(&c.code()), Some(c));
        }
        for bad in [
            "",
            "caf:",
            "partner:x",
            "other:00000000-0000-0000-0000-000000000001",
        ] {
            assert_eq!(Chain::from_code(bad), None);
        }
    }

    #[test]
    fn a_checkpoint_digest_changes_with_any_end() {
        let a = heads_digest([("national", 3, "aa"), ("partner:x", 9, "bb")]);
        assert_eq!(
            a,
            heads_digest([("national", 3, "aa"), ("partner:x", 9, "bb")])
        );
        assert_ne!(
            a,
            heads_digest([("national", 3, "aa"), ("partner:x", 8, "bb")])
        );
        assert_ne!(
            a,
            heads_digest([("national", 3, "aa"), ("partner:x", 9, "bc")])
        );
        assert_ne!(a, heads_digest([("national", 3, "aa")]));
        assert_ne!(
            a,
            heads_digest([("partner:x", 9, "bb"), ("national", 3, "aa")])
        );
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
