//! Traces of actions, written in the same transaction as the action they record (S-art. 5.3),
//! sealed into a chain of hashes when that transaction commits, read by the people whose
//! perimeter they are in.

use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use mcp_domain::access::{Role, TracePerimeter};
use mcp_domain::ids::{AccountId, CafId, ClientId, HabilitationId, PartnerId};
use mcp_domain::trace::{canonical, link, Break, Chain};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::schema::{habilitation_events, traces};
use crate::store::trace_chains::{advance, lock_head, Checkpoint};
use crate::Database;
use std::cell::RefCell;
use std::collections::BTreeMap;

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
    /// A successful action on an object of one partner (a notice, an incident, a meeting, a
    /// request to the service centre), traced in its Caf's and its partner's perimeter.
    pub fn on_partner_object(
        action: TraceAction,
        target_type: TargetType,
        target_id: Uuid,
        (caf_id, partner_id): (CafId, PartnerId),
        detail: Value,
    ) -> Self {
        Self {
            action,
            target_type,
            target_id: Some(target_id),
            caf_id: Some(caf_id),
            partner_id: Some(partner_id),
            outcome: Outcome::Success,
            detail,
        }
    }

    /// The beneficiary file a consultation asked for, kept in its own column so that readers
    /// can find every consultation of one file.
    pub(crate) fn file_number(&self) -> Option<&str> {
        (self.target_type == TargetType::BeneficiaryFile)
            .then(|| self.detail["asked"]["numero"].as_str())
            .flatten()
    }
}

/// Records one trace of the write transaction running on `conn`: it is sealed into its
/// perimeter's chain when that transaction commits ([`crate::Database::write`]), and goes with
/// it if it rolls back.
pub fn record(conn: &mut DbConnection, ctx: &Ctx, event: Event) -> Result<()> {
    let principal = ctx.principal.as_ref();
    let (org_kind, org_id) = match principal.map(|p| (p.role, p.partner_id, p.caf_id)) {
        None => (None, None),
        Some((Role::CnafOperator | Role::CnafAuditor, _, _)) => (Some("cnaf"), None),
        Some((Role::CafAdministrator | Role::CafAuditor | Role::ServiceCentreAgent, _, caf)) => {
            (Some("caf"), caf.map(|c| c.to_string()))
        }
        Some((Role::PartnerAdministrator | Role::PartnerUser, partner, _)) => {
            (Some("partner"), partner.map(|p| p.to_string()))
        }
    };
    let caf = event.caf_id.or(principal.and_then(|p| p.caf_id));
    let partner = event.partner_id.or(principal.and_then(|p| p.partner_id));
    let trace = Trace {
        id: crate::new_id(),
        // To the microsecond, as both engines keep it: the hash is of what reads back.
        occurred_at: ctx.now.trunc_subsecs(6),
        request_id: Some(ctx.request_id.clone()),
        actor_account_id: principal.map(|p| p.account_id.to_string()),
        actor_role: principal.map(|p| p.role.code().to_string()),
        organisation_kind: org_kind.map(str::to_string),
        organisation_id: org_id,
        action: event.action.code().to_string(),
        target_type: Some(event.target_type.code().to_string()),
        target_id: event.target_id.map(|t| t.to_string()),
        caf_id: caf.map(|c| c.to_string()),
        outcome: event.outcome.code().to_string(),
        detail: event.detail.to_string(),
        client_id: principal
            .and_then(|p| p.software.as_ref())
            .map(|s| s.client_id.to_string()),
        partner_id: partner.map(|p| p.to_string()),
        file_number: event.file_number().map(str::to_string),
        seq: None,
        hash: None,
        chain: Chain::of(caf, partner).code(),
    };
    if event.target_type == TargetType::Habilitation && event.outcome == Outcome::Success {
        // Habilitation data outlives the traces (six years after devalidation); refusals don't.
        diesel::insert_into(habilitation_events::table)
            .values((
                habilitation_events::trace_id.eq(&trace.id),
                habilitation_events::habilitation_id
                    .eq(trace.target_id.as_deref().unwrap_or_default()),
                habilitation_events::occurred_at.eq(trace.occurred_at),
                habilitation_events::request_id.eq(&trace.request_id),
                habilitation_events::actor_account_id.eq(&trace.actor_account_id),
                habilitation_events::actor_role.eq(&trace.actor_role),
                habilitation_events::organisation_kind.eq(&trace.organisation_kind),
                habilitation_events::organisation_id.eq(&trace.organisation_id),
                habilitation_events::action.eq(&trace.action),
                habilitation_events::caf_id.eq(&trace.caf_id),
                habilitation_events::partner_id.eq(&trace.partner_id),
                habilitation_events::outcome.eq(&trace.outcome),
                habilitation_events::detail.eq(&trace.detail),
                habilitation_events::client_id.eq(&trace.client_id),
            ))
            .execute(conn)?;
    }
    defer(trace)
}

// The traces of a write transaction wait in memory until its commit, then each goes into its
// perimeter's chain in one insert, already sealed. A chain's end is locked only by the
// transactions sealing into that chain, only for the instant between sealing and commit, and
// always in the chains' order, so that sealers never wait in a cycle.

thread_local! {
    /// The traces of the write transaction running on this thread, waiting for its commit.
    static PENDING: RefCell<Option<Vec<Trace>>> = const { RefCell::new(None) };
}

/// The traces of one write transaction, sealed at its commit ([`crate::Database::write`]) and
/// forgotten if it rolls back.
pub(crate) struct Sealing(());

impl Sealing {
    /// Opens the transaction's buffer of traces on this thread.
    pub(crate) fn open() -> Self {
        PENDING.with(|p| *p.borrow_mut() = Some(Vec::new()));
        Self(())
    }

    /// Seals what the transaction recorded into the chains, just before commit.
    pub(crate) fn seal(self, conn: &mut DbConnection) -> Result<()> {
        let pending = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
        seal(conn, pending)
    }
}

impl Drop for Sealing {
    fn drop(&mut self) {
        PENDING.with(|p| *p.borrow_mut() = None);
    }
}

/// Keeps `trace` for the commit of the write transaction running on this thread.
pub(crate) fn defer(trace: Trace) -> Result<()> {
    PENDING.with(|p| match p.borrow_mut().as_mut() {
        Some(pending) => {
            pending.push(trace);
            Ok(())
        }
        None => Err(Error::Corrupt(
            "a trace was recorded outside a write transaction".into(),
        )),
    })
}

/// Rows per insert statement (both engines bind every value).
const INSERT_BATCH: usize = 500;

fn seal(conn: &mut DbConnection, pending: Vec<Trace>) -> Result<()> {
    let mut by_chain: BTreeMap<String, Vec<Trace>> = BTreeMap::new();
    for t in pending {
        by_chain.entry(t.chain.clone()).or_default().push(t);
    }
    for (chain, mut traces) in by_chain {
        let head = lock_head(conn, &chain)?;
        let (mut seq, mut hash) = (head.last_seq, head.last_hash);
        for t in &mut traces {
            seq += 1;
            hash = t.link_after(&hash, seq);
            t.seq = Some(seq);
            t.hash = Some(hash.clone());
        }
        for batch in traces.chunks(INSERT_BATCH) {
            // One statement per batch; the multi-engine connection has no multi-row insert, so
            // each engine's own connection runs it.
            let insert = diesel::insert_into(crate::schema::traces::table).values(batch);
            match conn {
                DbConnection::Postgresql(c) => insert.execute(c)?,
                DbConnection::Sqlite(c) => insert.execute(c)?,
            };
        }
        advance(conn, &chain, seq, &hash)?;
    }
    Ok(())
}

/// A stored trace.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
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
    /// Hash chaining it to the previous trace of its chain, once sealed.
    pub hash: Option<String>,
    /// The chain it is sealed in: its perimeter's ([`Chain::code`]).
    pub chain: String,
}

impl Trace {
    /// Its hash at position `seq` of the chain, after a trace whose hash is `previous`.
    pub fn link_after(&self, previous: &str, seq: i64) -> String {
        link(previous, &self.canonical(seq))
    }

    /// The chain of the perimeter it names (where it must be sealed).
    pub(crate) fn perimeter_chain(&self) -> Chain {
        let id = |s: &Option<String>| s.as_deref().and_then(|s| Uuid::parse_str(s).ok());
        Chain::of(
            id(&self.caf_id).map(CafId::from),
            id(&self.partner_id).map(PartnerId::from),
        )
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

/// Where a chain broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The chain ([`Chain::code`]).
    pub chain: String,
    /// The position in that chain where the check failed.
    pub seq: i64,
    /// The trace found there, if any.
    pub trace_id: Option<String>,
    /// Why.
    pub reason: Break,
}

/// The result of checking every chain of traces.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// When it was checked.
    pub checked_at: NaiveDateTime,
    /// How many chains were checked.
    pub chains: i64,
    /// Traces checked and found linked.
    pub verified: i64,
    /// The checkpoint the chains' ends were checked against, if one was taken.
    pub checkpoint: Option<Checkpoint>,
    /// The first break of each broken chain, in the chains' order (at most
    /// [`BROKEN_REPORTED`]).
    pub broken: Vec<BrokenLink>,
}

/// Broken chains a report lists at most.
pub const BROKEN_REPORTED: usize = 100;

pub(crate) const VERIFY_BATCH: i64 = 5000;

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
                chain: String::new(),
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
