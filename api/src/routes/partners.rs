//! Partners.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::Utc;
use mcp_domain::partner::PartnerData;
use mcp_persistence::use_cases::partners::{self, Partner, PartnerFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::AccountDto;
use super::cafs::AccountPage;
use super::habilitations::ReasonInput;
use super::types::PartnerCategory;
use super::{page_request, run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerDto {
    /// Opaque id.
    pub id: Uuid,
    /// The Caf it signs with.
    pub caf_id: Uuid,
    /// SIRET, 14 digits.
    #[schema(example = "21770251200013")]
    pub siret: String,
    /// Name.
    #[schema(min_length = 1, example = "CCAS de Lieusaint")]
    pub name: String,
    /// Address.
    pub address: String,
    /// Legal representative.
    pub representative_name: String,
    /// Their title.
    pub representative_title: Option<String>,
    /// Category.
    pub category: PartnerCategory,
    /// Registration instant.
    pub created_at: chrono::DateTime<Utc>,
    /// Last change.
    pub updated_at: chrono::DateTime<Utc>,
    /// Since when the Caf manages the partner's habilitations itself (S-art. 2.2.1), if it
    /// took management back: the partner is then managed as in mode centralisé.
    pub management_taken_over_at: Option<chrono::DateTime<Utc>>,
    /// Why it did.
    pub management_takeover_reason: Option<String>,
}

impl TryFrom<Partner> for PartnerDto {
    type Error = ApiError;
    fn try_from(p: Partner) -> Result<Self, ApiError> {
        Ok(Self {
            id: p.id.uuid(),
            caf_id: p.caf_id.uuid(),
            category: p.category().map_err(ApiError::from)?.into(),
            siret: p.siret,
            name: p.name,
            address: p.address,
            representative_name: p.representative_name,
            representative_title: p.representative_title,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
            management_taken_over_at: p.management_taken_over_at.map(utc),
            management_takeover_reason: p.management_takeover_reason,
        })
    }
}

super::page_of!(
    /// A page of partners.
    PartnerPage,
    PartnerDto
);

/// A partner's registration data.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"siret": "21770251200013", "name": "CCAS de Lieusaint", "address": "Place Emile Zola, 77127 Lieusaint", "representative_name": "Michel Bisson", "representative_title": "Président", "category": "ccas"}))]
pub struct PartnerInput {
    /// SIRET: 14 digits with a valid Luhn key (spaces allowed).
    #[schema(example = "217 702 512 00013")]
    pub siret: String,
    /// Legal name.
    #[schema(min_length = 1, max_length = 200, example = "CCAS de Lieusaint")]
    pub name: String,
    /// Address.
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Place Emile Zola, 77127 Lieusaint"
    )]
    pub address: String,
    /// Legal representative who signs.
    #[schema(min_length = 1, max_length = 200, example = "Michel Bisson")]
    pub representative_name: String,
    /// Their title.
    #[schema(max_length = 100, example = "Président")]
    pub representative_title: Option<String>,
    /// Category.
    pub category: PartnerCategory,
}

impl PartnerInput {
    fn check(&self) -> Result<PartnerData, ApiError> {
        let category: mcp_domain::partner::PartnerCategory = self.category.into();
        Ok(PartnerData::new(
            &self.siret,
            &self.name,
            &self.address,
            &self.representative_name,
            self.representative_title.as_deref(),
            category.code(),
        )?)
    }
}

/// Registers a partner of your Caf (Caf administrators).
#[utoipa::path(
    tag = "partners",
    request_body = PartnerInput,
    responses((status = 201, description = "Registered", body = PartnerDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<PartnerInput>,
) -> Result<HttpResponse, ApiError> {
    let data = body.check()?;
    let p = run(&state, &auth, move |db, ctx| {
        partners::create(db, ctx, &data)
    })
    .await?;
    let dto = PartnerDto::try_from(p)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/partners/{}", dto.id)))
        .json(dto))
}

/// Filters and pagination of the partner list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// Only this SIRET.
    pub siret: Option<String>,
    /// Only this category.
    pub category: Option<PartnerCategory>,
    /// Only this Caf's partners (Cnaf).
    pub caf_id: Option<Uuid>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// The partners within your reach.
#[utoipa::path(
    tag = "partners",
    params(PartnerQuery),
    responses((status = 200, description = "A page of partners", body = PartnerPage)),
    security(("bearer" = [])),
)]
#[get("/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<PartnerQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = page_request(q.limit, q.cursor)?;
    let filter = PartnerFilter {
        siret: q.siret.map(|s| s.replace(' ', "")),
        category: q.category.map(Into::into),
        caf_id: q.caf_id.map(Into::into),
    };
    let p = run(&state, &auth, move |db, ctx| {
        partners::list(db, ctx, &filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PartnerPage {
        items: p
            .items
            .into_iter()
            .map(PartnerDto::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor: p.next_cursor,
    }))
}

/// One partner.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "The partner", body = PartnerDto)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}")]
pub async fn get_partner(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let p = run(&state, &auth, move |db, ctx| {
        partners::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(PartnerDto::try_from(p)?))
}

/// Replaces a partner's registration data (Caf administrators of its Caf).
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = PartnerInput,
    responses((status = 200, description = "Updated", body = PartnerDto)),
    security(("bearer" = [])),
)]
#[put("/partners/{partner_id}")]
pub async fn update_partner(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<PartnerInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let data = body.check()?;
    let p = run(&state, &auth, move |db, ctx| {
        partners::update(db, ctx, id.into(), &data)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PartnerDto::try_from(p)?))
}

/// The rank of a partner administrator.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdministratorRank {
    /// Principal administrator (gestionnaire principal d'habilitations).
    Principal,
    /// Deputy (suppléant).
    Deputy,
}

/// A partner administrator to name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rank": "principal", "full_name": "Claire Dupont", "function_title": "Responsable du CCAS", "email": "claire.dupont@ccas-lieusaint.fr", "phone": "01 64 13 55 00"}))]
pub struct NewPartnerAdministrator {
    /// Principal or deputy.
    pub rank: AdministratorRank,
    /// Full name.
    #[schema(min_length = 1, max_length = 200, example = "Claire Dupont")]
    pub full_name: String,
    /// Function.
    #[schema(min_length = 1, max_length = 200, example = "Responsable du CCAS")]
    pub function_title: String,
    /// Individual e-mail (no shared mailbox): where the identifier and activation code go.
    #[schema(
        format = "email",
        min_length = 1,
        max_length = 254,
        example = "claire.dupont@ccas-lieusaint.fr"
    )]
    pub email: String,
    /// Telephone.
    #[schema(example = "01 64 13 55 00")]
    pub phone: Option<String>,
}

/// Names a partner's principal administrator or deputy (Caf administrators, S-art. 2.2.2). The
/// person receives their identifier and activation code by message.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = NewPartnerAdministrator,
    responses((status = 201, description = "Named, pending activation", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/administrators")]
pub async fn name_partner_administrator(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NewPartnerAdministrator>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let person = mcp_domain::person::Person::new(
        &b.full_name,
        &b.function_title,
        &b.email,
        b.phone.as_deref(),
    )?;
    let rank = match b.rank {
        AdministratorRank::Principal => partners::AdministratorRank::Principal,
        AdministratorRank::Deputy => partners::AdministratorRank::Deputy,
    };
    let account = run(&state, &auth, move |db, ctx| {
        partners::name_administrator(db, ctx, id.into(), rank, &person)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Created().json(AccountDto::from(account)))
}

/// A partner's administrators.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Its administrators", body = AccountPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/administrators")]
pub async fn list_partner_administrators(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let accounts = run(&state, &auth, move |db, ctx| {
        partners::administrators(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountPage::whole(
        accounts.into_iter().map(AccountDto::from).collect(),
    )))
}

/// The Caf takes the management of the partner's habilitations back ("supprimer la délégation et
/// reprendre la main", S-art. 2.2.1): a supervision act of the Caf's administrators, no partner
/// signature. Every delegation is withdrawn and, until management is given back, the Caf grants
/// and devalidates while the partner files requests, whatever the contract says. The partner's
/// administrators are told by message.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = ReasonInput,
    responses((status = 200, description = "Taken over", body = PartnerDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/management-takeover")]
pub async fn take_over_partner_management(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let p = run(&state, &auth, move |db, ctx| {
        partners::take_over_management(db, ctx, id.into(), &reason)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(PartnerDto::try_from(p)?))
}

/// The Caf gives the management of the partner's habilitations back: the partner is managed as
/// its contract says again; its administrators give delegations anew.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = ReasonInput,
    responses((status = 200, description = "Given back", body = PartnerDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/management-takeover/withdrawal")]
pub async fn hand_back_partner_management(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let p = run(&state, &auth, move |db, ctx| {
        partners::hand_back_management(db, ctx, id.into(), &reason)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(PartnerDto::try_from(p)?))
}
