//! Login, activation, and the caller's own account.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use mcp_domain::vocabulary::SessionEnd;
use mcp_persistence::use_cases::accounts::{self, Account};
use mcp_persistence::use_cases::sessions::{self, Client, Refusal, SignedIn, Welcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::me::SessionsEnded;
use super::{blocking, run, utc};
use crate::auth::Authenticated;
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
    /// `cnaf_operator`, `caf_administrator`, `partner_administrator` or `partner_user`.
    pub role: String,
    /// The Caf, for Caf staff and partner staff.
    pub caf_id: Option<Uuid>,
    /// The partner, for partner staff.
    pub partner_id: Option<Uuid>,
    /// For a partner administrator: `principal` or `deputy`.
    pub administrator_rank: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Function.
    pub function_title: String,
    /// Individual e-mail, where credentials are delivered.
    pub email: String,
    /// Telephone.
    pub phone: Option<String>,
    /// `pending_activation`, `active`, `suspended` or `disabled` (closed).
    pub status: String,
    /// Creation instant.
    pub created_at: chrono::DateTime<Utc>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        Self {
            id: a.id.uuid(),
            identifier: a.identifier,
            role: a.role,
            caf_id: a.caf_id.map(|c| c.uuid()),
            partner_id: a.partner_id.map(|p| p.uuid()),
            administrator_rank: a.administrator_rank,
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
#[schema(example = json!({"identifier": "K7M2-Q9XD", "password": "Lieusaint-Accueil-2026", "otp": null, "device_token": null}))]
pub struct LoginRequest {
    /// The generated identifier.
    #[schema(min_length = 1, max_length = 64, example = "K7M2-Q9XD")]
    pub identifier: String,
    /// The password.
    #[schema(max_length = 128, format = Password)]
    pub password: String,
    /// The 6-digit code of the authenticator app, for accounts with a second factor.
    #[schema(pattern = "^[0-9]{6}$", example = "492039")]
    pub otp: Option<String>,
    /// The `device_token` the last sign-in of this person on this device gave. With it, failed
    /// attempts by others — on this identifier, or from the same address (a town hall behind
    /// one address) — never hold this sign-in back: it has a counter of its own.
    #[schema(max_length = 128)]
    pub device_token: Option<String>,
}

/// Tokens of a session: a short-lived access token, and a refresh token that is used once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Signed JWT, to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchanged once at `POST /api/v1/auth/refresh` for new tokens; presenting it a second time
    /// ends the session (a copy was made). Keep it secret.
    pub refresh_token: String,
    /// The session's end: log in again after it.
    pub session_expires_at: chrono::DateTime<Utc>,
    /// The session, as listed by `GET /api/v1/me/sessions`.
    pub session_id: Uuid,
    /// True when the password must be changed (`POST /api/v1/me/password`) before anything
    /// else: it outlived the contract's maximum age, or whoever supervises the account asked.
    pub password_change_required: bool,
    /// True when the contract requires a second factor not yet enrolled (`POST /api/v1/me/totp`):
    /// nothing else is possible until it is.
    pub second_factor_enrolment_required: bool,
    /// Given at sign-in (not at refresh): keep it with this person's sign-in on this device and
    /// send it as `device_token` next time (valid 180 days, for this identifier only; voided
    /// when the credentials are reported lost or the account is closed). Keep it secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    /// OpenID Connect (scope `openid`, authorization code flow): an EdDSA JWT of type `JWT`
    /// naming the person (`sub`) to the software (`aud`), with the request's `nonce`. Check it
    /// with the JWKS; it is never accepted as an access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

pub(crate) fn tokens(
    state: &AppState,
    issued: mcp_persistence::use_cases::sessions::Issued,
) -> Result<HttpResponse, ApiError> {
    tokens_with_device(state, issued, None)
}

fn tokens_with_device(
    state: &AppState,
    issued: mcp_persistence::use_cases::sessions::Issued,
    device_token: Option<String>,
) -> Result<HttpResponse, ApiError> {
    tokens_with(state, issued, device_token, |_, _| Ok(None))
}

/// The tokens of a session, with the `id_token` `id_token` makes of it and its access token.
pub(crate) fn tokens_with(
    state: &AppState,
    issued: mcp_persistence::use_cases::sessions::Issued,
    device_token: Option<String>,
    id_token: impl FnOnce(
        &mcp_persistence::use_cases::sessions::Issued,
        &str,
    ) -> Result<Option<String>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let access_token = state.keys.issue(
        issued.account_id.get(),
        issued.session_id.get(),
        issued.software.as_ref(),
    )?;
    let id_token = id_token(&issued, &access_token)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl_seconds(),
            refresh_token: issued.refresh_token,
            session_expires_at: utc(issued.expires_at),
            session_id: issued.session_id.uuid(),
            password_change_required: issued.must_change_password,
            second_factor_enrolment_required: issued.must_enrol_second_factor,
            device_token,
            id_token,
        }))
}

pub(crate) fn client(req: &HttpRequest) -> Client {
    Client {
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        source: req
            .app_data::<web::Data<AppState>>()
            .map(|s| &s.config.trusted_proxies)
            .and_then(|p| p.client_address(req.peer_addr().map(|a| a.ip()), req.headers()))
            .or_else(|| req.peer_addr().map(|a| a.ip()))
            .map(|a| a.to_string()),
    }
}

/// The sign-in throttling policies of the configuration.
pub(crate) fn throttles(config: &crate::config::Config) -> sessions::Throttles {
    sessions::Throttles {
        identifier: config.identifier_throttle,
        source: config.source_throttle,
    }
}

/// The answer to credentials that did not sign a person in.
pub(crate) fn refusal(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Throttled(secs) => ApiError::throttled(secs),
        Refusal::OtpRequired => ApiError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "otp_required",
            mcp_domain::msg!(
                "saisissez dans `otp` le code à 6 chiffres de votre application d'authentification",
                "enter the 6-digit code of your authenticator app in `otp`"
            ),
        ),
        Refusal::Refused | Refusal::OtherOrganisation => {
            ApiError::unauthenticated(mcp_domain::msg!(
                "identifiant ou mot de passe incorrect",
                "wrong identifier or password"
            ))
        }
    }
}

/// Logs a person in and opens a session. Unknown identifiers, wrong passwords and inactive
/// accounts get the same answer, in similar time.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong identifier or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this identifier or from this address: wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let ctx = crate::auth::without_person(&req);
    let client = client(&req);
    let identifier = body.identifier.trim().to_uppercase();
    let st = state.clone();
    let signed_in = blocking(move || {
        let credentials = sessions::Credentials {
            identifier: &identifier,
            password: &body.password,
            otp: body.otp.as_deref(),
            device_token: body.device_token.as_deref(),
        };
        let purpose = sessions::Purpose::Session;
        sessions::login(
            &st.db,
            &ctx,
            credentials,
            &client,
            throttles(&st.config),
            purpose,
        )
    })
    .await?;
    match signed_in {
        Ok(Welcome {
            signed_in: SignedIn::Session(issued),
            device_token,
        }) => tokens_with_device(&state, issued, Some(device_token)),
        Ok(Welcome {
            signed_in: SignedIn::Code(_),
            ..
        }) => Err(ApiError::internal("a session was asked for")),
        Err(r) => Err(refusal(r)),
    }
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "b1d0e7f4c2a94d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6"}))]
pub struct RefreshRequest {
    /// The refresh token last received.
    #[schema(min_length = 1, max_length = 128)]
    pub refresh_token: String,
}

/// Exchanges a refresh token for new tokens of the same session. Each refresh token works once:
/// presenting a used one ends the whole session, since someone kept a copy.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Refresh token unknown, used, expired or of an ended session", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/refresh")]
pub async fn refresh_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    match blocking(move || sessions::refresh(&db, &ctx, token.trim(), None)).await {
        Ok(issued) => tokens(&state, issued),
        Err(e) if e.is(mcp_domain::ErrorCode::RefreshRefused) => {
            Err(ApiError::unauthenticated(mcp_domain::msg!(
                "ce jeton de renouvellement n'ouvre aucune session : reconnectez-vous",
                "this refresh token does not open a session: log in again"
            )))
        }
        Err(e) => Err(e),
    }
}

/// Ends the session of the token presented.
#[utoipa::path(
    tag = "auth",
    responses((status = 204, description = "Logged out: the session's tokens no longer work")),
    security(("bearer" = [])),
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    run(&state, &auth, move |db, ctx| {
        sessions::revoke_own(db, ctx, auth.1.into(), SessionEnd::Logout)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// First password of an account, set with the one-time activation code the person received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"identifier": "K7M2-Q9XD", "activation_code": "3f9c2a7be41d8056c3a19e7f2b6d4c80", "password": "Lieusaint-Accueil-2026", "accept_commitment": true}))]
pub struct ActivateRequest {
    /// The generated identifier.
    #[schema(min_length = 1, max_length = 64, example = "K7M2-Q9XD")]
    pub identifier: String,
    /// The one-time activation code received.
    #[schema(min_length = 1, max_length = 128)]
    pub activation_code: String,
    /// The password chosen, under the applicable policy: the partner's contract's for partner
    /// staff, 12 characters of 4 classes otherwise.
    #[schema(min_length = 8, max_length = 128, format = Password)]
    pub password: String,
    /// Partner staff: true to accept the commitment of the habilitation form
    /// (`GET /api/v1/auth/commitment`), required to activate.
    #[serde(default)]
    pub accept_commitment: bool,
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
pub async fn activate_account(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let identifier = body.identifier.trim().to_uppercase();
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    let account = blocking(move || {
        accounts::activate(
            &db,
            &ctx,
            &identifier,
            body.activation_code.trim(),
            &body.password,
            body.accept_commitment,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

/// The commitment partner staff accept before first use.
#[derive(Debug, Serialize, ToSchema)]
pub struct Commitment {
    /// Version of the text, recorded with each acceptance.
    pub version: &'static str,
    /// The text (French).
    pub text: &'static str,
}

/// The commitment of the habilitation form, which partner staff accept on activating their
/// account (C-art. 9.2).
#[utoipa::path(tag = "auth", responses((status = 200, description = "The commitment", body = Commitment)))]
#[get("/auth/commitment")]
pub async fn get_commitment() -> HttpResponse {
    HttpResponse::Ok().json(Commitment {
        version: mcp_domain::commitment::VERSION,
        text: mcp_domain::commitment::TEXT,
    })
}

/// A forgotten password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"identifier": "K7M2-Q9XD"}))]
pub struct ResetRequest {
    /// Your identifier.
    #[schema(min_length = 1, max_length = 64, example = "K7M2-Q9XD")]
    pub identifier: String,
}

/// The answer to a reset request: the same whether the identifier exists or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequested {
    /// What happens next.
    pub message: String,
}

/// Asks for a one-time code to reset a forgotten password. If the identifier names an active
/// account, the code goes to its e-mail (valid 30 minutes, one a minute at most); the answer is
/// the same either way.
#[utoipa::path(
    tag = "auth",
    request_body = ResetRequest,
    responses((status = 202, description = "Accepted; a code is on its way if the identifier exists", body = ResetRequested)),
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let identifier = body.into_inner().identifier.trim().to_uppercase();
    let ctx = crate::auth::without_person(&req);
    if identifier.len() <= 64 {
        let db = state.db.clone();
        blocking(move || accounts::request_password_reset(&db, &ctx, &identifier)).await?;
        state.outbox.notify_one();
    }
    Ok(HttpResponse::Accepted().json(ResetRequested {
        message: "if this identifier names an active account, a reset code was sent to its e-mail"
            .into(),
    }))
}

/// A new password, with the reset code received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"identifier": "K7M2-Q9XD", "reset_code": "9e1f0c3b7a2d4e5f6a7b8c9d0e1f2a3b", "password": "Cinq-Marronniers-Place-Zola"}))]
pub struct ResetConfirmation {
    /// Your identifier.
    #[schema(min_length = 1, max_length = 64, example = "K7M2-Q9XD")]
    pub identifier: String,
    /// The code received by e-mail.
    #[schema(min_length = 1, max_length = 128)]
    pub reset_code: String,
    /// The new password, under the applicable policy.
    #[schema(min_length = 8, max_length = 128, format = Password)]
    pub password: String,
}

/// Sets a new password with the reset code received. Every session of the account ends. Wrong
/// codes count as failed logins for the identifier (throttled alike).
#[utoipa::path(
    tag = "auth",
    request_body = ResetConfirmation,
    responses(
        (status = 200, description = "Password set", body = SessionsEnded),
        (status = 422, description = "Code refused or password too weak", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this identifier", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/password-reset/confirmation")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ResetConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let identifier = body.identifier.trim().to_uppercase();
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    let policy = state.config.identifier_throttle;
    let reset = blocking(move || {
        accounts::reset_password(
            &db,
            &ctx,
            &identifier,
            body.reset_code.trim(),
            &body.password,
            policy,
        )
    })
    .await?;
    let ended = match reset {
        accounts::Reset::Done(ended) => ended,
        accounts::Reset::Throttled(secs) => return Err(ApiError::throttled(secs)),
    };
    Ok(HttpResponse::Ok().json(SessionsEnded {
        sessions_ended: ended,
    }))
}
