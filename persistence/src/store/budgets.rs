//! Requests spent per budget and minute.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::DbConnection;
use crate::error::Result;

#[derive(QueryableByName)]
struct Spent {
    #[diesel(sql_type = BigInt)]
    spent: i64,
}

/// Counts `requests` more against `key` in the window starting at `window`; returns how many the
/// window has now, from every instance.
pub fn spend(
    conn: &mut DbConnection,
    key: &str,
    window: NaiveDateTime,
    requests: i64,
) -> Result<i64> {
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "INSERT INTO request_budgets (budget_key, window_start, spent) VALUES ($1, $2, $3) \
             ON CONFLICT (budget_key, window_start) \
             DO UPDATE SET spent = request_budgets.spent + $3 RETURNING spent"
        }
        DbConnection::Sqlite(_) => {
            "INSERT INTO request_budgets (budget_key, window_start, spent) VALUES (?1, ?2, ?3) \
             ON CONFLICT (budget_key, window_start) \
             DO UPDATE SET spent = request_budgets.spent + ?3 RETURNING spent"
        }
    };
    let row: Spent = diesel::sql_query(sql)
        .bind::<Text, _>(key)
        .bind::<Timestamp, _>(window)
        .bind::<BigInt, _>(requests)
        .get_result(conn)?;
    Ok(row.spent)
}

/// Forgets the windows that ended before `before`.
pub fn forget_before(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize> {
    Ok(diesel::sql_query(match conn {
        DbConnection::Postgresql(_) => "DELETE FROM request_budgets WHERE window_start < $1",
        DbConnection::Sqlite(_) => "DELETE FROM request_budgets WHERE window_start < ?",
    })
    .bind::<Timestamp, _>(before)
    .execute(conn)?)
}
