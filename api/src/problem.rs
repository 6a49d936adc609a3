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
    "title": "Certains champs de la demande sont invalides (voir `errors`)",
    "status": 422,
    "detail": "siret: the SIRET's check key is wrong (Luhn): check for a mistyped digit",
    "code": "validation_failed",
    "errors": [{"field": "siret", "code": "invalid_siret", "message": "the SIRET's check key is wrong (Luhn): check for a mistyped digit"}]
}))]
pub struct Problem {
    /// URI naming the kind of problem: `urn:mcp:problem:{code}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the kind of problem: the code's own title, in French (English with
    /// `Accept-Language: en`). Read `code` to decide, not the title.
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

/// Seconds a client is told to wait when the database is unavailable.
const UNAVAILABLE_RETRY_SECS: u32 = 5;

/// Which operations a code given by the HTTP layer (not by a use case) concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Every operation.
    Every,
    /// Every operation that needs a person's token.
    Secured,
    /// Every operation that reads a body.
    WithBody,
    /// Every operation whose path names an object.
    WithPathId,
    /// Every list (a `cursor` parameter).
    Paged,
    /// Every POST that takes an `Idempotency-Key`.
    Idempotent,
    /// Only the operations that list it among their refusals.
    WhenListed,
}

/// A code the HTTP layer gives around the use cases.
#[derive(Debug, Clone, Copy)]
pub struct LayerCode {
    /// The code.
    pub code: &'static str,
    /// Its HTTP status.
    pub status: u16,
    /// The operations it concerns.
    pub applies: Applies,
    /// What it means.
    pub meaning: &'static str,
    /// What the client should do.
    pub todo: &'static str,
}

/// The codes the HTTP layer gives around the use cases, with their status and the operations
/// they concern; the use cases' own are the domain's `ErrorCode`s, listed per operation in
/// `routes::operations!`. The contract declares, on each problem response, the union.
pub fn layer_codes() -> Vec<LayerCode> {
    use Applies::*;
    let c = |code, status, applies, meaning, todo| LayerCode {
        code,
        status,
        applies,
        meaning,
        todo,
    };
    vec![
        c(
            "malformed_json",
            400,
            WithBody,
            "The body is not JSON",
            "Send a JSON object.",
        ),
        c(
            "invalid_body",
            400,
            WithBody,
            "The body does not match the operation's schema (unknown field, wrong type)",
            "Read `detail`, correct the body as the contract describes it.",
        ),
        c(
            "unreadable_body",
            400,
            WithBody,
            "The body could not be read",
            "Send it again.",
        ),
        c(
            "invalid_query",
            400,
            Every,
            "A query parameter is unknown or invalid",
            "Read `detail`; the contract lists each operation's parameters.",
        ),
        c(
            "invalid_cursor",
            400,
            Paged,
            "This cursor was not given by the service",
            "Ask for the first page again, without a cursor.",
        ),
        c(
            "invalid_idempotency_key",
            400,
            Idempotent,
            "The Idempotency-Key is not 1 to 255 visible ASCII characters",
            "Send a UUID.",
        ),
        c(
            "invalid_request",
            400,
            WhenListed,
            "The form is invalid",
            "Send the form as application/x-www-form-urlencoded with its fields.",
        ),
        c(
            "unauthenticated",
            401,
            Secured,
            "Missing, invalid or expired token, inactive account, or wrong credentials",
            "Refresh the session or sign in again.",
        ),
        c(
            "otp_required",
            401,
            WhenListed,
            "This account signs in with a second factor",
            "Send the 6-digit code of the authenticator app in `otp`.",
        ),
        c(
            ErrorCode::Forbidden.as_str(),
            403,
            Secured,
            ErrorCode::Forbidden.title_en(),
            "Ask whoever manages your rights; do not retry.",
        ),
        c(
            ErrorCode::PasswordChangeRequired.as_str(),
            403,
            Secured,
            ErrorCode::PasswordChangeRequired.title_en(),
            "Change the password (`POST /me/password`) first.",
        ),
        c(
            ErrorCode::SecondFactorRequired.as_str(),
            403,
            Secured,
            ErrorCode::SecondFactorRequired.title_en(),
            "Enrol an authenticator app (`POST /me/totp`) first.",
        ),
        c(
            ErrorCode::NotFound.as_str(),
            404,
            WithPathId,
            ErrorCode::NotFound.title_en(),
            "Check the identifier; an object outside your perimeter answers the same.",
        ),
        c(
            "idempotency_key_in_progress",
            409,
            Idempotent,
            "The first request with this Idempotency-Key is still being served; this one did nothing",
            "Retry a moment later with the same key: you will get the first answer.",
        ),
        c(
            "payload_too_large",
            413,
            WithBody,
            "The body is larger than the limit",
            "Send less (imports: split the file).",
        ),
        c(
            "unsupported_media_type",
            415,
            WithBody,
            "The body's content type is not the operation's",
            "Send `Content-Type: application/json` (imports: application/x-ndjson).",
        ),
        c(
            ErrorCode::ValidationFailed.as_str(),
            422,
            Every,
            ErrorCode::ValidationFailed.title_en(),
            "Correct the fields listed in `errors` and send again.",
        ),
        c(
            "idempotency_key_reused",
            422,
            Idempotent,
            "This Idempotency-Key was used for another request; nothing was done",
            "Use a new key for a new request.",
        ),
        c(
            "rate_limited",
            429,
            Secured,
            "More requests this minute than the account's (or the software's) budget",
            "Wait for `Retry-After` seconds; the `RateLimit` header of each answer says what is left.",
        ),
        c(
            "too_many_attempts",
            429,
            WhenListed,
            "Too many failed attempts for this identifier or address",
            "Wait for `Retry-After` seconds.",
        ),
        c(
            "internal_error",
            500,
            Every,
            "An internal error occurred; it was logged",
            "Quote `X-Request-Id` to the service centre.",
        ),
        c(
            "database_unavailable",
            503,
            Every,
            "The database is unavailable; nothing was done",
            "Wait for `Retry-After` seconds and try again.",
        ),
        c(
            "maintenance",
            503,
            Every,
            "The service is stopped for a planned national maintenance; nothing was done",
            "Wait for `Retry-After` seconds (the end of the stop); `GET /maintenance` lists the stops.",
        ),
        c(
            "service_busy",
            503,
            WhenListed,
            "Every password-checking worker is busy and the queue is full; nothing was done",
            "Wait for `Retry-After` seconds and try again.",
        ),
    ]
}

/// The whole catalogue of codes, as `docs/ERRORS.md` holds it: the use cases' refusals, then
/// the HTTP layer's own.
pub fn catalogue() -> String {
    let mut out = ErrorCode::catalogue();
    out.push_str(
        "\n## Codes of the HTTP layer\n\n\
         Given before or around a use case (reading the request, the token, the database). Each \
         operation of `openapi.yaml` declares, on every problem response, the `enum` of the \
         codes it can carry: these where they apply, and the refusals of its use case.\n\n\
         | code | status | meaning | what to do |\n|---|---|---|---|\n",
    );
    for c in layer_codes() {
        if ErrorCode::from_code(c.code).is_some() {
            continue;
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.code, c.status, c.meaning, c.todo
        ));
    }
    out
}

/// An error on its way to becoming a problem response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    /// The title: the code's own (French and English, from the catalogue), else the status's.
    title: Option<ErrorCode>,
    detail: String,
    errors: Vec<ProblemField>,
    headers: Vec<(header::HeaderName, String)>,
}

impl ApiError {
    /// A problem with a status, a code and a detail.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Self {
        let code = code.into();
        Self {
            status,
            title: ErrorCode::from_code(&code),
            code,
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

    /// 503 during a national maintenance, with the seconds until it ends.
    pub fn maintenance(retry_after_secs: u64, until: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            headers: vec![(header::RETRY_AFTER, retry_after_secs.max(1).to_string())],
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "maintenance",
                format!(
                    "the service is stopped for a planned national maintenance until {};                      GET /api/v1/maintenance lists the stops",
                    until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
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

    /// The title, in `lang`: the code's own where the catalogue has it, else the status's.
    fn title_in(&self, lang: crate::lang::Lang) -> &'static str {
        if let Some(code) = self.title {
            return lang.pick(code.title_fr(), code.title_en());
        }
        let (fr, en) = match self.status.as_u16() {
            400 => ("La demande est mal formée", "The request is malformed"),
            401 => ("Authentification requise", "Authentication is required"),
            403 => (
                "Cette fonction n'est pas ouverte à votre rôle",
                "This function is not available to your role",
            ),
            404 => ("Introuvable", "Not found"),
            405 => ("Méthode non acceptée ici", "Method not allowed"),
            409 => (
                "L'état actuel de l'objet l'interdit",
                "The object's current state forbids this",
            ),
            413 => (
                "Le corps de la demande est trop volumineux",
                "The request body is too large",
            ),
            415 => (
                "Type de contenu non pris en charge",
                "Unsupported media type",
            ),
            422 => ("La demande enfreint une règle", "The request breaks a rule"),
            429 => ("Trop de demandes", "Too many requests"),
            503 => (
                "Le service est momentanément indisponible",
                "The service is temporarily unavailable",
            ),
            _ => ("Erreur interne", "Internal error"),
        };
        lang.pick(fr, en)
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        Problem {
            type_uri: format!("urn:mcp:problem:{}", self.code),
            title: self.title_in(crate::lang::Lang::current()).to_string(),
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
                title: Some(code),
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
                Self {
                    headers: vec![(header::RETRY_AFTER, UNAVAILABLE_RETRY_SECS.to_string())],
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "database_unavailable",
                        "the database is unavailable; try again shortly",
                    )
                }
            }
            mcp_persistence::Error::Busy(secs) => Self {
                headers: vec![(header::RETRY_AFTER, secs.max(1).to_string())],
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service_busy",
                    format!("too many sign-ins at once: try again in {} s", secs.max(1)),
                )
            },
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

#[cfg(test)]
mod catalogue_tests {
    use super::*;

    /// `docs/ERRORS.md` is the catalogue the code generates (`make openapi` rewrites it).
    #[test]
    fn the_checked_in_catalogue_is_the_one_the_code_generates() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ERRORS.md");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == catalogue(),
            "docs/ERRORS.md differs from the catalogue of codes: run `make openapi` and commit it"
        );
    }

    /// A full hashing queue and an unavailable database are 503s that say when to come back.
    #[test]
    fn overload_and_outage_say_when_to_come_back() {
        for (e, code, after) in [
            (mcp_persistence::Error::Busy(1), "service_busy", "1"),
            (
                mcp_persistence::Error::Unavailable("down".into()),
                "database_unavailable",
                "5",
            ),
        ] {
            let api = ApiError::from(e);
            assert_eq!((api.status.as_u16(), api.code()), (503, code));
            assert!(api
                .headers
                .iter()
                .any(|(n, v)| *n == header::RETRY_AFTER && v == after));
            assert!(layer_codes().iter().any(|l| l.code == code));
        }
    }

    /// A code of the HTTP layer is not also one of the domain's with another status.
    #[test]
    fn layer_codes_are_distinct_and_agree_with_the_domain() {
        let layer = layer_codes();
        for (i, c) in layer.iter().enumerate() {
            assert!(
                layer[i + 1..].iter().all(|o| o.code != c.code),
                "{}",
                c.code
            );
            if let Some(d) = ErrorCode::from_code(c.code) {
                assert_eq!(d.status(), c.status, "{}", c.code);
            }
        }
    }
}
