//! Every error leaves the service as RFC 9457 `application/problem+json`, built here and only
//! here, with a stable machine `code`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use mcp_domain::{DomainError, ErrorCode};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:mcp:problem:validation_failed",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "siret: the SIRET's check key is wrong (Luhn): check for a mistyped digit",
    "code": "validation_failed",
    "errors": [{"field": "siret", "code": "invalid_siret", "message": "the SIRET's check key is wrong (Luhn): check for a mistyped digit"}]
}))]
pub struct Problem {
    /// URI naming the kind of problem: `urn:mcp:problem:{code}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// Stable machine code (`validation_failed`, `quota_exceeded`, `not_found`…).
    pub code: String,
    /// The invalid fields, for validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's path in the request (`profiles[1].max_users`).
    pub field: String,
    /// Stable machine code (`invalid_siret`, `required`…).
    pub code: String,
    /// Explanation for a person.
    pub message: String,
}

/// An error on its way to becoming a problem response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    title: &'static str,
    detail: String,
    errors: Vec<ProblemField>,
    headers: Vec<(header::HeaderName, String)>,
}

impl ApiError {
    /// A problem with a status, a code and a detail.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Self {
        let title = match status.as_u16() {
            400 => "The request is malformed",
            401 => "Authentication is required",
            403 => "This function is not available to your role",
            404 => "Not found",
            405 => "Method not allowed",
            409 => "The object's current state forbids this",
            413 => "The request body is too large",
            415 => "Unsupported media type",
            422 => "The request breaks a rule",
            429 => "Too many requests",
            503 => "The service is temporarily unavailable",
            _ => "Internal error",
        };
        Self {
            status,
            code: code.into(),
            title,
            detail: detail.into(),
            errors: vec![],
            headers: vec![],
        }
    }

    /// 405 for a known path asked with a method it does not serve.
    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        Self {
            headers: vec![(header::ALLOW, allowed.join(", "))],
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("this resource answers {}", allowed.join(", ")),
            )
        }
    }

    /// 400 for a body or query that cannot be read.
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 401, with the same answer whatever was wrong with the credentials.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
    }

    /// 429 with the number of seconds to wait.
    pub fn throttled(retry_after_secs: i64) -> Self {
        let secs = retry_after_secs.max(1);
        Self {
            headers: vec![(header::RETRY_AFTER, secs.to_string())],
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("too many failed attempts: try again in {secs} s"),
            )
        }
    }

    /// 404 that reveals nothing.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such object within your reach",
        )
    }

    /// 500, logged; the detail never leaks internals.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        log::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an internal error occurred; it was logged",
        )
    }

    /// The stable machine code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Whether this is the refusal `code`.
    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == code.as_str()
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        Problem {
            type_uri: format!("urn:mcp:problem:{}", self.code),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        r.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            r.insert_header((
                header::WWW_AUTHENTICATE,
                r#"Bearer realm="mcp", error="invalid_token""#,
            ));
        }
        for (name, value) in &self.headers {
            r.insert_header((name.clone(), value.as_str()));
        }
        r.body(serde_json::to_string(&self.problem()).expect("problem serialises"))
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| {
                        if e.field.is_empty() {
                            e.message.clone()
                        } else {
                            format!("{}: {}", e.field, e.message)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                Self {
                    errors: errors
                        .into_iter()
                        .map(|e| ProblemField {
                            field: e.field,
                            code: e.code.to_string(),
                            message: e.message,
                        })
                        .collect(),
                    ..Self::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        detail,
                    )
                }
            }
            // The title is the code's own, from the catalogue (docs/ERRORS.md): "Nobody
            // habilitates themselves" says more than the status's generic title.
            DomainError::Rule { code, message }
            | DomainError::Conflict { code, message }
            | DomainError::Blocked { code, message } => Self {
                title: code.title_en(),
                ..Self::new(status_of(code), code.as_str(), message)
            },
            DomainError::Forbidden => Self::new(
                status_of(ErrorCode::Forbidden),
                ErrorCode::Forbidden.as_str(),
                "your role does not include this function",
            ),
            DomainError::NotFound => Self::not_found(),
        }
    }
}

/// The HTTP status of a refusal, as its code declares it.
fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

impl From<mcp_persistence::Error> for ApiError {
    fn from(e: mcp_persistence::Error) -> Self {
        match e {
            mcp_persistence::Error::Domain(d) => d.into(),
            mcp_persistence::Error::Unavailable(cause) => {
                log::error!("database unavailable: {cause}");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service_unavailable",
                    "the database is unavailable; try again shortly",
                )
            }
            mcp_persistence::Error::Throttled(secs) => Self::throttled(secs),
            other => Self::internal(other),
        }
    }
}

/// Turns actix's body-reading errors into problems: 413, 415 or 400, never a 500.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let e = match &err {
        J::OverflowKnownLength { length, limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body has {length} bytes; the limit is {limit}"),
        ),
        J::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than the limit of {limit} bytes"),
        ),
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        J::Deserialize(d) if d.is_data() => ApiError::bad_request(
            "invalid_body",
            format!("the body does not match the expected shape: {d}"),
        ),
        J::Deserialize(d) => {
            ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {d}"))
        }
        other => ApiError::bad_request("unreadable_body", other.to_string()),
    };
    e.into()
}

/// Turns form-body errors (the OAuth endpoints) into problems: 413, 415 or 400.
pub fn form_error(
    err: actix_web::error::UrlencodedError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::UrlencodedError as U;
    let e = match &err {
        U::Overflow { .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            err.to_string(),
        ),
        U::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the form as application/x-www-form-urlencoded",
        ),
        other => ApiError::bad_request("invalid_request", format!("the form is invalid: {other}")),
    };
    e.into()
}

/// Turns query-string errors into 400 problems.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::bad_request(
        "invalid_query",
        format!("the query string is invalid: {err}"),
    )
    .into()
}

/// A path whose identifier is not a UUID names nothing: 404.
pub fn path_error(
    _err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::not_found().into()
}
