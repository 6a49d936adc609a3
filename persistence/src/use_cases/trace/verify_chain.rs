//! Checks the chain from the anchor the last purge left to the end of the chain.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::schema::{trace_chain, traces};
use crate::Database;
use diesel::prelude::*;
use mcp_domain::access::{Function, Reach};
use mcp_domain::trace::{Break, ChainCheck};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Checks the chain from the anchor the last purge left to the end of the chain: every trace
/// must be there, in sequence, with the hash of its content after the previous one. Traces
/// written without going through an action's transaction (never sealed) break it too.
pub fn verify_chain(db: &Database, ctx: &Ctx) -> Result<ChainReport> {
    mcp_domain::access::authorize(ctx.principal(), Function::VerifyTraces, Reach::National)?;
    let report = db.read(|conn| {
        let (anchor_seq, anchor_hash) = anchor(conn)?;
        let head: (i64, String) = trace_chain::table
            .filter(trace_chain::id.eq(1))
            .select((trace_chain::last_seq, trace_chain::last_hash))
            .first(conn)?;
        let mut check = ChainCheck::after(anchor_seq, &anchor_hash);
        let mut verified = 0;
        let mut first_broken = None;
        'walk: loop {
            let batch: Vec<Trace> = traces::table
                .filter(traces::seq.gt(check.next_seq() - 1))
                .filter(traces::seq.le(head.0))
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
                if let Err(b) = check.check(seq, hash, &t.canonical(seq)) {
                    first_broken = Some(BrokenLink {
                        seq: if b == Break::Missing {
                            check.next_seq()
                        } else {
                            seq
                        },
                        trace_id: (b == Break::HashMismatch).then_some(t.id),
                        reason: b.code(),
                    });
                    break 'walk;
                }
                verified += 1;
            }
        }
        if first_broken.is_none() && check.next_seq() <= head.0 {
            first_broken = Some(BrokenLink {
                seq: check.next_seq(),
                trace_id: None,
                reason: Break::Missing.code(),
            });
        }
        if first_broken.is_none() {
            let unsealed: Option<String> = traces::table
                .filter(traces::seq.is_null())
                .select(traces::id)
                .order(traces::id.asc())
                .first(conn)
                .optional()?;
            first_broken = unsealed.map(|id| BrokenLink {
                seq: head.0 + 1,
                trace_id: Some(id),
                reason: "unsealed",
            });
        }
        Ok(ChainReport {
            checked_at: ctx.now,
            anchor_seq,
            head_seq: head.0,
            verified,
            first_broken,
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
                    "anchor_seq": report.anchor_seq, "head_seq": report.head_seq,
                    "verified": report.verified,
                    "first_broken": report.first_broken.as_ref().map(|b| json!({
                        "seq": b.seq, "trace_id": b.trace_id, "reason": b.reason,
                    })),
                }),
            },
        )
    })?;
    Ok(report)
}
