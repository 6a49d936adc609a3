//! Documents of a convention: the signed convention, contract, bulletins, amendments, the
//! authorising deliberation and the RGPD evidence, as PDF files.

use actix_web::{get, post, web, HttpResponse};
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use mcp_domain::document::{Deliberation, Input, MAX_BYTES};
use mcp_persistence::use_cases::documents::{self, DocumentRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// What a document is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The convention, signed by both parties.
    SignedConvention,
    /// The service contract and its annexes.
    ServiceContract,
    /// A bulletin d'adhésion.
    Bulletin,
    /// An amendment (avenant).
    Amendment,
    /// The deliberation authorising the partner's representative to sign.
    Deliberation,
    /// Evidence of the RGPD formalities.
    RgpdEvidence,
}

impl DocumentKind {
    fn code(self) -> &'static str {
        use mcp_domain::document::Kind;
        match self {
            Self::SignedConvention => Kind::SignedConvention,
            Self::ServiceContract => Kind::ServiceContract,
            Self::Bulletin => Kind::Bulletin,
            Self::Amendment => Kind::Amendment,
            Self::Deliberation => Kind::Deliberation,
            Self::RgpdEvidence => Kind::RgpdEvidence,
        }
        .code()
    }

    fn of(k: mcp_domain::document::Kind) -> Self {
        use mcp_domain::document::Kind;
        match k {
            Kind::SignedConvention => Self::SignedConvention,
            Kind::ServiceContract => Self::ServiceContract,
            Kind::Bulletin => Self::Bulletin,
            Kind::Amendment => Self::Amendment,
            Kind::Deliberation => Self::Deliberation,
            Kind::RgpdEvidence => Self::RgpdEvidence,
        }
    }
}

/// A deliberation's references.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliberationDto {
    /// Its number.
    #[schema(example = "2026-114", min_length = 1, max_length = 50)]
    pub number: String,
    /// The day it was adopted.
    pub adopted_on: NaiveDate,
    /// The préfecture's acknowledgement of receipt (contrôle de légalité).
    #[schema(
        example = "077-217700001-20261120-2026_114-DE",
        min_length = 1,
        max_length = 100
    )]
    pub prefecture_acknowledgement: String,
}

/// A document as attached.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "deliberation",
    "title": "Délibération du conseil municipal autorisant la signature de la convention",
    "file_name": "deliberation-2026-114.pdf",
    "content_base64": "JVBERi0xLjcKMSAwIG9iaiA8PD4+IGVuZG9iagolJUVPRgo=",
    "sha256": "ab2746220d94d65f11fcd61dbecda545064bf281fa9f4d3e0bf98f909ef1d93b",
    "deliberation": {"number": "2026-114", "adopted_on": "2026-11-20", "prefecture_acknowledgement": "077-217700001-20261120-2026_114-DE"}
}))]
pub struct DocumentWrite {
    /// What it is.
    pub kind: DocumentKind,
    /// Its title.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Its file name, without folders.
    #[schema(min_length = 1, max_length = 200)]
    pub file_name: String,
    /// The PDF file, in base64 (RFC 4648), 10 MiB at most.
    pub content_base64: String,
    /// The SHA-256 of the file, in hex, as the sender computed it: the service checks it.
    #[schema(min_length = 64, max_length = 64)]
    pub sha256: String,
    /// For a deliberation: its number, date and the préfecture's acknowledgement.
    #[serde(default)]
    pub deliberation: Option<DeliberationDto>,
}

/// A document of a convention.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDto {
    /// Opaque id.
    pub id: Uuid,
    /// The convention.
    pub convention_id: Uuid,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// Its file name.
    pub file_name: String,
    /// Its media type.
    #[schema(example = "application/pdf")]
    pub media_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// For a deliberation, its references.
    pub deliberation: Option<DeliberationDto>,
    /// When it was attached.
    pub attached_at: DateTime<Utc>,
}

impl TryFrom<DocumentRow> for DocumentDto {
    type Error = ApiError;
    fn try_from(d: DocumentRow) -> Result<Self, ApiError> {
        let deliberation = match (
            d.deliberation_number,
            d.deliberation_adopted_on,
            d.prefecture_acknowledgement,
        ) {
            (Some(number), Some(adopted_on), Some(prefecture_acknowledgement)) => {
                Some(DeliberationDto {
                    number,
                    adopted_on,
                    prefecture_acknowledgement,
                })
            }
            _ => None,
        };
        Ok(Self {
            id: d.id.uuid(),
            convention_id: d.convention_id.uuid(),
            kind: DocumentKind::of(
                mcp_domain::document::Kind::from_code(&d.kind).ok_or_else(|| {
                    ApiError::internal(format!("stored document kind {:?}", d.kind))
                })?,
            ),
            title: d.title,
            file_name: d.file_name,
            media_type: d.media_type,
            size: d.size,
            sha256: d.sha256,
            deliberation,
            attached_at: utc(d.attached_at),
        })
    }
}

super::page_of!(
    /// The documents of a convention, on one page.
    DocumentPage,
    DocumentDto
);

/// The largest body: a 10 MiB file in base64, and its description.
const MAX_BODY: usize = MAX_BYTES / 3 * 4 + 64 * 1024;

/// Attaches a PDF document to a convention: the Caf's administrators any kind, the partner's
/// their deliberation (with its number, date and the préfecture's acknowledgement) and their
/// RGPD evidence. The file must be a PDF of at most 10 MiB whose SHA-256 is the one declared.
/// The same file sent again as the same kind answers 200 with the document already attached
/// (no `Idempotency-Key` needed).
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = DocumentWrite,
    responses(
        (status = 201, description = "Attached", body = DocumentDto, headers(("Location" = String, description = "Where the new object is read"))),
        (status = 200, description = "This file was already attached as this kind", body = DocumentDto),
    ),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/documents")]
pub async fn attach_document(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    req: actix_web::HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let convention = path.into_inner();
    let json = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !json {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            mcp_domain::msg!(
                "envoyez le document en application/json, son fichier dans content_base64",
                "send the document as application/json, its file in content_base64"
            ),
        ));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(
                "unreadable_body",
                mcp_domain::msg!("le corps n'a pu être lu ({e})", "{e}"),
            )
        })?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                mcp_domain::msg!(
                    "un document pèse {} Mio au plus",
                    "a document holds {} MiB at most",
                    MAX_BYTES / 1024 / 1024
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let b: DocumentWrite = serde_json::from_slice(&body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::bad_request(
                "malformed_json",
                mcp_domain::msg!("le corps n'est pas du JSON", "the body is not JSON"),
            )
        } else {
            ApiError::bad_request(
                "invalid_body",
                mcp_domain::msg!(
                    "le corps ne correspond pas à la forme attendue : {e}",
                    "{e}"
                ),
            )
        }
    })?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(b.content_base64.trim())
        .map_err(|_| {
            ApiError::from(mcp_domain::DomainError::field(
                "content_base64",
                "invalid_base64",
                mcp_domain::msg!(
                    "le fichier n'est pas encodé en base64",
                    "the file is not in base64"
                ),
            ))
        })?;
    let contents = state.documents.clone();
    let (row, created) = run(&state, &auth, move |db, ctx| {
        let input = Input {
            kind: b.kind.code(),
            title: &b.title,
            file_name: &b.file_name,
            content: &content,
            sha256: &b.sha256,
            deliberation: b.deliberation.map(|d| Deliberation {
                number: d.number,
                adopted_on: d.adopted_on,
                prefecture_acknowledgement: d.prefecture_acknowledgement,
            }),
        };
        documents::attach(db, ctx, contents.as_ref(), convention.into(), &input)
    })
    .await?;
    let dto = DocumentDto::try_from(row)?;
    Ok(if created {
        HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/documents/{}/content", dto.id)))
            .json(dto)
    } else {
        HttpResponse::Ok().json(dto)
    })
}

/// The documents of a convention, oldest first, without their files.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    responses((status = 200, description = "The documents", body = DocumentPage)),
    security(("bearer" = [])),
)]
#[get("/conventions/{convention_id}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let convention = path.into_inner();
    let rows = run(&state, &auth, move |db, ctx| {
        documents::list_for_convention(db, ctx, convention.into())
    })
    .await?;
    let items = rows
        .into_iter()
        .map(DocumentDto::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(DocumentPage::whole(items)))
}

/// A document's file (PDF), for those who read the partner's registry; its SHA-256 in the
/// `ETag` (and `Repr-Digest`, RFC 9530), its name in `Content-Disposition`.
#[utoipa::path(
    tag = "conventions",
    params(("document_id" = Uuid, Path, description = "The document")),
    responses((status = 200, description = "The PDF file", content_type = "application/pdf", body = String, headers(("ETag" = String, description = "The SHA-256 of the file, in hex, quoted"), ("Repr-Digest" = String, description = "The SHA-256 of the file (RFC 9530)"), ("Content-Disposition" = String, description = "attachment, with the file name")))),
    security(("bearer" = [])),
)]
#[get("/documents/{document_id}/content")]
pub async fn download_document(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let contents = state.documents.clone();
    let (row, bytes) = run(&state, &auth, move |db, ctx| {
        documents::download(db, ctx, contents.as_ref(), id.into())
    })
    .await?;
    let digest = base64::engine::general_purpose::STANDARD
        .encode(hex::decode(&row.sha256).map_err(ApiError::internal)?);
    let ascii_name: String = row
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(row.media_type.as_str())
        .insert_header(("ETag", format!("\"{}\"", row.sha256)))
        .insert_header(("Repr-Digest", format!("sha-256=:{digest}:")))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{ascii_name}\""),
        ))
        .body(bytes))
}
