//! Cafs and their administrators.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::Utc;
use mcp_domain::caf::CafData;
use mcp_domain::person::Person;
use mcp_persistence::use_cases::cafs::{self, Caf};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::AccountDto;
use super::{run, utc, PageQuery};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A Caf.
#[derive(Debug, Serialize, ToSchema)]
pub struct CafDto {
    /// Opaque id.
    pub id: Uuid,
    /// Three-digit number.
    #[schema(example = "761")]
    pub code: String,
    /// Name.
    #[schema(min_length = 1, example = "Caf de la Seine-Maritime")]
    pub name: String,
    /// Address.
    pub address: String,
    /// Director, who signs conventions.
    pub director_name: String,
    /// Registration instant.
    pub created_at: chrono::DateTime<Utc>,
    /// Last change.
    pub updated_at: chrono::DateTime<Utc>,
    /// Whether the Caf requires a second factor of its administrators and its partners' staff.
    pub second_factor_required: bool,
}

impl From<Caf> for CafDto {
    fn from(c: Caf) -> Self {
        Self {
            id: c.id.uuid(),
            code: c.code,
            name: c.name,
            address: c.address,
            director_name: c.director_name,
            created_at: utc(c.created_at),
            updated_at: utc(c.updated_at),
            second_factor_required: c.second_factor_required,
        }
    }
}

super::page_of!(
    /// A page of Cafs.
    CafPage,
    CafDto
);

/// A Caf to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "761", "name": "Caf de la Seine-Maritime", "address": "65 avenue Jean Rondeaux, CS 86017, 76017 Rouen Cedex", "director_name": "Nathalie Lefèvre"}))]
pub struct CreateCaf {
    /// Three-digit number.
    #[schema(pattern = "^[0-9]{3}$", example = "761")]
    pub code: String,
    /// Name.
    #[schema(min_length = 1, max_length = 200, example = "Caf de la Seine-Maritime")]
    pub name: String,
    /// Address.
    #[schema(
        max_length = 500,
        example = "65 avenue Jean Rondeaux, CS 86017, 76017 Rouen Cedex"
    )]
    pub address: String,
    /// Director.
    #[schema(min_length = 1, max_length = 200)]
    pub director_name: String,
}

/// Registers a Caf (Cnaf operators).
#[utoipa::path(
    tag = "cafs",
    request_body = CreateCaf,
    responses((status = 201, description = "Registered", body = CafDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/cafs")]
pub async fn create_caf(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<CreateCaf>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let data = CafData::new(&b.code, &b.name, &b.address, &b.director_name)?;
    let caf = run(&state, &auth, move |db, ctx| cafs::create(db, ctx, &data)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/cafs/{}", caf.id)))
        .json(CafDto::from(caf)))
}

/// The Cafs within your reach: all for the Cnaf, your own for a Caf administrator.
#[utoipa::path(
    tag = "cafs",
    params(PageQuery),
    responses((status = 200, description = "A page of Cafs", body = CafPage)),
    security(("bearer" = [])),
)]
#[get("/cafs")]
pub async fn list_cafs(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.request()?;
    let p = run(&state, &auth, move |db, ctx| cafs::list(db, ctx, &page)).await?;
    Ok(HttpResponse::Ok().json(CafPage {
        items: p.items.into_iter().map(CafDto::from).collect(),
        next_cursor: p.next_cursor,
    }))
}

/// One Caf.
#[utoipa::path(
    tag = "cafs",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    responses((status = 200, description = "The Caf", body = CafDto)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}")]
pub async fn get_caf(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let caf = run(&state, &auth, move |db, ctx| cafs::get(db, ctx, id.into())).await?;
    Ok(HttpResponse::Ok().json(CafDto::from(caf)))
}

/// Replaces a Caf's registration data (Cnaf operators): a new director, a move.
#[utoipa::path(
    tag = "cafs",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    request_body = CreateCaf,
    responses((status = 200, description = "Updated", body = CafDto)),
    security(("bearer" = [])),
)]
#[put("/cafs/{caf_id}")]
pub async fn update_caf(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<CreateCaf>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let data = CafData::new(&b.code, &b.name, &b.address, &b.director_name)?;
    let caf = run(&state, &auth, move |db, ctx| {
        cafs::update(db, ctx, id.into(), &data)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CafDto::from(caf)))
}

/// A person to register as an account holder. Their identifier is generated and their one-time
/// activation code is sent to them, never to whoever registers them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Anne Martin", "function_title": "Administratrice des habilitations", "email": "anne.martin@caf76.example", "phone": "02 35 00 00 00"}))]
pub struct NewPerson {
    /// Full name.
    #[schema(min_length = 1, max_length = 200, example = "Anne Martin")]
    pub full_name: String,
    /// Function.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Administratrice des habilitations"
    )]
    pub function_title: String,
    /// Individual e-mail (no shared mailbox).
    #[schema(
        format = "email",
        min_length = 1,
        max_length = 254,
        example = "anne.martin@caf76.example"
    )]
    pub email: String,
    /// Telephone.
    #[schema(example = "02 35 00 00 00")]
    pub phone: Option<String>,
}

impl NewPerson {
    /// The person, checked (422 with the fields at fault otherwise).
    pub fn person(&self) -> Result<Person, ApiError> {
        Ok(Person::new(
            &self.full_name,
            &self.function_title,
            &self.email,
            self.phone.as_deref(),
        )?)
    }
}

/// Registers an administrator of a Caf (Cnaf operators). The person receives their identifier
/// and activation code by message.
#[utoipa::path(
    tag = "cafs",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    request_body = NewPerson,
    responses((status = 201, description = "Registered, pending activation", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/cafs/{caf_id}/administrators")]
pub async fn add_caf_administrator(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    let caf_id = path.into_inner();
    let b = body.into_inner();
    let person = b.person()?;
    let account = run(&state, &auth, move |db, ctx| {
        cafs::add_administrator(db, ctx, caf_id.into(), &person)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Created().json(AccountDto::from(account)))
}

super::page_of!(
    /// A page of accounts.
    AccountPage,
    AccountDto
);

/// The administrators of a Caf.
#[utoipa::path(
    tag = "cafs",
    params(("caf_id" = Uuid, Path, description = "The Caf"), PageQuery),
    responses((status = 200, description = "A page of administrators", body = AccountPage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/administrators")]
pub async fn list_caf_administrators(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caf_id = path.into_inner();
    let page = q.request()?;
    let p = run(&state, &auth, move |db, ctx| {
        cafs::administrators(db, ctx, caf_id.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountPage {
        items: p.items.into_iter().map(AccountDto::from).collect(),
        next_cursor: p.next_cursor,
    }))
}

/// What a Caf requires of the sign-in of its staff.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"required": true}))]
pub struct SecondFactorRequirement {
    /// Whether the Caf's administrators and its partners' staff must use a second factor.
    pub required: bool,
}

/// The result of a change of requirement.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorRequirementResult {
    /// The Caf.
    pub caf: CafDto,
    /// How many accounts without a second factor were restricted to their own account until
    /// they enrol one.
    pub accounts_restricted: usize,
}

/// Requires (or stops requiring) a TOTP second factor of the Caf's administrators and of its
/// partners' staff, whatever their contracts say (the Caf's administrators for their Caf, the
/// Cnaf for any). Those who have none are restricted to their own account from their next
/// request until they enrol one.
#[utoipa::path(
    tag = "cafs",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    request_body = SecondFactorRequirement,
    responses((status = 200, description = "Changed", body = SecondFactorRequirementResult)),
    security(("bearer" = [])),
)]
#[put("/cafs/{caf_id}/second-factor-requirement")]
pub async fn set_second_factor_requirement(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<SecondFactorRequirement>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let required = body.required;
    let (caf, restricted) = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::cafs::set_second_factor_requirement(
            db,
            ctx,
            id.into(),
            required,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(SecondFactorRequirementResult {
        caf: CafDto::from(caf),
        accounts_restricted: restricted,
    }))
}
