//! The caller's own account: who they are, their sessions, password and second factor.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::Utc;
use mcp_persistence::use_cases::accounts::{self};
use mcp_persistence::use_cases::second_factor;
use mcp_persistence::use_cases::sessions::{self};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::AccountDto;
use super::PageQuery;
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsEnded {
    /// Sessions ended, the current one included.
    pub sessions_ended: usize,
}

/// Ends every open session of the caller, on every device ("log out everywhere").
#[utoipa::path(
    tag = "me",
    responses((status = 200, description = "Every session ended", body = SessionsEnded)),
    security(("bearer" = [])),
)]
#[post("/auth/logout-everywhere")]
pub async fn logout_everywhere(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let n = run(&state, &auth, move |db, ctx| {
        sessions::revoke_all_own(db, ctx)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SessionsEnded { sessions_ended: n }))
}

/// An open session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    /// Opaque id.
    pub id: Uuid,
    /// Whether it is the session of the token presented.
    pub current: bool,
    /// Login instant.
    pub created_at: chrono::DateTime<Utc>,
    /// Last login or refresh.
    pub last_used_at: chrono::DateTime<Utc>,
    /// Its end at the latest.
    pub expires_at: chrono::DateTime<Utc>,
    /// The client software, as it said.
    pub user_agent: Option<String>,
    /// The client's address.
    pub source: Option<String>,
}

/// Your open sessions, most recent first.
#[utoipa::path(
    tag = "me",
    params(PageQuery),
    responses((status = 200, description = "Open sessions, most recent first, a page", body = SessionPage)),
    security(("bearer" = [])),
)]
#[get("/me/sessions")]
pub async fn list_my_sessions(
    state: web::Data<AppState>,
    auth: Authenticated,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let current = auth.1;
    let page = page.request()?;
    let list = run(&state, &auth, move |db, ctx| {
        sessions::list_own(db, ctx, &page)
    })
    .await?;
    let dto = SessionPage::of(list, |s| {
        Ok::<_, ApiError>(SessionDto {
            id: s.id.uuid(),
            current: s.id.uuid() == current,
            created_at: utc(s.created_at),
            last_used_at: utc(s.last_used_at),
            expires_at: utc(s.expires_at),
            user_agent: s.user_agent,
            source: s.source,
        })
    })?;
    Ok(HttpResponse::Ok().json(dto))
}

/// Ends one of your sessions (a device you no longer use).
#[utoipa::path(
    tag = "me",
    params(("session_id" = Uuid, Path, description = "The session")),
    responses((status = 204, description = "Ended")),
    security(("bearer" = [])),
)]
#[delete("/me/sessions/{session_id}")]
pub async fn end_my_session(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    run(&state, &auth, move |db, ctx| {
        sessions::end_own(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own account.
#[utoipa::path(
    tag = "me",
    responses((status = 200, description = "Your account", body = AccountDto)),
    security(("bearer" = [])),
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let account = run(&state, &auth, accounts::me).await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

/// A change of one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "Lieusaint-Accueil-2026", "new_password": "Cinq-Marronniers-Place-Zola"}))]
pub struct PasswordChange {
    /// The password in use.
    #[schema(min_length = 1, max_length = 128, format = Password)]
    pub current_password: String,
    /// The new one, under the applicable policy (12 characters of 4 classes by default).
    #[schema(min_length = 12, max_length = 128, format = Password)]
    pub new_password: String,
}

/// Changes your password. Your other sessions end; this one goes on. Wrong current passwords
/// count as failed logins.
#[utoipa::path(
    tag = "me",
    request_body = PasswordChange,
    responses((status = 200, description = "Changed", body = SessionsEnded)),
    security(("bearer" = [])),
)]
#[post("/me/password")]
pub async fn change_my_password(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let session = auth.1;
    let policy = state.config.identifier_throttle;
    let ended = run(&state, &auth, move |db, ctx| {
        accounts::change_own_password(
            db,
            ctx,
            session.into(),
            &body.current_password,
            &body.new_password,
            policy,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(SessionsEnded {
        sessions_ended: ended,
    }))
}

/// A second factor being enrolled: load it into an authenticator app, then confirm with a code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The shared secret, base32 (to type in when the URI cannot be scanned).
    pub secret: String,
    /// `otpauth://totp/…` URI, for a QR code.
    pub otpauth_uri: String,
}

/// Starts enrolling a TOTP second factor (replacing an unconfirmed one). Shown once.
#[utoipa::path(
    tag = "me",
    responses((status = 201, description = "Pending until confirmed", body = TotpEnrolment)),
    security(("bearer" = [])),
)]
#[post("/me/totp")]
pub async fn enrol_totp(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let enrolment = run(&state, &auth, second_factor::enrol).await?;
    let enrolment = TotpEnrolment {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauth_uri,
    };
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(enrolment))
}

/// A code of the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "492039"}))]
pub struct TotpCode {
    /// Six digits.
    #[schema(pattern = "^[0-9]{6}$", example = "492039")]
    pub code: String,
}

/// Whether a second factor is in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpStatus {
    /// True once confirmed: logins then need a code.
    pub confirmed: bool,
}

/// Confirms the second factor with a first code: from now on, logins need a code.
#[utoipa::path(
    tag = "me",
    request_body = TotpCode,
    responses((status = 200, description = "Confirmed", body = TotpStatus)),
    security(("bearer" = [])),
)]
#[post("/me/totp/confirmation")]
pub async fn confirm_totp(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<TotpCode>,
) -> Result<HttpResponse, ApiError> {
    let code = body.into_inner().code;
    run(&state, &auth, move |db, ctx| {
        second_factor::confirm(db, ctx, &code)
    })
    .await?;
    Ok(HttpResponse::Ok().json(TotpStatus { confirmed: true }))
}

/// The password, to remove a second factor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "Lieusaint-Accueil-2026"}))]
pub struct TotpRemoval {
    /// Your current password.
    #[schema(min_length = 1, max_length = 128, format = Password)]
    pub password: String,
}

/// Removes your second factor (a lost or replaced device), proven with your password.
#[utoipa::path(
    tag = "me",
    request_body = TotpRemoval,
    responses((status = 204, description = "Removed")),
    security(("bearer" = [])),
)]
#[post("/me/totp/removal")]
pub async fn remove_totp(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<TotpRemoval>,
) -> Result<HttpResponse, ApiError> {
    let password = body.into_inner().password;
    let policy = state.config.identifier_throttle;
    run(&state, &auth, move |db, ctx| {
        second_factor::remove(db, ctx, &password, policy)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

super::page_of!(
    /// A page of sessions.
    SessionPage,
    SessionDto
);
