//! A partner's users and habilitations as files its administrators open in a spreadsheet
//! (`crate::csv`: French by default, English with `Accept-Language: en`).

use actix_web::{get, web, HttpRequest, HttpResponse};
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::vocabulary::{AccountStatus, AdministratorRank, HolderKind};
use mcp_persistence::use_cases::habilitations::{self as habs, HabilitationFilter};
use mcp_persistence::use_cases::staff;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::habilitations::HabilitationStatusDto;
use super::run;
use crate::auth::Authenticated;
use crate::csv::CsvDialect;
use crate::problem::ApiError;
use crate::state::AppState;

/// The users file's columns: (English name, French heading).
const USER_COLUMNS: [(&str, &str); 9] = [
    ("identifier", "Identifiant"),
    ("full_name", "Nom et prénom"),
    ("function_title", "Fonction"),
    ("role", "Rôle"),
    ("email", "Adresse électronique"),
    ("phone", "Téléphone"),
    ("status", "Statut"),
    ("created_at", "Créé le (UTC)"),
    ("id", "Référence du compte"),
];

/// The habilitations file's columns.
const HABILITATION_COLUMNS: [(&str, &str); 10] = [
    ("holder_name", "Titulaire"),
    ("holder_kind", "Type de titulaire"),
    ("profile", "Profil"),
    ("status", "Statut"),
    ("granted_at", "Accordée le (UTC)"),
    ("ends_on", "Fin prévue"),
    ("last_used_at", "Dernière utilisation (UTC)"),
    ("status_reason", "Motif du statut"),
    ("mission_id", "Mission"),
    ("id", "Référence de l'habilitation"),
];

fn csv(body: String, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body)
}

/// Every member of the partner's staff, as a CSV file for a spreadsheet (its managers, the Caf,
/// the Cnaf): identifier, name, function, role, contact, status, creation. Opens as is in a
/// French spreadsheet (byte-order mark, `;`, French headings and labels, `jj/mm/aaaa` dates);
/// with `Accept-Language: en`, `,`, English column names, codes and RFC 3339 instants. The export
/// is traced (`partner.staff_exported`).
#[utoipa::path(
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "The partner's staff, one line each", content_type = "text/csv", body = String)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/users/export")]
pub async fn export_partner_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let dialect = CsvDialect::of(&req);
    let partner = path.into_inner();
    let staff = run(&state, &auth, move |db, ctx| {
        staff::export_staff(db, ctx, partner.into())
    })
    .await?;
    let mut out = dialect.head(&USER_COLUMNS);
    for a in staff {
        let role = match AdministratorRank::from_code(a.administrator_rank.as_deref().unwrap_or(""))
        {
            Some(rank) => dialect.pick(rank.code(), rank.in_french()),
            None => dialect.pick(&a.role, "Utilisateur"),
        };
        let status = AccountStatus::from_code(&a.status)
            .ok_or_else(|| ApiError::internal("an account's stored status"))?;
        let created = dialect.instant(a.created_at);
        let id = a.id.to_string();
        out.push_str(&dialect.line(&[
            Some(&a.identifier),
            Some(&a.full_name),
            Some(&a.function_title),
            Some(role),
            Some(&a.email),
            a.phone.as_deref(),
            Some(dialect.pick(status.code(), status.in_french())),
            Some(&created),
            Some(&id),
        ]));
    }
    Ok(csv(out, "utilisateurs"))
}

/// Filters of the habilitations file.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HabilitationExportQuery {
    /// Only this status (all by default).
    pub status: Option<HabilitationStatusDto>,
    /// Only this profile.
    pub profile_id: Option<Uuid>,
}

/// Every habilitation of the partner, as a CSV file for a spreadsheet (its managers, the Caf, the
/// Cnaf): holder, profile, status, grant, planned end, last use. The list an administrator
/// checks in the yearly reverse review. French by default, English with `Accept-Language: en`,
/// as the users file. The export is traced (`partner.habilitations_exported`).
#[utoipa::path(
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner"), HabilitationExportQuery),
    responses((status = 200, description = "The partner's habilitations, one line each", content_type = "text/csv", body = String)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/habilitations/export")]
pub async fn export_habilitations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<HabilitationExportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let dialect = CsvDialect::of(&req);
    let q = query.into_inner();
    let filter = HabilitationFilter {
        status: q.status.map(Into::into),
        profile_id: q.profile_id.map(Into::into),
        holder: None,
    };
    let partner = path.into_inner();
    let views = run(&state, &auth, move |db, ctx| {
        habs::export(db, ctx, partner.into(), &filter)
    })
    .await?;
    let stored = || ApiError::internal("a habilitation's stored code");
    let mut out = dialect.head(&HABILITATION_COLUMNS);
    for v in views {
        let h = &v.habilitation;
        let kind = HolderKind::from_code(&h.holder_kind).ok_or_else(stored)?;
        let status = HabilitationStatus::from_code(&h.status).ok_or_else(stored)?;
        let granted = dialect.instant(h.granted_at);
        let ends = h.ends_on.map(|d| dialect.date(d));
        let used = h.last_used_at.map(|t| dialect.instant(t));
        let (mission, id) = (h.mission_id.to_string(), h.id.to_string());
        out.push_str(&dialect.line(&[
            Some(&v.holder_name),
            Some(dialect.pick(kind.code(), kind.in_french())),
            Some(&v.profile_code),
            Some(dialect.pick(status.code(), status.in_french())),
            Some(&granted),
            ends.as_deref(),
            used.as_deref(),
            h.status_reason.as_deref(),
            Some(&mission),
            Some(&id),
        ]));
    }
    Ok(csv(out, "habilitations"))
}
