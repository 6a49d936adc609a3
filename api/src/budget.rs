//! Request budgets per minute (`domain::budget`): each account, and each partner's software,
//! may send so many requests a minute; beyond, 429 `rate_limited` with `Retry-After` and the
//! IETF `RateLimit` / `RateLimit-Policy` headers. Every answer under a budget says what is left.
//!
//! On PostgreSQL the count is in the database, so the instances in front of it share one budget;
//! on SQLite (one instance by nature) it is kept in memory, so that reads do not take the
//! database's single writer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web;
use chrono::NaiveDateTime;
use mcp_domain::budget;

use crate::problem::ApiError;
use crate::state::AppState;

/// Counts kept in memory (SQLite), by budget and window.
#[derive(Clone, Default)]
pub struct LocalCounts(Arc<Mutex<HashMap<String, (NaiveDateTime, i64)>>>);

impl LocalCounts {
    fn spend(&self, key: &str, window: NaiveDateTime) -> i64 {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Old windows go as the map is used: it holds one entry per active budget.
        if map.len() > 10_000 {
            map.retain(|_, (w, _)| *w >= window);
        }
        let entry = map.entry(key.to_string()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 += 1;
        entry.1
    }
}

struct Budget {
    name: &'static str,
    key: String,
    limit: u32,
}

const RATE_LIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATE_LIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// The middleware (see the module's documentation).
pub async fn limit(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let claims = crate::auth::bearer(req.headers()).and_then(|t| state.keys.verify_claims(t));
    // Without a valid token the operation answers 401 (sign-in has its own throttle).
    let Some(claims) = claims else {
        return next.call(req).await;
    };
    let mut budgets = vec![Budget {
        name: "account",
        key: format!("account:{}", claims.sub),
        limit: state.config.requests_per_minute,
    }];
    if let Some(client) = &claims.azp {
        budgets.push(Budget {
            name: "software",
            key: format!("software:{client}"),
            limit: state.config.software_requests_per_minute,
        });
    }
    let now = crate::auth::now();
    let window = budget::window_start(now);
    let mut tightest: Option<(&Budget, u32)> = None;
    for b in &budgets {
        let spent = match state.db.engine() {
            mcp_persistence::Engine::Sqlite => state.local_counts.spend(&b.key, window),
            mcp_persistence::Engine::Postgres => {
                let (db, key) = (state.db.clone(), b.key.clone());
                match web::block(move || {
                    mcp_persistence::use_cases::budgets::spend(&db, &key, window)
                })
                .await
                {
                    Ok(Ok(n)) => n,
                    // Counting must not take the service down: the request goes on uncounted
                    // (a database that fails here fails the request itself just after).
                    _ => 0,
                }
            }
        };
        match budget::spend(b.limit, spent) {
            Some(left) => {
                if tightest.is_none_or(|(_, l)| left < l) {
                    tightest = Some((b, left));
                }
            }
            None => {
                let wait = budget::seconds_left(now);
                let e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!(
                        "more than {} requests this minute for this {}: wait {wait} s",
                        b.limit, b.name
                    ),
                );
                let mut res = actix_web::ResponseError::error_response(&e);
                let h = res.headers_mut();
                h.insert(header::RETRY_AFTER, HeaderValue::from(wait));
                set_headers(h, b, 0, wait);
                let (req, _) = req.into_parts();
                return Ok(ServiceResponse::new(req, res));
            }
        }
    }
    let mut res = next.call(req).await?;
    if let Some((b, left)) = tightest {
        set_headers(res.headers_mut(), b, left, budget::seconds_left(now));
    }
    Ok(res)
}

fn set_headers(h: &mut header::HeaderMap, b: &Budget, left: u32, reset: i64) {
    let policy = format!("\"{}\";q={};w={}", b.name, b.limit, budget::WINDOW_SECS);
    let state = format!("\"{}\";r={left};t={reset}", b.name);
    if let (Ok(p), Ok(s)) = (
        HeaderValue::from_str(&policy),
        HeaderValue::from_str(&state),
    ) {
        h.insert(RATE_LIMIT_POLICY, p);
        h.insert(RATE_LIMIT, s);
    }
}
