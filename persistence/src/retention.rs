//! Retention (S-art. 5.3): traces of connections and actions are kept six months, habilitation
//! data six years after devalidation, then purged by a scheduled job that keeps evidence of
//! what it removed. On PostgreSQL whole months of traces go by dropping their partition.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use mcp_domain::access::{Function, Reach};
use mcp_domain::trace::{habilitations_expire_before, traces_expire_before};
use serde_json::json;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::{
    caf_suspensions, habilitation_events, habilitation_questions, habilitations, retention_purges,
    review_items, trace_chain, traces,
};
use crate::trace::{self, Event, Outcome};
use crate::Database;

/// The evidence one purge left.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = retention_purges)]
pub struct PurgeRecord {
    /// Identifier.
    pub id: String,
    /// When the job ran.
    pub ran_at: NaiveDateTime,
    /// Traces that occurred before this instant were due.
    pub traces_before: NaiveDateTime,
    /// How many traces went.
    pub traces_purged: i64,
    /// The first trace removed (chain position).
    pub first_seq: Option<i64>,
    /// The last trace removed: the kept chain starts after it.
    pub last_seq: Option<i64>,
    /// When the first removed trace occurred.
    pub first_occurred_at: Option<NaiveDateTime>,
    /// When the last removed trace occurred.
    pub last_occurred_at: Option<NaiveDateTime>,
    /// The hash of the last removed trace, the anchor of the kept chain.
    pub anchor_hash: Option<String>,
    /// The monthly partitions dropped (PostgreSQL), comma-separated.
    pub partitions_dropped: String,
    /// Habilitations devalidated before this instant were due.
    pub habilitations_before: NaiveDateTime,
    /// How many habilitations went, with their questions and history.
    pub habilitations_purged: i64,
    /// How many history entries of those habilitations went.
    pub habilitation_events_purged: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct MaxSeq {
    #[diesel(sql_type = Nullable<BigInt>)]
    seq: Option<i64>,
}

/// Makes sure the monthly partitions of traces exist from `now`'s month to two months ahead
/// (PostgreSQL; nothing to do on SQLite).
pub(crate) fn ensure_partitions(conn: &mut DbConnection, now: NaiveDateTime) -> Result<()> {
    if let DbConnection::Postgresql(_) = conn {
        diesel::sql_query(
            "SELECT mcp_trace_partition((date_trunc('month', $1) + make_interval(months => n))::date)::text AS name \
             FROM generate_series(0, 2) AS n",
        )
        .bind::<Timestamp, _>(now)
        .load::<Name>(conn)?;
    }
    Ok(())
}

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
                action: "retention.purged",
                target_type: "traces",
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

/// The monthly partitions that hold only traces due for purge (PostgreSQL), and the instant
/// from which the remaining due traces are (the end of the last such month).
fn expired_partitions(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    up_to: i64,
) -> Result<(Vec<String>, Option<NaiveDateTime>)> {
    let DbConnection::Postgresql(_) = conn else {
        return Ok((vec![], None));
    };
    let parts: Vec<Name> = diesel::sql_query(
        "SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'traces'::regclass ORDER BY c.relname",
    )
    .load(conn)?;
    let mut expired = vec![];
    let mut kept_from = None;
    // In month order: a month can go only if every month before it goes too.
    for Name { name } in parts {
        let Some(end) = month_of_partition(&name)
            .and_then(|m| m.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
        else {
            continue;
        };
        if end > before {
            break;
        }
        // The name was read from the catalogue and matched traces_YYYY_MM: safe to quote.
        let highest: MaxSeq = diesel::sql_query(format!("SELECT max(seq) AS seq FROM \"{name}\""))
            .get_result(conn)?;
        if highest.seq.is_some_and(|s| s > up_to) {
            break;
        }
        expired.push(name);
        kept_from = Some(end);
    }
    Ok((expired, kept_from))
}

/// Detaches and drops the partitions found expired.
fn drop_partitions(conn: &mut DbConnection, names: Vec<String>) -> Result<Vec<String>> {
    for name in &names {
        diesel::sql_query(format!("ALTER TABLE traces DETACH PARTITION \"{name}\""))
            .execute(conn)?;
        diesel::sql_query(format!("DROP TABLE \"{name}\"")).execute(conn)?;
    }
    Ok(names)
}

fn month_of_partition(name: &str) -> Option<NaiveDate> {
    let rest = name.strip_prefix("traces_")?;
    let (y, m) = rest.split_once('_')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let d = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
    (d.year() > 0).then_some(d)
}

/// Deletes the traces up to `up_to` (on PostgreSQL those from `from` on: earlier months go
/// whole), through the guard that lets only the purge delete.
fn delete_traces_up_to(
    conn: &mut DbConnection,
    up_to: i64,
    from: Option<NaiveDateTime>,
) -> Result<()> {
    match conn {
        DbConnection::Postgresql(_) => {
            diesel::sql_query("SELECT set_config('mcp.trace_purge', 'on', true)").execute(conn)?;
            let mut q = diesel::delete(traces::table)
                .filter(traces::seq.le(up_to))
                .into_boxed();
            if let Some(from) = from {
                q = q.filter(traces::occurred_at.ge(from));
                // What a clock far off put in the default partition goes too.
                diesel::sql_query("DELETE FROM traces_default WHERE seq <= $1")
                    .bind::<BigInt, _>(up_to)
                    .execute(conn)?;
            }
            q.execute(conn)?;
            diesel::sql_query("SELECT set_config('mcp.trace_purge', 'off', true)").execute(conn)?;
        }
        DbConnection::Sqlite(_) => {
            diesel::sql_query("INSERT INTO trace_purge_permits (up_to_seq) VALUES (?)")
                .bind::<BigInt, _>(up_to)
                .execute(conn)?;
            diesel::delete(traces::table.filter(traces::seq.le(up_to))).execute(conn)?;
            diesel::sql_query("DELETE FROM trace_purge_permits").execute(conn)?;
        }
    }
    Ok(())
}

/// Removes the habilitations devalidated before `before`, with their questions and history.
fn purge_habilitations(conn: &mut DbConnection, before: NaiveDateTime) -> Result<(i64, i64)> {
    let mut habilitations_purged = 0;
    let mut events_purged = 0;
    loop {
        let ids: Vec<String> = habilitations::table
            .filter(habilitations::devalidated_at.lt(before))
            .select(habilitations::id)
            .limit(500)
            .load(conn)?;
        if ids.is_empty() {
            break;
        }
        events_purged += diesel::delete(
            habilitation_events::table.filter(habilitation_events::habilitation_id.eq_any(&ids)),
        )
        .execute(conn)? as i64;
        diesel::delete(
            habilitation_questions::table
                .filter(habilitation_questions::habilitation_id.eq_any(&ids)),
        )
        .execute(conn)?;
        diesel::delete(
            caf_suspensions::table.filter(caf_suspensions::habilitation_id.eq_any(&ids)),
        )
        .execute(conn)?;
        // A completed campaign keeps its report; its working rows about the habilitation go.
        diesel::delete(review_items::table.filter(review_items::habilitation_id.eq_any(&ids)))
            .execute(conn)?;
        habilitations_purged +=
            diesel::delete(habilitations::table.filter(habilitations::id.eq_any(&ids)))
                .execute(conn)? as i64;
    }
    Ok((habilitations_purged, events_purged))
}

/// The evidence of past purges, newest first: Cnaf auditors.
pub fn purges(db: &Database, ctx: &Ctx, page: &PageRequest) -> Result<Page<PurgeRecord>> {
    mcp_domain::access::authorize(ctx.principal(), Function::VerifyTraces, Reach::National)?;
    db.read(|conn| {
        let mut q = retention_purges::table
            .select(PurgeRecord::as_select())
            .into_boxed();
        if let Some(c) = &page.cursor {
            q = q.filter(retention_purges::id.lt(c.clone()));
        }
        let limit = page.limit();
        let rows = q
            .order(retention_purges::id.desc())
            .limit(limit + 1)
            .load(conn)?;
        Page::from_rows(rows, limit, |r: &PurgeRecord| r.id.clone(), Ok)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names() {
        assert_eq!(
            month_of_partition("traces_2026_05"),
            NaiveDate::from_ymd_opt(2026, 5, 1)
        );
        assert_eq!(month_of_partition("traces_default"), None);
        assert_eq!(month_of_partition("traces_2026_5"), None);
        assert_eq!(month_of_partition("traces_2026_13"), None);
    }
}
