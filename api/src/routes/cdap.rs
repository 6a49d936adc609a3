//! CDAP: the Caf loads beneficiaries' files (NDJSON, streamed); partner staff consult a file
//! through their habilitation's view.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use mcp_persistence::use_cases::cdap::{self, ConsultRequest, ImportReport, MAX_LINE_BYTES};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::run;
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;
use mcp_domain::msg;

/// Why a line longer than the limit is refused.
fn too_long() -> mcp_domain::Message {
    msg!(
        "la ligne dépasse {MAX_LINE_BYTES} octets",
        "line longer than {MAX_LINE_BYTES} bytes"
    )
}

/// Lines imported per transaction.
const BATCH: usize = 500;

/// A refused line.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectionDto {
    /// Its number, from 1.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportDto {
    /// Lines read (blank lines not counted).
    pub lines: usize,
    /// Files created.
    pub inserted: usize,
    /// Files changed.
    pub updated: usize,
    /// Files already as given: importing the same lines twice changes nothing.
    pub unchanged: usize,
    /// Lines refused.
    pub rejected: usize,
    /// The first 100 refused lines and why.
    pub rejections: Vec<RejectionDto>,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        Self {
            lines: r.lines,
            inserted: r.inserted,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected: r.rejected,
            rejections: r
                .rejections
                .into_iter()
                .map(|x| RejectionDto {
                    line: x.line,
                    reason: crate::lang::Lang::current().say(&x.reason).to_string(),
                })
                .collect(),
        }
    }
}

async fn flush(
    state: &web::Data<AppState>,
    auth: &Authenticated,
    caf: Uuid,
    batch: &mut Vec<(usize, String)>,
    report: ImportReport,
) -> Result<ImportReport, ApiError> {
    let lines = std::mem::take(batch);
    run(state, auth, move |db, ctx| {
        let mut report = report;
        cdap::import_batch(db, ctx, caf.into(), &lines, &mut report)?;
        Ok(report)
    })
    .await
}

/// Loads beneficiaries' files for your Caf (its administrators): one JSON file per line
/// (`application/x-ndjson`), streamed and imported 500 lines per transaction. Each line is
/// checked; refused lines are reported with their number and reason, the others imported.
/// Idempotent: a file is identified by its numéro allocataire, and a line identical to what is
/// stored changes nothing.
#[utoipa::path(
    tag = "cdap",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    request_body(content = mcp_domain::cdap::BeneficiaryFile, content_type = "application/x-ndjson", description = "Newline-delimited JSON: each line is one `BeneficiaryFile` (the schema describes a line; `mcp generate-files` writes fictitious ones)", example = json!({"numero": "1000001", "identity": {"last_name": "Moreau", "first_name": "Sandrine", "birth_date": "1984-05-17"}, "address": {"line": "12 rue des Tilleuls", "postcode": "77127", "city": "Lieusaint"}, "household": {"situation": "single", "partner": null, "children": [{"last_name": "Moreau", "first_name": "Lucas", "birth_date": "2015-09-02"}]}, "professional": {"status": "job_seeker", "employer": null}, "resources": [{"month": "2026-10-01", "amount": 612.0}], "quotient_familial": [{"month": "2026-10-01", "amount": 480.0}], "rights": [{"benefit": "RSA", "month": "2026-10-01", "amount": 534.82, "landlord_siret": null}, {"benefit": "AL", "month": "2026-10-01", "amount": 298.0, "landlord_siret": "78945612300015"}], "cmg_requests": [], "rsa_instructors": ["RSA-77-0042"]})),
    responses((status = 200, description = "Imported", body = ImportReportDto)),
    security(("bearer" = [])),
)]
#[post("/cafs/{caf_id}/beneficiary-files/import")]
pub async fn import_beneficiary_files(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    req: HttpRequest,
    mut body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let caf = path.into_inner();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-ndjson")
        && !content_type.starts_with("application/jsonl")
    {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            msg!(
                "envoyez un dossier JSON par ligne, en application/x-ndjson",
                "send one JSON file per line as application/x-ndjson"
            ),
        ));
    }
    run(&state, &auth, move |db, ctx| {
        cdap::authorize_import(db, ctx, caf.into())
    })
    .await?;
    let mut report = ImportReport::default();
    let mut batch: Vec<(usize, String)> = Vec::with_capacity(BATCH);
    let mut pending: Vec<u8> = vec![];
    let mut number = 0usize;
    let mut skipping = false;
    let take =
        |raw: &[u8], number: usize, report: &mut ImportReport, batch: &mut Vec<(usize, String)>| {
            match std::str::from_utf8(raw) {
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => batch.push((number, text.trim().to_string())),
                Err(_) => {
                    report.lines += 1;
                    report.reject(
                        number,
                        msg!("la ligne n'est pas encodée en UTF-8", "not UTF-8"),
                    );
                }
            }
        };
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(
                "invalid_body",
                msg!("le corps n'a pu être lu jusqu'au bout ({e})", "{e}"),
            )
        })?;
        for &byte in chunk.iter() {
            if byte == b'\n' {
                number += 1;
                if skipping {
                    report.lines += 1;
                    report.reject(number, too_long());
                } else {
                    take(&pending, number, &mut report, &mut batch);
                }
                pending.clear();
                skipping = false;
            } else if !skipping {
                pending.push(byte);
                if pending.len() > MAX_LINE_BYTES {
                    skipping = true;
                    pending.clear();
                }
            }
        }
        if batch.len() >= BATCH {
            report = flush(&state, &auth, caf, &mut batch, report).await?;
        }
    }
    if skipping || !pending.is_empty() {
        number += 1;
        if skipping {
            report.lines += 1;
            report.reject(number, too_long());
        } else {
            take(&pending, number, &mut report, &mut batch);
        }
    }
    if !batch.is_empty() {
        report = flush(&state, &auth, caf, &mut batch, report).await?;
    }
    Ok(HttpResponse::Ok().json(ImportReportDto::from(report)))
}

/// What a consultation serves.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsultQuery {
    /// The convention mission this consultation serves (required).
    pub mission_id: Uuid,
    /// The CDAP profile to consult with, when you hold several.
    pub profile_id: Option<Uuid>,
    /// Your RSA instructor number (profile T4, required there).
    #[param(max_length = 64)]
    pub instructor_number: Option<String>,
}

/// A file as your profile sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationDto {
    /// Numéro allocataire.
    #[schema(example = "1234567")]
    pub numero: String,
    /// The profile whose view applies.
    #[schema(example = "T13")]
    pub profile: String,
    /// The habilitation used.
    pub habilitation_id: Uuid,
    /// The file through the profile's view: only the sections, months and benefits it may see.
    #[schema(value_type = Object)]
    pub file: serde_json::Value,
}

impl TryFrom<cdap::Consultation> for ConsultationDto {
    type Error = ApiError;
    fn try_from(c: cdap::Consultation) -> Result<Self, ApiError> {
        Ok(Self {
            numero: c.numero,
            profile: c.profile_code,
            habilitation_id: c.habilitation_id.uuid(),
            file: c.file,
        })
    }
}

/// Consults a beneficiary's file through your active CDAP habilitation: the answer holds the
/// fields of your profile's view and nothing else. A file that does not exist and a file outside
/// your profile's restriction (T10 own tenants, T18/T19 RSA in the last two years, T21 CMG
/// request, T4 instructor number) both answer 404. Every consultation is traced — who, which
/// software, which file, profile and mission, outcome — before anything is returned.
#[utoipa::path(
    tag = "cdap",
    params(("numero" = String, Path, description = "Numéro allocataire (7 digits)"), ConsultQuery),
    responses((status = 200, description = "The file, through the view", body = ConsultationDto)),
    security(("bearer" = [])),
)]
#[get("/cdap/files/{numero}")]
pub async fn consult_beneficiary_file(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    query: web::Query<ConsultQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let req = ConsultRequest {
        numero: path.into_inner(),
        mission_id: q.mission_id.into(),
        profile_id: q.profile_id.map(Into::into),
        instructor_number: q.instructor_number,
    };
    let found = run(&state, &auth, move |db, ctx| cdap::consult(db, ctx, &req)).await?;
    let Some(c) = found else {
        return Err(ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "not_found",
            mcp_domain::msg!(
                "aucun dossier de ce numéro n'est accessible à votre profil",
                "no such file within your profile"
            ),
        ));
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ConsultationDto::try_from(c)?))
}

/// A search by identity.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Family name (any case).
    #[param(min_length = 1, max_length = 200)]
    pub last_name: String,
    /// Given name, to narrow the search.
    pub first_name: Option<String>,
    /// Date of birth.
    pub birth_date: chrono::NaiveDate,
    /// The convention mission this search serves (required).
    pub mission_id: Uuid,
    /// The CDAP profile to search with, when you hold several.
    pub profile_id: Option<Uuid>,
}

/// Files found by identity.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// At most 10 files, each through your profile's view, each traced as consulted.
    pub items: Vec<ConsultationDto>,
}

/// Finds files by identity — for the profiles whose bodies do not know the numéro allocataire
/// (T14 pensions, T20 frontier funds; others: 403 `identity_search_not_allowed`). Restrictions
/// and views apply as for a consultation; every file returned is traced, and so is a search
/// that finds nothing.
#[utoipa::path(
    tag = "cdap",
    params(SearchQuery),
    responses((status = 200, description = "Files found", body = SearchResult)),
    security(("bearer" = [])),
)]
#[get("/cdap/files")]
pub async fn search_beneficiary_files(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let req = cdap::SearchRequest {
        last_name: q.last_name,
        first_name: q.first_name,
        birth_date: q.birth_date,
        mission_id: q.mission_id.into(),
        profile_id: q.profile_id.map(Into::into),
    };
    let found = run(&state, &auth, move |db, ctx| cdap::search(db, ctx, &req)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(SearchResult {
            items: found
                .into_iter()
                .map(ConsultationDto::try_from)
                .collect::<Result<_, ApiError>>()?,
        }))
}
