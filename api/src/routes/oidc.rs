//! OpenID Connect on top of the authorization code flow: the discovery document, `/userinfo`,
//! token revocation (RFC 7009), token introspection (RFC 7662) and RP-initiated logout. Partner
//! software are public clients (PKCE, no secret): a software identifies itself by its
//! `client_id`, and only ever learns of, or ends, the sessions it opened itself.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use mcp_domain::access::Scope;
use mcp_domain::vocabulary::{OAuthError, SessionEnd};
use mcp_persistence::use_cases::clients::{self, ClientApplication};
use mcp_persistence::use_cases::sessions::Presented;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use super::oauth_token::oauth_error;
use crate::auth::Authenticated;
use crate::config::Config;
use crate::pages::{escape, page};
use crate::problem::ApiError;
use crate::state::AppState;

/// The issuer: the service's public address (or, unset, the one the request was sent to)
/// followed by the API's base path, under which the discovery document is served.
pub fn issuer(req: &HttpRequest, config: &Config) -> String {
    let origin = match &config.public_url {
        Some(public) => public.base().to_string(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    format!("{origin}{}", crate::openapi::BASE_PATH)
}

/// The claims an `id_token` or `/userinfo` may carry.
const CLAIMS: [&str; 13] = [
    "iss",
    "sub",
    "aud",
    "azp",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "sid",
    "name",
    "email",
    "preferred_username",
];

/// The OpenID Provider's metadata (OpenID Connect Discovery 1.0 §3).
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenidConfiguration {
    /// The `iss` of `id_token`s; this document is at `{issuer}/.well-known/openid-configuration`.
    #[schema(example = "https://mon-compte-partenaire.caf.fr/api/v1")]
    pub issuer: String,
    /// The sign-in page.
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// `GET` or `POST`, with the access token of a software session granted `openid`.
    pub userinfo_endpoint: String,
    /// RFC 7009.
    pub revocation_endpoint: String,
    /// RFC 7662.
    pub introspection_endpoint: String,
    /// RP-Initiated Logout 1.0.
    pub end_session_endpoint: String,
    /// The public keys of every token and `id_token`.
    pub jwks_uri: String,
    /// `code`.
    pub response_types_supported: Vec<String>,
    /// `query`.
    pub response_modes_supported: Vec<String>,
    /// The grant types of the token endpoint.
    pub grant_types_supported: Vec<String>,
    /// `public`: `sub` is the person's account id.
    pub subject_types_supported: Vec<String>,
    /// `EdDSA` (Ed25519).
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// `openid` and the scopes of the API.
    pub scopes_supported: Vec<String>,
    /// The claims of `id_token`s and `/userinfo`.
    pub claims_supported: Vec<String>,
    /// `S256`: PKCE is required.
    pub code_challenge_methods_supported: Vec<String>,
    /// `none`: software are public clients, naming themselves by `client_id`.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// The same, for revocation.
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    /// The same, for introspection.
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    /// Whether the sign-in page takes the `claims` parameter: no.
    pub claims_parameter_supported: bool,
    /// Whether the authorization request takes the `request` parameter: no.
    pub request_parameter_supported: bool,
}

fn configuration(issuer: String) -> OpenidConfiguration {
    let at = |path: &str| format!("{issuer}{path}");
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    OpenidConfiguration {
        authorization_endpoint: at("/oauth/authorize"),
        token_endpoint: at("/oauth/token"),
        userinfo_endpoint: at("/oauth/userinfo"),
        revocation_endpoint: at("/oauth/revoke"),
        introspection_endpoint: at("/oauth/introspect"),
        end_session_endpoint: at("/oauth/logout"),
        jwks_uri: at("/auth/jwks.json"),
        response_types_supported: strings(&["code"]),
        response_modes_supported: strings(&["query"]),
        grant_types_supported: mcp_domain::vocabulary::GrantType::ALL
            .iter()
            .map(|g| g.code().to_string())
            .collect(),
        subject_types_supported: strings(&["public"]),
        id_token_signing_alg_values_supported: strings(&["EdDSA"]),
        scopes_supported: Scope::ALL.iter().map(|s| s.code().to_string()).collect(),
        claims_supported: strings(&CLAIMS),
        code_challenge_methods_supported: strings(&["S256"]),
        token_endpoint_auth_methods_supported: strings(&["none"]),
        revocation_endpoint_auth_methods_supported: strings(&["none"]),
        introspection_endpoint_auth_methods_supported: strings(&["none"]),
        claims_parameter_supported: false,
        request_parameter_supported: false,
        issuer,
    }
}

/// The OpenID Connect discovery document (also served at `/.well-known/openid-configuration`).
#[utoipa::path(
    tag = "oauth",
    responses((status = 200, description = "The OpenID Provider's metadata", body = OpenidConfiguration)),
)]
#[get("/.well-known/openid-configuration")]
pub async fn get_openid_configuration(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> HttpResponse {
    openid_configuration_at_root(state, req).await
}

/// The same document at the root of the service, where some software look for it.
pub async fn openid_configuration_at_root(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(configuration(issuer(&req, &state.config)))
}

/// What `/userinfo` says of the person (OpenID Connect Core §5.3).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"sub": "01a20810-0000-7000-8000-0000000000a1", "name": "Claire Martin", "email": "claire.martin@ccas-lieusaint.fr", "preferred_username": "K7M2-Q9XD"}))]
pub struct UserInfo {
    /// The person's account id, as in the `id_token`.
    pub sub: String,
    /// Full name (scope `profile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Individual e-mail (scope `profile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The sign-in identifier (scope `profile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
}

async fn userinfo(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.0.principal.clone();
    let granted = principal
        .as_ref()
        .and_then(|p| p.software.as_ref())
        .map(|s| s.scopes.clone())
        .unwrap_or_default();
    let Some(principal) = principal.filter(|_| granted.contains(&Scope::Openid)) else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            mcp_domain::msg!("userinfo ne répond qu'au jeton d'accès d'un logiciel auquel la personne a accordé openid", "userinfo answers the access token of a software the person granted openid"),
        ));
    };
    let sub = principal.account_id().to_string();
    let info = if granted.contains(&Scope::Profile) {
        let a = super::run(&state, &auth, mcp_persistence::use_cases::accounts::me).await?;
        UserInfo {
            sub,
            name: Some(a.full_name),
            email: Some(a.email),
            preferred_username: Some(a.identifier),
        }
    } else {
        UserInfo {
            sub,
            name: None,
            email: None,
            preferred_username: None,
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(info))
}

/// The person a software acts for: `sub`, and with scope `profile` their name, e-mail and
/// identifier. Needs the access token of a software session granted `openid`.
#[utoipa::path(
    tag = "oauth",
    responses((status = 200, description = "The person's claims", body = UserInfo)),
    security(("bearer" = [])),
)]
#[get("/oauth/userinfo")]
pub async fn get_userinfo(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    userinfo(state, auth).await
}

/// The same as `GET /oauth/userinfo` (OpenID Connect Core §5.3.1 allows both).
#[utoipa::path(
    tag = "oauth",
    responses((status = 200, description = "The person's claims", body = UserInfo)),
    security(("bearer" = [])),
)]
#[post("/oauth/userinfo")]
pub async fn post_userinfo(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    userinfo(state, auth).await
}

/// A token a software presents back (RFC 7009 §2.1, RFC 7662 §2.1), form-encoded.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"client_id": "01a20810-0000-7000-8000-0000000000c1", "token": "3q2-7wAAAAAAAAAAAAAAAA", "token_type_hint": "refresh_token"}))]
pub struct TokenPresented {
    /// The software's `client_id` (public clients: no secret).
    pub client_id: Option<String>,
    /// An access token or a refresh token the software holds.
    pub token: Option<String>,
    /// `access_token` or `refresh_token`; both are looked for whatever it says.
    pub token_type_hint: Option<String>,
}

/// The software a form names, and the token it presents, with its claims when it is an access
/// token of this service; `None` without a token.
fn presented(
    state: &AppState,
    form: TokenPresented,
) -> Option<(Option<String>, String, Option<crate::auth::Claims>)> {
    let token = form.token.filter(|t| !t.is_empty() && t.len() <= 4096)?;
    let claims = state.keys.verify_claims(&token);
    Some((form.client_id, token, claims))
}

async fn approved_client(
    state: &web::Data<AppState>,
    client_id: Option<String>,
) -> Result<Option<ClientApplication>, ApiError> {
    let Some(client_id) = client_id.filter(|c| c.len() <= 64) else {
        return Ok(None);
    };
    let db = state.db.clone();
    blocking(move || clients::approved(&db, &client_id)).await
}

fn refused_client() -> HttpResponse {
    oauth_error(OAuthError::InvalidClient, &clients::unknown_client())
}

/// Revokes a token (RFC 7009): the session it belongs to ends, traced as the person's through
/// the software. A token unknown, already ended or another software's answers 200 as well.
#[utoipa::path(
    tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", content = TokenPresented),
    responses(
        (status = 200, description = "Revoked, or nothing to revoke"),
        (status = 400, description = "invalid_request: no token", body = super::oauth_token::TokenError),
        (status = 401, description = "invalid_client: unknown or revoked software", body = super::oauth_token::TokenError),
    ),
)]
#[post("/oauth/revoke")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<TokenPresented>,
) -> Result<HttpResponse, ApiError> {
    let Some((client_id, token, claims)) = presented(&state, form.into_inner()) else {
        return Ok(token_required());
    };
    let Some(app) = approved_client(&state, client_id).await? else {
        return Ok(refused_client());
    };
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    let app_id = app.client_uuid()?;
    blocking(move || {
        let presented = match claims.as_ref().and_then(|c| c.sid.parse().ok()) {
            Some(sid) => Presented::Session(sid),
            None => Presented::Refresh(&token),
        };
        clients::end_software_session(&db, &ctx, app_id, presented, SessionEnd::RevokedBySoftware)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// What introspection says of a token (RFC 7662 §2.2).
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"active": true, "scope": "openid profile", "client_id": "01a20810-0000-7000-8000-0000000000c1", "sub": "01a20810-0000-7000-8000-0000000000a1", "exp": 1796313600, "iat": 1796312700, "token_type": "Bearer"}))]
pub struct Introspection {
    /// Whether the token opens a session of this software now.
    pub active: bool,
    /// The scopes granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The software.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The person's account id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Expiry (seconds since the epoch): the access token's, or the session's for a refresh
    /// token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issue (seconds since the epoch): the access token's, or the session's opening.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// `Bearer` for an access token, `refresh_token` for a refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

/// Tells a software whether a token it holds is active (RFC 7662): `{"active": false}` for a
/// token unknown, expired, of an ended session, or another software's.
#[utoipa::path(
    tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", content = TokenPresented),
    responses(
        (status = 200, description = "What the token is", body = Introspection),
        (status = 400, description = "invalid_request: no token", body = super::oauth_token::TokenError),
        (status = 401, description = "invalid_client: unknown or revoked software", body = super::oauth_token::TokenError),
    ),
)]
#[post("/oauth/introspect")]
pub async fn introspect_token(
    state: web::Data<AppState>,
    form: web::Form<TokenPresented>,
) -> Result<HttpResponse, ApiError> {
    let Some((client_id, token, claims)) = presented(&state, form.into_inner()) else {
        return Ok(token_required());
    };
    let Some(app) = approved_client(&state, client_id).await? else {
        return Ok(refused_client());
    };
    let db = state.db.clone();
    let app_id = app.client_uuid()?;
    let sid = claims.as_ref().and_then(|c| c.sid.parse().ok());
    let now = crate::auth::now();
    let session = blocking(move || {
        let presented = match sid {
            Some(sid) => Presented::Session(sid),
            None => Presented::Refresh(&token),
        };
        clients::software_session(&db, now, app_id, presented)
    })
    .await?;
    let answer = match (session, claims) {
        (None, _) => Introspection::default(),
        (Some(s), claims) => Introspection {
            active: true,
            scope: s.scope.clone(),
            client_id: Some(app_id.to_string()),
            sub: Some(s.account_id.get().to_string()),
            exp: Some(
                claims
                    .as_ref()
                    .map_or(s.expires_at.and_utc().timestamp(), |c| c.exp),
            ),
            iat: Some(
                claims
                    .as_ref()
                    .map_or(s.created_at.and_utc().timestamp(), |c| c.iat),
            ),
            token_type: Some(
                if claims.is_some() {
                    "Bearer"
                } else {
                    "refresh_token"
                }
                .into(),
            ),
        },
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}

/// The parameters of a logout request (OpenID Connect RP-Initiated Logout 1.0 §2).
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[schema(example = json!({"id_token_hint": "eyJhbGciOiJFZERTQSIsInR5cCI6ImlkK2p3dCJ9.eyJpc3MiOiJodHRwczovL21vbi1jb21wdGUtcGFydGVuYWlyZS5jYWYuZnIvYXBpL3YxIn0.c2lnbmF0dXJl", "post_logout_redirect_uri": "https://logiciel.ville-lieusaint.fr/retour", "state": "af0ifjsldkj", "client_id": "01a20810-0000-7000-8000-0000000000c1"}))]
pub struct LogoutParams {
    /// An `id_token` this service gave the software (expired or not): the session it names ends.
    pub id_token_hint: Option<String>,
    /// Where to send the person afterwards: one of the software's registered redirect URIs.
    pub post_logout_redirect_uri: Option<String>,
    /// Returned unchanged with the redirection.
    pub state: Option<String>,
    /// The software's `client_id`; must be the `id_token`'s audience when both are given.
    pub client_id: Option<String>,
}

fn logout_page(
    config: &crate::config::Config,
    status: StatusCode,
    title: &str,
    message: &str,
) -> HttpResponse {
    page(
        config,
        status,
        title,
        &format!(
            "<h1>{title}</h1>\n<p role=\"status\">{}</p>\n",
            escape(message)
        ),
        None,
    )
}

/// Ends, at the software's request, the session its `id_token_hint` names, then sends the
/// person back to `post_logout_redirect_uri` (a registered one) or shows a page in French.
#[utoipa::path(
    tag = "oauth",
    params(LogoutParams),
    responses(
        (status = 303, description = "Logged out: back to the software, with `state`"),
        (status = 200, description = "Logged out: a page saying so, in French", content_type = "text/html"),
        (status = 400, description = "The logout request cannot be taken: a page saying why, in French", content_type = "text/html"),
    ),
)]
#[get("/oauth/logout")]
pub async fn end_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<LogoutParams>,
) -> Result<HttpResponse, ApiError> {
    logout(state, req, q.into_inner()).await
}

/// The same logout, its parameters posted as a form (RP-Initiated Logout 1.0 §2: the endpoint
/// takes GET and POST).
#[utoipa::path(
    tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", content = LogoutParams),
    responses(
        (status = 303, description = "Logged out: back to the software, with `state`"),
        (status = 200, description = "Logged out: a page saying so, in French", content_type = "text/html"),
        (status = 400, description = "The logout request cannot be taken: a page saying why, in French", content_type = "text/html"),
    ),
)]
#[post("/oauth/logout")]
pub async fn end_session_posted(
    state: web::Data<AppState>,
    req: HttpRequest,
    f: web::Form<LogoutParams>,
) -> Result<HttpResponse, ApiError> {
    logout(state, req, f.into_inner()).await
}

async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: LogoutParams,
) -> Result<HttpResponse, ApiError> {
    let cannot = |message| {
        Ok(logout_page(
            &state.config,
            StatusCode::BAD_REQUEST,
            "Déconnexion impossible",
            message,
        ))
    };
    let issuer = issuer(&req, &state.config);
    let Some(hint) = q
        .id_token_hint
        .as_deref()
        .and_then(|t| state.keys.verify_id_token_hint(t, &issuer))
    else {
        return cannot("Le logiciel n'a pas dit quelle connexion terminer, ou ce qu'il a envoyé n'a pas été émis par Mon Compte Partenaire. Fermez le logiciel pour terminer votre connexion.");
    };
    if q.client_id.as_ref().is_some_and(|c| *c != hint.aud) {
        return cannot(
            "La demande de déconnexion ne vient pas du logiciel auquel vous vous étiez connecté.",
        );
    }
    let Some(app) = approved_client(&state, Some(hint.aud.clone())).await? else {
        return cannot("Ce logiciel n'est pas enregistré, ou son autorisation a été retirée.");
    };
    let back = q.post_logout_redirect_uri.clone();
    if back
        .as_ref()
        .is_some_and(|b| !app.redirect_uri_list().contains(b))
    {
        return cannot("L'adresse de retour demandée n'est pas celle enregistrée pour ce logiciel : la déconnexion n'a pas été faite.");
    }
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    let app_id = app.client_uuid()?;
    let Ok(sid) = hint.sid.parse() else {
        return cannot("Ce jeton ne désigne aucune connexion.");
    };
    blocking(move || {
        clients::end_software_session(
            &db,
            &ctx,
            app_id,
            Presented::Session(sid),
            SessionEnd::Logout,
        )
    })
    .await?;
    Ok(match back {
        Some(uri) => {
            let mut params = vec![];
            if let Some(s) = q.state.as_deref() {
                params.push(("state", s));
            }
            super::oauth::redirect_back(&uri, &params)
        }
        None => logout_page(
            &state.config,
            StatusCode::OK,
            "Vous êtes déconnecté",
            &format!(
                "Votre connexion au logiciel {} par Mon Compte Partenaire est terminée.",
                app.name
            ),
        ),
    })
}

fn token_required() -> HttpResponse {
    oauth_error(
        OAuthError::InvalidRequest,
        &mcp_domain::msg!("token est exigé", "token is required"),
    )
}
