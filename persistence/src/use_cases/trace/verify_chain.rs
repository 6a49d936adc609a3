//! Checks every chain of traces from the anchor the purge left to its end, and every chain's
//! end against the latest checkpoint.

use std::collections::BTreeMap;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{trace_chains, traces};
use crate::store::trace_chains::{anchors, heads, latest_checkpoint, Head};
use crate::Database;
use diesel::prelude::*;
use mcp_domain::access::{Function, Reach};
use mcp_domain::trace::{Break, Chain, ChainCheck, GENESIS};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Checks every chain: each trace must be there, in sequence, in the chain of its own
/// perimeter, with the hash of its content after the previous one, up to the chain's end; the
/// end the latest checkpoint saw must still be in its chain with the hash it had. A trace
/// written around the service (in no chain, or never sealed) breaks it too.
pub fn verify_chain(db: &Database, ctx: &Ctx) -> Result<ChainReport> {
    mcp_domain::access::authorize(ctx.principal(), Function::VerifyTraces, Reach::National)?;
    let report = db.read(|conn| {
        let heads = heads(conn)?;
        let anchors = anchors(conn)?;
        let checkpoint = latest_checkpoint(conn)?;
        let seen: BTreeMap<String, (i64, String)> = checkpoint
            .iter()
            .flat_map(|(_, hs)| {
                hs.iter()
                    .map(|h| (h.chain.clone(), (h.last_seq, h.last_hash.clone())))
            })
            .collect();
        let mut verified = 0;
        let mut broken = vec![];
        for head in &heads {
            let (anchor_seq, anchor_hash) = anchors
                .get(&head.chain)
                .cloned()
                .unwrap_or((0, GENESIS.to_string()));
            let walked = walk(conn, head, anchor_seq, &anchor_hash, seen.get(&head.chain))?;
            verified += walked.verified;
            broken.extend(walked.broken);
        }
        // A chain the checkpoint saw that is gone altogether.
        for (chain, (seq, _)) in &seen {
            if !heads.iter().any(|h| &h.chain == chain) {
                broken.push(BrokenLink {
                    chain: chain.clone(),
                    seq: *seq,
                    trace_id: None,
                    reason: Break::CheckpointMismatch,
                });
            }
        }
        broken.extend(outside_any_chain(conn)?);
        broken.sort_by(|a, b| a.chain.cmp(&b.chain));
        broken.truncate(BROKEN_REPORTED);
        Ok(ChainReport {
            checked_at: ctx.now,
            chains: heads.len() as i64,
            verified,
            checkpoint: checkpoint.map(|(c, _)| c),
            broken,
        })
    })?;
    db.write(|conn| {
        record(
            conn,
            ctx,
            Event {
                action: TraceAction::TracesChainVerified,
                target_type: TargetType::Traces,
                target_id: None,
                caf_id: None,
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({
                    "chains": report.chains,
                    "verified": report.verified,
                    "checkpoint_id": report.checkpoint.as_ref().map(|c| &c.id),
                    "broken": report.broken.iter().map(|b| json!({
                        "chain": b.chain, "seq": b.seq, "trace_id": b.trace_id,
                        "reason": b.reason.code(),
                    })).collect::<Vec<_>>(),
                }),
            },
        )
    })?;
    Ok(report)
}

struct Walked {
    verified: i64,
    broken: Option<BrokenLink>,
}

/// Walks one chain from its anchor to its end; `seen` is its end at the latest checkpoint.
fn walk(
    conn: &mut DbConnection,
    head: &Head,
    anchor_seq: i64,
    anchor_hash: &str,
    seen: Option<&(i64, String)>,
) -> Result<Walked> {
    let chain = Chain::from_code(&head.chain);
    let mut check = ChainCheck::after(anchor_seq, anchor_hash);
    let mut verified = 0;
    let broken = |seq: i64, trace_id: Option<String>, reason: Break| {
        Some(BrokenLink {
            chain: head.chain.clone(),
            seq,
            trace_id,
            reason,
        })
    };
    // The end the checkpoint saw is still there (its hash checked on the way), unless the
    // purge has taken it since.
    let mut seen_hash_at = seen.filter(|(seq, _)| *seq > anchor_seq).cloned();
    if let Some((seq, _)) = &seen_hash_at {
        if *seq > head.last_seq {
            return Ok(Walked {
                verified,
                broken: broken(*seq, None, Break::CheckpointMismatch),
            });
        }
    }
    loop {
        let batch: Vec<Trace> = traces::table
            .filter(traces::chain.eq(&head.chain))
            .filter(traces::seq.gt(check.next_seq() - 1))
            .filter(traces::seq.le(head.last_seq))
            .select(Trace::as_select())
            .order(traces::seq.asc())
            .limit(VERIFY_BATCH)
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for t in batch {
            let seq = t.seq.unwrap_or_default();
            let hash = t.hash.as_deref().unwrap_or_default();
            if chain != Some(Chain::Global) && chain != Some(t.perimeter_chain()) {
                return Ok(Walked {
                    verified,
                    broken: broken(seq, Some(t.id), Break::Misplaced),
                });
            }
            if let Err(b) = check.check(seq, hash, &t.canonical(seq)) {
                let at = if b == Break::Missing {
                    check.next_seq()
                } else {
                    seq
                };
                let id = (b == Break::HashMismatch).then_some(t.id);
                return Ok(Walked {
                    verified,
                    broken: broken(at, id, b),
                });
            }
            if let Some((s, h)) = &seen_hash_at {
                if *s == seq {
                    if h != hash {
                        return Ok(Walked {
                            verified,
                            broken: broken(seq, Some(t.id), Break::CheckpointMismatch),
                        });
                    }
                    seen_hash_at = None;
                }
            }
            verified += 1;
        }
    }
    Ok(Walked {
        verified,
        broken: (check.next_seq() <= head.last_seq)
            .then(|| broken(check.next_seq(), None, Break::Missing))
            .flatten(),
    })
}

/// Traces in no chain's keeping: never sealed, or sealed into a chain that has no end.
fn outside_any_chain(conn: &mut DbConnection) -> Result<Vec<BrokenLink>> {
    let unsealed: Option<(String, String)> = traces::table
        .filter(traces::seq.is_null())
        .select((traces::chain, traces::id))
        .order(traces::id.asc())
        .first(conn)
        .optional()?;
    let orphan: Option<(String, Option<i64>, String)> = traces::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            trace_chains::table.filter(trace_chains::chain.eq(traces::chain)),
        )))
        .select((traces::chain, traces::seq, traces::id))
        .first(conn)
        .optional()?;
    Ok(unsealed
        .map(|(chain, id)| BrokenLink {
            chain,
            seq: 0,
            trace_id: Some(id),
            reason: Break::Unsealed,
        })
        .into_iter()
        .chain(orphan.map(|(chain, seq, id)| BrokenLink {
            chain,
            seq: seq.unwrap_or_default(),
            trace_id: Some(id),
            reason: Break::Unsealed,
        }))
        .collect())
}
