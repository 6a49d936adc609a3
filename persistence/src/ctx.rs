//! Who acts, in which request, at what time: what every use case needs to decide and to trace.

use chrono::{NaiveDate, NaiveDateTime};
use mcp_domain::access::Principal;

/// The context of one action.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The authenticated person, if any (none for a login attempt).
    pub principal: Option<Principal>,
    /// The request's `X-Request-Id`, kept in the trace.
    pub request_id: String,
    /// The instant of the action, UTC, read once by the caller.
    pub now: NaiveDateTime,
    /// What was asked, as the caller's interface names it; the trace of a refusal keeps it.
    pub asked: Option<Asked>,
}

/// What a caller asked for: the operation and the values that named its objects, so that a
/// refused request is traced with what it tried to reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asked {
    /// The operation, by its contract name (`grant_habilitation`).
    pub operation: String,
    /// The method and route template (`POST /api/v1/partners/{partner_id}/habilitations`).
    pub route: String,
    /// The values of the route's parameters, by name.
    pub params: Vec<(String, String)>,
    /// The beneficiary file the request named, if any (numéro allocataire).
    pub file_number: Option<String>,
}

impl Ctx {
    /// The context of an action no authenticated person makes (yet): a login, an activation,
    /// a scheduled job of the service itself (its name as request id).
    pub fn without_person(request_id: impl Into<String>, now: NaiveDateTime) -> Self {
        Self {
            principal: None,
            request_id: request_id.into(),
            now,
            asked: None,
        }
    }

    /// The same request, acting as `principal` (the person a login, an activation or a code
    /// has just proven).
    pub fn acting_as(&self, principal: Option<Principal>) -> Self {
        Self {
            principal,
            ..self.clone()
        }
    }

    /// The day of the action, in UTC.
    pub fn today(&self) -> NaiveDate {
        self.now.date()
    }

    /// The principal, for use cases that are only reached authenticated.
    pub fn principal(&self) -> &Principal {
        self.principal
            .as_ref()
            .expect("authenticated use case called without a principal")
    }
}
