//! Every error leaves the service as RFC 9457 `application/problem+json`, built here and only
//! here, with a stable machine `code`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use mcp_domain::{msg, DomainError, ErrorCode, FieldError, Message};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:mcp:problem:validation_failed",
    "title": "Certains champs de la demande sont invalides (voir `errors`)",
    "status": 422,
    "detail": "siret : la clé de contrôle du numéro SIRET est fausse (Luhn) : vérifiez qu'aucun chiffre n'a été mal saisi",
    "code": "validation_failed",
    "errors": [{"field": "siret", "code": "invalid_siret", "message": "la clé de contrôle du numéro SIRET est fausse (Luhn) : vérifiez qu'aucun chiffre n'a été mal saisi"}]
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
    /// What went wrong this time, for a person: in French (English with `Accept-Language: en`).
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
    /// Explanation for a person: in French (English with `Accept-Language: en`).
    pub message: String,
}

mod codes;
pub use codes::{catalogue, layer_codes, Applies, LayerCode};

/// Seconds a client is told to wait when the database is unavailable.
const UNAVAILABLE_RETRY_SECS: u32 = 5;

/// An error on its way to becoming a problem response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    /// The title: the code's own (French and English, from the catalogue), else the status's.
    title: Option<ErrorCode>,
    detail: Box<Message>,
    errors: Vec<FieldError>,
    headers: Vec<(header::HeaderName, String)>,
}

impl ApiError {
    /// A problem with a status, a code and a detail.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<Message>) -> Self {
        let code = code.into();
        Self {
            status,
            title: ErrorCode::from_code(&code),
            code,
            detail: Box::new(detail.into()),
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
                msg!(
                    "cette ressource répond à {}",
                    "this resource answers {}",
                    allowed.join(", ")
                ),
            )
        }
    }

    /// 400 for a body or query that cannot be read.
    pub fn bad_request(code: &str, detail: impl Into<Message>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 401, with the same answer whatever was wrong with the credentials.
    pub fn unauthenticated(detail: impl Into<Message>) -> Self {
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
                Message::new(
                    format!(
                        "trop de tentatives infructueuses : réessayez dans {}",
                        mcp_domain::text::wait_in_french(secs.unsigned_abs())
                    ),
                    format!("too many failed attempts: try again in {secs} s"),
                ),
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
                msg!(
                    "le service est arrêté pour une maintenance nationale programmée jusqu'au {} ; \
                     GET /api/v1/maintenance liste les arrêts",
                    "the service is stopped for a planned national maintenance until {}; \
                     GET /api/v1/maintenance lists the stops",
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
            DomainError::NotFound.message(),
        )
    }

    /// 500, logged; the detail never leaks internals.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        log::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            msg!(
                "une erreur interne s'est produite ; elle a été journalisée",
                "an internal error occurred; it was logged"
            ),
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
        let lang = crate::lang::Lang::current();
        Problem {
            type_uri: format!("urn:mcp:problem:{}", self.code),
            title: self.title_in(lang).to_string(),
            status: self.status.as_u16(),
            detail: lang.say(&self.detail).to_string(),
            code: self.code.clone(),
            errors: self
                .errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    code: e.code.to_string(),
                    message: lang.say(&e.message).to_string(),
                })
                .collect(),
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
        let detail = e.message();
        match e {
            DomainError::Validation(errors) => Self {
                errors,
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    detail,
                )
            },
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
                detail,
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
                        msg!(
                            "la base de données est indisponible ; réessayez dans un instant",
                            "the database is unavailable; try again shortly"
                        ),
                    )
                }
            }
            mcp_persistence::Error::Busy(secs) => {
                let secs = secs.max(1);
                Self {
                    headers: vec![(header::RETRY_AFTER, secs.to_string())],
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "service_busy",
                        Message::new(
                            format!(
                                "trop de connexions simultanées : réessayez dans {}",
                                mcp_domain::text::wait_in_french(secs.unsigned_abs())
                            ),
                            format!("too many sign-ins at once: try again in {secs} s"),
                        ),
                    )
                }
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
            msg!(
                "le corps fait {length} octets ; la limite est de {limit}",
                "the body has {length} bytes; the limit is {limit}"
            ),
        ),
        J::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            msg!(
                "le corps dépasse la limite de {limit} octets",
                "the body is larger than the limit of {limit} bytes"
            ),
        ),
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            msg!(
                "envoyez le corps en application/json",
                "send the body as application/json"
            ),
        ),
        J::Deserialize(d) if d.is_data() => ApiError::bad_request(
            "invalid_body",
            msg!(
                "le corps ne correspond pas à la forme attendue : {d}",
                "the body does not match the expected shape: {d}"
            ),
        ),
        J::Deserialize(d) => ApiError::bad_request(
            "malformed_json",
            msg!(
                "le corps n'est pas un JSON valide : {d}",
                "the body is not valid JSON: {d}"
            ),
        ),
        other => ApiError::bad_request(
            "unreadable_body",
            msg!("le corps n'a pu être lu ({other})", "{other}"),
        ),
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
            msg!("le formulaire est trop volumineux ({err})", "{err}"),
        ),
        U::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            msg!(
                "envoyez le formulaire en application/x-www-form-urlencoded",
                "send the form as application/x-www-form-urlencoded"
            ),
        ),
        other => ApiError::bad_request(
            "invalid_request",
            msg!(
                "le formulaire est invalide : {other}",
                "the form is invalid: {other}"
            ),
        ),
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
        msg!(
            "les paramètres de la requête sont invalides : {err}",
            "the query string is invalid: {err}"
        ),
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
