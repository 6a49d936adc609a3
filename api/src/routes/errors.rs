//! The catalogue of error codes, served: what `docs/ERRORS.md` holds, for software.

use actix_web::{get, HttpResponse};
use mcp_domain::ErrorCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::layer_codes;

/// One code a problem document may carry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorCodeDto {
    /// The stable code.
    #[schema(example = "quota_exceeded")]
    pub code: &'static str,
    /// The HTTP status that carries it.
    #[schema(example = 409)]
    pub status: u16,
    /// What it means, in English.
    #[schema(example = "The quota of this profile is reached")]
    pub title_en: &'static str,
    /// What it means, in French (absent for the codes of the HTTP layer).
    pub title_fr: Option<&'static str>,
    /// What the client should do.
    pub what_to_do: &'static str,
    /// Given by the HTTP layer (reading the request, the token) rather than by a rule.
    pub layer: bool,
}

super::page_of!(
    /// Every error code, on one page.
    ErrorCodePage,
    ErrorCodeDto
);

/// Every code a problem document of this service may carry, with its status, its meaning and
/// what to do (the same catalogue as `docs/ERRORS.md`). Each operation of the contract declares
/// which of them its answers can carry.
#[utoipa::path(
    tag = "catalogue",
    responses((status = 200, description = "The catalogue of error codes", body = ErrorCodePage)),
)]
#[get("/error-codes")]
pub async fn list_error_codes() -> HttpResponse {
    let mut items: Vec<ErrorCodeDto> = ErrorCode::ALL
        .iter()
        .map(|c| ErrorCodeDto {
            code: c.as_str(),
            status: c.status(),
            title_en: c.title_en(),
            title_fr: Some(c.title_fr()),
            what_to_do: c.what_to_do(),
            layer: false,
        })
        .collect();
    items.extend(
        layer_codes()
            .into_iter()
            .filter(|l| ErrorCode::from_code(l.code).is_none())
            .map(|l| ErrorCodeDto {
                code: l.code,
                status: l.status,
                title_en: l.meaning,
                title_fr: None,
                what_to_do: l.todo,
                layer: true,
            }),
    );
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .json(ErrorCodePage::whole(items))
}
