//! The service catalogue.

use actix_web::{get, web, HttpResponse};
use mcp_persistence::use_cases::catalogue::{self, Service};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::run;
use super::types::PartnerCategory;
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A profile of a service.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    /// Opaque id.
    pub id: Uuid,
    /// Code within the service.
    #[schema(example = "T13")]
    pub code: String,
    /// Name.
    #[schema(example = "Commissions FSL")]
    pub name: String,
    /// Who it is for.
    pub description: String,
    /// Partner categories that may hold it.
    pub eligible_categories: Vec<PartnerCategory>,
    /// Restriction written in the bulletin, if any.
    pub restriction: Option<String>,
}

/// A service with its profiles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDto {
    /// Opaque id.
    pub id: Uuid,
    /// Code.
    #[schema(example = "CDAP")]
    pub code: String,
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its profiles, in catalogue order.
    pub profiles: Vec<ProfileDto>,
}

impl From<Service> for ServiceDto {
    fn from(s: Service) -> Self {
        Self {
            id: Uuid::parse_str(&s.id).unwrap_or_default(),
            code: s.code,
            name: s.name,
            description: s.description,
            profiles: s
                .profiles
                .into_iter()
                .map(|p| ProfileDto {
                    id: Uuid::parse_str(&p.id).unwrap_or_default(),
                    eligible_categories: p.categories().into_iter().map(Into::into).collect(),
                    code: p.code,
                    name: p.name,
                    description: p.description,
                    restriction: p.restriction,
                })
                .collect(),
        }
    }
}

/// The catalogue: every service and its profiles.
#[utoipa::path(
    tag = "catalogue",
    responses((status = 200, description = "The services", body = Vec<ServiceDto>)),
    security(("bearer" = [])),
)]
#[get("/services")]
pub async fn list_services(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let services = run(&state, &auth, catalogue::list).await?;
    Ok(HttpResponse::Ok().json(
        services
            .into_iter()
            .map(ServiceDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// One service.
#[utoipa::path(
    tag = "catalogue",
    params(("service_id" = Uuid, Path, description = "The service")),
    responses((status = 200, description = "The service", body = ServiceDto)),
    security(("bearer" = [])),
)]
#[get("/services/{service_id}")]
pub async fn get_service(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let s = run(&state, &auth, move |db, ctx| catalogue::get(db, ctx, id)).await?;
    Ok(HttpResponse::Ok().json(ServiceDto::from(s)))
}
