//! The service catalogue.

use actix_web::{get, post, put, web, HttpResponse};
use mcp_domain::catalogue::{ProfileInput, ViewInput};
use mcp_persistence::use_cases::catalogue::{self, Profile, Service};
use serde::{Deserialize, Serialize};
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

impl ProfileDto {
    fn of(s: &Service, p: &Profile) -> Self {
        Self {
            view: s.view_of(p).map(ProfileViewDto::from),
            id: p.id.uuid(),
            eligible_categories: p.categories().into_iter().map(Into::into).collect(),
            code: p.code.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            restriction: p.restriction.clone(),
            temporary: p.temporary,
            subsidised_only: p.subsidised_only,
        }
    }
}

impl From<Service> for ServiceDto {
    fn from(s: Service) -> Self {
        Self {
            id: s.id.uuid(),
            code: s.code.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            profiles: s.profiles.iter().map(|p| ProfileDto::of(&s, p)).collect(),
        }
    }
}

/// A profile as the Cnaf writes it in the catalogue: the whole entry, as `GET` gives it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "T19",
    "name": "Contrôle RSA",
    "description": "Agents des départements et des communes chargés du contrôle a posteriori du RSA",
    "eligible_categories": ["departement", "commune"],
    "restriction": "Uniquement les personnes bénéficiaires ou anciennement bénéficiaires du RSA depuis deux ans",
    "temporary": false,
    "subsidised_only": false,
    "view": {
        "sections": ["identity", "address", "household", "professional", "resources", "rights"],
        "months": 24,
        "benefits": ["RSA", "PPA"],
        "restriction": "rsa_last_two_years",
        "identity_search": false
    }
}))]
pub struct ProfileWrite {
    /// Code within the service: one to ten capital letters and digits. It cannot change once
    /// the profile exists (signed bulletins print it).
    #[schema(example = "T19", max_length = 10)]
    pub code: String,
    /// Name, as the bulletin prints it.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Who it is for.
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// Partner categories that may hold it: at least one, each once.
    #[schema(min_items = 1)]
    pub eligible_categories: Vec<PartnerCategory>,
    /// The restriction as the bulletin words it, if any.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub restriction: Option<String>,
    /// Opened only for a time: a habilitation to it must give `ends_on`.
    pub temporary: bool,
    /// Opened only for services the Caf subsidises: a bulletin line opening it names them.
    pub subsidised_only: bool,
    /// What it sees of a beneficiary's file: required for the profiles of a service that
    /// consults files (CDAP), refused for others.
    #[serde(default)]
    pub view: Option<ViewWrite>,
}

/// What a profile sees of a beneficiary's file, as the Cnaf writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewWrite {
    /// Sections shown, each once: `identity`, `address`, `household`, `professional`,
    /// `resources`, `quotient_familial`, `rights`, `cmg_requests` (kept in file order).
    #[schema(min_items = 1, example = json!(["identity", "household", "quotient_familial"]))]
    pub sections: Vec<String>,
    /// Months back the monthly series go.
    #[schema(minimum = 1, maximum = 120, example = 24)]
    pub months: i64,
    /// Benefits whose rights are shown, each once; all when empty.
    #[serde(default)]
    pub benefits: Vec<String>,
    /// A restriction the consultation applies: `instructor_number`, `own_tenants`,
    /// `rsa_last_two_years`, `cmg_request`.
    #[serde(default)]
    pub restriction: Option<String>,
    /// Whether a file may be found by identity (name and birth date).
    #[serde(default)]
    pub identity_search: bool,
}

impl From<ProfileWrite> for ProfileInput {
    fn from(b: ProfileWrite) -> Self {
        Self {
            code: b.code,
            name: b.name,
            description: b.description,
            eligible_categories: b.eligible_categories.into_iter().map(Into::into).collect(),
            restriction: b.restriction,
            temporary: b.temporary,
            subsidised_only: b.subsidised_only,
            view: b.view.map(|v| ViewInput {
                sections: v.sections,
                months: v.months,
                benefits: v.benefits,
                restriction: v.restriction,
                identity_search: v.identity_search,
            }),
        }
    }
}

/// One profile of a service, as `GET /services/{service_id}` lists it.
fn profile_of(s: &Service, id: Uuid) -> Result<ProfileDto, ApiError> {
    s.profiles
        .iter()
        .find(|p| p.id.uuid() == id)
        .map(|p| ProfileDto::of(s, p))
        .ok_or_else(|| mcp_domain::DomainError::NotFound.into())
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

/// One profile of a service.
#[utoipa::path(
    tag = "catalogue",
    params(
        ("service_id" = Uuid, Path, description = "The service"),
        ("profile_id" = Uuid, Path, description = "The profile"),
    ),
    responses((status = 200, description = "The profile", body = ProfileDto)),
    security(("bearer" = [])),
)]
#[get("/services/{service_id}/profiles/{profile_id}")]
pub async fn get_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (service_id, profile_id) = path.into_inner();
    let s = run(&state, &auth, move |db, ctx| {
        catalogue::get(db, ctx, service_id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(profile_of(&s, profile_id)?))
}

/// Adds a profile to a service (Cnaf operators). Partners may be given it from the next
/// bulletin a Caf records.
#[utoipa::path(
    tag = "catalogue",
    params(("service_id" = Uuid, Path, description = "The service")),
    request_body = ProfileWrite,
    responses((status = 201, description = "Added", body = ProfileDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/services/{service_id}/profiles")]
pub async fn add_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ProfileWrite>,
) -> Result<HttpResponse, ApiError> {
    let service_id = path.into_inner();
    let input = ProfileInput::from(body.into_inner());
    let (s, id) = run(&state, &auth, move |db, ctx| {
        catalogue::add_profile(db, ctx, service_id.into(), &input)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/services/{service_id}/profiles/{}", id.uuid()),
        ))
        .json(profile_of(&s, id.uuid())?))
}

/// Replaces a profile's catalogue entry (Cnaf operators): the categories that may hold it,
/// what the bulletin prints, what it sees of a file. Its code stays. Bulletins already recorded
/// keep their lines; the next amendment of one is checked against the new entry.
#[utoipa::path(
    tag = "catalogue",
    params(
        ("service_id" = Uuid, Path, description = "The service"),
        ("profile_id" = Uuid, Path, description = "The profile"),
    ),
    request_body = ProfileWrite,
    responses((status = 200, description = "Changed", body = ProfileDto)),
    security(("bearer" = [])),
)]
#[put("/services/{service_id}/profiles/{profile_id}")]
pub async fn change_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ProfileWrite>,
) -> Result<HttpResponse, ApiError> {
    let (service_id, profile_id) = path.into_inner();
    let input = ProfileInput::from(body.into_inner());
    let s = run(&state, &auth, move |db, ctx| {
        catalogue::change_profile(db, ctx, service_id.into(), profile_id.into(), &input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(profile_of(&s, profile_id)?))
}

super::page_of!(
    /// The catalogue's services, all on one page.
    ServicePage,
    ServiceDto
);
