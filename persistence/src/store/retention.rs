//! Retention (S-art. 5.3): traces of connections and actions are kept six months, habilitation
//! data six years after devalidation, then purged by a scheduled job that keeps evidence of
//! what it removed. On PostgreSQL whole months of traces go by dropping their partition.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{
    caf_suspensions, habilitation_events, habilitation_questions, habilitations, retention_purges,
    review_items, traces,
};

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
pub(crate) struct Name {
    #[diesel(sql_type = Text)]
    pub(crate) name: String,
}

#[derive(QueryableByName)]
pub(crate) struct MaxSeq {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub(crate) seq: Option<i64>,
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

/// The monthly partitions that hold only traces due for purge (PostgreSQL), and the instant
/// from which the remaining due traces are (the end of the last such month).
pub(crate) fn expired_partitions(
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
pub(crate) fn drop_partitions(conn: &mut DbConnection, names: Vec<String>) -> Result<Vec<String>> {
    for name in &names {
        diesel::sql_query(format!("ALTER TABLE traces DETACH PARTITION \"{name}\""))
            .execute(conn)?;
        diesel::sql_query(format!("DROP TABLE \"{name}\"")).execute(conn)?;
    }
    Ok(names)
}

pub(crate) fn month_of_partition(name: &str) -> Option<NaiveDate> {
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
pub(crate) fn delete_traces_up_to(
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
pub(crate) fn purge_habilitations(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<(i64, i64)> {
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
