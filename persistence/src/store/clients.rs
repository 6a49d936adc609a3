//! Partner software (OAuth 2.0 clients) and the authorization codes that hand a person's
//! consent to it. A partner's administrators submit their software and the Caf approves it, or
//! the Caf registers it directly (its approval); the software then acts only for people of that
//! partner, with the scopes each person grants.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::Scope;
use uuid::Uuid;

use crate::error::Result;
use crate::schema::{authorization_codes, client_applications};

/// How long an authorization code may wait to be exchanged.
pub const CODE_VALIDITY_SECONDS: i64 = 60;

/// A registered software.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = client_applications)]
pub struct ClientApplication {
    /// The `client_id`.
    pub id: String,
    /// The partner's Caf.
    pub caf_id: String,
    /// The partner it belongs to.
    pub partner_id: String,
    /// Its name.
    pub name: String,
    /// Registered redirect URIs, JSON array.
    pub redirect_uris: String,
    /// The most it may ask for, space-separated.
    pub scopes: String,
    /// Whether it may present a person's own credentials.
    pub password_grant: bool,
    /// `pending_approval`, `approved` or `revoked`.
    pub status: String,
    /// Registration instant.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl ClientApplication {
    /// Its redirect URIs.
    pub fn redirect_uri_list(&self) -> Vec<String> {
        serde_json::from_str(&self.redirect_uris).unwrap_or_default()
    }

    /// The scopes it registered.
    pub fn scope_list(&self) -> Vec<Scope> {
        Scope::parse_list(&self.scopes).unwrap_or_default()
    }

    /// Its id.
    pub fn client_uuid(&self) -> Result<Uuid> {
        crate::uuid(&self.id)
    }
}

/// A stored authorization code.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authorization_codes)]
pub(crate) struct CodeRow {
    pub(crate) client_id: String,
    pub(crate) account_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scope: String,
    pub(crate) code_challenge: String,
    pub(crate) expires_at: NaiveDateTime,
    pub(crate) used_at: Option<NaiveDateTime>,
}
