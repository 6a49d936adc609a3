//! The integrity of the traces: checking every chain, the signed checkpoints of the chains'
//! ends, and the evidence of retention purges (Cnaf auditors).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use mcp_persistence::use_cases::retention::PurgeRecord;
use mcp_persistence::use_cases::trace::{ChainReport, Checkpoint};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::traces::opt_uuid;
use super::{run, stored_id, utc, PageQuery};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// Where a chain broke.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrokenLinkDto {
    /// The chain: `partner:<id>`, `caf:<id>`, `national` or `global`.
    #[schema(example = "partner:0192f3a4-5b6c-7d8e-9f00-112233445566")]
    pub chain: String,
    /// The position in that chain where the check failed.
    pub seq: i64,
    /// The trace found there, if any.
    pub trace_id: Option<Uuid>,
    /// `missing` (a trace was deleted), `hash_mismatch` (this trace or the link to it was
    /// changed), `misplaced` (a trace was moved into another perimeter's chain), `unsealed`
    /// (a trace was written around the service) or `checkpoint_mismatch` (the chain was cut
    /// or rewritten after the latest checkpoint).
    #[schema(example = "hash_mismatch")]
    pub reason: String,
}

/// The result of checking every chain of traces.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainReportDto {
    /// Whether every kept trace links to the one before in its chain, and every chain's end
    /// is where the latest checkpoint saw it or further.
    pub intact: bool,
    /// When it was checked.
    pub checked_at: DateTime<Utc>,
    /// How many chains were checked (one per partner, per Caf, the national one).
    pub chains: i64,
    /// Traces checked and found linked.
    pub verified: i64,
    /// The checkpoint the chains' ends were checked against, if one was taken.
    pub checkpoint_id: Option<Uuid>,
    /// The first break of each broken chain (at most 100), empty when intact.
    pub broken: Vec<BrokenLinkDto>,
}

impl From<ChainReport> for ChainReportDto {
    fn from(r: ChainReport) -> Self {
        Self {
            intact: r.broken.is_empty(),
            checked_at: utc(r.checked_at),
            chains: r.chains,
            verified: r.verified,
            checkpoint_id: opt_uuid(r.checkpoint.map(|c| c.id)),
            broken: r
                .broken
                .into_iter()
                .map(|b| BrokenLinkDto {
                    chain: b.chain,
                    seq: b.seq,
                    trace_id: opt_uuid(b.trace_id),
                    reason: b.reason.code().into(),
                })
                .collect(),
        }
    }
}

/// Checks every chain of traces end to end, and each chain's end against the latest
/// checkpoint; reports the first broken link of each broken chain (Cnaf auditors). The check
/// is itself traced.
#[utoipa::path(
    tag = "traces",
    responses(
        (status = 200, description = "The result of the check", body = ChainReportDto),
        (status = 403, description = "Not a Cnaf auditor", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/traces/chain-verification")]
pub async fn verify_trace_chain(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let r = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::trace::verify_chain(db, ctx)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ChainReportDto::from(r)))
}

/// The evidence one retention purge left.
#[derive(Debug, Serialize, ToSchema)]
pub struct PurgeDto {
    /// Identifier.
    pub id: Uuid,
    /// When the job ran.
    pub ran_at: DateTime<Utc>,
    /// Traces that occurred before this instant were due (six months).
    pub traces_before: DateTime<Utc>,
    /// How many traces went.
    pub traces_purged: i64,
    /// How many chains lost their oldest traces; where each now starts is in the purge's own
    /// trace (`retention.purged`, its `anchors`).
    pub chains_purged: i64,
    /// When the first removed trace occurred.
    pub first_occurred_at: Option<DateTime<Utc>>,
    /// When the last removed trace occurred.
    pub last_occurred_at: Option<DateTime<Utc>>,
    /// The monthly partitions dropped whole (PostgreSQL).
    pub partitions_dropped: Vec<String>,
    /// Habilitations devalidated before this instant were due (six years).
    pub habilitations_before: DateTime<Utc>,
    /// How many habilitations went, with their questions and history.
    pub habilitations_purged: i64,
    /// How many history entries of those habilitations went.
    pub habilitation_events_purged: i64,
}

impl TryFrom<PurgeRecord> for PurgeDto {
    type Error = ApiError;
    fn try_from(r: PurgeRecord) -> Result<Self, ApiError> {
        Ok(Self {
            id: stored_id(&r.id)?,
            ran_at: utc(r.ran_at),
            traces_before: utc(r.traces_before),
            traces_purged: r.traces_purged,
            chains_purged: r.chains_purged,
            first_occurred_at: r.first_occurred_at.map(utc),
            last_occurred_at: r.last_occurred_at.map(utc),
            partitions_dropped: r
                .partitions_dropped
                .split(',')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect(),
            habilitations_before: utc(r.habilitations_before),
            habilitations_purged: r.habilitations_purged,
            habilitation_events_purged: r.habilitation_events_purged,
        })
    }
}

super::page_of!(
    /// A page of purge evidence.
    PurgePage,
    PurgeDto
);

/// The evidence of the retention purges, newest first (Cnaf auditors).
#[utoipa::path(
    tag = "traces",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of purges", body = PurgePage),
        (status = 403, description = "Not a Cnaf auditor", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/traces/retention-purges")]
pub async fn list_retention_purges(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.request()?;
    let p = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::retention::purges(db, ctx, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PurgePage::of(p, PurgeDto::try_from)?))
}

/// A checkpoint of every chain's end, signed by the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointDto {
    /// Identifier.
    pub id: Uuid,
    /// When it was taken.
    pub taken_at: DateTime<Utc>,
    /// How many chains it covers.
    pub chains: i64,
    /// SHA-256, hex, of one `chain seq hash` line per chain, in the chains' order.
    #[schema(example = "9f2c1e0b7a5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3")]
    pub digest: String,
    /// The key that signed it: a `kid` of `/.well-known/jwks.json`.
    pub key_id: String,
    /// The statement (id, instant, chains, digest) as a compact JWS signed with EdDSA, of type
    /// `trace-checkpoint+jwt`: keep it outside the service; anyone can check it with the
    /// published keys.
    pub signature: String,
}

impl TryFrom<Checkpoint> for CheckpointDto {
    type Error = ApiError;
    fn try_from(c: Checkpoint) -> Result<Self, ApiError> {
        Ok(Self {
            id: stored_id(&c.id)?,
            taken_at: utc(c.taken_at),
            chains: c.chains,
            digest: c.digest,
            key_id: c.key_id,
            signature: c.signature,
        })
    }
}

super::page_of!(
    /// A page of checkpoints.
    CheckpointPage,
    CheckpointDto
);

/// The checkpoints of the chains' ends, newest first (Cnaf auditors), taken every six hours
/// with the retention job: keep them outside the service, so that a chain cut or rewritten
/// even by someone holding the database shows against them.
#[utoipa::path(
    tag = "traces",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of checkpoints", body = CheckpointPage),
        (status = 403, description = "Not a Cnaf auditor", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/traces/checkpoints")]
pub async fn list_trace_checkpoints(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.request()?;
    let p = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::trace::checkpoints(db, ctx, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CheckpointPage::of(p, CheckpointDto::try_from)?))
}
