//! Requests a partner's administrators send the Caf (annex 3 forms), and the Caf's inbox.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::Utc;
use mcp_domain::request::{RequestKind, RequestStatus};
use mcp_persistence::use_cases::requests::{self, Form, RequestFilter, RequestView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::habilitations::ReasonInput;
use super::request_forms::RequestForm;
use super::types::Contact;
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A request and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// `habilitate`, `remove_access`, `change_rights` or `change_administrator`.
    #[schema(example = "habilitate")]
    pub kind: String,
    /// `draft`, `submitted`, `changes_requested`, `approved`, `refused` or `withdrawn`.
    #[schema(example = "submitted")]
    pub status: String,
    /// The form as filed.
    #[schema(value_type = RequestForm)]
    pub form: serde_json::Value,
    /// The administrator who filed it.
    pub filed_by: Uuid,
    /// Creation.
    pub created_at: chrono::DateTime<Utc>,
    /// Last sent to the Caf.
    pub submitted_at: Option<chrono::DateTime<Utc>>,
    /// Days since it was last sent, while it awaits the Caf.
    pub waiting_days: Option<i64>,
    /// Unanswered past its contract's delay after it was sent (ten days unless the contract
    /// says otherwise; never when it sets none): to be escalated (S-art. 3.3; see
    /// GET /partners/{id}/escalation-contacts).
    pub escalation_due: bool,
    /// The Caf administrator who last decided.
    pub decided_by: Option<Uuid>,
    /// When.
    pub decided_at: Option<chrono::DateTime<Utc>>,
    /// The reason given with the last step (changes asked, refusal, withdrawal).
    pub reason: Option<String>,
    /// What the approval did (accounts created or closed, habilitation granted). For a
    /// habilitation: `account_id`, `identifier`, `existing_account` (the person already had an
    /// account with the partner, which was habilitated: one person, one account) and
    /// `habilitation_id`. For a change of rights: `account_id`, `habilitation_id` (the profile
    /// given, or null) and `devalidated_habilitation_ids`.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

fn dto(v: RequestView) -> Result<RequestDto, ApiError> {
    let r = v.row;
    let form = r.form().map_err(ApiError::from)?;
    let status = RequestStatus::from_code(&r.status);
    let waiting_days = match (status, r.submitted_at) {
        (Some(RequestStatus::Submitted), Some(s)) => {
            Some((crate::auth::now() - s).num_days().max(0))
        }
        _ => None,
    };
    Ok(RequestDto {
        id: r.id.uuid(),
        partner_id: r.partner_id.uuid(),
        result: r.result(),
        kind: r.kind,
        status: r.status,
        form: serde_json::to_value(form).map_err(ApiError::internal)?,
        filed_by: r.filed_by.uuid(),
        created_at: utc(r.created_at),
        submitted_at: r.submitted_at.map(utc),
        waiting_days,
        escalation_due: v.escalation_due,
        decided_by: r.decided_by.map(|a| a.uuid()),
        decided_at: r.decided_at.map(utc),
        reason: r.reason,
    })
}

super::page_of!(
    /// A page of requests.
    RequestPage,
    RequestDto
);

/// Files a request as a draft (the partner's administrators). It is checked at once: the same
/// rules as a grant for a habilitation request (`profile_not_subscribed`, `profile_not_eligible`,
/// `convention_not_active`…), and `delegated_mode` for habilitation or removal requests of a
/// partner in mode délégué, which manages them itself.
#[utoipa::path(
    tag = "requests",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = RequestForm,
    responses((status = 201, description = "Filed as a draft", body = RequestDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/requests")]
pub async fn file_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<RequestForm>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let form: Form = body.into_inner().into();
    let v = run(&state, &auth, move |db, ctx| {
        requests::file(db, ctx, partner.into(), form)
    })
    .await?;
    let d = dto(v)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/requests/{}", d.id)))
        .json(d))
}

/// Filters of request lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Only this status (`draft`, `submitted`, `changes_requested`, `approved`, `refused`,
    /// `withdrawn`).
    pub status: Option<String>,
    /// Only this kind (`habilitate`, `remove_access`, `change_rights`, `change_administrator`).
    pub kind: Option<String>,
    /// Only this partner (Caf inbox).
    pub partner_id: Option<Uuid>,
    /// Only those unanswered past their contract's delay (S-art. 3.3).
    pub escalation_due: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

impl RequestQuery {
    fn filter(&self) -> Result<RequestFilter, ApiError> {
        let bad = |what: mcp_domain::Message| ApiError::bad_request("invalid_query", what);
        Ok(RequestFilter {
            status: self
                .status
                .as_deref()
                .map(|s| {
                    RequestStatus::from_code(s)
                        .ok_or_else(|| bad(mcp_domain::msg!("statut inconnu", "unknown status")))
                })
                .transpose()?,
            kind: self
                .kind
                .as_deref()
                .map(|k| {
                    RequestKind::from_code(k).ok_or_else(|| {
                        bad(mcp_domain::msg!(
                            "nature de demande inconnue",
                            "unknown kind"
                        ))
                    })
                })
                .transpose()?,
            partner_id: self.partner_id.map(Into::into),
            escalation_due: self.escalation_due.unwrap_or(false),
        })
    }
}

/// A partner's requests, in the order they were filed.
#[utoipa::path(
    tag = "requests",
    params(("partner_id" = Uuid, Path, description = "The partner"), RequestQuery),
    responses((status = 200, description = "Its requests, a page", body = RequestPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/requests")]
pub async fn list_partner_requests(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<RequestQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.filter()?;
    let page = super::page_request(query.limit, query.cursor.clone())?;
    let partner = path.into_inner();
    let vs = run(&state, &auth, move |db, ctx| {
        requests::for_partner(db, ctx, partner.into(), &filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RequestPage::of(vs, dto)?))
}

/// The Caf administrator's inbox: its partners' requests by partner, kind and status, oldest
/// waiting first, those unanswered past their contract's delay flagged `escalation_due`.
#[utoipa::path(
    tag = "requests",
    params(("caf_id" = Uuid, Path, description = "The Caf"), RequestQuery),
    responses((status = 200, description = "The inbox, a page", body = RequestPage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/requests")]
pub async fn list_caf_requests(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<RequestQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.filter()?;
    let page = super::page_request(query.limit, query.cursor.clone())?;
    let caf = path.into_inner();
    let vs = run(&state, &auth, move |db, ctx| {
        requests::inbox(db, ctx, caf.into(), &filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RequestPage::of(vs, dto)?))
}

/// One request.
#[utoipa::path(
    tag = "requests",
    params(("request_id" = Uuid, Path, description = "The request")),
    responses((status = 200, description = "The request", body = RequestDto)),
    security(("bearer" = [])),
)]
#[get("/requests/{request_id}")]
pub async fn get_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let v = run(&state, &auth, move |db, ctx| {
        requests::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(v)?))
}

/// Replaces the form of a draft or of a request sent back for changes (same kind).
#[utoipa::path(
    tag = "requests",
    params(("request_id" = Uuid, Path, description = "The request")),
    request_body = RequestForm,
    responses((status = 200, description = "Edited", body = RequestDto)),
    security(("bearer" = [])),
)]
#[put("/requests/{request_id}")]
pub async fn edit_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<RequestForm>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let form: Form = body.into_inner().into();
    let v = run(&state, &auth, move |db, ctx| {
        requests::edit(db, ctx, id.into(), form)
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(v)?))
}

/// Sends a request to the Caf, checked again; a habilitation request reserves its seat in the
/// quota (`quota_exceeded` when holders and requests awaiting the Caf fill it). Credentials
/// reported lost or stolen stop working at once.
#[utoipa::path(
    tag = "requests",
    params(("request_id" = Uuid, Path, description = "The request")),
    responses((status = 200, description = "Sent", body = RequestDto)),
    security(("bearer" = [])),
)]
#[post("/requests/{request_id}/submission")]
pub async fn submit_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let v = run(&state, &auth, move |db, ctx| {
        requests::submit(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(v)?))
}

/// Withdraws a request not yet decided (the partner's administrators).
#[utoipa::path(
    tag = "requests",
    params(("request_id" = Uuid, Path, description = "The request")),
    request_body = ReasonInput,
    responses((status = 200, description = "Withdrawn", body = RequestDto)),
    security(("bearer" = [])),
)]
#[post("/requests/{request_id}/withdrawal")]
pub async fn withdraw_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let v = run(&state, &auth, move |db, ctx| {
        requests::withdraw(db, ctx, id.into(), &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(v)?))
}

/// The Caf sends a request back to the partner for changes, with the reason.
#[utoipa::path(
    tag = "requests",
    params(("request_id" = Uuid, Path, description = "The request")),
    request_body = ReasonInput,
    responses((status = 200, description = "Sent back", body = RequestDto)),
    security(("bearer" = [])),
)]
#[post("/requests/{request_id}/return-for-changes")]
pub async fn return_request_for_changes(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let v = run(&state, &auth, move |db, ctx| {
        requests::decline(db, ctx, id.into(), false, &reason)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(dto(v)?))
}

/// The Caf refuses a request; a reason is required.
#[utoipa::path(
    tag = "requests",
    params(("request_id" = Uuid, Path, description = "The request")),
    request_body = ReasonInput,
    responses((status = 200, description = "Refused", body = RequestDto)),
    security(("bearer" = [])),
)]
#[post("/requests/{request_id}/refusal")]
pub async fn refuse_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let v = run(&state, &auth, move |db, ctx| {
        requests::decline(db, ctx, id.into(), true, &reason)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(dto(v)?))
}

/// The Caf approves a request, which does the work in the same transaction: the account is
/// created (the person receives their credentials, never the approver) and habilitated, access
/// is removed, or the administrator replaced.
#[utoipa::path(
    tag = "requests",
    params(("request_id" = Uuid, Path, description = "The request")),
    responses((status = 200, description = "Approved and carried out", body = RequestDto)),
    security(("bearer" = [])),
)]
#[post("/requests/{request_id}/approval")]
pub async fn approve_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let v = run(&state, &auth, move |db, ctx| {
        requests::approve(db, ctx, id.into())
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(dto(v)?))
}

/// Whom the partner contacts at the Caf when a request waits too long (S-art. 3.3): the Caf's
/// escalation contacts of the contract in force, in its order — those it ranks, else the Caf's
/// administrators, else its service centre.
#[utoipa::path(
    tag = "requests",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Escalation contacts", body = ContactPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/escalation-contacts")]
pub async fn list_escalation_contacts(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let cs = run(&state, &auth, move |db, ctx| {
        requests::escalation_contacts(db, ctx, partner.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(ContactPage::whole(
        cs.into_iter().map(Contact::from).collect(),
    )))
}

super::page_of!(
    /// Contacts, in the contract's order, all on one page.
    ContactPage,
    Contact
);
