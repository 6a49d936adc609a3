//! Retried POSTs: a request carrying `Idempotency-Key` is done once per key and account; a retry
//! with the same key and the same request gets the first answer again (`Idempotent-Replayed:
//! true`) instead of creating a second account or sending a second code. Partner software in
//! town halls retries after timeouts on flaky networks; this is what makes it safe.
//!
//! - the same key with another request (method, path, query or body) is 422
//!   `idempotency_key_reused`, nothing done;
//! - while the first request with a key is being served, another is 409
//!   `idempotency_key_in_progress` (it did nothing: retry it a moment later);
//! - keys belong to the account of the token, and are kept 24 hours;
//! - what did nothing lasting is not kept, so that a retry does the work: malformed requests
//!   (400, 413, 415), refused tokens (401), throttling (429) and failures (5xx).
//!
//! Imports of beneficiaries' files are idempotent by content and stream their body: the header is
//! ignored there.

use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use futures_util::StreamExt;
use mcp_persistence::use_cases::idempotency::{self, Claim, StoredAnswer};
use sha2::{Digest, Sha256};

use crate::problem::ApiError;
use crate::state::AppState;

/// The request header.
pub const HEADER: &str = "Idempotency-Key";
/// The header of a replayed answer.
pub const REPLAYED: &str = "Idempotent-Replayed";
/// Longest key.
pub const MAX_KEY_LEN: usize = 255;

/// Whether a key is acceptable: 1 to 255 visible ASCII characters (a UUID is the usual choice).
pub fn key_acceptable(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether an answer is kept for the key: what the operation decided, not what stopped it
/// before (see the module's documentation).
fn kept(status: StatusCode) -> bool {
    status.is_success() || matches!(status.as_u16(), 403 | 404 | 409 | 422)
}

fn problem(req: ServiceRequest, e: ApiError) -> ServiceResponse<BoxBody> {
    let (req, _) = req.into_parts();
    ServiceResponse::new(req, actix_web::ResponseError::error_response(&e))
}

/// The middleware (see the module's documentation).
pub async fn once(
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(HEADER) {
        Some(k) if req.method() == Method::POST => k.to_str().unwrap_or("").trim().to_string(),
        _ => return next.call(req).await,
    };
    // Imports and documents are idempotent by content, and their bodies are larger than the
    // answers kept for keys.
    if req.path().ends_with("/beneficiary-files/import") || req.path().ends_with("/documents") {
        return next.call(req).await;
    }
    if !key_acceptable(&key) {
        return Ok(problem(
            req,
            ApiError::bad_request(
                "invalid_idempotency_key",
                mcp_domain::msg!("la clé Idempotency-Key compte de 1 à 255 caractères ASCII visibles (un UUID, par exemple)", "Idempotency-Key takes 1 to 255 visible ASCII characters (a UUID, say)"),
            ),
        ));
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    // Keys belong to the token's account; without a valid token the operation answers 401.
    let account = crate::auth::verified_claims(req.request(), &state.keys)
        .and_then(|c| uuid::Uuid::parse_str(&c.sub).ok());
    let Some(account) = account else {
        return next.call(req).await;
    };
    // The body, read once, bounded as the JSON reader bounds it, then handed on unchanged.
    let limit = state.config.max_body_bytes;
    let mut body = web::BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Ok(problem(
                req,
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    mcp_domain::msg!(
                        "le corps dépasse {limit} octets",
                        "the body exceeds {limit} bytes"
                    ),
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let digest = {
        let mut h = Sha256::new();
        for part in [
            req.method().as_str().as_bytes(),
            req.uri()
                .path_and_query()
                .map_or("", |p| p.as_str())
                .as_bytes(),
            req.headers()
                .get(header::CONTENT_TYPE)
                .map_or(&b""[..], |v| v.as_bytes()),
        ] {
            h.update(part);
            h.update(b"\n");
        }
        h.update(&body);
        hex::encode(h.finalize())
    };
    let db = state.db.clone();
    let (k, now) = (key.clone(), crate::auth::now());
    let claim = web::block(move || idempotency::claim(&db, account.into(), &k, &digest, now))
        .await
        .map_err(ApiError::internal)
        .and_then(|r| r.map_err(ApiError::from));
    let claim = match claim {
        Ok(c) => c,
        Err(e) => return Ok(problem(req, e)),
    };
    match claim {
        Claim::Reused => Ok(problem(
            req,
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                mcp_domain::msg!("cette clé Idempotency-Key a déjà servi pour une autre requête : utilisez une nouvelle clé pour toute nouvelle requête", "this Idempotency-Key was used for another request: use a new key for a new request"),
            ),
        )),
        Claim::InProgress => Ok(problem(
            req,
            ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_progress",
                mcp_domain::msg!("la première requête portant cette clé Idempotency-Key est encore en cours de traitement : réessayez dans un instant", "the first request with this Idempotency-Key is still being served: retry shortly"),
            ),
        )),
        Claim::Answered(a) => {
            let mut r = HttpResponse::build(
                StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK),
            );
            if let Some(ct) = &a.content_type {
                r.insert_header((header::CONTENT_TYPE, ct.as_str()));
            }
            if let Some(l) = &a.location {
                r.insert_header((header::LOCATION, l.as_str()));
            }
            r.insert_header((REPLAYED, "true"));
            let (req, _) = req.into_parts();
            Ok(ServiceResponse::new(req, r.body(a.body)))
        }
        Claim::Claimed => {
            req.set_payload(Payload::Stream {
                payload: Box::pin(futures_util::stream::once(async move { Ok(body) })),
            });
            let res = next.call(req).await;
            let db = state.db.clone();
            let res = match res {
                Ok(res) if kept(res.status()) => res,
                other => {
                    let _ = web::block(move || idempotency::release(&db, account.into(), &key)).await;
                    return other;
                }
            };
            let (req, res) = res.into_parts();
            let status = res.status();
            let headers = res.headers().clone();
            let bytes = to_bytes(res.into_body()).await.unwrap_or_default();
            let stored = StoredAnswer {
                status: status.as_u16(),
                content_type: headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                location: headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                body: String::from_utf8_lossy(&bytes).into_owned(),
            };
            let saved = web::block(move || idempotency::answer(&db, account.into(), &key, &stored))
                .await;
            if !matches!(saved, Ok(Ok(()))) {
                log::error!("idempotency: the answer to a key could not be kept");
            }
            let mut rebuilt = HttpResponse::build(status);
            for (name, value) in headers.iter() {
                rebuilt.append_header((name.clone(), value.clone()));
            }
            Ok(ServiceResponse::new(req, rebuilt.body(bytes)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(key_acceptable("0192e4c8-7a6b-7c3d-9e2f-1a2b3c4d5e6f"));
        assert!(!key_acceptable(""));
        assert!(!key_acceptable("a b"));
        assert!(!key_acceptable("clé"));
        assert!(!key_acceptable(&"k".repeat(256)));
    }

    #[test]
    fn only_what_the_operation_decided_is_kept() {
        for s in [200, 201, 204, 403, 404, 409, 422] {
            assert!(kept(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 413, 415, 429, 500, 503] {
            assert!(!kept(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }
}
