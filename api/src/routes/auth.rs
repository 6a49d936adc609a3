//! Login, activation, and the caller's own account.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use mcp_domain::contract::PasswordPolicy;
use mcp_persistence::accounts::{self, Account};
use mcp_persistence::trace::Outcome;
use mcp_persistence::Ctx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{blocking, utc};
use crate::auth::{hash_password, request_id, verify_password, Authenticated};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// An account, without any secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDto {
    /// Opaque id.
    pub id: Uuid,
    /// Generated login identifier.
    #[schema(min_length = 1, example = "K7M2-Q9XD")]
    pub identifier: String,
    /// `cnaf_operator` or `caf_administrator`.
    pub role: String,
    /// The Caf, for Caf staff.
    pub caf_id: Option<Uuid>,
    /// Full name.
    pub full_name: String,
    /// Function.
    pub function_title: String,
    /// Individual e-mail, where credentials are delivered.
    pub email: String,
    /// Telephone.
    pub phone: Option<String>,
    /// `pending_activation`, `active` or `disabled`.
    pub status: String,
    /// Creation instant.
    pub created_at: chrono::DateTime<Utc>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        Self {
            id: Uuid::parse_str(&a.id).unwrap_or_default(),
            identifier: a.identifier,
            role: a.role,
            caf_id: a.caf_id.as_deref().and_then(|c| Uuid::parse_str(c).ok()),
            full_name: a.full_name,
            function_title: a.function_title,
            email: a.email,
            phone: a.phone,
            status: a.status,
            created_at: utc(a.created_at),
        }
    }
}

/// Credentials of a person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The generated identifier.
    #[schema(min_length = 1, max_length = 64, example = "K7M2-Q9XD")]
    pub identifier: String,
    /// The password.
    #[schema(max_length = 128, format = Password)]
    pub password: String,
}

/// A bearer access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Signed JWT, to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// Logs a person in. Unknown identifiers, wrong passwords and inactive accounts get the same
/// answer, in similar time.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong identifier or password", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.identifier.len() > 64
        || body.password.len() > 4 * mcp_domain::contract::MAX_PASSWORD_LENGTH as usize
    {
        return Err(ApiError::unauthenticated("wrong identifier or password"));
    }
    let ctx = Ctx {
        principal: None,
        request_id: request_id(&req),
        now: crate::auth::now(),
    };
    let db = state.db.clone();
    let identifier = body.identifier.trim().to_uppercase();
    let account_id = web::block(move || -> Result<Option<String>, ApiError> {
        let candidate = accounts::login_candidate(&db, &identifier)?;
        let ok = verify_password(
            &body.password,
            candidate.as_ref().and_then(|c| c.password_hash.as_deref()),
        ) && candidate.as_ref().is_some_and(|c| c.status == "active");
        let outcome = if ok {
            Outcome::Success
        } else {
            Outcome::Denied
        };
        accounts::record_login(&db, &ctx, &identifier, candidate.as_ref(), outcome)?;
        Ok(candidate.filter(|_| ok).map(|c| c.id))
    })
    .await
    .map_err(ApiError::internal)??;
    let Some(account_id) = account_id else {
        return Err(ApiError::unauthenticated("wrong identifier or password"));
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: state.keys.issue(&account_id)?,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl_seconds(),
        }))
}

/// First password of an account, set with the one-time activation code the person received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The generated identifier.
    #[schema(min_length = 1, max_length = 64, example = "K7M2-Q9XD")]
    pub identifier: String,
    /// The one-time activation code received.
    #[schema(min_length = 1, max_length = 128)]
    pub activation_code: String,
    /// The password chosen, under the applicable policy (12 characters of 4 classes by default).
    #[schema(min_length = 12, max_length = 128, format = Password)]
    pub password: String,
}

/// Activates an account: the person chooses their password with the code they received.
#[utoipa::path(
    tag = "auth",
    request_body = ActivateRequest,
    responses(
        (status = 200, description = "Activated", body = AccountDto),
        (status = 422, description = "Code refused or password too weak", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/activate")]
pub async fn activate(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let identifier = body.identifier.trim().to_uppercase();
    mcp_domain::password::check(PasswordPolicy::default(), &body.password, &identifier)?;
    let ctx = Ctx {
        principal: None,
        request_id: request_id(&req),
        now: crate::auth::now(),
    };
    let db = state.db.clone();
    let account = web::block(move || -> Result<Account, ApiError> {
        let hash = hash_password(&body.password)?;
        Ok(accounts::activate(
            &db,
            &ctx,
            &identifier,
            body.activation_code.trim(),
            &hash,
        )?)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

/// The caller's own account.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Your account", body = AccountDto)),
    security(("bearer" = [])),
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let account = blocking(move || accounts::me(&db, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}
