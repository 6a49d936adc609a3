//! Purges what the law no longer allows to keep at `now`, in one transaction, and records the
//! evidence (also as a trace, itself chained).

use crate::ctx::Ctx;
use crate::error::Result;
use crate::schema::{retention_purges, traces};
use crate::store::trace::{self, Event, Outcome};
use crate::store::trace_chains::set_anchor;
use crate::Database;
use chrono::NaiveDateTime;
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;
use mcp_domain::trace::{habilitations_expire_before, traces_expire_before};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Purges what the law no longer allows to keep at `now`, in one transaction, and records the
/// evidence (also as a trace, itself chained); `None` when nothing was due.
pub fn purge_due(db: &Database, now: NaiveDateTime) -> Result<Option<PurgeRecord>> {
    let ctx = Ctx::without_person("retention-job", now);
    db.write(|conn| {
        ensure_partitions(conn, now)?;
        let traces_before = traces_expire_before(now);
        // Each chain loses a prefix: its traces up to the last one before the first trace
        // still within retention; the hash of the last one removed becomes its anchor.
        let mut count = 0;
        let mut chains_purged = 0;
        let mut first_at: Option<NaiveDateTime> = None;
        let mut last_at: Option<NaiveDateTime> = None;
        let mut anchors = vec![];
        for (chain, due) in due_per_chain(conn, traces_before)? {
            let in_range = traces::table
                .filter(traces::chain.eq(&chain))
                .filter(traces::seq.gt(due.after))
                .filter(traces::seq.le(due.up_to));
            let (n, from, to): (i64, Option<NaiveDateTime>, Option<NaiveDateTime>) = in_range
                .select((
                    count_star(),
                    min(traces::occurred_at),
                    max(traces::occurred_at),
                ))
                .first(conn)?;
            let anchor_hash: Option<Option<String>> = traces::table
                .filter(traces::chain.eq(&chain))
                .filter(traces::seq.eq(due.up_to))
                .select(traces::hash)
                .first(conn)
                .optional()?;
            // A chain whose last due trace is missing is broken there: verification shows
            // it, and the purge leaves that chain as it is rather than anchor it on nothing.
            let Some(Some(anchor_hash)) = anchor_hash else {
                log::warn!(
                    "retention: chain {chain} has no trace {}: left as it is",
                    due.up_to
                );
                continue;
            };
            set_anchor(conn, &chain, due.up_to, &anchor_hash)?;
            anchors.push(json!({"chain": chain, "seq": due.up_to, "hash": anchor_hash}));
            count += n;
            chains_purged += 1;
            first_at = first_at.min(from).or(from);
            last_at = last_at.max(to);
        }
        let mut dropped = vec![];
        if count > 0 {
            // Rows first, in the months that stay; whole months last, because detaching a
            // partition locks the table until commit.
            let (months, kept_from) = expired_partitions(conn, traces_before)?;
            delete_anchored_traces(conn, traces_before, kept_from)?;
            dropped = drop_partitions(conn, months)?;
        }
        let (habilitations_purged, events_purged) =
            purge_habilitations(conn, habilitations_expire_before(now))?;
        if count == 0 && habilitations_purged == 0 {
            return Ok(None);
        }
        let record = PurgeRecord {
            id: crate::new_id(),
            ran_at: now,
            traces_before,
            traces_purged: count,
            chains_purged,
            first_occurred_at: first_at,
            last_occurred_at: last_at,
            partitions_dropped: dropped.join(","),
            habilitations_before: habilitations_expire_before(now),
            habilitations_purged,
            habilitation_events_purged: events_purged,
        };
        diesel::insert_into(retention_purges::table)
            .values((
                retention_purges::id.eq(&record.id),
                retention_purges::ran_at.eq(record.ran_at),
                retention_purges::traces_before.eq(record.traces_before),
                retention_purges::traces_purged.eq(record.traces_purged),
                retention_purges::chains_purged.eq(record.chains_purged),
                retention_purges::first_occurred_at.eq(record.first_occurred_at),
                retention_purges::last_occurred_at.eq(record.last_occurred_at),
                retention_purges::partitions_dropped.eq(&record.partitions_dropped),
                retention_purges::habilitations_before.eq(record.habilitations_before),
                retention_purges::habilitations_purged.eq(record.habilitations_purged),
                retention_purges::habilitation_events_purged.eq(record.habilitation_events_purged),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            &ctx,
            Event {
                action: TraceAction::RetentionPurged,
                target_type: TargetType::Traces,
                target_id: None,
                caf_id: None,
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({
                    "purge_id": record.id, "traces_before": record.traces_before,
                    "traces_purged": record.traces_purged,
                    "chains_purged": record.chains_purged,
                    // Where each cut chain starts now: the evidence travels in the national
                    // chain, out of reach of whoever could edit the anchors.
                    "anchors": anchors,
                    "partitions_dropped": dropped,
                    "habilitations_before": record.habilitations_before,
                    "habilitations_purged": record.habilitations_purged,
                    "habilitation_events_purged": record.habilitation_events_purged,
                }),
            },
        )?;
        Ok(Some(record))
    })
}
