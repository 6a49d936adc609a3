//! The chains traces are sealed into, one per perimeter (`mcp_domain::trace::Chain`): each
//! chain's end, locked only by the transactions sealing into that chain
//! ([`crate::store::trace`]); where each chain's kept part starts after the retention purge
//! (its anchor); and the checkpoints of every chain's end.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use mcp_domain::trace::GENESIS;

use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{trace_chain_anchors, trace_chains, trace_checkpoint_heads, trace_checkpoints};

/// The end of one chain.
#[derive(Debug, Clone, QueryableByName, Queryable)]
pub struct Head {
    /// The chain.
    #[diesel(sql_type = Text)]
    pub chain: String,
    /// Its last trace's position.
    #[diesel(sql_type = BigInt)]
    pub last_seq: i64,
    /// Its last trace's hash.
    #[diesel(sql_type = Text)]
    pub last_hash: String,
}

/// The end of `chain`, locked until commit (on SQLite the single writer holds it); a chain
/// that does not exist yet starts at the genesis.
pub(crate) fn lock_head(conn: &mut DbConnection, chain: &str) -> Result<Head> {
    let (select, create) = match conn {
        DbConnection::Postgresql(_) => (
            "SELECT chain, last_seq, last_hash FROM trace_chains WHERE chain = $1 FOR UPDATE",
            "INSERT INTO trace_chains (chain, last_seq, last_hash) VALUES ($1, 0, $2) \
             ON CONFLICT (chain) DO NOTHING",
        ),
        DbConnection::Sqlite(_) => (
            "SELECT chain, last_seq, last_hash FROM trace_chains WHERE chain = ?",
            "INSERT OR IGNORE INTO trace_chains (chain, last_seq, last_hash) VALUES (?, 0, ?)",
        ),
    };
    let found: Option<Head> = diesel::sql_query(select)
        .bind::<Text, _>(chain)
        .get_result(conn)
        .optional()?;
    if let Some(head) = found {
        return Ok(head);
    }
    // Two transactions may open the same chain at once: one creates it, the other waits for
    // its commit on the row and then reads the end it left.
    diesel::sql_query(create)
        .bind::<Text, _>(chain)
        .bind::<Text, _>(GENESIS)
        .execute(conn)?;
    Ok(diesel::sql_query(select)
        .bind::<Text, _>(chain)
        .get_result(conn)?)
}

/// Moves `chain`'s end (locked by [`lock_head`]) to its trace `seq`, whose hash is `hash`.
pub(crate) fn advance(conn: &mut DbConnection, chain: &str, seq: i64, hash: &str) -> Result<()> {
    diesel::update(trace_chains::table.filter(trace_chains::chain.eq(chain)))
        .set((
            trace_chains::last_seq.eq(seq),
            trace_chains::last_hash.eq(hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every chain's end, in the chains' order.
pub(crate) fn heads(conn: &mut DbConnection) -> Result<Vec<Head>> {
    Ok(trace_chains::table
        .select((
            trace_chains::chain,
            trace_chains::last_seq,
            trace_chains::last_hash,
        ))
        .order(trace_chains::chain.asc())
        .load(conn)?)
}

/// Where each chain's kept part starts, for the chains the purge has cut.
pub(crate) fn anchors(conn: &mut DbConnection) -> Result<BTreeMap<String, (i64, String)>> {
    let rows: Vec<(String, i64, String)> = trace_chain_anchors::table
        .select((
            trace_chain_anchors::chain,
            trace_chain_anchors::anchor_seq,
            trace_chain_anchors::anchor_hash,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(c, s, h)| (c, (s, h))).collect())
}

/// Where `chain`'s kept part starts: after its trace `seq`, whose hash was `hash`.
pub(crate) fn set_anchor(conn: &mut DbConnection, chain: &str, seq: i64, hash: &str) -> Result<()> {
    let updated =
        diesel::update(trace_chain_anchors::table.filter(trace_chain_anchors::chain.eq(chain)))
            .set((
                trace_chain_anchors::anchor_seq.eq(seq),
                trace_chain_anchors::anchor_hash.eq(hash),
            ))
            .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(trace_chain_anchors::table)
            .values((
                trace_chain_anchors::chain.eq(chain),
                trace_chain_anchors::anchor_seq.eq(seq),
                trace_chain_anchors::anchor_hash.eq(hash),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A checkpoint of every chain's end.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = trace_checkpoints)]
pub struct Checkpoint {
    /// Identifier.
    pub id: String,
    /// When it was taken.
    pub taken_at: NaiveDateTime,
    /// How many chains it covers.
    pub chains: i64,
    /// SHA-256 of the chains' ends, in the chains' order (`mcp_domain::trace::heads_digest`).
    pub digest: String,
    /// The key that signed it (`kid` of the service's JWKS).
    pub key_id: String,
    /// The signed statement of the checkpoint: a compact JWS (EdDSA) anyone can check with the
    /// service's published keys.
    pub signature: String,
}

/// Ends per insert statement (both engines bind every value).
const HEADS_PER_INSERT: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = trace_checkpoint_heads)]
struct CheckpointHead<'a> {
    checkpoint_id: &'a str,
    chain: &'a str,
    seq: i64,
    hash: &'a str,
}

/// Keeps a checkpoint and the ends it covers.
pub(crate) fn insert_checkpoint(
    conn: &mut DbConnection,
    checkpoint: &Checkpoint,
    heads: &[Head],
) -> Result<()> {
    diesel::insert_into(trace_checkpoints::table)
        .values((
            trace_checkpoints::id.eq(&checkpoint.id),
            trace_checkpoints::taken_at.eq(checkpoint.taken_at),
            trace_checkpoints::chains.eq(checkpoint.chains),
            trace_checkpoints::digest.eq(&checkpoint.digest),
            trace_checkpoints::key_id.eq(&checkpoint.key_id),
            trace_checkpoints::signature.eq(&checkpoint.signature),
        ))
        .execute(conn)?;
    for batch in heads.chunks(HEADS_PER_INSERT) {
        let rows: Vec<CheckpointHead> = batch
            .iter()
            .map(|h| CheckpointHead {
                checkpoint_id: &checkpoint.id,
                chain: &h.chain,
                seq: h.last_seq,
                hash: &h.last_hash,
            })
            .collect();
        let insert = diesel::insert_into(trace_checkpoint_heads::table).values(&rows);
        match conn {
            DbConnection::Postgresql(c) => insert.execute(c)?,
            DbConnection::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

/// The latest checkpoint and the ends it saw, if any was taken.
pub(crate) fn latest_checkpoint(
    conn: &mut DbConnection,
) -> Result<Option<(Checkpoint, Vec<Head>)>> {
    let Some(checkpoint) = trace_checkpoints::table
        .select(Checkpoint::as_select())
        .order((
            trace_checkpoints::taken_at.desc(),
            trace_checkpoints::id.desc(),
        ))
        .first::<Checkpoint>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let heads = trace_checkpoint_heads::table
        .filter(trace_checkpoint_heads::checkpoint_id.eq(&checkpoint.id))
        .select((
            trace_checkpoint_heads::chain,
            trace_checkpoint_heads::seq,
            trace_checkpoint_heads::hash,
        ))
        .order(trace_checkpoint_heads::chain.asc())
        .load(conn)?;
    Ok(Some((checkpoint, heads)))
}

/// A page of checkpoints, newest first.
pub(crate) fn checkpoints(
    conn: &mut DbConnection,
    page: &crate::page::PageRequest,
) -> Result<crate::page::Page<Checkpoint>> {
    let mut q = trace_checkpoints::table.into_boxed();
    if let Some(c) = &page.cursor {
        q = q.filter(trace_checkpoints::id.lt(c.clone()));
    }
    let limit = page.limit();
    let rows = q
        .select(Checkpoint::as_select())
        .order(trace_checkpoints::id.desc())
        .limit(limit + 1)
        .load(conn)?;
    crate::page::Page::from_rows(rows, limit, |c: &Checkpoint| c.id.clone(), Ok)
}
