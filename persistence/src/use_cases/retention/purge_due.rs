//! Purges what the law no longer allows to keep at `now`, in one transaction, and records the
//! evidence (also as a trace, itself chained).

use crate::ctx::Ctx;
use crate::error::Result;
use crate::schema::{retention_purges, trace_chain, traces};
use crate::store::trace::{self, Event, Outcome};
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
    let ctx = Ctx {
        principal: None,
        request_id: "retention-job".into(),
        now,
        asked: None,
    };
    db.write(|conn| {
        ensure_partitions(conn, now)?;
        let traces_before = traces_expire_before(now);
        let (head, _): (i64, String) = trace_chain::table
            .filter(trace_chain::id.eq(1))
            .select((trace_chain::last_seq, trace_chain::last_hash))
            .first(conn)?;
        // The purge removes a prefix of the chain: every trace up to the last one before the
        // first trace still within retention.
        let first_kept: Option<i64> = traces::table
            .filter(traces::occurred_at.ge(traces_before))
            .filter(traces::seq.is_not_null())
            .order(traces::occurred_at.asc())
            .select(traces::seq)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten();
        let mut up_to = first_kept.map_or(head, |k| k - 1);
        let late: Option<i64> = traces::table
            .filter(traces::seq.le(up_to))
            .filter(traces::occurred_at.ge(traces_before))
            .select(min(traces::seq))
            .first(conn)?;
        if let Some(m) = late {
            up_to = m - 1;
        }
        let (count, first_seq, last_seq, first_at, last_at): (
            i64,
            Option<i64>,
            Option<i64>,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        ) = traces::table
            .filter(traces::seq.le(up_to))
            .select((
                count_star(),
                min(traces::seq),
                max(traces::seq),
                min(traces::occurred_at),
                max(traces::occurred_at),
            ))
            .first(conn)?;
        let anchor_hash: Option<String> = match last_seq {
            Some(s) => traces::table
                .filter(traces::seq.eq(s))
                .select(traces::hash)
                .first::<Option<String>>(conn)?,
            None => None,
        };
        let mut dropped = vec![];
        if count > 0 {
            // Rows first, in the months that stay; whole months last, because detaching a
            // partition locks the table until commit.
            let (months, kept_from) = expired_partitions(conn, traces_before, up_to)?;
            delete_traces_up_to(conn, up_to, kept_from)?;
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
            first_seq,
            last_seq,
            first_occurred_at: first_at,
            last_occurred_at: last_at,
            anchor_hash,
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
                retention_purges::first_seq.eq(record.first_seq),
                retention_purges::last_seq.eq(record.last_seq),
                retention_purges::first_occurred_at.eq(record.first_occurred_at),
                retention_purges::last_occurred_at.eq(record.last_occurred_at),
                retention_purges::anchor_hash.eq(&record.anchor_hash),
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
                    "traces_purged": record.traces_purged, "first_seq": record.first_seq,
                    "last_seq": record.last_seq, "anchor_hash": record.anchor_hash,
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
