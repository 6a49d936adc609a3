//! Traces of actions, written in the same transaction as the action they record (S-art. 5.3).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::Role;
use serde_json::Value;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::traces;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Success,
    /// Refused (bad credentials, no right).
    Denied,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
        }
    }
}

/// What happened, to what.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Stable action name (`partner.created`, `auth.login`…).
    pub action: &'a str,
    /// Kind of object acted upon.
    pub target_type: &'a str,
    /// The object acted upon.
    pub target_id: Option<Uuid>,
    /// The Caf whose perimeter the object belongs to, for the readers of its traces.
    pub caf_id: Option<Uuid>,
    /// How it ended.
    pub outcome: Outcome,
    /// What changed, without any secret.
    pub detail: Value,
}

/// Writes one trace on `conn`; call it inside the action's transaction.
pub fn record(conn: &mut DbConnection, ctx: &Ctx, event: Event<'_>) -> Result<()> {
    let principal = ctx.principal.as_ref();
    let (org_kind, org_id) = match principal.map(|p| (p.role, p.partner_id, p.caf_id)) {
        None => (None, None),
        Some((Role::CnafOperator, _, _)) => (Some("cnaf"), None),
        Some((Role::CafAdministrator, _, caf)) => (Some("caf"), caf),
        Some((Role::PartnerAdministrator | Role::PartnerUser, partner, _)) => {
            (Some("partner"), partner)
        }
    };
    let actor = principal.map(|p| p.account_id);
    let role = principal.map(|p| p.role.code());
    let client = principal
        .and_then(|p| p.software.as_ref())
        .map(|s| s.client_id.to_string());
    diesel::insert_into(traces::table)
        .values((
            traces::id.eq(crate::new_id()),
            traces::occurred_at.eq(ctx.now),
            traces::request_id.eq(&ctx.request_id),
            traces::actor_account_id.eq(actor.map(|a| a.to_string())),
            traces::actor_role.eq(role),
            traces::organisation_kind.eq(org_kind),
            traces::organisation_id.eq(org_id.map(|o| o.to_string())),
            traces::action.eq(event.action),
            traces::target_type.eq(event.target_type),
            traces::target_id.eq(event.target_id.map(|t| t.to_string())),
            traces::caf_id.eq(event.caf_id.map(|c| c.to_string())),
            traces::outcome.eq(event.outcome.code()),
            traces::detail.eq(event.detail.to_string()),
            traces::client_id.eq(client),
        ))
        .execute(conn)?;
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
}

/// Filters on traces.
#[derive(Debug, Clone, Default)]
pub struct TraceFilter {
    /// Only traces about this object.
    pub target_id: Option<Uuid>,
    /// Only traces by this account.
    pub actor_account_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// Only traces with this request id.
    pub request_id: Option<String>,
    /// Only traces of actions made through this software.
    pub client_id: Option<Uuid>,
}

/// Reads traces, oldest first (reading is decided by the caller's access check).
pub fn list(
    conn: &mut DbConnection,
    filter: &TraceFilter,
    page: &PageRequest,
) -> Result<Page<Trace>> {
    let mut q = traces::table.select(Trace::as_select()).into_boxed();
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
    if let Some(c) = &page.cursor {
        q = q.filter(traces::id.gt(c.clone()));
    }
    let limit = page.limit();
    let rows = q
        .order(traces::id.asc())
        .limit(limit + 1)
        .load::<Trace>(conn)?;
    Page::from_rows(rows, limit, |t| t.id.clone(), Ok)
}

/// Reads traces for a caller who may (Cnaf operators for now).
pub fn read(
    db: &crate::Database,
    ctx: &Ctx,
    filter: &TraceFilter,
    page: &PageRequest,
) -> Result<Page<Trace>> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ReadTraces,
        mcp_domain::access::Reach::National,
    )?;
    db.read(|conn| list(conn, filter, page))
}
