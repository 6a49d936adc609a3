//! The Caf service centre itself (S-art. 3.2): its hours and contacts as the partner's contract
//! gives them, and the agents a Caf registers.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use mcp_persistence::use_cases::support;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::AccountDto;
use super::cafs::{AccountPage, NewPerson};
use super::support::contacts;
use super::types::{Contact, ServiceCentreTerms};
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// The Caf service centre as the partner's contract in force describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceCentreDto {
    /// The contract's terms.
    pub terms: ServiceCentreTerms,
    /// The hours as the contract writes them.
    #[schema(example = "du lundi au vendredi de 9 h à 16 h")]
    pub hours: String,
    /// Whether it is open now.
    pub open_now: bool,
    /// When it next opens (now when open).
    pub next_opening: DateTime<Utc>,
    /// Its mailbox and other contacts (annex 1).
    pub contacts: Vec<Contact>,
    /// Whom the escalation names for the Caf, in the contract's order.
    pub escalation_caf_contacts: Vec<Contact>,
    /// Whom the escalation names for the partner, in the contract's order.
    pub escalation_partner_contacts: Vec<Contact>,
}

/// The partner's Caf service centre: its hours (Paris time), whether it is open now, its
/// mailbox, and whom the escalation names (S-art. 3.2, 3.3). 422 `convention_not_active` when
/// no contract is in force.
#[utoipa::path(
    tag = "support",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "The service centre", body = ServiceCentreDto)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/service-centre")]
pub async fn get_partner_service_centre(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let c = run(&state, &auth, move |db, ctx| {
        support::service_centre(db, ctx, partner.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(ServiceCentreDto {
        hours: c.terms.hours_in_french(),
        open_now: c.open_now,
        next_opening: utc(c.next_opening),
        terms: c.terms.into(),
        contacts: contacts(c.contacts),
        escalation_caf_contacts: contacts(c.escalation_contacts.0),
        escalation_partner_contacts: contacts(c.escalation_contacts.1),
    }))
}

/// Registers an agent of the Caf's service centre (its administrators, the Cnaf). The person
/// receives their identifier and activation code by message; agents follow the partners'
/// requests and read their registry and habilitations, nothing else.
#[utoipa::path(
    tag = "support",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    request_body = NewPerson,
    responses((status = 201, description = "Registered, pending activation", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/cafs/{caf_id}/service-centre-agents")]
pub async fn add_service_centre_agent(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    let caf_id = path.into_inner();
    let b = body.into_inner();
    let person = b.person()?;
    let account = run(&state, &auth, move |db, ctx| {
        support::add_agent(db, ctx, caf_id.into(), &person)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Created().json(AccountDto::from(account)))
}

/// The agents of a Caf's service centre (its administrators, the Cnaf).
#[utoipa::path(
    tag = "support",
    params(("caf_id" = Uuid, Path, description = "The Caf"), super::PageQuery),
    responses((status = 200, description = "A page of agents", body = AccountPage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/service-centre-agents")]
pub async fn list_service_centre_agents(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<super::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caf_id = path.into_inner();
    let page = query.request()?;
    let p = run(&state, &auth, move |db, ctx| {
        support::list_agents(db, ctx, caf_id.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountPage {
        items: p.items.into_iter().map(AccountDto::from).collect(),
        next_cursor: p.next_cursor,
    }))
}
