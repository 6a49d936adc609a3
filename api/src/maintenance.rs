//! National maintenance as the HTTP layer keeps it (S-art. 4: the service is available at all
//! hours except national maintenance). During a national stop the Cnaf declared, every
//! operation answers 503 `maintenance` with `Retry-After` (the seconds until its end), except
//! the public list of stops, the contract and the probes outside `/api/v1` (`/health`,
//! `/ready`). The windows are read from the database at start, after each declaration or
//! cancellation made through this instance, and every few seconds for those made through
//! another instance.

use std::sync::{Arc, RwLock};

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use mcp_domain::maintenance::{stopped_for, Window};
use mcp_persistence::Database;

use crate::problem::ApiError;
use crate::state::AppState;

/// How often an instance reads the windows again, for stops declared through another one.
pub const RELOAD_SECS: u64 = 10;

/// The national stops not ended, as this instance last read them.
#[derive(Debug, Clone, Default)]
pub struct Calendar(Arc<RwLock<Vec<Window>>>);

impl Calendar {
    /// Reads the windows from the database now, on the calling thread.
    pub fn load(db: &Database) -> mcp_persistence::Result<Self> {
        let windows = mcp_persistence::use_cases::stops::national_windows(db, crate::auth::now())?;
        Ok(Self(Arc::new(RwLock::new(windows))))
    }

    /// Reads the windows again. If the database does not answer, the last ones read stay.
    pub async fn reload(&self, db: &Database) {
        let db = db.clone();
        let now = crate::auth::now();
        match web::block(move || mcp_persistence::use_cases::stops::national_windows(&db, now))
            .await
        {
            Ok(Ok(windows)) => *self.0.write().unwrap_or_else(|p| p.into_inner()) = windows,
            Ok(Err(e)) => log::warn!("planned stops not read again: {e}"),
            Err(e) => log::warn!("planned stops not read again: {e}"),
        }
    }

    /// Seconds until the national stop under way ends, if one is.
    pub fn stopped_for(&self, now: chrono::NaiveDateTime) -> Option<u64> {
        stopped_for(&self.0.read().unwrap_or_else(|p| p.into_inner()), now)
    }
}

/// What answers during national maintenance: the list of stops and the contract, and
/// everything outside the API (probes, explorer).
fn answers_during_maintenance(path: &str) -> bool {
    let base = crate::openapi::BASE_PATH;
    !path.starts_with(&format!("{base}/"))
        || path == format!("{base}/maintenance")
        || path == format!("{base}/openapi.json")
}

/// Answers 503 `maintenance` during a national stop, before anything else is done.
pub async fn closed_during_stops(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let now = crate::auth::now();
    let stopped = req
        .app_data::<web::Data<AppState>>()
        .filter(|_| !answers_during_maintenance(req.path()))
        .and_then(|state| state.maintenance.stopped_for(now));
    match stopped {
        None => next.call(req).await,
        Some(secs) => {
            let until = now + chrono::Duration::seconds(secs as i64);
            let e = ApiError::maintenance(secs, until.and_utc());
            Ok(req.error_response(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_the_contract_and_the_probes_answer_during_maintenance() {
        for open in [
            "/health",
            "/ready",
            "/swagger-ui/",
            "/api/v1/maintenance",
            "/api/v1/openapi.json",
        ] {
            assert!(answers_during_maintenance(open), "{open}");
        }
        for closed in [
            "/api/v1/auth/login",
            "/api/v1/partners",
            "/api/v1/maintenance/6c1d0e1e-0000-4000-8000-000000000000/cancellation",
            "/api/v1/cdap/files/1234567",
        ] {
            assert!(!answers_during_maintenance(closed), "{closed}");
        }
    }
}
