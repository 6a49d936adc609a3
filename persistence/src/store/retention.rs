//! Retention (S-art. 5.3): traces of connections and actions are kept six months, habilitation
//! data six years after devalidation, then purged by a scheduled job that keeps evidence of
//! what it removed. On PostgreSQL whole months of traces go by dropping their partition.

use crate::id::Id;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamp};
use mcp_domain::ids::HabilitationId;

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
    /// How many chains lost their oldest traces (each keeps its new anchor).
    pub chains_purged: i64,
    /// When the first removed trace occurred.
    pub first_occurred_at: Option<NaiveDateTime>,
    /// When the last removed trace occurred.
    pub last_occurred_at: Option<NaiveDateTime>,
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
pub(crate) struct Kept {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub(crate) kept: bool,
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
        // A month goes whole only if each of its traces lies before its chain's new anchor.
        // The name was read from the catalogue and matched traces_YYYY_MM: safe to quote.
        let some_kept: Kept = diesel::sql_query(format!(
            "SELECT EXISTS (SELECT 1 FROM \"{name}\" t \
             LEFT JOIN trace_chain_anchors a ON a.chain = t.chain \
             WHERE t.seq > coalesce(a.anchor_seq, 0)) AS kept"
        ))
        .get_result(conn)?;
        if some_kept.kept {
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

/// Deletes the traces that lie before their chain's anchor (all occurred before `before`; on
/// PostgreSQL those from `from` on: earlier months go whole), through the guard that lets only
/// the purge delete.
pub(crate) fn delete_anchored_traces(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    from: Option<NaiveDateTime>,
) -> Result<()> {
    match conn {
        DbConnection::Postgresql(_) => {
            diesel::sql_query("SELECT set_config('mcp.trace_purge', 'on', true)").execute(conn)?;
            // The months dropped whole are left out; `from` is the end of the last of them.
            diesel::sql_query(
                "DELETE FROM traces t USING trace_chain_anchors a \
                 WHERE a.chain = t.chain AND t.seq <= a.anchor_seq \
                 AND t.occurred_at < $1 AND ($2 IS NULL OR t.occurred_at >= $2)",
            )
            .bind::<Timestamp, _>(before)
            .bind::<Nullable<Timestamp>, _>(from)
            .execute(conn)?;
            if from.is_some() {
                // What a clock far off put in the default partition goes too.
                diesel::sql_query(
                    "DELETE FROM traces_default t USING trace_chain_anchors a \
                     WHERE a.chain = t.chain AND t.seq <= a.anchor_seq",
                )
                .execute(conn)?;
            }
            diesel::sql_query("SELECT set_config('mcp.trace_purge', 'off', true)").execute(conn)?;
        }
        DbConnection::Sqlite(_) => {
            diesel::sql_query("INSERT INTO trace_purge_permits (opened_at) VALUES (?)")
                .bind::<Timestamp, _>(before)
                .execute(conn)?;
            diesel::sql_query(
                "DELETE FROM traces WHERE occurred_at < ? AND seq <= \
                 (SELECT a.anchor_seq FROM trace_chain_anchors a WHERE a.chain = traces.chain)",
            )
            .bind::<Timestamp, _>(before)
            .execute(conn)?;
            diesel::sql_query("DELETE FROM trace_purge_permits").execute(conn)?;
        }
    }
    Ok(())
}

/// What one chain's purge takes: its traces after `after` up to `up_to`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Due {
    pub(crate) after: i64,
    pub(crate) up_to: i64,
}

/// Where each chain's purge stops at `before`: the chain's traces from its anchor up to the
/// last one before the first trace still within retention (a chain is cut only as a prefix).
/// Only chains with due traces are looked at.
pub(crate) fn due_per_chain(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<Vec<(String, Due)>> {
    let anchors = crate::store::trace_chains::anchors(conn)?;
    let latest_due: Vec<(String, Option<i64>)> = traces::table
        .filter(traces::occurred_at.lt(before))
        .filter(traces::seq.is_not_null())
        .group_by(traces::chain)
        .select((traces::chain, diesel::dsl::max(traces::seq)))
        .load(conn)?;
    let mut due = vec![];
    for (chain, latest) in latest_due {
        let Some(latest) = latest else { continue };
        let after = anchors.get(&chain).map_or(0, |(s, _)| *s);
        // A trace still within retention sealed before a due one (a clock set back) keeps
        // everything after it.
        let first_kept: Option<i64> = traces::table
            .filter(traces::chain.eq(&chain))
            .filter(traces::seq.gt(after))
            .filter(traces::seq.le(latest))
            .filter(traces::occurred_at.ge(before))
            .select(diesel::dsl::min(traces::seq))
            .first(conn)?;
        let up_to = first_kept.map_or(latest, |k| k - 1);
        if up_to > after {
            due.push((chain, Due { after, up_to }));
        }
    }
    due.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(due)
}

/// Removes the habilitations devalidated before `before`, with their questions and history.
pub(crate) fn purge_habilitations(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<(i64, i64)> {
    let mut habilitations_purged = 0;
    let mut events_purged = 0;
    loop {
        let ids: Vec<Id<HabilitationId>> = habilitations::table
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
