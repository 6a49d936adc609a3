//! Reading traces within one's perimeter (auditors; a partner's administrators for their
//! organisation), exporting them, producing a person's own traces.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::stream;
use mcp_domain::vocabulary::TraceAction;
use mcp_persistence::use_cases::trace::{SubjectAccess, Trace, TraceFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::AccountDto;
use super::{blocking, page_request, run, stored_id, utc};
use crate::auth::Authenticated;
use crate::csv::CsvDialect;
use crate::problem::ApiError;
use crate::state::AppState;

/// One traced action.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceDto {
    /// Opaque id, time-ordered.
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// The `X-Request-Id` of the request.
    pub request_id: Option<String>,
    /// The person who acted.
    pub actor_account_id: Option<Uuid>,
    /// Their role.
    pub actor_role: Option<String>,
    /// Their organisation's kind: `cnaf`, `caf`, `partner`.
    pub organisation_kind: Option<String>,
    /// Their organisation.
    pub organisation_id: Option<Uuid>,
    /// What was done: `partner.created`, `auth.login`…
    #[schema(example = "partner.created")]
    pub action: String,
    /// Kind of object.
    pub target_type: Option<String>,
    /// The object.
    pub target_id: Option<Uuid>,
    /// The Caf whose perimeter the object is in.
    pub caf_id: Option<Uuid>,
    /// The partner whose perimeter the object is in.
    pub partner_id: Option<Uuid>,
    /// The beneficiary file (numéro allocataire) a consultation asked for.
    pub file_number: Option<String>,
    /// The partner software that acted for the person, if any.
    pub client_id: Option<Uuid>,
    /// `success` or `denied`.
    pub outcome: String,
    /// What changed.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The chain it is sealed in, its perimeter's: `partner:<id>`, `caf:<id>`, `national`
    /// (`global` for traces written before chains were per perimeter); absent in a
    /// habilitation's kept history.
    #[schema(example = "partner:0192f3a4-5b6c-7d8e-9f00-112233445566")]
    pub chain: Option<String>,
    /// Position in its chain (absent in a habilitation's kept history).
    pub seq: Option<i64>,
    /// SHA-256 of the previous trace's hash and this trace's content, hex.
    pub hash: Option<String>,
}

/// A stored optional id as a UUID (absent when it does not read as one).
pub(super) fn opt_uuid(s: Option<String>) -> Option<Uuid> {
    s.and_then(|s| Uuid::parse_str(&s).ok())
}

impl TryFrom<Trace> for TraceDto {
    type Error = ApiError;
    fn try_from(t: Trace) -> Result<Self, ApiError> {
        Ok(Self {
            id: stored_id(&t.id)?,
            occurred_at: utc(t.occurred_at),
            request_id: t.request_id,
            actor_account_id: opt_uuid(t.actor_account_id),
            actor_role: t.actor_role,
            organisation_kind: t.organisation_kind,
            organisation_id: opt_uuid(t.organisation_id),
            action: t.action,
            target_type: t.target_type,
            target_id: opt_uuid(t.target_id),
            caf_id: opt_uuid(t.caf_id),
            partner_id: opt_uuid(t.partner_id),
            file_number: t.file_number,
            client_id: opt_uuid(t.client_id),
            outcome: t.outcome,
            detail: serde_json::from_str(&t.detail).map_err(ApiError::internal)?,
            chain: t.seq.map(|_| t.chain),
            seq: t.seq,
            hash: t.hash,
        })
    }
}

super::page_of!(
    /// A page of traces.
    TracePage,
    TraceDto
);

/// Order of traces.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TraceOrder {
    /// Oldest first.
    #[default]
    Oldest,
    /// Newest first.
    Newest,
}

/// Filters of traces, all optional and combined.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TraceQuery {
    /// Only traces about this object.
    pub target_id: Option<Uuid>,
    /// Only traces by this person.
    pub actor_account_id: Option<Uuid>,
    /// Only this action.
    #[param(max_length = 100)]
    pub action: Option<String>,
    /// Only this request.
    #[param(max_length = 200)]
    pub request_id: Option<String>,
    /// Only actions made through this partner software.
    pub client_id: Option<Uuid>,
    /// Only consultations of this beneficiary file (numéro allocataire).
    #[param(max_length = 64)]
    pub file_number: Option<String>,
    /// Only traces from this instant on (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only traces before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// `oldest` (default) or `newest` first.
    #[param(inline)]
    pub order: Option<TraceOrder>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

impl TraceQuery {
    /// Checks the filters and gives them to persistence.
    fn filter(&self) -> Result<TraceFilter, ApiError> {
        let too_long = |v: &Option<String>, max: usize| v.as_deref().is_some_and(|v| v.len() > max);
        if too_long(&self.action, 100)
            || too_long(&self.request_id, 200)
            || too_long(&self.file_number, 64)
        {
            return Err(ApiError::bad_request(
                "invalid_query",
                mcp_domain::msg!(
                    "action (100), request_id (200) et file_number (64) ont une longueur maximale",
                    "action (100), request_id (200) and file_number (64) have a maximum length"
                ),
            ));
        }
        if let Some(action) = self.action.as_deref() {
            if TraceAction::from_code(action).is_none() {
                return Err(ApiError::bad_request(
                    "invalid_query",
                    mcp_domain::msg!(
                        "`{action}` n'est pas une action des traces (voir TraceAction dans le \
                         contrat de l'API)",
                        "`{action}` is not an action of the traces (see TraceAction in the \
                         contract)"
                    ),
                ));
            }
        }
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f >= t {
                return Err(ApiError::bad_request(
                    "invalid_query",
                    mcp_domain::msg!(
                        "la période est vide : `from` doit précéder `to`",
                        "the period is empty: `from` must be before `to`"
                    ),
                ));
            }
        }
        Ok(TraceFilter {
            target_id: self.target_id,
            actor_account_id: self.actor_account_id.map(Into::into),
            action: self.action.clone(),
            request_id: self.request_id.clone(),
            client_id: self.client_id.map(Into::into),
            file_number: self.file_number.clone(),
            from: self.from.map(|f| f.naive_utc()),
            to: self.to.map(|t| t.naive_utc()),
            newest_first: matches!(self.order, Some(TraceOrder::Newest)),
        })
    }
}

/// The traces the caller may read: Cnaf auditors all, a Caf's auditors those of the Caf's
/// perimeter, a partner's administrators (principal and deputy) those of their organisation —
/// what its staff did and what was done to it. Nobody else. Reading is itself traced.
#[utoipa::path(
    tag = "traces",
    params(TraceQuery),
    responses(
        (status = 200, description = "A page of traces", body = TracePage),
        (status = 403, description = "Not a reader of traces", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/traces")]
pub async fn list_traces(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<TraceQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = q.filter()?;
    let page = page_request(q.limit, q.cursor)?;
    let p = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::trace::read(db, ctx, &filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(self::page(p)?))
}

/// Shapes a page of traces.
pub fn page(
    p: mcp_persistence::Page<mcp_persistence::use_cases::trace::Trace>,
) -> Result<TracePage, ApiError> {
    Ok(TracePage {
        items: p
            .items
            .into_iter()
            .map(TraceDto::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor: p.next_cursor,
    })
}

/// Format of an export.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated values with a header line (RFC 4180).
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Filters and format of an export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` or `jsonl`.
    #[param(inline)]
    pub format: ExportFormat,
    /// Only traces about this object.
    pub target_id: Option<Uuid>,
    /// Only traces by this person.
    pub actor_account_id: Option<Uuid>,
    /// Only this action.
    #[param(max_length = 100)]
    pub action: Option<String>,
    /// Only this request.
    #[param(max_length = 200)]
    pub request_id: Option<String>,
    /// Only actions made through this partner software.
    pub client_id: Option<Uuid>,
    /// Only consultations of this beneficiary file.
    #[param(max_length = 64)]
    pub file_number: Option<String>,
    /// Only traces from this instant on (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only traces before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// The export's columns: (English name, French heading).
const CSV_COLUMNS: [(&str, &str); 19] = [
    ("id", "Identifiant"),
    ("seq", "N° dans la chaîne"),
    ("occurred_at", "Date et heure (UTC)"),
    ("request_id", "Requête"),
    ("actor_account_id", "Compte de l'auteur"),
    ("actor_role", "Rôle de l'auteur"),
    ("organisation_kind", "Type d'organisation"),
    ("organisation_id", "Organisation"),
    ("action", "Action"),
    ("target_type", "Type d'objet"),
    ("target_id", "Objet"),
    ("caf_id", "Caf"),
    ("partner_id", "Partenaire"),
    ("file_number", "N° de dossier"),
    ("client_id", "Logiciel"),
    ("outcome", "Résultat"),
    ("detail", "Détail"),
    ("hash", "Empreinte"),
    ("chain", "Chaîne"),
];

fn csv_line(t: &Trace, dialect: CsvDialect) -> String {
    let seq = t.seq.map(|s| s.to_string());
    let at = dialect.instant(t.occurred_at);
    let fields: [Option<&str>; 19] = [
        Some(&t.id),
        seq.as_deref(),
        Some(&at),
        t.request_id.as_deref(),
        t.actor_account_id.as_deref(),
        t.actor_role.as_deref(),
        t.organisation_kind.as_deref(),
        t.organisation_id.as_deref(),
        Some(&t.action),
        t.target_type.as_deref(),
        t.target_id.as_deref(),
        t.caf_id.as_deref(),
        t.partner_id.as_deref(),
        t.file_number.as_deref(),
        t.client_id.as_deref(),
        Some(&t.outcome),
        Some(&t.detail),
        t.hash.as_deref(),
        t.seq.map(|_| t.chain.as_str()),
    ];
    dialect.line(&fields)
}

fn render(
    format: ExportFormat,
    dialect: CsvDialect,
    traces: Vec<Trace>,
) -> Result<String, ApiError> {
    let mut out = String::new();
    for t in traces {
        match format {
            ExportFormat::Csv => out.push_str(&csv_line(&t, dialect)),
            ExportFormat::Jsonl => {
                out.push_str(
                    &serde_json::to_string(&TraceDto::try_from(t)?).map_err(ApiError::internal)?,
                );
                out.push('\n');
            }
        }
    }
    Ok(out)
}

enum ExportState {
    Start,
    After(Option<String>),
    Done,
}

/// Streams every trace the caller may read that matches the filters, oldest first, as CSV or
/// JSON lines, without holding them in memory. The export is traced before the first line. The
/// CSV opens as is in a French spreadsheet (byte-order mark, `;`, French headings, dates
/// `jj/mm/aaaa hh:mm:ss` UTC); with `Accept-Language: en` it has `,`, English column names and
/// RFC 3339 instants.
#[utoipa::path(
    tag = "traces",
    params(ExportQuery),
    responses(
        (status = 200, description = "The traces, streamed", content(
            (String = "text/csv"),
            (String = "application/x-ndjson"),
        )),
        (status = 403, description = "Not a reader of traces", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/traces/export")]
pub async fn export_traces(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ExportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let dialect = CsvDialect::of(&req);
    let q = q.into_inner();
    let format = q.format;
    let filter = TraceQuery {
        target_id: q.target_id,
        actor_account_id: q.actor_account_id,
        action: q.action,
        request_id: q.request_id,
        client_id: q.client_id,
        file_number: q.file_number,
        from: q.from,
        to: q.to,
        order: None,
        limit: None,
        cursor: None,
    }
    .filter()?;
    let code = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Jsonl => "jsonl",
    };
    let export = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::trace::open_export(db, ctx, filter, code)
    })
    .await?;
    let db = state.db.clone();
    let body = stream::unfold(ExportState::Start, move |st| {
        let db = db.clone();
        let export = export.clone();
        async move {
            let cursor = match st {
                ExportState::Done => return None,
                ExportState::Start => None,
                ExportState::After(c) => c,
            };
            let first = cursor.is_none();
            let batch = blocking(move || export.next_batch(&db, cursor)).await;
            let (chunk, next) = match batch {
                Ok(p) => {
                    let next = match p.next_cursor.clone() {
                        Some(c) => ExportState::After(Some(c)),
                        None => ExportState::Done,
                    };
                    let mut chunk = String::new();
                    if first && matches!(format, ExportFormat::Csv) {
                        chunk.push_str(&dialect.head(&CSV_COLUMNS));
                    }
                    match render(format, dialect, p.items) {
                        Ok(lines) => {
                            chunk.push_str(&lines);
                            (Ok(web::Bytes::from(chunk)), next)
                        }
                        Err(e) => (Err(e), ExportState::Done),
                    }
                }
                // The status is sent already: the stream ends short, which the client sees.
                Err(e) => (Err(e), ExportState::Done),
            };
            Some((chunk.map_err(actix_web::Error::from), next))
        }
    });
    let content_type = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Jsonl => "application/x-ndjson",
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"traces.{code}\""),
        ))
        .streaming(body))
}

/// A person's own traces, produced for them (RGPD art. 15).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessDto {
    /// The person.
    pub person: AccountDto,
    /// When it was produced.
    pub produced_at: DateTime<Utc>,
    /// Traces are kept six months: older actions are no longer traced anywhere.
    #[schema(example = "traces are kept six months (S-art. 5.3)")]
    pub retention: String,
    /// Every kept trace of what the person did or what was done to their account, oldest first.
    pub traces: Vec<TraceDto>,
}

impl TryFrom<SubjectAccess> for SubjectAccessDto {
    type Error = ApiError;
    fn try_from(s: SubjectAccess) -> Result<Self, ApiError> {
        Ok(Self {
            person: AccountDto::from(s.account),
            produced_at: utc(s.produced_at),
            retention: "traces are kept six months (S-art. 5.3)".into(),
            traces: s
                .traces
                .into_iter()
                .map(TraceDto::try_from)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Produces a staff member's own traces at their request (RGPD art. 15): their partner's
/// administrators answer it; the production is traced.
#[utoipa::path(
    tag = "traces",
    params(
        ("partner_id" = Uuid, Path, description = "The partner"),
        ("account_id" = Uuid, Path, description = "The person, one of the partner's staff"),
    ),
    responses(
        (status = 200, description = "The person's traces", body = SubjectAccessDto),
        (status = 403, description = "Not the partner's administrator", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person in this partner", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/staff/{account_id}/subject-access")]
pub async fn produce_subject_access(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (partner_id, account_id) = path.into_inner();
    let s = run(&state, &auth, move |db, ctx| {
        mcp_persistence::use_cases::trace::subject_access(
            db,
            ctx,
            partner_id.into(),
            account_id.into(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(SubjectAccessDto::try_from(s)?))
}
