//! Authentication: argon2id password hashes, short-lived signed access tokens, and the extractor
//! that turns a bearer token into the acting principal — checked against the account on every
//! request, so that disabling an account takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use mcp_persistence::Ctx;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;

const ISSUER: &str = "mon-compte-partenaire";
const AUDIENCE: &str = "mcp-api";
const TOKEN_TYPE: &str = "at+jwt";

/// Hashes a password with argon2id and OWASP's parameters (19 MiB, 2 passes, 1 lane).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Checks a password against a stored hash. With no stored hash, a dummy hash is checked so that
/// an unknown identifier costs the same time as a wrong password.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default());
    let hash = stored.unwrap_or(dummy);
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok();
    ok && stored.is_some()
}

/// Claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The account (a person).
    pub sub: String,
    /// Issued at.
    pub iat: i64,
    /// Expires at.
    pub exp: i64,
    /// Token id.
    pub jti: String,
    /// The session it belongs to: ending the session ends the token.
    pub sid: String,
}

/// The keys that sign and check access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_seconds: i64,
}

impl TokenKeys {
    /// Keys from the stored secret.
    pub fn new(kid: String, secret: &str, ttl_seconds: i64) -> Self {
        Self {
            kid,
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            ttl_seconds,
        }
    }

    /// Lifetime of tokens.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Issues an access token for an account's session.
    pub fn issue(&self, account_id: &str, session_id: &str) -> Result<String, ApiError> {
        let now = Utc::now().timestamp();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(TOKEN_TYPE.into());
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: account_id.into(),
            iat: now,
            exp: now + self.ttl_seconds,
            jti: Uuid::new_v4().to_string(),
            sid: session_id.into(),
        };
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Checks a token's signature, type, key, issuer, audience and expiry; gives its account
    /// and session.
    pub fn verify(&self, token: &str) -> Option<(Uuid, Uuid)> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256
            || header.typ.as_deref() != Some(TOKEN_TYPE)
            || header.kid.as_deref() != Some(&self.kid)
        {
            return None;
        }
        let mut v = Validation::new(Algorithm::HS256);
        v.set_audience(&[AUDIENCE]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "iat", "sub", "aud", "iss"]);
        v.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &v).ok()?;
        Some((
            Uuid::parse_str(&data.claims.sub).ok()?,
            Uuid::parse_str(&data.claims.sid).ok()?,
        ))
    }
}

/// The instant of an action, UTC, to the microsecond (what both databases store).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// The request's id, for handlers that are reached without authentication.
pub fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}

/// An authenticated request: the context every use case needs, and the session it came through.
pub struct Authenticated(pub Ctx, pub Uuid);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = request_id(req);
        let token = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthenticated("send an access token: Authorization: Bearer <token>")
            })?;
            let (account_id, session_id) = state.keys.verify(&token).ok_or_else(|| {
                ApiError::unauthenticated("the access token is invalid or expired")
            })?;
            let db = state.db.clone();
            let at = now();
            let principal = web::block(move || {
                mcp_persistence::sessions::active_principal(&db, account_id, session_id, at)
            })
            .await
            .map_err(ApiError::internal)??
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "the session of this token has ended, or its account is not active",
                )
            })?;
            Ok(Authenticated(
                Ctx {
                    principal: Some(principal),
                    request_id,
                    now: at,
                },
                session_id,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_strictly() {
        let keys = TokenKeys::new("k1".into(), "secret-one", 900);
        let id = Uuid::new_v4().to_string();
        let sid = Uuid::new_v4().to_string();
        let token = keys.issue(&id, &sid).unwrap();
        assert_eq!(
            keys.verify(&token)
                .map(|(a, s)| (a.to_string(), s.to_string())),
            Some((id.clone(), sid.clone()))
        );

        let other = TokenKeys::new("k1".into(), "secret-two", 900);
        assert_eq!(other.verify(&token), None, "forged with another secret");
        let other_kid = TokenKeys::new("k2".into(), "secret-one", 900);
        assert_eq!(other_kid.verify(&token), None, "unknown key id");
        let expired = TokenKeys::new("k1".into(), "secret-one", -60);
        assert_eq!(
            keys.verify(&expired.issue(&id, &sid).unwrap()),
            None,
            "expired"
        );
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert_eq!(keys.verify(&tampered), None);
        // alg=none, hand-made
        let none = format!(
            "{}.{}.",
            "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0",
            token.split('.').nth(1).unwrap()
        );
        assert_eq!(keys.verify(&none), None);
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Lieusaint#2026!").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Lieusaint#2026!", Some(&h)));
        assert!(!verify_password("lieusaint#2026!", Some(&h)));
        assert!(!verify_password("not a password of anyone", None));
    }
}
