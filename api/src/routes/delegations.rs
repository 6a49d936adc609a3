//! Delegations: what a partner's administrators hand on to a delegated manager (S-art. 2.2.1).

use actix_web::{get, post, web, HttpResponse};
use chrono::Utc;
use mcp_persistence::use_cases::staff::{self, DelegationRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::habilitations::ReasonInput;
use super::PageQuery;
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A management function that can be delegated.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ManagementFunctionDto {
    /// Create users, suspend and close their accounts.
    Users,
    /// Create groups, change their members.
    Groups,
    /// Grant, suspend, devalidate habilitations; design role bundles.
    Habilitations,
}

impl From<ManagementFunctionDto> for mcp_domain::access::ManagementFunction {
    fn from(f: ManagementFunctionDto) -> Self {
        match f {
            ManagementFunctionDto::Users => Self::Users,
            ManagementFunctionDto::Groups => Self::Groups,
            ManagementFunctionDto::Habilitations => Self::Habilitations,
        }
    }
}

impl From<mcp_domain::access::ManagementFunction> for ManagementFunctionDto {
    fn from(f: mcp_domain::access::ManagementFunction) -> Self {
        use mcp_domain::access::ManagementFunction as F;
        match f {
            F::Users => Self::Users,
            F::Groups => Self::Groups,
            F::Habilitations => Self::Habilitations,
        }
    }
}

/// A delegation: what a delegated manager may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// The delegated manager.
    pub account_id: Uuid,
    /// The functions delegated.
    pub functions: Vec<ManagementFunctionDto>,
    /// The profiles whose habilitations they may hand on.
    pub profile_ids: Vec<Uuid>,
    /// The administrator who gave it.
    pub granted_by: Uuid,
    /// When.
    pub granted_at: chrono::DateTime<Utc>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<chrono::DateTime<Utc>>,
    /// Why.
    pub withdrawn_reason: Option<String>,
}

impl TryFrom<DelegationRow> for DelegationDto {
    type Error = ApiError;
    fn try_from(d: DelegationRow) -> Result<Self, ApiError> {
        let domain = d.to_domain().map_err(ApiError::from)?;
        Ok(Self {
            id: d.id.uuid(),
            partner_id: d.partner_id.uuid(),
            account_id: d.account_id.uuid(),
            functions: domain.functions.into_iter().map(Into::into).collect(),
            profile_ids: domain.profiles.into_iter().map(Into::into).collect(),
            granted_by: d.granted_by.uuid(),
            granted_at: utc(d.granted_at),
            withdrawn_at: d.withdrawn_at.map(utc),
            withdrawn_reason: d.withdrawn_reason,
        })
    }
}

/// A delegation to give.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": "01a20810-0000-7000-8000-0000000000a1", "functions": ["users", "habilitations"], "profile_ids": ["4f8fdc96-33f6-52c8-96f9-dbecb9dd46fd"]}))]
pub struct DelegationInput {
    /// The partner user who becomes a delegated manager.
    pub account_id: Uuid,
    /// The functions delegated.
    pub functions: Vec<ManagementFunctionDto>,
    /// The profiles whose habilitations they may hand on (required with `habilitations`).
    #[serde(default)]
    pub profile_ids: Vec<Uuid>,
}

/// Gives a partner user a delegation (the partner's administrators only). One in force per
/// person.
#[utoipa::path(
    tag = "delegations",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = DelegationInput,
    responses((status = 201, description = "Given", body = DelegationDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/delegations")]
pub async fn give_delegation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<DelegationInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let functions: Vec<_> = b.functions.iter().map(|f| (*f).into()).collect();
    let partner = path.into_inner();
    let d = run(&state, &auth, move |db, ctx| {
        staff::give_delegation(
            db,
            ctx,
            partner.into(),
            b.account_id.into(),
            &functions,
            &b.profile_ids,
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(DelegationDto::try_from(d)?))
}

/// A partner's delegations, those in force first.
#[utoipa::path(
    tag = "delegations",
    params(("partner_id" = Uuid, Path, description = "The partner"), PageQuery),
    responses((status = 200, description = "Delegations, a page", body = DelegationPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/delegations")]
pub async fn list_delegations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.request()?;
    let partner = path.into_inner();
    let rows = run(&state, &auth, move |db, ctx| {
        staff::list_delegations(db, ctx, partner.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DelegationPage::of(rows, DelegationDto::try_from)?))
}

/// Withdraws a delegation (the partner's administrators): the manager loses those functions on
/// their next request; the habilitations they granted stay.
#[utoipa::path(
    tag = "delegations",
    params(("delegation_id" = Uuid, Path, description = "The delegation")),
    request_body = ReasonInput,
    responses((status = 200, description = "Withdrawn", body = DelegationDto)),
    security(("bearer" = [])),
)]
#[post("/delegations/{delegation_id}/withdrawal")]
pub async fn withdraw_delegation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let d = run(&state, &auth, move |db, ctx| {
        staff::withdraw_delegation(db, ctx, id.into(), &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DelegationDto::try_from(d)?))
}

super::page_of!(
    /// A page of delegations.
    DelegationPage,
    DelegationDto
);
