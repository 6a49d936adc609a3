//! Auditors of the Cnaf and of the Cafs, who read traces and nothing else.

use actix_web::{get, post, web, HttpResponse};
use mcp_persistence::use_cases::cafs::{self};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::AccountDto;
use super::cafs::{AccountPage, NewPerson};
use super::run;
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// Registers a Cnaf auditor, who reads every trace and habilitation history and checks the
/// chain of traces (Cnaf operators). The person receives their identifier and activation code.
#[utoipa::path(
    tag = "auditors",
    request_body = NewPerson,
    responses((status = 201, description = "Registered, pending activation", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/auditors")]
pub async fn add_cnaf_auditor(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    register_auditor(state, auth, None, body.into_inner()).await
}

/// Registers an auditor of one Caf, who reads the traces and habilitation history of the Caf's
/// perimeter (Cnaf operators).
#[utoipa::path(
    tag = "auditors",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    request_body = NewPerson,
    responses((status = 201, description = "Registered, pending activation", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/cafs/{caf_id}/auditors")]
pub async fn add_caf_auditor(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    register_auditor(state, auth, Some(path.into_inner()), body.into_inner()).await
}

async fn register_auditor(
    state: web::Data<AppState>,
    auth: Authenticated,
    caf_id: Option<Uuid>,
    b: NewPerson,
) -> Result<HttpResponse, ApiError> {
    let person = b.person()?;
    let account = run(&state, &auth, move |db, ctx| {
        cafs::add_auditor(db, ctx, caf_id.map(Into::into), &person)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Created().json(AccountDto::from(account)))
}

/// Filter of auditors.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditorQuery {
    /// Only the auditors of this Caf.
    pub caf_id: Option<Uuid>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// The auditors, of the Cnaf and of the Cafs (Cnaf operators).
#[utoipa::path(
    tag = "auditors",
    params(AuditorQuery),
    responses((status = 200, description = "A page of auditors", body = AccountPage)),
    security(("bearer" = [])),
)]
#[get("/auditors")]
pub async fn list_auditors(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<AuditorQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = super::page_request(q.limit, q.cursor)?;
    let p = run(&state, &auth, move |db, ctx| {
        cafs::auditors(db, ctx, q.caf_id.map(Into::into), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountPage {
        items: p.items.into_iter().map(AccountDto::from).collect(),
        next_cursor: p.next_cursor,
    }))
}
