//! Takes a checkpoint of every chain's end, signed, so that a chain cut or rewritten later is
//! found by the next verification, and so that the ends can be kept outside the database.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::store::trace_chains::{heads, insert_checkpoint, Checkpoint};
use crate::Database;
use chrono::NaiveDateTime;
use mcp_domain::trace::heads_digest;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::{json, Value};

use super::*;

/// A checkpoint's statement, signed by the service.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The key that signed it.
    pub key_id: String,
    /// The statement as a compact JWS.
    pub jws: String,
}

/// Takes a checkpoint of every chain's end at `now`: `sign` signs its statement (id, instant,
/// number of chains, digest of the ends). The checkpoint is itself traced in the national
/// chain, so that removing it breaks that chain.
pub fn take_checkpoint(
    db: &Database,
    now: NaiveDateTime,
    sign: impl FnOnce(&Value) -> std::result::Result<Signed, String>,
) -> Result<Checkpoint> {
    let ctx = Ctx::without_person("trace-checkpoint", now);
    db.write(|conn| {
        let heads = heads(conn)?;
        let digest = heads_digest(
            heads
                .iter()
                .map(|h| (h.chain.as_str(), h.last_seq, h.last_hash.as_str())),
        );
        let id = crate::new_id();
        let statement = json!({
            "checkpoint_id": id,
            "taken_at": now.and_utc().to_rfc3339(),
            "chains": heads.len(),
            "digest": digest,
        });
        let signed = sign(&statement).map_err(crate::error::Error::Secret)?;
        let checkpoint = Checkpoint {
            id,
            taken_at: now,
            chains: heads.len() as i64,
            digest,
            key_id: signed.key_id,
            signature: signed.jws,
        };
        insert_checkpoint(conn, &checkpoint, &heads)?;
        record(
            conn,
            &ctx,
            Event {
                action: TraceAction::TracesCheckpointed,
                target_type: TargetType::Traces,
                target_id: uuid::Uuid::parse_str(&checkpoint.id).ok(),
                caf_id: None,
                partner_id: None,
                outcome: Outcome::Success,
                detail: json!({
                    "checkpoint_id": checkpoint.id, "chains": checkpoint.chains,
                    "digest": checkpoint.digest, "key_id": checkpoint.key_id,
                }),
            },
        )?;
        Ok(checkpoint)
    })
}
