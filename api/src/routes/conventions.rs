//! Conventions, their life and their service contract (their amendments: `amendments.rs`).

use actix_web::{get, patch, post, put, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use mcp_domain::convention::TerminationNotice;
use mcp_persistence::use_cases::conventions::{
    self, ContractTerms, Convention, ConventionChange, NewConvention,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::types::{
    AmendmentInput, Contact, ConventionStatus, ManagementMode, Party, PasswordPolicy,
    ServiceCentreTerms, TerminationKind,
};
use super::{run, utc, PageQuery};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A mission of the convention (C-art. 8): a purpose for which staff may access data.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissionDto {
    /// Opaque id, named by the habilitations that serve it.
    pub id: Uuid,
    /// The purpose.
    #[schema(example = "Instruction des dossiers FSL")]
    pub label: String,
}

/// One yearly term; the convention renews tacitly at its end (C-art. 17.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TermDto {
    /// 1 for the first year, 2 after the first renewal…
    pub number: u32,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day; the next term starts the day after unless terminated.
    pub ends_on: NaiveDate,
}

/// A notified termination.
#[derive(Debug, Serialize, ToSchema)]
pub struct TerminationDto {
    /// Unilateral or for breach.
    pub kind: TerminationKind,
    /// Who sent the letter or formal notice.
    pub initiated_by: Party,
    /// When the other party received it.
    pub received_on: NaiveDate,
    /// The date asked for (unilateral).
    pub requested_on: Option<NaiveDate>,
    /// When it takes effect: the requested date but never less than 3 months after receipt
    /// (unilateral), or one month after the formal notice (breach).
    pub effective_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// A convention.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConventionDto {
    /// Opaque id.
    pub id: Uuid,
    /// Business number.
    #[schema(min_length = 1, example = "761-2026-0042")]
    pub number: String,
    /// The Caf.
    pub caf_id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// Who signs for the Caf.
    pub caf_signatory: String,
    /// Who signs for the partner.
    pub partner_signatory: String,
    /// Number of the last amendment (0: as signed).
    pub version: i32,
    /// Status today, computed from the dates below.
    pub status: ConventionStatus,
    /// Whether the partner's staff may use services today (signed, RGPD formalities completed,
    /// not terminated).
    pub access_open: bool,
    /// Partner's signature.
    pub partner_signed_on: Option<NaiveDate>,
    /// Caf's signature.
    pub caf_signed_on: Option<NaiveDate>,
    /// The day it took effect: the later signature.
    pub effective_since: Option<NaiveDate>,
    /// Completion of the RGPD formalities.
    pub rgpd_completed_on: Option<NaiveDate>,
    /// The yearly term running today.
    pub current_term: Option<TermDto>,
    /// The notified termination, if any.
    pub termination: Option<TerminationDto>,
    /// Missions (C-art. 8).
    pub missions: Vec<MissionDto>,
    /// Creation instant.
    pub created_at: chrono::DateTime<Utc>,
    /// Last change.
    pub updated_at: chrono::DateTime<Utc>,
}

impl ConventionDto {
    fn from(c: Convention, today: NaiveDate) -> Result<Self, ApiError> {
        let life = &c.life;
        Ok(Self {
            id: c.row.id.uuid(),
            caf_id: c.row.caf_id.uuid(),
            partner_id: c.row.partner_id.uuid(),
            status: life.status(today).into(),
            access_open: life.access_open(today),
            effective_since: life.effective_since(),
            current_term: life.term_at(today).map(|t| TermDto {
                number: t.number,
                starts_on: t.starts_on,
                ends_on: t.ends_on,
            }),
            termination: life.termination.clone().map(|t| TerminationDto {
                kind: t.kind.into(),
                initiated_by: t.initiated_by.into(),
                received_on: t.received_on,
                requested_on: t.requested_on,
                effective_on: t.effective_on,
                reason: t.reason,
            }),
            missions: c
                .missions
                .iter()
                .map(|m| {
                    Ok(MissionDto {
                        id: m.id.uuid(),
                        label: m.label.clone(),
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            number: c.row.number,
            caf_signatory: c.row.caf_signatory,
            partner_signatory: c.row.partner_signatory,
            version: c.row.version,
            partner_signed_on: c.row.partner_signed_on,
            caf_signed_on: c.row.caf_signed_on,
            rgpd_completed_on: c.row.rgpd_completed_on,
            created_at: utc(c.row.created_at),
            updated_at: utc(c.row.updated_at),
        })
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn respond(c: Convention) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ConventionDto::from(c, today())?))
}

super::page_of!(
    /// A page of conventions.
    ConventionPage,
    ConventionDto
);

/// The terms of a service contract.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractTermsInput {
    /// Management mode; `delegue` unless the Caf decides otherwise.
    #[serde(default = "default_mode")]
    pub management_mode: ManagementMode,
    /// Password policy; 12 characters of 4 classes when absent.
    pub password_policy: Option<PasswordPolicy>,
    /// Annex-1 contacts.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Whether the partner's staff must use a second factor (TOTP) to sign in.
    #[serde(default)]
    pub second_factor_required: bool,
    /// The partner's own e-mail domains: every account of its staff then has an address in one
    /// of them or a subdomain (422 `email_outside_partner_domains` otherwise). Empty: any.
    #[serde(default)]
    #[schema(max_items = 20, example = json!(["ville-lieusaint.fr", "ccas-lieusaint.fr"]))]
    pub email_domains: Vec<String>,
    /// The Caf service centre's hours and the escalation delay; Monday to Friday, 9 h to 16 h,
    /// ten days, when absent (the Lieusaint contract).
    pub service_centre: Option<ServiceCentreTerms>,
}

fn default_mode() -> ManagementMode {
    ManagementMode::Delegue
}

impl From<ContractTermsInput> for ContractTerms {
    fn from(t: ContractTermsInput) -> Self {
        Self {
            management_mode: t.management_mode.into(),
            password_policy: t.password_policy.map(Into::into).unwrap_or_default(),
            contacts: t.contacts.into_iter().map(Into::into).collect(),
            second_factor_required: t.second_factor_required,
            email_domains: t.email_domains,
            service_centre: t.service_centre.map(Into::into).unwrap_or_default(),
        }
    }
}

/// A convention to draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "number": "761-2026-0042",
    "missions": ["Instruction des dossiers FSL", "Accompagnement social des familles"],
    "contract": {"management_mode": "delegue", "contacts": [
        {"side": "partner", "role": "principal_administrator", "name": "Claire Dupont", "email": "claire.dupont@ccas-lieusaint.fr", "phone": "01 64 13 55 00"}
    ]}
}))]
pub struct CreateConvention {
    /// Business number, unique.
    #[schema(min_length = 1, max_length = 50, pattern = "^[A-Za-z0-9/._-]+$")]
    pub number: String,
    /// Caf signatory; the Caf's director when absent.
    #[schema(max_length = 200)]
    pub caf_signatory: Option<String>,
    /// Partner signatory; the partner's representative when absent.
    #[schema(max_length = 200)]
    pub partner_signatory: Option<String>,
    /// Missions (C-art. 8), at least one.
    #[schema(min_items = 1, max_items = 50)]
    pub missions: Vec<String>,
    /// Service-contract terms; defaults when absent.
    pub contract: Option<ContractTermsInput>,
}

/// Drafts a convention with a partner of your Caf.
#[utoipa::path(
    tag = "conventions",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = CreateConvention,
    responses((status = 201, description = "Drafted", body = ConventionDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/conventions")]
pub async fn create_convention(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<CreateConvention>,
) -> Result<HttpResponse, ApiError> {
    let partner_id = path.into_inner();
    let b = body.into_inner();
    let new = NewConvention {
        number: b.number,
        caf_signatory: b.caf_signatory,
        partner_signatory: b.partner_signatory,
        missions: b.missions,
        contract: b.contract.map(Into::into),
    };
    let c = run(&state, &auth, move |db, ctx| {
        conventions::create(db, ctx, partner_id.into(), new)
    })
    .await?;
    let dto = ConventionDto::from(c, today())?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/conventions/{}", dto.id)))
        .json(dto))
}

/// A partner's conventions.
#[utoipa::path(
    tag = "conventions",
    params(("partner_id" = Uuid, Path, description = "The partner"), PageQuery),
    responses((status = 200, description = "A page of conventions", body = ConventionPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/conventions")]
pub async fn list_partner_conventions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let partner_id = path.into_inner();
    let page = q.request()?;
    let p = run(&state, &auth, move |db, ctx| {
        conventions::list_for_partner(db, ctx, partner_id.into(), &page)
    })
    .await?;
    let today = today();
    Ok(HttpResponse::Ok().json(ConventionPage {
        items: p
            .items
            .into_iter()
            .map(|c| ConventionDto::from(c, today))
            .collect::<Result<_, _>>()?,
        next_cursor: p.next_cursor,
    }))
}

/// One convention, with its status and current term computed for today.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    responses((status = 200, description = "The convention", body = ConventionDto)),
    security(("bearer" = [])),
)]
#[get("/conventions/{convention_id}")]
pub async fn get_convention(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    respond(
        run(&state, &auth, move |db, ctx| {
            conventions::get(db, ctx, id.into())
        })
        .await?,
    )
}

/// Changes to signatories or missions. On a signed convention, an `amendment` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"missions": ["Instruction des dossiers FSL", "Accompagnement social des familles"], "caf_signatory": "Nathalie Lefèvre, directrice", "partner_signatory": "Michel Bisson, président", "amendment": {"summary": "Nouvelle mission d'accompagnement", "caf_signed_on": "2026-11-20", "partner_signed_on": "2026-11-18"}}))]
pub struct UpdateConvention {
    /// New Caf signatory.
    #[schema(max_length = 200)]
    pub caf_signatory: Option<String>,
    /// New partner signatory.
    #[schema(max_length = 200)]
    pub partner_signatory: Option<String>,
    /// The new full list of missions; missions left out are withdrawn (and kept in history).
    #[schema(min_items = 1, max_items = 50)]
    pub missions: Option<Vec<String>>,
    /// Required once the convention is signed; refused on a draft.
    pub amendment: Option<AmendmentInput>,
}

/// Changes a convention's signatories or missions: directly on a draft, by amendment once signed.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = UpdateConvention,
    responses((status = 200, description = "Changed", body = ConventionDto)),
    security(("bearer" = [])),
)]
#[patch("/conventions/{convention_id}")]
pub async fn update_convention(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<UpdateConvention>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let change = ConventionChange {
        caf_signatory: b.caf_signatory,
        partner_signatory: b.partner_signatory,
        missions: b.missions,
    };
    let amendment = b.amendment.map(Into::into);
    respond(
        run(&state, &auth, move |db, ctx| {
            conventions::update(db, ctx, id.into(), change, amendment)
        })
        .await?
        .0,
    )
}

/// Both signatures.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"partner_signed_on": "2026-10-02", "caf_signed_on": "2026-10-09"}))]
pub struct SignatureInput {
    /// Partner's signature date.
    pub partner_signed_on: NaiveDate,
    /// Caf's signature date.
    pub caf_signed_on: NaiveDate,
}

/// Records both signatures; the convention takes effect at the later one, but opens access only
/// once the RGPD formalities are completed.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = SignatureInput,
    responses((status = 200, description = "Signed", body = ConventionDto)),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/signature")]
pub async fn sign_convention(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<SignatureInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    respond(
        run(&state, &auth, move |db, ctx| {
            conventions::sign(db, ctx, id.into(), b.partner_signed_on, b.caf_signed_on)
        })
        .await?,
    )
}

/// Completion of the RGPD formalities.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"completed_on": "2026-11-15"}))]
pub struct RgpdInput {
    /// When they were completed.
    pub completed_on: NaiveDate,
}

/// Records that the RGPD formalities are completed: access opens (C-art. 17.1).
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = RgpdInput,
    responses((status = 200, description = "Recorded", body = ConventionDto)),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/rgpd-completion")]
pub async fn complete_rgpd_formalities(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<RgpdInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let on = body.into_inner().completed_on;
    respond(
        run(&state, &auth, move |db, ctx| {
            conventions::complete_rgpd(db, ctx, id.into(), on)
        })
        .await?,
    )
}

/// A termination letter (unilateral) or formal notice (breach).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "unilateral", "initiated_by": "partner", "received_on": "2026-11-20", "requested_on": "2026-12-31", "reason": "Fin du dispositif FSL communal"}))]
pub struct TerminationInput {
    /// Unilateral or for breach.
    pub kind: TerminationKind,
    /// Who sent it.
    pub initiated_by: Party,
    /// When the other party received it (registered letter, formal notice).
    pub received_on: NaiveDate,
    /// Effective date asked for (unilateral only); moved to 3 months after receipt if earlier.
    pub requested_on: Option<NaiveDate>,
    /// Why.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Records a termination; the response gives the date it takes effect. Terminating the
/// convention terminates its contract and subscriptions on that date.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = TerminationInput,
    responses((status = 200, description = "Recorded", body = ConventionDto)),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/termination")]
pub async fn notify_termination(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<TerminationInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let notice = TerminationNotice {
        kind: b.kind.into(),
        initiated_by: b.initiated_by.into(),
        received_on: b.received_on,
        requested_on: b.requested_on,
        reason: b.reason,
    };
    respond(
        run(&state, &auth, move |db, ctx| {
            conventions::notify_termination(db, ctx, id.into(), notice)
        })
        .await?,
    )
}

/// Why a pending termination is withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "La délégation n'a plus lieu d'être : l'agent a changé de service"}))]
pub struct WithdrawalInput {
    /// The letter was withdrawn, or the breach remedied within the month.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Withdraws a termination before it takes effect.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = WithdrawalInput,
    responses((status = 200, description = "Withdrawn", body = ConventionDto)),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/termination/withdrawal")]
pub async fn withdraw_termination(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<WithdrawalInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    respond(
        run(&state, &auth, move |db, ctx| {
            conventions::withdraw_termination(db, ctx, id.into(), &reason)
        })
        .await?,
    )
}

/// The service contract taken in application of a convention.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractDto {
    /// Its convention.
    pub convention_id: Uuid,
    /// Management mode.
    pub management_mode: ManagementMode,
    /// Password policy.
    pub password_policy: PasswordPolicy,
    /// Annex-1 contacts.
    pub contacts: Vec<Contact>,
    /// Whether the partner's staff must use a second factor to sign in.
    pub second_factor_required: bool,
    /// The partner's own e-mail domains, normalised (empty: any address).
    pub email_domains: Vec<String>,
    /// The Caf service centre's hours and the escalation delay.
    pub service_centre: ServiceCentreTerms,
    /// The convention's version (number of its last amendment).
    pub version: i32,
    /// Status of the convention, which the contract follows.
    pub status: ConventionStatus,
}

fn contract_dto(c: &Convention) -> Result<ContractDto, ApiError> {
    Ok(ContractDto {
        convention_id: c.row.id.uuid(),
        management_mode: c.row.management_mode()?.into(),
        password_policy: c.row.password_policy()?.into(),
        contacts: c.row.contacts()?.into_iter().map(Into::into).collect(),
        second_factor_required: c.row.second_factor_required,
        email_domains: c.row.email_domains()?.domains().to_vec(),
        service_centre: c.row.service_centre()?.into(),
        version: c.row.version,
        status: c.life.status(today()).into(),
    })
}

/// The service contract of a convention.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    responses((status = 200, description = "The contract", body = ContractDto)),
    security(("bearer" = [])),
)]
#[get("/conventions/{convention_id}/contract")]
pub async fn get_service_contract(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let c = run(&state, &auth, move |db, ctx| {
        conventions::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(contract_dto(&c)?))
}

/// New terms of a service contract. On a signed convention, an `amendment` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"second_factor_required": true, "email_domains": ["ville-lieusaint.fr", "ccas-lieusaint.fr"], "amendment": {"summary": "Second facteur exigé pour tous les agents", "caf_signed_on": "2026-11-20", "partner_signed_on": "2026-11-18"}}))]
pub struct UpdateContract {
    /// Management mode; unchanged when left out (as is every field below).
    pub management_mode: Option<ManagementMode>,
    /// Password policy.
    pub password_policy: Option<PasswordPolicy>,
    /// Annex-1 contacts (the whole list).
    pub contacts: Option<Vec<Contact>>,
    /// Whether the partner's staff must use a second factor (TOTP) to sign in.
    pub second_factor_required: Option<bool>,
    /// The partner's own e-mail domains (the whole list; empty: any address). Accounts that
    /// exist keep their address; new ones are created within these domains.
    #[schema(max_items = 20, example = json!(["ville-lieusaint.fr"]))]
    pub email_domains: Option<Vec<String>>,
    /// The Caf service centre's hours and the escalation delay (all of it).
    pub service_centre: Option<ServiceCentreTerms>,
    /// Required once the convention is signed; refused on a draft.
    pub amendment: Option<AmendmentInput>,
}

/// Changes the contract's terms given (those left out keep their value): directly on a draft,
/// by amendment once signed (a change of management mode included).
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = UpdateContract,
    responses((status = 200, description = "Changed", body = ContractDto)),
    security(("bearer" = [])),
)]
#[put("/conventions/{convention_id}/contract")]
pub async fn update_service_contract(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<UpdateContract>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let amendment = b.amendment.map(Into::into);
    let change = conventions::ContractChange {
        management_mode: b.management_mode.map(Into::into),
        password_policy: b.password_policy.map(Into::into),
        contacts: b.contacts.map(|c| c.into_iter().map(Into::into).collect()),
        second_factor_required: b.second_factor_required,
        email_domains: b.email_domains,
        service_centre: b.service_centre.map(Into::into),
    };
    let (c, _) = run(&state, &auth, move |db, ctx| {
        conventions::update_contract(db, ctx, id.into(), change, amendment)
    })
    .await?;
    Ok(HttpResponse::Ok().json(contract_dto(&c)?))
}
