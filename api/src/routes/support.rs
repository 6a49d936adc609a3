//! The Caf service centre (S-art. 3): the partner's support structure files requests, the
//! centre's agents follow them, and the escalation opens when a side leaves the other
//! unanswered past the contract's delay or deems the situation urgent (S-art. 3.3).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use mcp_domain::service_centre::{EscalationReason, FilingInput, Status, Step};
use mcp_persistence::use_cases::support::{self, Filed, Filter, SupportRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::types::{Contact, Party};
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

super::types::mirror_enum! {
    /// Why the partner turns to the service centre (S-art. 3.2).
    SupportMotive => mcp_domain::service_centre::Motive {
        /// A technical incident.
        TechnicalIncident,
        /// A problem of access to the service.
        AccessProblem,
        /// Anything else.
        Other,
    }
}

/// Where a request stands: `open` (no agent has taken it), `taken`, `routed` (to the sector
/// that intervenes), `resolved` (the partner may still answer, which reopens it), `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportStatus {
    /// No agent has taken it yet.
    Open,
    /// An agent follows it.
    Taken,
    /// Routed to the sector that intervenes.
    Routed,
    /// Resolved, says the agent.
    Resolved,
    /// Closed.
    Closed,
}

impl From<Status> for SupportStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Open => Self::Open,
            Status::Taken => Self::Taken,
            Status::Routed => Self::Routed,
            Status::Resolved => Self::Resolved,
            Status::Closed => Self::Closed,
        }
    }
}

impl From<SupportStatus> for Status {
    fn from(s: SupportStatus) -> Self {
        match s {
            SupportStatus::Open => Self::Open,
            SupportStatus::Taken => Self::Taken,
            SupportStatus::Routed => Self::Routed,
            SupportStatus::Resolved => Self::Resolved,
            SupportStatus::Closed => Self::Closed,
        }
    }
}

/// Whom to call back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    /// Their name.
    #[schema(min_length = 1, max_length = 200, example = "Sandrine Coffi")]
    pub name: String,
    /// Their telephone (the Bavans contract asks one).
    #[schema(example = "01 64 13 55 76")]
    pub phone: String,
    /// Their e-mail; told of each step when given.
    #[serde(default)]
    #[schema(format = "email", example = "s.coffi@ville-lieusaint.fr")]
    pub email: Option<String>,
}

/// A request, as the partner's support structure files it (S-art. 3.2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "summary": "Accès CDAP impossible pour une travailleuse sociale",
    "description": "Depuis ce matin, Mme Martin reçoit « habilitation suspendue » en ouvrant un dossier ; son habilitation est active dans la liste.",
    "services": ["CDAP"],
    "motive": "access_problem",
    "callback": {"name": "Sandrine Coffi", "phone": "01 64 13 55 76", "email": "s.coffi@ville-lieusaint.fr"},
    "urgent": false
}))]
pub struct SupportRequestWrite {
    /// What it is about, in a line.
    #[schema(min_length = 1, max_length = 200)]
    pub summary: String,
    /// The incident or the question.
    #[schema(min_length = 1, max_length = 8000)]
    pub description: String,
    /// The services concerned, by catalogue code (at least one).
    #[schema(min_items = 1, example = json!(["CDAP"]))]
    pub services: Vec<String>,
    /// Why.
    pub motive: SupportMotive,
    /// The user concerned: an open account of the partner.
    #[serde(default)]
    pub user_concerned_id: Option<Uuid>,
    /// Whom to call back.
    pub callback: Callback,
    /// The partner deems the situation urgent: the escalation opens at once (S-art. 3.3).
    #[serde(default)]
    pub urgent: bool,
}

/// What happened on a request.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportStep {
    /// The partner filed it.
    Filed,
    /// A message from either side.
    Message,
    /// An agent took it.
    Taken,
    /// An agent routed it.
    Routed,
    /// An agent resolved it.
    Resolved,
    /// An agent closed it.
    Closed,
    /// A side deemed the situation urgent.
    FlaggedUrgent,
    /// The escalation opened.
    Escalated,
}

impl From<Step> for SupportStep {
    fn from(s: Step) -> Self {
        match s {
            Step::Filed => Self::Filed,
            Step::Message => Self::Message,
            Step::Taken => Self::Taken,
            Step::Routed => Self::Routed,
            Step::Resolved => Self::Resolved,
            Step::Closed => Self::Closed,
            Step::FlaggedUrgent => Self::FlaggedUrgent,
            Step::Escalated => Self::Escalated,
        }
    }
}

/// One exchange or step kept on a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportMessageDto {
    /// What happened.
    pub step: SupportStep,
    /// Which side.
    pub side: Party,
    /// Who; absent for the service's own steps (an escalation for want of an answer).
    pub author_id: Option<Uuid>,
    /// What they wrote (where a request was routed, for a routing).
    pub text: Option<String>,
    /// The message asks the other side something: that side is to answer.
    pub awaits_reply: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// Why the escalation opened: a side deemed it urgent, or left the other unanswered past the
/// contract's delay.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationCause {
    /// The Caf deemed the situation urgent.
    UrgentForCaf,
    /// The partner deemed the situation urgent.
    UrgentForPartner,
    /// The service centre did not answer within the delay.
    NoAnswerFromCaf,
    /// The partner did not answer within the delay.
    NoAnswerFromPartner,
}

impl From<EscalationReason> for EscalationCause {
    fn from(r: EscalationReason) -> Self {
        use mcp_domain::convention::Party::*;
        match r {
            EscalationReason::Urgent(Caf) => Self::UrgentForCaf,
            EscalationReason::Urgent(Partner) => Self::UrgentForPartner,
            EscalationReason::Unanswered(Caf) => Self::NoAnswerFromCaf,
            EscalationReason::Unanswered(Partner) => Self::NoAnswerFromPartner,
        }
    }
}

/// An open escalation (S-art. 3.3): whom to contact, in the contract's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationDto {
    /// Why it opened.
    pub cause: EscalationCause,
    /// When.
    pub opened_at: DateTime<Utc>,
    /// The Caf's contacts, in order.
    pub caf_contacts: Vec<Contact>,
    /// The partner's contacts, in order.
    pub partner_contacts: Vec<Contact>,
}

/// A request to the Caf service centre, with every exchange kept on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportRequestDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner that filed it.
    pub partner_id: Uuid,
    /// The Caf whose service centre follows it.
    pub caf_id: Uuid,
    /// The convention whose contract was in force when it was filed.
    pub convention_id: Uuid,
    /// What it is about.
    pub summary: String,
    /// The services concerned.
    pub services: Vec<String>,
    /// Why.
    pub motive: SupportMotive,
    /// The user concerned.
    pub user_concerned_id: Option<Uuid>,
    /// Whom to call back.
    pub callback: Callback,
    /// Where it stands.
    pub status: SupportStatus,
    /// The agent following it.
    pub assigned_to: Option<Uuid>,
    /// Where it was routed.
    pub routed_to: Option<String>,
    /// The side to answer, if any.
    pub waiting_on: Option<Party>,
    /// Since when (its oldest message left unanswered).
    pub waiting_since: Option<DateTime<Utc>>,
    /// When the escalation opens if that side does not answer; absent when the contract sets
    /// no delay or no one is to answer.
    pub escalation_due_at: Option<DateTime<Utc>>,
    /// The escalation, while open.
    pub escalation: Option<EscalationDto>,
    /// Who filed it.
    pub filed_by: Uuid,
    /// When.
    pub filed_at: DateTime<Utc>,
    /// Last step.
    pub updated_at: DateTime<Utc>,
    /// Every exchange and step, oldest first.
    pub messages: Vec<SupportMessageDto>,
}

super::page_of!(
    /// A page of requests to the service centre.
    SupportRequestPage,
    SupportRequestDto
);

/// Contacts as the contract shows them.
pub(super) fn contacts(cs: Vec<mcp_domain::contract::Contact>) -> Vec<Contact> {
    cs.into_iter().map(Contact::from).collect()
}

fn dto(r: SupportRequest) -> Result<SupportRequestDto, ApiError> {
    let row = r.row;
    let escalation = match (
        row.escalation_reason()?,
        row.escalated_at,
        r.escalation_contacts,
    ) {
        (Some(reason), Some(at), Some((caf, partner))) => Some(EscalationDto {
            cause: reason.into(),
            opened_at: utc(at),
            caf_contacts: contacts(caf),
            partner_contacts: contacts(partner),
        }),
        _ => None,
    };
    let waiting = row.waiting()?;
    Ok(SupportRequestDto {
        id: row.id.uuid(),
        partner_id: row.partner_id.uuid(),
        caf_id: row.caf_id.uuid(),
        convention_id: row.convention_id.uuid(),
        services: row.services()?,
        motive: row.motive()?.into(),
        user_concerned_id: row.user_concerned.map(|a| a.uuid()),
        status: row.status()?.into(),
        assigned_to: row.assigned_to.map(|a| a.uuid()),
        waiting_on: waiting.map(|w| w.on.into()),
        waiting_since: waiting.map(|w| utc(w.since)),
        escalation_due_at: row.escalation_due_at.map(utc),
        escalation,
        filed_by: row.filed_by.uuid(),
        filed_at: utc(row.filed_at),
        updated_at: utc(row.updated_at),
        messages: r
            .messages
            .into_iter()
            .map(|m| {
                Ok(SupportMessageDto {
                    step: m.step()?.into(),
                    side: m.side()?.into(),
                    author_id: m.author_id.map(|a| a.uuid()),
                    text: m.body,
                    awaits_reply: m.awaits_reply,
                    at: utc(m.at),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        callback: Callback {
            name: row.callback_name,
            phone: row.callback_phone,
            email: row.callback_email,
        },
        summary: row.summary,
        routed_to: row.routed_to,
    })
}

/// Files a request with the Caf service centre (S-art. 3: the partner's habilitation managers
/// alone, its level-1 support). The service centre — its mailbox in annex 1 and its agents — is
/// told at once; with `urgent`, the escalation opens too.
#[utoipa::path(
    tag = "support",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = SupportRequestWrite,
    responses((status = 201, description = "Filed, the service centre told", body = SupportRequestDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/support-requests")]
pub async fn file_support_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<SupportRequestWrite>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let b = body.into_inner();
    let r = run(&state, &auth, move |db, ctx| {
        let motive: mcp_domain::service_centre::Motive = b.motive.into();
        let input = FilingInput {
            summary: &b.summary,
            description: &b.description,
            services: &b.services,
            motive: motive.code(),
            user_concerned: b.user_concerned_id.map(Into::into),
            callback: (
                &b.callback.name,
                &b.callback.phone,
                b.callback.email.as_deref(),
            ),
        };
        let filed = Filed {
            input,
            urgent: b.urgent,
        };
        support::file(db, ctx, partner.into(), filed)
    })
    .await?;
    state.outbox.notify_one();
    let d = dto(r)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/support-requests/{}", d.id)))
        .json(d))
}

/// Filters of request lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SupportQuery {
    /// Only this status.
    pub status: Option<SupportStatus>,
    /// Only those whose escalation is open.
    pub escalated: Option<bool>,
    /// Only this partner's (a Caf's list).
    pub partner_id: Option<Uuid>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

impl SupportQuery {
    fn filter(&self) -> Filter {
        Filter {
            partner_id: self.partner_id.map(Into::into),
            status: self.status.map(Into::into),
            escalated: self.escalated.unwrap_or(false),
        }
    }
}

/// The requests a partner filed with the service centre, oldest first (its habilitation
/// managers; the Caf's service centre).
#[utoipa::path(
    tag = "support",
    params(("partner_id" = Uuid, Path, description = "The partner"), SupportQuery),
    responses((status = 200, description = "A page of requests", body = SupportRequestPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/support-requests")]
pub async fn list_partner_support_requests(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<SupportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, page) = (query.filter(), query_page(&query)?);
    let partner = path.into_inner();
    let p = run(&state, &auth, move |db, ctx| {
        support::list_for_partner(db, ctx, partner.into(), filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SupportRequestPage::of(p, dto)?))
}

fn query_page(q: &SupportQuery) -> Result<mcp_persistence::PageRequest, ApiError> {
    super::page_request(q.limit, q.cursor.clone())
}

/// The requests filed with a Caf's service centre, oldest first, by partner and status (its
/// agents and administrators).
#[utoipa::path(
    tag = "support",
    params(("caf_id" = Uuid, Path, description = "The Caf"), SupportQuery),
    responses((status = 200, description = "A page of requests", body = SupportRequestPage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/support-requests")]
pub async fn list_caf_support_requests(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<SupportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, page) = (query.filter(), query_page(&query)?);
    let caf = path.into_inner();
    let p = run(&state, &auth, move |db, ctx| {
        support::list_for_caf(db, ctx, caf.into(), filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SupportRequestPage::of(p, dto)?))
}

/// A Caf's open escalations (S-art. 3.3), oldest request first, each with the contacts of both
/// sides in the contract's order.
#[utoipa::path(
    tag = "support",
    params(("caf_id" = Uuid, Path, description = "The Caf"), super::PageQuery),
    responses((status = 200, description = "A page of requests whose escalation is open", body = SupportRequestPage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/escalations")]
pub async fn list_caf_escalations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<super::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request()?;
    let caf = path.into_inner();
    let filter = Filter {
        escalated: true,
        ..Filter::default()
    };
    let p = run(&state, &auth, move |db, ctx| {
        support::list_for_caf(db, ctx, caf.into(), filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SupportRequestPage::of(p, dto)?))
}

/// One request, with every exchange kept on it.
#[utoipa::path(
    tag = "support",
    params(("support_request_id" = Uuid, Path, description = "The request")),
    responses((status = 200, description = "The request", body = SupportRequestDto)),
    security(("bearer" = [])),
)]
#[get("/support-requests/{support_request_id}")]
pub async fn get_support_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let r = run(&state, &auth, move |db, ctx| {
        support::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(r)?))
}

/// A message on a request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Pouvez-vous nous donner l'identifiant de Mme Martin et l'heure du dernier essai ?", "awaits_reply": true}))]
pub struct SupportMessageWrite {
    /// What the person writes.
    #[schema(min_length = 1, max_length = 8000)]
    pub text: String,
    /// The service centre asks the partner something: the partner is then to answer within
    /// the contract's delay. A partner's message always awaits the centre's answer.
    #[serde(default)]
    pub awaits_reply: bool,
}

/// What an agent writes when routing, resolving, closing, or a side when deeming it urgent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Habilitation réactivée après la revue ; Mme Martin a pu consulter à 10 h 12."}))]
pub struct SupportNote {
    /// Where it is routed, how it was resolved, why it is urgent, the last word of a closure
    /// (optional there).
    #[serde(default)]
    #[schema(max_length = 8000)]
    pub text: Option<String>,
}

impl SupportNote {
    fn required(self) -> String {
        self.text.unwrap_or_default()
    }
}

/// Writes on a request: the partner's support structure answers or adds to it (the service
/// centre is then to answer); the centre answers, asking the partner something with
/// `awaits_reply`. The other side is told. A partner's message reopens a resolved request.
#[utoipa::path(
    tag = "support",
    params(("support_request_id" = Uuid, Path, description = "The request")),
    request_body = SupportMessageWrite,
    responses((status = 200, description = "Written, the other side told", body = SupportRequestDto)),
    security(("bearer" = [])),
)]
#[post("/support-requests/{support_request_id}/messages")]
pub async fn post_support_message(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<SupportMessageWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let r = run(&state, &auth, move |db, ctx| {
        support::post_message(db, ctx, id.into(), &b.text, b.awaits_reply)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(dto(r)?))
}

macro_rules! agent_step {
    ($(#[$doc:meta])* $name:ident, $path:literal, $desc:literal, |$db:ident, $ctx:ident, $id:ident, $note:ident| $call:expr) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "support",
            params(("support_request_id" = Uuid, Path, description = "The request")),
            request_body = SupportNote,
            responses((status = 200, description = $desc, body = SupportRequestDto)),
            security(("bearer" = [])),
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            auth: Authenticated,
            path: web::Path<Uuid>,
            body: web::Json<SupportNote>,
        ) -> Result<HttpResponse, ApiError> {
            let $id: mcp_domain::ids::SupportRequestId = path.into_inner().into();
            let $note = body.into_inner();
            let r = run(&state, &auth, move |$db, $ctx| $call).await?;
            state.outbox.notify_one();
            Ok(HttpResponse::Ok().json(dto(r)?))
        }
    };
}

agent_step!(
    /// Takes a request (the Caf's service-centre agents and administrators): the agent follows
    /// it; the partner is told. Taking is no answer: the centre's delay runs on.
    take_support_request,
    "/support-requests/{support_request_id}/taking",
    "Taken, the partner told",
    |db, ctx, id, _note| support::take(db, ctx, id)
);

agent_step!(
    /// Routes a request to the sector that intervenes, or to the national level (S-art. 3.1);
    /// `text` names where. The partner is told.
    route_support_request,
    "/support-requests/{support_request_id}/routing",
    "Routed, the partner told",
    |db, ctx, id, note| support::route(db, ctx, id, &note.required())
);

agent_step!(
    /// Says the request is resolved, and how (`text`): the partner is told and may still
    /// answer, which reopens it; an open escalation ends.
    resolve_support_request,
    "/support-requests/{support_request_id}/resolution",
    "Resolved, the partner told",
    |db, ctx, id, note| support::resolve(db, ctx, id, &note.required())
);

agent_step!(
    /// Closes a request, with a last word if given; nothing is added afterwards (409
    /// `support_request_closed`).
    close_support_request,
    "/support-requests/{support_request_id}/closure",
    "Closed, the partner told",
    |db, ctx, id, note| support::close(db, ctx, id, note.text.as_deref())
);

agent_step!(
    /// Deems the situation urgent, saying why (`text`; either side, S-art. 3.3): the escalation
    /// opens at once if it is not open, and the contacts of both sides, in the contract's
    /// order, are told.
    flag_support_request_urgent,
    "/support-requests/{support_request_id}/urgency",
    "Flagged urgent, the escalation open",
    |db, ctx, id, note| support::flag_urgent(db, ctx, id, &note.required())
);
