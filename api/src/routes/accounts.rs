//! Supervision of accounts: suspension, reinstatement, ending sessions, requiring a new password.

use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::AccountDto;
use super::run;
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// Why an account is suspended or reinstated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Usage anormal signalé par le partenaire"}))]
pub struct StatusChange {
    /// The reason, kept in the trace.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Suspends an account as a precaution — the Cnaf a Caf administrator's, a Caf administrator
/// the account of one of its partners' administrators: every session ends at once and the
/// account can no longer log in until reinstated.
#[utoipa::path(
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "The account")),
    request_body = StatusChange,
    responses((status = 200, description = "Suspended", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/accounts/{account_id}/suspension")]
pub async fn suspend_account(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    set_suspended(
        state,
        auth,
        path.into_inner(),
        true,
        body.into_inner().reason,
    )
    .await
}

/// Reinstates a suspended account (whoever may suspend it).
#[utoipa::path(
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "The account")),
    request_body = StatusChange,
    responses((status = 200, description = "Reinstated", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/accounts/{account_id}/reinstatement")]
pub async fn reinstate_account(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    set_suspended(
        state,
        auth,
        path.into_inner(),
        false,
        body.into_inner().reason,
    )
    .await
}

async fn set_suspended(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: Uuid,
    suspended: bool,
    reason: String,
) -> Result<HttpResponse, ApiError> {
    let account = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::accounts::set_suspended(db, ctx, id.into(), suspended, &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedSessions {
    /// Sessions ended.
    pub sessions_ended: usize,
}

/// Ends every session of an account you supervise (a reported loss or theft, a doubt), without
/// suspending it: the person logs in again.
#[utoipa::path(
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "The account")),
    request_body = StatusChange,
    responses((status = 200, description = "Sessions ended", body = EndedSessions)),
    security(("bearer" = [])),
)]
#[post("/accounts/{account_id}/sessions/revocation")]
pub async fn end_account_sessions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let n = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::accounts::end_sessions_of(db, ctx, id.into(), &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EndedSessions { sessions_ended: n }))
}

/// Requires the holder of an account you supervise to change their password before anything
/// else (S-art. 2.2.1); takes effect on their next request.
#[utoipa::path(
    tag = "accounts",
    params(("account_id" = Uuid, Path, description = "The account")),
    request_body = StatusChange,
    responses((status = 204, description = "Required")),
    security(("bearer" = [])),
)]
#[post("/accounts/{account_id}/password-change-requirement")]
pub async fn require_password_change(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::accounts::require_password_change(db, ctx, id.into(), &reason)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
