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
    /// Opened only for a time (T16): a habilitation to it must give `ends_on`.
    pub temporary: bool,
    /// Opened only for services the Caf subsidises (T2): a bulletin line opening it names them
    /// in `subsidised_services`.
    pub subsidised_only: bool,
    /// What the profile sees of a beneficiary's file, for CDAP's profiles.
    pub view: Option<ProfileViewDto>,
}

/// What a profile sees of a beneficiary's file (`GET /cdap/files/{numero}` shows nothing else).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileViewDto {
    /// The sections of the file shown, in file order.
    #[schema(example = json!(["identity", "address", "household", "resources", "quotient_familial", "rights"]))]
    pub sections: Vec<String>,
    /// How many months back the monthly series go (resources, quotient familial, rights).
    #[schema(example = 12)]
    pub months: u32,
    /// The benefits whose rights are shown; all when empty.
    #[schema(example = json!(["RSA", "PPA"]))]
    pub benefits: Vec<String>,
    /// A restriction beyond the view: `instructor_number` (the instructor number is asked
    /// first), `own_tenants` (only the partner's own tenants), `rsa_last_two_years` (only people
    /// with an RSA right in the last two years), `cmg_request` (only files with a CMG request).
    #[schema(example = "own_tenants")]
    pub restriction: Option<String>,
    /// Whether a file may be found by identity (name and birth date), for bodies that do not
    /// know the numéro allocataire.
    pub identity_search: bool,
}

impl From<&mcp_domain::cdap::View> for ProfileViewDto {
    fn from(v: &mcp_domain::cdap::View) -> Self {
        Self {
            sections: v.sections.clone(),
            months: v.months,
            benefits: v.benefits.clone(),
            restriction: v.restriction.map(|r| r.code().to_string()),
            identity_search: v.identity_search,
        }
    }
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
            id: s.id.uuid(),
            code: s.code.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            profiles: s
                .profiles
                .iter()
                .map(|p| ProfileDto {
                    view: s.view_of(p).map(ProfileViewDto::from),
                    id: p.id.uuid(),
                    eligible_categories: p.categories().into_iter().map(Into::into).collect(),
                    code: p.code.clone(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    restriction: p.restriction.clone(),
                    temporary: p.temporary,
                    subsidised_only: p.subsidised_only,
                })
                .collect(),
        }
    }
}

/// The catalogue: every service and its profiles.
#[utoipa::path(
    tag = "catalogue",
    responses((status = 200, description = "The services", body = ServicePage)),
    security(("bearer" = [])),
)]
#[get("/services")]
pub async fn list_services(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let services = run(&state, &auth, catalogue::list).await?;
    Ok(HttpResponse::Ok().json(ServicePage::whole(
        services.into_iter().map(ServiceDto::from).collect(),
    )))
}

/// One service, with what each of its profiles sees of a beneficiary's file.
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
    let s = run(&state, &auth, move |db, ctx| {
        catalogue::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(ServiceDto::from(s)))
}

super::page_of!(
    /// The catalogue's services, all on one page.
    ServicePage,
    ServiceDto
);
