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
}

impl Ctx {
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
