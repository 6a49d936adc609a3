//! Traces of actions, written in the same transaction as the action they record (S-art. 5.3),
//! sealed into a chain of hashes when that transaction commits, read by the people whose
//! perimeter they are in.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use mcp_domain::access::{Role, TracePerimeter};
use mcp_domain::ids::{AccountId, CafId, ClientId, HabilitationId, PartnerId};
use mcp_domain::trace::{canonical, link, GENESIS};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::{habilitation_events, retention_purges, trace_chain, traces};
use crate::Database;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Success,
    /// Refused (bad credentials, no right).
    Denied,
}

impl Outcome {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
        }
    }
}

/// What happened, to what.
#[derive(Debug, Clone)]
pub struct Event {
    /// What was done (`partner.created`, `auth.login`…).
    pub action: TraceAction,
    /// Kind of object acted upon.
    pub target_type: TargetType,
    /// The object acted upon.
    pub target_id: Option<Uuid>,
    /// The Caf whose perimeter the object belongs to, for the readers of its traces (the
    /// actor's Caf when absent).
    pub caf_id: Option<CafId>,
    /// The partner whose perimeter the object belongs to (the actor's partner when absent), so
    /// that the partner's administrators read what was done to their organisation too.
    pub partner_id: Option<PartnerId>,
    /// How it ended.
    pub outcome: Outcome,
    /// What changed, without any secret.
    pub detail: Value,
}

impl Event {
    /// The beneficiary file a consultation asked for, kept in its own column so that readers
    /// can find every consultation of one file.
    pub(crate) fn file_number(&self) -> Option<&str> {
        (self.target_type == TargetType::BeneficiaryFile)
            .then(|| self.detail["asked"]["numero"].as_str())
            .flatten()
    }
}

/// Writes one trace on `conn`; call it inside the action's transaction. It is sealed into the
/// chain when the transaction commits ([`Database::write`]).
pub fn record(conn: &mut DbConnection, ctx: &Ctx, event: Event) -> Result<()> {
    let principal = ctx.principal.as_ref();
    let (org_kind, org_id) = match principal.map(|p| (p.role, p.partner_id, p.caf_id)) {
        None => (None, None),
        Some((Role::CnafOperator | Role::CnafAuditor, _, _)) => (Some("cnaf"), None),
        Some((Role::CafAdministrator | Role::CafAuditor, _, caf)) => {
            (Some("caf"), caf.map(|c| c.to_string()))
        }
        Some((Role::PartnerAdministrator | Role::PartnerUser, partner, _)) => {
            (Some("partner"), partner.map(|p| p.to_string()))
        }
    };
    let actor = principal.map(|p| p.account_id.to_string());
    let role = principal.map(|p| p.role.code());
    let client = principal
        .and_then(|p| p.software.as_ref())
        .map(|s| s.client_id.to_string());
    let caf_id = event
        .caf_id
        .or(principal.and_then(|p| p.caf_id))
        .map(|c| c.to_string());
    let partner_id = event
        .partner_id
        .or(principal.and_then(|p| p.partner_id))
        .map(|c| c.to_string());
    let id = crate::new_id();
    let target_id = event.target_id.map(|t| t.to_string());
    let detail = event.detail.to_string();
    diesel::insert_into(traces::table)
        .values((
            traces::id.eq(&id),
            traces::occurred_at.eq(ctx.now),
            traces::request_id.eq(&ctx.request_id),
            traces::actor_account_id.eq(&actor),
            traces::actor_role.eq(role),
            traces::organisation_kind.eq(org_kind),
            traces::organisation_id.eq(&org_id),
            traces::action.eq(event.action.code()),
            traces::target_type.eq(event.target_type.code()),
            traces::target_id.eq(&target_id),
            traces::caf_id.eq(&caf_id),
            traces::partner_id.eq(&partner_id),
            traces::file_number.eq(event.file_number()),
            traces::outcome.eq(event.outcome.code()),
            traces::detail.eq(&detail),
            traces::client_id.eq(&client),
        ))
        .execute(conn)?;
    if event.target_type == TargetType::Habilitation && event.outcome == Outcome::Success {
        // Habilitation data outlives the traces (six years after devalidation); refusals don't.
        diesel::insert_into(habilitation_events::table)
            .values((
                habilitation_events::trace_id.eq(&id),
                habilitation_events::habilitation_id.eq(&target_id.unwrap_or_default()),
                habilitation_events::occurred_at.eq(ctx.now),
                habilitation_events::request_id.eq(&ctx.request_id),
                habilitation_events::actor_account_id.eq(&actor),
                habilitation_events::actor_role.eq(role),
                habilitation_events::organisation_kind.eq(org_kind),
                habilitation_events::organisation_id.eq(&org_id),
                habilitation_events::action.eq(event.action.code()),
                habilitation_events::caf_id.eq(&caf_id),
                habilitation_events::partner_id.eq(&partner_id),
                habilitation_events::outcome.eq(event.outcome.code()),
                habilitation_events::detail.eq(&detail),
                habilitation_events::client_id.eq(&client),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A stored trace.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = traces)]
pub struct Trace {
    /// Identifier.
    pub id: String,
    /// When.
    pub occurred_at: NaiveDateTime,
    /// The request it came from.
    pub request_id: Option<String>,
    /// Who acted.
    pub actor_account_id: Option<String>,
    /// Their role.
    pub actor_role: Option<String>,
    /// Their organisation's kind.
    pub organisation_kind: Option<String>,
    /// Their organisation.
    pub organisation_id: Option<String>,
    /// What they did.
    pub action: String,
    /// Kind of object.
    pub target_type: Option<String>,
    /// Object.
    pub target_id: Option<String>,
    /// Caf perimeter of the object.
    pub caf_id: Option<String>,
    /// How it ended.
    pub outcome: String,
    /// Details, JSON.
    pub detail: String,
    /// The partner software that acted for the person, if any.
    pub client_id: Option<String>,
    /// Partner perimeter of the object.
    pub partner_id: Option<String>,
    /// The beneficiary file a consultation asked for.
    pub file_number: Option<String>,
    /// Position in the chain, once sealed.
    pub seq: Option<i64>,
    /// Hash chaining it to the previous trace, once sealed.
    pub hash: Option<String>,
}

impl Trace {
    /// Its hash at position `seq` of the chain, after a trace whose hash is `previous`.
    pub fn link_after(&self, previous: &str, seq: i64) -> String {
        link(previous, &self.canonical(seq))
    }

    /// The canonical form the chain hashes, with its sequence number.
    pub(crate) fn canonical(&self, seq: i64) -> String {
        let seq = seq.to_string();
        let at = self.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        canonical(&[
            Some(&seq),
            Some(&self.id),
            Some(&at),
            self.request_id.as_deref(),
            self.actor_account_id.as_deref(),
            self.actor_role.as_deref(),
            self.organisation_kind.as_deref(),
            self.organisation_id.as_deref(),
            Some(&self.action),
            self.target_type.as_deref(),
            self.target_id.as_deref(),
            self.caf_id.as_deref(),
            self.partner_id.as_deref(),
            self.file_number.as_deref(),
            Some(&self.outcome),
            Some(&self.detail),
            self.client_id.as_deref(),
        ])
    }
}

#[derive(QueryableByName)]
pub(crate) struct ChainHead {
    #[diesel(sql_type = BigInt)]
    pub(crate) last_seq: i64,
    #[diesel(sql_type = Text)]
    pub(crate) last_hash: String,
}

/// Seals the traces the current transaction wrote: each gets the next sequence number and its
/// hash after the previous trace's. Called by [`Database::write`] just before commit, so the
/// chain's end is held only for the instant between sealing and commit (on PostgreSQL, a row
/// lock on `trace_chain`; on SQLite, the single writer).
pub(crate) fn seal(conn: &mut DbConnection) -> Result<()> {
    let pending: Vec<Trace> = traces::table
        .filter(traces::seq.is_null())
        .select(Trace::as_select())
        .order(traces::id.asc())
        .load(conn)?;
    if pending.is_empty() {
        return Ok(());
    }
    let lock = match conn {
        DbConnection::Postgresql(_) => {
            "SELECT last_seq, last_hash FROM trace_chain WHERE id = 1 FOR UPDATE"
        }
        DbConnection::Sqlite(_) => "SELECT last_seq, last_hash FROM trace_chain WHERE id = 1",
    };
    let head: ChainHead = diesel::sql_query(lock).get_result(conn)?;
    let (mut seq, mut hash) = (head.last_seq, head.last_hash);
    for t in pending {
        seq += 1;
        hash = t.link_after(&hash, seq);
        diesel::update(
            traces::table
                .filter(traces::id.eq(&t.id))
                .filter(traces::occurred_at.eq(t.occurred_at)),
        )
        .set((traces::seq.eq(seq), traces::hash.eq(&hash)))
        .execute(conn)?;
    }
    diesel::update(trace_chain::table.filter(trace_chain::id.eq(1)))
        .set((
            trace_chain::last_seq.eq(seq),
            trace_chain::last_hash.eq(&hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters on traces, all optional and combined.
#[derive(Debug, Clone, Default)]
pub struct TraceFilter {
    /// Only traces about this object.
    pub target_id: Option<Uuid>,
    /// Only traces by this person.
    pub actor_account_id: Option<AccountId>,
    /// Only this action.
    pub action: Option<String>,
    /// Only traces with this request id.
    pub request_id: Option<String>,
    /// Only traces of actions made through this software.
    pub client_id: Option<ClientId>,
    /// Only consultations of this beneficiary file (numéro allocataire).
    pub file_number: Option<String>,
    /// Only traces from this instant on.
    pub from: Option<NaiveDateTime>,
    /// Only traces before this instant.
    pub to: Option<NaiveDateTime>,
    /// Newest first.
    pub newest_first: bool,
}

impl TraceFilter {
    /// The filter as it is recorded in the trace of a reading.
    pub(crate) fn describe(&self) -> Value {
        json!({
            "target_id": self.target_id, "actor_account_id": self.actor_account_id,
            "action": self.action, "request_id": self.request_id, "client_id": self.client_id,
            "file_number": self.file_number, "from": self.from, "to": self.to,
        })
    }
}

/// Reads a page of traces within `perimeter`, in id (time) order; access is decided by the
/// caller.
pub fn list(
    conn: &mut DbConnection,
    perimeter: TracePerimeter,
    filter: &TraceFilter,
    page: &PageRequest,
) -> Result<Page<Trace>> {
    page_of(
        conn,
        perimeter,
        filter,
        page.cursor.as_deref(),
        page.limit(),
    )
}

pub(crate) fn page_of(
    conn: &mut DbConnection,
    perimeter: TracePerimeter,
    filter: &TraceFilter,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Trace>> {
    let mut q = traces::table.select(Trace::as_select()).into_boxed();
    match perimeter {
        TracePerimeter::National => {}
        TracePerimeter::Caf(c) => q = q.filter(traces::caf_id.eq(c.to_string())),
        TracePerimeter::Partner(p) => q = q.filter(traces::partner_id.eq(p.to_string())),
    }
    if let Some(t) = filter.target_id {
        q = q.filter(traces::target_id.eq(t.to_string()));
    }
    if let Some(a) = filter.actor_account_id {
        q = q.filter(traces::actor_account_id.eq(a.to_string()));
    }
    if let Some(a) = &filter.action {
        q = q.filter(traces::action.eq(a.clone()));
    }
    if let Some(r) = &filter.request_id {
        q = q.filter(traces::request_id.eq(r.clone()));
    }
    if let Some(c) = filter.client_id {
        q = q.filter(traces::client_id.eq(c.to_string()));
    }
    if let Some(f) = &filter.file_number {
        q = q.filter(traces::file_number.eq(f.clone()));
    }
    if let Some(from) = filter.from {
        q = q.filter(traces::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(traces::occurred_at.lt(to));
    }
    q = match (cursor, filter.newest_first) {
        (Some(c), false) => q.filter(traces::id.gt(c.to_string())),
        (Some(c), true) => q.filter(traces::id.lt(c.to_string())),
        (None, _) => q,
    };
    q = if filter.newest_first {
        q.order(traces::id.desc())
    } else {
        q.order(traces::id.asc())
    };
    let rows = q.limit(limit + 1).load::<Trace>(conn)?;
    Page::from_rows(rows, limit, |t| t.id.clone(), Ok)
}

/// An export of traces under way: its perimeter and filter, read batch after batch.
#[derive(Debug, Clone)]
pub struct Export {
    pub(crate) perimeter: TracePerimeter,
    pub(crate) filter: TraceFilter,
}

/// Traces per export batch.
pub const EXPORT_BATCH: i64 = 1000;

impl Export {
    /// The next batch after `cursor` (the id of the last trace sent); its `next_cursor` is
    /// absent after the last batch.
    pub fn next_batch(&self, db: &Database, cursor: Option<String>) -> Result<Page<Trace>> {
        db.read(|conn| {
            page_of(
                conn,
                self.perimeter,
                &self.filter,
                cursor.as_deref(),
                EXPORT_BATCH,
            )
        })
    }
}

/// A person's own traces, produced at their request by their partner's administrator
/// (RGPD art. 15).
#[derive(Debug, Clone)]
pub struct SubjectAccess {
    /// The person.
    pub account: crate::store::accounts::Account,
    /// When it was produced.
    pub produced_at: NaiveDateTime,
    /// Every kept trace of what they did or what was done to their account, oldest first.
    pub traces: Vec<Trace>,
}

/// Where the chain broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The sequence number where the check failed.
    pub seq: i64,
    /// The trace found there, if any.
    pub trace_id: Option<String>,
    /// `missing`, `hash_mismatch` or `unsealed`.
    pub reason: &'static str,
}

/// The result of checking the chain of traces.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// When it was checked.
    pub checked_at: NaiveDateTime,
    /// The last trace removed by the retention purge, where the kept chain starts (0: none).
    pub anchor_seq: i64,
    /// The last sealed trace when the check started.
    pub head_seq: i64,
    /// Traces checked and found linked.
    pub verified: i64,
    /// The first broken link, if any.
    pub first_broken: Option<BrokenLink>,
}

pub(crate) const VERIFY_BATCH: i64 = 5000;

/// Where the kept chain starts: after the last trace the retention purge removed.
pub(crate) fn anchor(conn: &mut DbConnection) -> Result<(i64, String)> {
    let last: Option<(Option<i64>, Option<String>)> = retention_purges::table
        .filter(retention_purges::last_seq.is_not_null())
        .select((retention_purges::last_seq, retention_purges::anchor_hash))
        .order(retention_purges::last_seq.desc())
        .first(conn)
        .optional()?;
    Ok(match last {
        Some((Some(seq), Some(hash))) => (seq, hash),
        _ => (0, GENESIS.to_string()),
    })
}

/// The history of one habilitation, kept with it (six years after devalidation), oldest first.
pub(crate) fn habilitation_history(
    conn: &mut DbConnection,
    habilitation_id: HabilitationId,
    page: &PageRequest,
) -> Result<Page<Trace>> {
    let mut q = habilitation_events::table
        .filter(habilitation_events::habilitation_id.eq(habilitation_id.to_string()))
        .into_boxed();
    if let Some(c) = &page.cursor {
        q = q.filter(habilitation_events::trace_id.gt(c.clone()));
    }
    let limit = page.limit();
    let rows: Vec<HabilitationEvent> = q
        .select(HabilitationEvent::as_select())
        .order(habilitation_events::trace_id.asc())
        .limit(limit + 1)
        .load(conn)?;
    Page::from_rows(
        rows,
        limit,
        |e| e.trace_id.clone(),
        |e| {
            Ok(Trace {
                target_id: Some(e.habilitation_id),
                id: e.trace_id,
                occurred_at: e.occurred_at,
                request_id: e.request_id,
                actor_account_id: e.actor_account_id,
                actor_role: e.actor_role,
                organisation_kind: e.organisation_kind,
                organisation_id: e.organisation_id,
                action: e.action,
                target_type: Some(TargetType::Habilitation.code().into()),
                caf_id: e.caf_id,
                outcome: e.outcome,
                detail: e.detail,
                client_id: e.client_id,
                partner_id: e.partner_id,
                file_number: None,
                seq: None,
                hash: None,
            })
        },
    )
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = habilitation_events)]
pub(crate) struct HabilitationEvent {
    pub(crate) trace_id: String,
    pub(crate) habilitation_id: String,
    pub(crate) occurred_at: NaiveDateTime,
    pub(crate) request_id: Option<String>,
    pub(crate) actor_account_id: Option<String>,
    pub(crate) actor_role: Option<String>,
    pub(crate) organisation_kind: Option<String>,
    pub(crate) organisation_id: Option<String>,
    pub(crate) action: String,
    pub(crate) caf_id: Option<String>,
    pub(crate) partner_id: Option<String>,
    pub(crate) outcome: String,
    pub(crate) detail: String,
    pub(crate) client_id: Option<String>,
}
