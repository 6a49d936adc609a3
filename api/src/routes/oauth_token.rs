//! The token endpoint of the authorization code flow (RFC 6749 §3.2): codes, refresh tokens
//! and — where the Caf allowed it — the password grant, exchanged for a session's tokens; its
//! refusals in RFC 6749 §5.2's shape, which are also problem documents.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use mcp_domain::software::{code_verifier_acceptable, error_description_acceptable};
use mcp_domain::vocabulary::{GrantType, OAuthError};
use mcp_domain::{msg, Message};
use mcp_persistence::use_cases::clients::{self, Grant};
use mcp_persistence::use_cases::sessions;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{client, throttles};
use super::blocking;
use crate::auth::pkce_s256;
use crate::problem::ApiError;
use crate::state::AppState;

/// A token request (RFC 6749 §4.1.3, §6, §4.3), form-encoded.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "authorization_code", "client_id": "01a20810-0000-7000-8000-0000000000c1", "code": "SplxlOBeZQQYbYS6WxSbIA", "redirect_uri": "https://logiciel.ville-lieusaint.fr/retour", "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}))]
pub struct TokenRequest {
    /// `authorization_code`, `refresh_token`, or `password` where allowed.
    pub grant_type: String,
    /// The software's `client_id`.
    pub client_id: String,
    /// The code received (authorization_code).
    pub code: Option<String>,
    /// The redirect URI used to get it (authorization_code).
    pub redirect_uri: Option<String>,
    /// The PKCE verifier (authorization_code).
    pub code_verifier: Option<String>,
    /// The refresh token (refresh_token).
    pub refresh_token: Option<String>,
    /// The person's identifier (password).
    pub username: Option<String>,
    /// The person's password (password).
    pub password: Option<String>,
    /// Scopes asked (password).
    pub scope: Option<String>,
}

/// The `error` codes of RFC 6749 this service answers, from the closed vocabulary.
pub struct OAuthErrorCode;

impl utoipa::PartialSchema for OAuthErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(OAuthError::ALL.iter().map(|e| e.code())))
            .examples(["invalid_grant"])
            .into()
    }
}

impl utoipa::ToSchema for OAuthErrorCode {}

/// A refusal of the token endpoint as RFC 6749 §5.2 words it (`error`, `error_description`),
/// which is also an RFC 9457 problem document (`type`, `title`, `status`, `detail`, `code`).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct TokenError {
    /// The RFC 6749 code.
    #[schema(value_type = OAuthErrorCode)]
    pub error: String,
    /// What went wrong, for the software's developers: in English and in ASCII, as RFC 6749
    /// §5.2 requires, whatever the language asked.
    #[schema(example = "this code is unknown, used, expired, or not issued to this software")]
    pub error_description: String,
    /// `urn:mcp:problem:{error}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// "La demande de jeton est refusée" (English with `Accept-Language: en`).
    #[schema(example = "La demande de jeton est refusée")]
    pub title: String,
    /// The HTTP status: 401 for `invalid_client`, 400 otherwise.
    pub status: u16,
    /// What went wrong, for a person: in French (English with `Accept-Language: en`).
    #[schema(
        example = "ce code est inconnu, déjà utilisé, expiré, ou n'a pas été délivré à ce logiciel"
    )]
    pub detail: String,
    /// The same as `error`.
    #[schema(value_type = OAuthErrorCode)]
    pub code: String,
}

/// An OAuth error (RFC 6749 §5.2), which is also a problem document.
pub(crate) fn oauth_error(error: OAuthError, description: &Message) -> HttpResponse {
    debug_assert!(
        error_description_acceptable(description.en()),
        "{description}"
    );
    let status = error.status();
    let lang = crate::lang::Lang::current();
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST),
    )
    .insert_header((header::CACHE_CONTROL, "no-store"))
    .json(TokenError {
        error: error.code().into(),
        error_description: description.en().into(),
        type_uri: format!("urn:mcp:problem:{}", error.code()),
        title: lang
            .pick(
                "La demande de jeton est refusée",
                "The token request was refused",
            )
            .into(),
        status,
        detail: lang.say(description).into(),
        code: error.code().into(),
    })
}

/// A token request's grant, its parameters read and owned.
enum ReadGrant {
    Code {
        code: String,
        redirect_uri: String,
        challenge: String,
    },
    Refresh(String),
    Password {
        identifier: String,
        password: String,
        scope: Option<String>,
    },
}

impl ReadGrant {
    /// Reads the parameters the grant type needs (RFC 6749 §4.1.3, §6, §4.3).
    fn of(f: TokenRequest) -> Result<Self, (OAuthError, Message)> {
        let required = |what| (OAuthError::InvalidRequest, what);
        match GrantType::from_code(&f.grant_type) {
            None => Err((
                OAuthError::UnsupportedGrantType,
                msg!(
                    "grant_type doit valoir authorization_code, refresh_token ou password",
                    "grant_type must be authorization_code, refresh_token or password"
                ),
            )),
            Some(GrantType::AuthorizationCode) => {
                let (Some(code), Some(redirect_uri), Some(verifier)) =
                    (f.code, f.redirect_uri, f.code_verifier)
                else {
                    return Err(required(msg!(
                        "code, redirect_uri et code_verifier sont exigés",
                        "code, redirect_uri and code_verifier are required"
                    )));
                };
                if !code_verifier_acceptable(&verifier) {
                    return Err(required(msg!(
                        "code_verifier doit compter de 43 à 128 caractères non réservés",
                        "code_verifier must be 43 to 128 unreserved characters"
                    )));
                }
                Ok(Self::Code {
                    code,
                    redirect_uri,
                    challenge: pkce_s256(&verifier),
                })
            }
            Some(GrantType::RefreshToken) => f.refresh_token.map(Self::Refresh).ok_or_else(|| {
                required(msg!("refresh_token est exigé", "refresh_token is required"))
            }),
            Some(GrantType::Password) => match (f.username, f.password) {
                (Some(username), Some(password)) => Ok(Self::Password {
                    identifier: username.trim().to_uppercase(),
                    password,
                    scope: f.scope,
                }),
                _ => Err(required(msg!(
                    "username et password sont exigés",
                    "username and password are required"
                ))),
            },
        }
    }

    fn grant(&self) -> Grant<'_> {
        match self {
            Self::Code {
                code,
                redirect_uri,
                challenge,
            } => Grant::AuthorizationCode {
                code,
                redirect_uri,
                challenge_of_verifier: challenge,
            },
            Self::Refresh(token) => Grant::RefreshToken(token),
            Self::Password {
                identifier,
                password,
                scope,
            } => Grant::Password {
                credentials: sessions::Credentials {
                    identifier,
                    password,
                    otp: None,
                    device_token: None,
                },
                scope: scope.as_deref(),
            },
        }
    }
}

/// Tokens for partner software acting for a person: exchanges a code (with its PKCE verifier),
/// a refresh token (rotated; a reused one ends the session), or — only where the Caf allowed it
/// for this software — the person's own credentials. Errors follow RFC 6749 §5.2.
#[utoipa::path(
    tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", content = TokenRequest),
    responses(
        (status = 200, description = "Tokens, naming the person (sub) and the software (azp)", body = super::auth::TokenResponse),
        (status = 400, description = "invalid_request, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope (RFC 6749 §5.2)", body = TokenError),
        (status = 401, description = "invalid_client: unknown or revoked software", body = TokenError),
    ),
)]
#[post("/oauth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let ctx = crate::auth::without_person(&req);
    let net = client(&req);
    let client_id = f.client_id.clone();
    let grant = match ReadGrant::of(f) {
        Ok(grant) => grant,
        Err((error, description)) => return Ok(oauth_error(error, &description)),
    };
    let st = state.clone();
    let result = blocking(move || {
        let throttles = throttles(&st.config);
        clients::exchange_token(&st.db, &ctx, &client_id, grant.grant(), &net, throttles)
    })
    .await?;
    match result {
        Ok(clients::Exchanged {
            issued,
            authentication,
        }) => {
            let issuer = super::oidc::issuer(&req, &state.config);
            super::auth::tokens_with(&state, issued, None, |issued, access_token| {
                authentication
                    .map(|a| {
                        let client_id = issued.software.as_ref().map(|s| s.client_id.to_string());
                        let client_id = client_id.unwrap_or_default();
                        state
                            .keys
                            .issue_id_token(&issuer, &client_id, issued, &a, access_token)
                    })
                    .transpose()
            })
        }
        Err(refusal) => Ok(oauth_error(refusal.error, &refusal.description)),
    }
}
