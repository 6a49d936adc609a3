//! Requests to the Caf service centre (S-art. 3), their thread of messages and steps, and the
//! escalations (S-art. 3.3).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::Role;
use mcp_domain::contract::{Contact, ContactRole};
use mcp_domain::convention::Party;
use mcp_domain::ids::{
    AccountId, CafId, ConventionId, PartnerId, SupportMessageId, SupportRequestId,
};
use mcp_domain::service_centre::{EscalationReason, Motive, State, Status, Step, Waiting};
use mcp_domain::vocabulary::AccountStatus;
use mcp_domain::DomainError;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::page::{Page, PageRequest};
use crate::schema::{accounts, support_messages, support_requests};

/// A request as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = support_requests)]
pub struct SupportRequestRow {
    /// Opaque id.
    pub id: Id<SupportRequestId>,
    /// The Caf whose service centre it is filed with.
    pub caf_id: Id<CafId>,
    /// The partner that filed it.
    pub partner_id: Id<PartnerId>,
    /// The convention whose contract was in force when it was filed.
    pub convention_id: Id<ConventionId>,
    /// What it is about, in a line.
    pub summary: String,
    /// The services concerned, JSON (catalogue codes).
    pub services: String,
    /// A `Motive` code.
    pub motive: String,
    /// The user concerned, an account of the partner.
    pub user_concerned: Option<Id<AccountId>>,
    /// Whom to call back.
    pub callback_name: String,
    /// Their telephone.
    pub callback_phone: String,
    /// Their e-mail.
    pub callback_email: Option<String>,
    /// A `Status` code.
    pub status: String,
    /// The agent following it.
    pub assigned_to: Option<Id<AccountId>>,
    /// Where the agent routed it.
    pub routed_to: Option<String>,
    /// The side to answer (a `Party` code).
    pub waiting_on: Option<String>,
    /// Since when.
    pub waiting_since: Option<NaiveDateTime>,
    /// When the escalation opens for want of an answer.
    pub escalation_due_at: Option<NaiveDateTime>,
    /// When it opened.
    pub escalated_at: Option<NaiveDateTime>,
    /// Why (an `EscalationReason` code).
    pub escalation_reason: Option<String>,
    /// Who filed it.
    pub filed_by: Id<AccountId>,
    /// When.
    pub filed_at: NaiveDateTime,
    /// Last step.
    pub updated_at: NaiveDateTime,
}

impl SupportRequestRow {
    /// Why the partner turned to the centre.
    pub fn motive(&self) -> Result<Motive> {
        crate::read_code(&self.motive, Motive::from_code)
    }

    /// Where it stands.
    pub fn status(&self) -> Result<Status> {
        crate::read_code(&self.status, Status::from_code)
    }

    /// The services concerned.
    pub fn services(&self) -> Result<Vec<String>> {
        serde_json::from_str(&self.services).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// Who is to answer, since when.
    pub fn waiting(&self) -> Result<Option<Waiting>> {
        Ok(match (&self.waiting_on, self.waiting_since) {
            (Some(on), Some(since)) => Some(Waiting {
                on: crate::read_code(on, Party::from_code)?,
                since,
            }),
            _ => None,
        })
    }

    /// Its state, as the steps change it.
    pub fn state(&self) -> Result<State> {
        Ok(State {
            status: self.status()?,
            taken: self.assigned_to.is_some(),
            waiting: self.waiting()?,
        })
    }

    /// Why the escalation opened, if it did.
    pub fn escalation_reason(&self) -> Result<Option<EscalationReason>> {
        self.escalation_reason
            .as_deref()
            .map(|r| crate::read_code(r, EscalationReason::from_code))
            .transpose()
    }
}

/// A message or step kept on a request.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = support_messages)]
pub struct MessageRow {
    /// Opaque id.
    pub id: Id<SupportMessageId>,
    /// Its request.
    pub support_request_id: Id<SupportRequestId>,
    /// Its place in the thread, 1 first.
    pub seq: i32,
    /// A `Step` code.
    pub step: String,
    /// The side (a `Party` code).
    pub side: String,
    /// Who; none for the service's own steps (an escalation for want of an answer).
    pub author_id: Option<Id<AccountId>>,
    /// What they wrote.
    pub body: Option<String>,
    /// Whether it asks the other side something.
    pub awaits_reply: bool,
    /// When.
    pub at: NaiveDateTime,
}

impl MessageRow {
    /// What happened.
    pub fn step(&self) -> Result<Step> {
        crate::read_code(&self.step, Step::from_code)
    }

    /// The side.
    pub fn side(&self) -> Result<Party> {
        crate::read_code(&self.side, Party::from_code)
    }
}

/// A request being filed, checked.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    /// Its id.
    pub id: Id<SupportRequestId>,
    /// Caf and partner.
    pub caf_id: CafId,
    /// The partner.
    pub partner_id: PartnerId,
    /// The contract in force.
    pub convention_id: Id<ConventionId>,
    /// What it is about.
    pub summary: &'a str,
    /// Services concerned.
    pub services: &'a [String],
    /// Motive.
    pub motive: Motive,
    /// The user concerned.
    pub user_concerned: Option<AccountId>,
    /// Whom to call back: name, telephone, e-mail.
    pub callback: (&'a str, &'a str, Option<&'a str>),
    /// Who files it.
    pub filed_by: AccountId,
}

/// Records a request just filed, in `state`, with its escalation instant.
pub fn insert(
    conn: &mut DbConnection,
    r: &NewRequest<'_>,
    state: State,
    due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(support_requests::table)
        .values((
            support_requests::id.eq(r.id),
            support_requests::caf_id.eq(Id(r.caf_id)),
            support_requests::partner_id.eq(Id(r.partner_id)),
            support_requests::convention_id.eq(r.convention_id),
            support_requests::summary.eq(r.summary),
            support_requests::services.eq(serde_json::json!(r.services).to_string()),
            support_requests::motive.eq(r.motive.code()),
            support_requests::user_concerned.eq(r.user_concerned.map(Id)),
            support_requests::callback_name.eq(r.callback.0),
            support_requests::callback_phone.eq(r.callback.1),
            support_requests::callback_email.eq(r.callback.2),
            support_requests::status.eq(state.status.code()),
            support_requests::waiting_on.eq(state.waiting.map(|w| w.on.code())),
            support_requests::waiting_since.eq(state.waiting.map(|w| w.since)),
            support_requests::escalation_due_at.eq(due),
            support_requests::filed_by.eq(Id(r.filed_by)),
            support_requests::filed_at.eq(now),
            support_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One request; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: SupportRequestId) -> Result<SupportRequestRow> {
    support_requests::table
        .find(Id(id))
        .select(SupportRequestRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// Takes a request's row for the rest of the write transaction, so that two steps on one
/// request (a close and a message, two agents taking it) follow one another instead of both
/// reading the same state: on PostgreSQL the update holds the row's lock until commit; SQLite's
/// write transactions already follow one another. Nothing changes.
pub fn lock(conn: &mut DbConnection, id: SupportRequestId) -> Result<()> {
    diesel::update(support_requests::table.find(Id(id)))
        .set(support_requests::updated_at.eq(support_requests::updated_at))
        .execute(conn)?;
    Ok(())
}

/// Writes a request's new state and escalation instant; `assigned_to` and `routed_to` change
/// only when given.
pub fn set_state(
    conn: &mut DbConnection,
    id: Id<SupportRequestId>,
    state: State,
    due: Option<NaiveDateTime>,
    (assigned_to, routed_to): (Option<AccountId>, Option<&str>),
    now: NaiveDateTime,
) -> Result<()> {
    diesel::update(support_requests::table.find(id))
        .set((
            support_requests::status.eq(state.status.code()),
            support_requests::waiting_on.eq(state.waiting.map(|w| w.on.code())),
            support_requests::waiting_since.eq(state.waiting.map(|w| w.since)),
            support_requests::escalation_due_at.eq(due),
            support_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    if let Some(a) = assigned_to {
        diesel::update(support_requests::table.find(id))
            .set(support_requests::assigned_to.eq(Some(Id(a))))
            .execute(conn)?;
    }
    if let Some(r) = routed_to {
        diesel::update(support_requests::table.find(id))
            .set(support_requests::routed_to.eq(Some(r)))
            .execute(conn)?;
    }
    Ok(())
}

/// Records that the escalation opened, or that it ended (`None`: the request was resolved or
/// closed, so that a later silence may open it again).
pub fn set_escalation(
    conn: &mut DbConnection,
    id: Id<SupportRequestId>,
    opened: Option<(EscalationReason, NaiveDateTime)>,
) -> Result<()> {
    diesel::update(support_requests::table.find(id))
        .set((
            support_requests::escalated_at.eq(opened.map(|(_, at)| at)),
            support_requests::escalation_reason.eq(opened.map(|(r, _)| r.code())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Keeps a message or step on a request, after the others (the caller holds the request's row:
/// [`lock`], or it has just created it).
#[allow(clippy::too_many_arguments)]
pub fn add_message(
    conn: &mut DbConnection,
    request: Id<SupportRequestId>,
    step: Step,
    side: Party,
    author: Option<AccountId>,
    body: Option<&str>,
    awaits_reply: bool,
    at: NaiveDateTime,
) -> Result<()> {
    let id: Id<SupportMessageId> = Id::new();
    let last: Option<i32> = support_messages::table
        .filter(support_messages::support_request_id.eq(request))
        .select(diesel::dsl::max(support_messages::seq))
        .first(conn)?;
    diesel::insert_into(support_messages::table)
        .values((
            support_messages::id.eq(id),
            support_messages::support_request_id.eq(request),
            support_messages::seq.eq(last.unwrap_or(0) + 1),
            support_messages::step.eq(step.code()),
            support_messages::side.eq(side.code()),
            support_messages::author_id.eq(author.map(Id)),
            support_messages::body.eq(body),
            support_messages::awaits_reply.eq(awaits_reply),
            support_messages::at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A request's thread, in the order it was written.
pub fn messages(conn: &mut DbConnection, id: Id<SupportRequestId>) -> Result<Vec<MessageRow>> {
    Ok(support_messages::table
        .filter(support_messages::support_request_id.eq(id))
        .order(support_messages::seq)
        .select(MessageRow::as_select())
        .load(conn)?)
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// Only one partner's.
    pub partner_id: Option<PartnerId>,
    /// Only those in this status.
    pub status: Option<Status>,
    /// Only those whose escalation is open.
    pub escalated: bool,
}

/// A page of a Caf's requests, oldest first.
pub fn of_caf(
    conn: &mut DbConnection,
    caf_id: CafId,
    filter: Filter,
    page: &PageRequest,
) -> Result<Page<SupportRequestRow>> {
    let mut q = support_requests::table
        .filter(support_requests::caf_id.eq(Id(caf_id)))
        .select(SupportRequestRow::as_select())
        .into_boxed();
    if let Some(p) = filter.partner_id {
        q = q.filter(support_requests::partner_id.eq(Id(p)));
    }
    if let Some(s) = filter.status {
        q = q.filter(support_requests::status.eq(s.code()));
    }
    if filter.escalated {
        q = q.filter(support_requests::escalated_at.is_not_null());
    }
    if let Some(c) = &page.cursor {
        q = q.filter(support_requests::id.gt(c.clone()));
    }
    let limit = page.limit();
    let rows = q
        .order(support_requests::id.asc())
        .limit(limit + 1)
        .load(conn)?;
    Page::from_rows(rows, limit, |r| r.id.to_string(), Ok)
}

/// The requests whose escalation falls due at `now` and has not opened: a side has left the
/// other's message unanswered past the contract's delay.
pub fn due_for_escalation(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<SupportRequestRow>> {
    Ok(support_requests::table
        .filter(support_requests::escalation_due_at.le(now))
        .filter(support_requests::escalated_at.is_null())
        .order(support_requests::escalation_due_at)
        .limit(limit)
        .select(SupportRequestRow::as_select())
        .load(conn)?)
}

/// The addresses of a Caf's service-centre agents whose accounts are not closed.
pub fn agents(conn: &mut DbConnection, caf_id: CafId) -> Result<Vec<String>> {
    Ok(accounts::table
        .filter(accounts::caf_id.eq(Id(caf_id)))
        .filter(accounts::role.eq(Role::ServiceCentreAgent.code()))
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select(accounts::email)
        .load(conn)?)
}

/// Whom the Caf side is told through for a request: the service centre's mailbox named in
/// the contract (annex 1) and its agents. Each address once.
pub fn centre_addresses(
    conn: &mut DbConnection,
    caf_id: CafId,
    contacts: &[Contact],
) -> Result<Vec<String>> {
    let mut to: std::collections::BTreeSet<String> = contacts
        .iter()
        .filter(|c| c.side == Party::Caf && c.role == ContactRole::ServiceCentre)
        .filter_map(|c| c.email.clone())
        .collect();
    to.extend(agents(conn, caf_id)?);
    Ok(to.into_iter().collect())
}

/// The ids of a partner's accounts that are not closed.
pub fn partner_accounts(conn: &mut DbConnection, partner_id: PartnerId) -> Result<Vec<AccountId>> {
    let ids: Vec<Id<AccountId>> = accounts::table
        .filter(accounts::partner_id.eq(Id(partner_id)))
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select(accounts::id)
        .load(conn)?;
    Ok(ids.into_iter().map(Id::get).collect())
}

/// A partner's name, for messages.
pub fn partner_name_of(conn: &mut DbConnection, partner_id: Id<PartnerId>) -> Result<String> {
    Ok(crate::schema::partners::table
        .find(partner_id)
        .select(crate::schema::partners::name)
        .first(conn)?)
}

/// A person's address, to tell them of a step.
pub fn address_of(conn: &mut DbConnection, account: Id<AccountId>) -> Result<Option<String>> {
    Ok(accounts::table
        .find(account)
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select(accounts::email)
        .first(conn)
        .optional()?)
}
