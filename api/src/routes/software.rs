//! Partner software: registered by the Caf or submitted by the partner and approved by the Caf.

use actix_web::{get, post, web, HttpResponse};
use mcp_domain::software::Registration;
use mcp_persistence::use_cases::clients::{self, ClientApplication};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::PageQuery;
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A registered partner software.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientApplicationDto {
    /// The `client_id` to configure in the software.
    pub client_id: Uuid,
    /// The partner it belongs to: only that partner's people can sign in to it.
    pub partner_id: Uuid,
    /// Its name, shown on the sign-in page.
    pub name: String,
    /// Where codes are sent back (exact match).
    pub redirect_uris: Vec<String>,
    /// The most it may ask for, space-separated (`profile`, `registry:read`, `registry:write`).
    pub scopes: String,
    /// Whether it may present a person's own credentials (password grant).
    pub password_grant: bool,
    /// `pending_approval` (submitted by the partner), `approved` or `revoked`.
    pub status: String,
    /// Registration instant.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<ClientApplication> for ClientApplicationDto {
    type Error = ApiError;
    fn try_from(a: ClientApplication) -> Result<Self, ApiError> {
        Ok(Self {
            client_id: a.id.uuid(),
            partner_id: a.partner_id.uuid(),
            redirect_uris: a.redirect_uri_list(),
            name: a.name,
            scopes: a.scopes,
            password_grant: a.password_grant,
            status: a.status,
            created_at: utc(a.created_at),
        })
    }
}

/// A software to register for a partner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Logiciel d'action sociale de Lieusaint", "redirect_uris": ["https://social.ville-lieusaint.fr/oauth/retour"], "scopes": "profile registry:read", "password_grant": false}))]
pub struct NewClientApplication {
    /// Its name, shown to people on the sign-in page.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// 1 to 5 redirect URIs: absolute https, or http on the loopback for installed software.
    #[schema(min_items = 1, max_items = 5)]
    pub redirect_uris: Vec<String>,
    /// The most it may ask for, space-separated.
    #[schema(example = "profile registry:read")]
    pub scopes: String,
    /// Whether the contract allows it to present a person's own credentials.
    #[serde(default)]
    pub password_grant: bool,
}

/// Registers a partner's software. Registered by the Caf's administrators, it is approved at
/// once; submitted by the partner's administrators, it waits for the Caf's approval
/// (`status: pending_approval`) and nobody can sign in to it until then.
#[utoipa::path(
    tag = "partner software",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = NewClientApplication,
    responses((status = 201, description = "Registered", body = ClientApplicationDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/client-applications")]
pub async fn register_client_application(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NewClientApplication>,
) -> Result<HttpResponse, ApiError> {
    let partner_id = path.into_inner();
    let b = body.into_inner();
    let reg = Registration::new(&b.name, &b.redirect_uris, &b.scopes, b.password_grant)?;
    let app = run(&state, &auth, move |db, ctx| {
        clients::register(db, ctx, partner_id.into(), &reg)
    })
    .await?;
    Ok(HttpResponse::Created().json(ClientApplicationDto::try_from(app)?))
}

/// A partner's software.
#[utoipa::path(
    tag = "partner software",
    params(("partner_id" = Uuid, Path, description = "The partner"), PageQuery),
    responses((status = 200, description = "Its software, a page", body = ClientApplicationPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/client-applications")]
pub async fn list_client_applications(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.request()?;
    let partner_id = path.into_inner();
    let apps = run(&state, &auth, move |db, ctx| {
        clients::list(db, ctx, partner_id.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClientApplicationPage::of(
        apps,
        ClientApplicationDto::try_from,
    )?))
}

/// Why a software is revoked.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Logiciel remplacé par la nouvelle version du SIRH"}))]
pub struct Revocation {
    /// The reason, kept in the trace.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The Caf approves software its partner submitted.
#[utoipa::path(
    tag = "partner software",
    params(("client_id" = Uuid, Path, description = "The software")),
    responses((status = 200, description = "Approved", body = ClientApplicationDto)),
    security(("bearer" = [])),
)]
#[post("/client-applications/{client_id}/approval")]
pub async fn approve_client_application(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let app = run(&state, &auth, move |db, ctx| {
        clients::approve(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClientApplicationDto::try_from(app)?))
}

/// Revokes a software, or refuses one submitted for approval: nobody can sign in to it any
/// more, and every session it holds ends now.
#[utoipa::path(
    tag = "partner software",
    params(("client_id" = Uuid, Path, description = "The software")),
    request_body = Revocation,
    responses((status = 200, description = "Revoked", body = ClientApplicationDto)),
    security(("bearer" = [])),
)]
#[post("/client-applications/{client_id}/revocation")]
pub async fn revoke_client_application(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<Revocation>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let app = run(&state, &auth, move |db, ctx| {
        clients::revoke(db, ctx, id.into(), &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClientApplicationDto::try_from(app)?))
}

super::page_of!(
    /// A page of software.
    ClientApplicationPage,
    ClientApplicationDto
);
