//! Authentication: short-lived signed access tokens, and the extractor that turns a bearer
//! token into the acting principal — checked against the account on every request, so that
//! disabling an account takes effect at once. (Passwords and second factors are checked by the
//! sign-in use cases, with `mcp_persistence::credentials`.)

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::Utc;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::NaiveDateTime;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use mcp_persistence::use_cases::keys::TokenKey;
use mcp_persistence::{Asked, Ctx};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;

const ISSUER: &str = "mon-compte-partenaire";
const AUDIENCE: &str = "mcp-api";
const TOKEN_TYPE: &str = "at+jwt";

/// The `typ` of OpenID Connect `id_token`s: never the access tokens' type, so that an
/// `id_token` is never taken for an access token.
pub const ID_TOKEN_TYPE: &str = "JWT";

/// Claims of an OpenID Connect `id_token` (Core §2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdClaims {
    /// The issuer (`issuer` of the discovery document).
    pub iss: String,
    /// The person's stable account id.
    pub sub: String,
    /// The software's `client_id`.
    pub aud: String,
    /// The same, as the party the token was issued to.
    pub azp: String,
    /// Expires at.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// When the person signed in.
    pub auth_time: i64,
    /// The authorization request's nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The left half of the SHA-512 of the access token issued with it, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// The session it names, ended by a logout with this token as `id_token_hint`.
    pub sid: String,
}

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The partner software acting for the person (`client_id`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// The scopes the person granted that software.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

struct KeySet {
    signing_kid: String,
    encoding: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    jwks: JwkSet,
}

impl KeySet {
    fn build(keys: &[TokenKey], at: NaiveDateTime) -> Result<Self, String> {
        let signing =
            mcp_persistence::use_cases::keys::signing_key(keys, at).ok_or("no token key")?;
        let mut verifying = HashMap::new();
        let mut jwks = JwkSet { keys: vec![] };
        let mut encoding = None;
        for k in keys {
            let enc = EncodingKey::from_ed_der(&k.pkcs8_der());
            let mut jwk = Jwk::from_encoding_key(&enc, Algorithm::EdDSA)
                .map_err(|e| format!("key {}: {e}", k.id))?;
            jwk.common.key_id = Some(k.id.clone());
            jwk.common.public_key_use = Some(PublicKeyUse::Signature);
            verifying.insert(
                k.id.clone(),
                DecodingKey::from_jwk(&jwk).map_err(|e| format!("key {}: {e}", k.id))?,
            );
            jwks.keys.push(jwk);
            if k.id == signing.id {
                encoding = Some(enc);
            }
        }
        Ok(Self {
            signing_kid: signing.id.clone(),
            encoding: encoding.ok_or("signing key missing")?,
            verifying,
            jwks,
        })
    }
}

/// The keys that sign and check access tokens: Ed25519, identified by `kid`, rotating; their
/// public halves are published as a JWKS so that anyone can check a token.
#[derive(Clone)]
pub struct TokenKeys {
    set: Arc<RwLock<KeySet>>,
    ttl_seconds: i64,
}

impl TokenKeys {
    /// Keys from the stored set (newest first).
    pub fn from_stored(
        keys: &[TokenKey],
        at: NaiveDateTime,
        ttl_seconds: i64,
    ) -> Result<Self, String> {
        Ok(Self {
            set: Arc::new(RwLock::new(KeySet::build(keys, at)?)),
            ttl_seconds,
        })
    }

    /// A key set of one fresh key, kept nowhere (tools and tests).
    pub fn ephemeral(ttl_seconds: i64) -> Self {
        let key = TokenKey {
            id: Uuid::new_v4().to_string(),
            algorithm: "EdDSA".into(),
            private_key: hex::encode(mcp_persistence::use_cases::keys::generate_ed25519_pkcs8()),
            created_at: now(),
        };
        Self::from_stored(&[key], now(), ttl_seconds).expect("a fresh key builds")
    }

    /// Takes a newly loaded set (after a rotation, possibly by another instance).
    pub fn replace(&self, keys: &[TokenKey], at: NaiveDateTime) -> Result<(), String> {
        let set = KeySet::build(keys, at)?;
        *self.set.write().unwrap_or_else(|p| p.into_inner()) = set;
        Ok(())
    }

    /// The public keys, as a JWKS.
    pub fn jwks(&self) -> JwkSet {
        self.set
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .jwks
            .clone()
    }

    /// Lifetime of tokens.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Issues an access token for an account's session, naming the software acting for the
    /// person when there is one.
    pub fn issue(
        &self,
        account_id: mcp_domain::ids::AccountId,
        session_id: mcp_domain::ids::SessionId,
        software: Option<&mcp_domain::access::Software>,
    ) -> Result<String, ApiError> {
        let set = self.set.read().unwrap_or_else(|p| p.into_inner());
        let now = Utc::now().timestamp();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(set.signing_kid.clone());
        header.typ = Some(TOKEN_TYPE.into());
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: account_id.to_string(),
            iat: now,
            exp: now + self.ttl_seconds,
            jti: Uuid::new_v4().to_string(),
            sid: session_id.to_string(),
            azp: software.map(|s| s.client_id.to_string()),
            scope: software.map(|s| mcp_domain::access::Scope::join(&s.scopes)),
        };
        jsonwebtoken::encode(&header, &claims, &set.encoding).map_err(ApiError::internal)
    }

    /// Signs `statement` with the current key as a compact JWS of type `typ` (never the access
    /// tokens' type, so that no statement passes for a token); gives the key's id and the JWS.
    pub fn sign_statement(
        &self,
        typ: &str,
        statement: &serde_json::Value,
    ) -> Result<(String, String), String> {
        let set = self.set.read().unwrap_or_else(|p| p.into_inner());
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(set.signing_kid.clone());
        header.typ = Some(typ.into());
        let jws =
            jsonwebtoken::encode(&header, statement, &set.encoding).map_err(|e| e.to_string())?;
        Ok((set.signing_kid.clone(), jws))
    }

    /// Issues an `id_token` for `issuer`, naming the person of a session to the software
    /// `client_id`, with the `at_hash` of the access token issued with it (SHA-512 for Ed25519).
    pub fn issue_id_token(
        &self,
        issuer: &str,
        client_id: &str,
        issued: &mcp_persistence::use_cases::sessions::Issued,
        authentication: &mcp_persistence::use_cases::clients::Authentication,
        access_token: &str,
    ) -> Result<String, ApiError> {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha512::digest(access_token.as_bytes());
        let (set, now) = (
            self.set.read().unwrap_or_else(|p| p.into_inner()),
            Utc::now(),
        );
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(set.signing_kid.clone());
        header.typ = Some(ID_TOKEN_TYPE.into());
        let claims = IdClaims {
            iss: issuer.into(),
            sub: issued.account_id.get().to_string(),
            aud: client_id.into(),
            azp: client_id.into(),
            exp: now.timestamp() + self.ttl_seconds,
            iat: now.timestamp(),
            auth_time: authentication.auth_time.and_utc().timestamp(),
            nonce: authentication.nonce.clone(),
            at_hash: Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..32])),
            sid: issued.session_id.get().to_string(),
        };
        jsonwebtoken::encode(&header, &claims, &set.encoding).map_err(ApiError::internal)
    }

    /// Checks an `id_token` this service issued for `issuer`, expired or not (a logout's
    /// `id_token_hint` may be older than its lifetime): its algorithm, type, key, signature and
    /// issuer.
    pub fn verify_id_token_hint(&self, token: &str, issuer: &str) -> Option<IdClaims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(ID_TOKEN_TYPE) {
            return None;
        }
        let set = self.set.read().unwrap_or_else(|p| p.into_inner());
        let key = set.verifying.get(header.kid.as_deref()?)?;
        let mut v = Validation::new(Algorithm::EdDSA);
        v.validate_exp = false;
        v.validate_aud = false;
        v.set_issuer(&[issuer]);
        v.set_required_spec_claims(&["sub", "aud", "iss"]);
        Some(
            jsonwebtoken::decode::<IdClaims>(token, key, &v)
                .ok()?
                .claims,
        )
    }

    /// Checks a token's algorithm, type, key, signature, issuer, audience and expiry; gives its
    /// account and session.
    pub fn verify(&self, token: &str) -> Option<(Uuid, Uuid)> {
        let claims = self.verify_claims(token)?;
        Some((
            Uuid::parse_str(&claims.sub).ok()?,
            Uuid::parse_str(&claims.sid).ok()?,
        ))
    }

    /// [`Self::verify`], giving every claim (`azp` names the partner software, if any).
    pub fn verify_claims(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        // Only EdDSA: a token claiming another algorithm (none, or HS256 keyed with the public
        // key) is refused before any check.
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(TOKEN_TYPE) {
            return None;
        }
        let set = self.set.read().unwrap_or_else(|p| p.into_inner());
        let key = set.verifying.get(header.kid.as_deref()?)?;
        let mut v = Validation::new(Algorithm::EdDSA);
        v.set_audience(&[AUDIENCE]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "iat", "sub", "aud", "iss"]);
        v.leeway = 5;
        Some(jsonwebtoken::decode::<Claims>(token, key, &v).ok()?.claims)
    }
}

/// The claims of the request's bearer token, checked once per request: the first to ask (the
/// request-budget middleware) verifies the signature and leaves the answer on the request for
/// the others (idempotency, the extractor). `None`: no token, or one that does not verify.
pub fn verified_claims(req: &HttpRequest, keys: &TokenKeys) -> Option<Claims> {
    #[derive(Clone)]
    struct Checked(Option<Claims>);
    if let Some(Checked(c)) = req.extensions().get::<Checked>() {
        return c.clone();
    }
    let claims = bearer(req.headers()).and_then(|t| keys.verify_claims(t));
    req.extensions_mut().insert(Checked(claims.clone()));
    claims
}

/// The bearer token of a request's `Authorization` header, if it carries one.
pub fn bearer(headers: &actix_web::http::header::HeaderMap) -> Option<&str> {
    headers
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The PKCE S256 challenge of a code verifier: BASE64URL(SHA-256(verifier)), unpadded.
pub fn pkce_s256(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// The instant of an action, UTC, to the microsecond (what both databases store).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// The context of a request no authenticated person makes (a login, an activation): its id and
/// instant.
pub fn without_person(req: &HttpRequest) -> Ctx {
    Ctx::without_person(request_id(req), now())
}

/// The request's id, for handlers that are reached without authentication.
pub fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}

/// What a request asks for, as the contract names it: its operation, route and the values of
/// the route's parameters (kept in the trace if the request is refused).
pub fn asked(req: &HttpRequest) -> Asked {
    let template = req.match_pattern().unwrap_or_default();
    let method = req.method().as_str();
    Asked {
        operation: crate::openapi::operation_id(method, &template)
            .unwrap_or_default()
            .to_string(),
        route: format!("{method} {template}"),
        params: req
            .match_info()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        // The one route parameter that names a beneficiary's file, not an object of ours.
        file_number: req.match_info().get("numero").map(str::to_string),
    }
}

/// An authenticated request: the context every use case needs, and the session it came through.
pub struct Authenticated(pub Ctx, pub Uuid);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = request_id(req);
        let asked = asked(req);
        let has_token = bearer(req.headers()).is_some();
        let claims = state
            .as_ref()
            .and_then(|s| verified_claims(req, &s.keys))
            .and_then(|c| Some((Uuid::parse_str(&c.sub).ok()?, Uuid::parse_str(&c.sid).ok()?)));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            if !has_token {
                return Err(ApiError::unauthenticated(mcp_domain::msg!(
                    "envoyez un jeton d'accès : Authorization: Bearer <token>",
                    "send an access token: Authorization: Bearer <token>"
                )));
            }
            let (account_id, session_id) = claims.ok_or_else(|| {
                ApiError::unauthenticated(mcp_domain::msg!(
                    "le jeton d'accès est invalide ou expiré",
                    "the access token is invalid or expired"
                ))
            })?;
            let db = state.db.clone();
            let at = now();
            let principal = web::block(move || {
                mcp_persistence::use_cases::sessions::active_principal(
                    &db,
                    account_id.into(),
                    session_id.into(),
                    at,
                )
            })
            .await
            .map_err(ApiError::internal)??
            .ok_or_else(|| {
                ApiError::unauthenticated(mcp_domain::msg!(
                    "la session de ce jeton a pris fin, ou son compte n'est pas actif",
                    "the session of this token has ended, or its account is not active"
                ))
            })?;
            Ok(Authenticated(
                Ctx {
                    principal: Some(principal),
                    request_id,
                    now: at,
                    asked: Some(asked),
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
        let keys = TokenKeys::ephemeral(900);
        let id = Uuid::new_v4().to_string();
        let sid = Uuid::new_v4().to_string();
        let token = keys
            .issue(id.parse().unwrap(), sid.parse().unwrap(), None)
            .unwrap();
        assert_eq!(
            keys.verify(&token)
                .map(|(a, s)| (a.to_string(), s.to_string())),
            Some((id.clone(), sid.clone()))
        );

        assert_eq!(
            TokenKeys::ephemeral(900).verify(&token),
            None,
            "signed by another key"
        );
        let expired = TokenKeys {
            ttl_seconds: -60,
            ..keys.clone()
        };
        assert_eq!(
            keys.verify(
                &expired
                    .issue(id.parse().unwrap(), sid.parse().unwrap(), None)
                    .unwrap()
            ),
            None,
            "expired"
        );
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert_eq!(keys.verify(&tampered), None);
        let payload = token.split('.').nth(1).unwrap();
        // alg=none, hand-made
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.{payload}.");
        assert_eq!(keys.verify(&none), None);
        // HS256 keyed with the public key (algorithm confusion)
        let kid = keys.jwks().keys[0].common.key_id.clone().unwrap();
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some(kid);
        h.typ = Some(TOKEN_TYPE.into());
        let public = serde_json::to_string(&keys.jwks().keys[0]).unwrap();
        let claims: Claims = jsonwebtoken::dangerous::insecure_decode(&token)
            .unwrap()
            .claims;
        let confused =
            jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(public.as_bytes()))
                .unwrap();
        assert_eq!(keys.verify(&confused), None);
    }

    #[test]
    fn the_jwks_publishes_public_halves_only() {
        let keys = TokenKeys::ephemeral(900);
        let jwks = serde_json::to_value(keys.jwks()).unwrap();
        let k = &jwks["keys"][0];
        assert_eq!(
            (
                k["kty"].as_str(),
                k["crv"].as_str(),
                k["alg"].as_str(),
                k["use"].as_str()
            ),
            (Some("OKP"), Some("Ed25519"), Some("EdDSA"), Some("sig"))
        );
        assert!(k.get("d").is_none(), "no private part");
    }
}
