//! Request budgets per minute (`domain::budget`): each account, and each partner's software,
//! may send so many requests a minute; beyond, 429 `rate_limited` with `Retry-After` and the
//! IETF `RateLimit` / `RateLimit-Policy` headers. Every answer under a budget says what is left.
//!
//! On PostgreSQL the count is shared in the database by the instances in front of it (see
//! [`LocalCounts`]); on SQLite (one instance by nature) it is kept in memory, so that reads do
//! not take the database's single writer.

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

/// What this instance counted for each budget in the current window. On SQLite that is the
/// whole count; on PostgreSQL the instance adds what it counted to the shared count now and
/// then — every twentieth of the budget, or every second — and decides on the shared count it
/// last learned plus what it counted since. A budget is thus exact on one instance and, with
/// several, never overshot by more than a twentieth of it per instance; the database is asked
/// once every few requests, not for each.
#[derive(Clone, Default)]
pub struct LocalCounts(Arc<Mutex<HashMap<String, Tally>>>);

/// One budget's count in this instance.
pub struct Tally {
    window: NaiveDateTime,
    /// The shared count last learned (this instance's counts included).
    known: i64,
    /// Counted here since.
    unsent: i64,
    sent_at: Option<std::time::Instant>,
}

/// How often an instance adds its counts to the shared one.
const SHARE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl LocalCounts {
    /// Counts one request; gives the count to decide on, and the requests to add to the shared
    /// count now, if it is time (`shared`: PostgreSQL).
    fn count(&self, key: &str, window: NaiveDateTime, limit: u32, shared: bool) -> (i64, i64) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Old windows go as the map is used: it holds one entry per active budget.
        if map.len() > 10_000 {
            map.retain(|_, t| t.window >= window);
        }
        let t = map.entry(key.to_string()).or_insert(Tally {
            window,
            known: 0,
            unsent: 0,
            sent_at: None,
        });
        if t.window != window {
            *t = Tally {
                window,
                known: 0,
                unsent: 0,
                sent_at: None,
            };
        }
        t.unsent += 1;
        let total = t.known + t.unsent;
        let every = i64::from(limit / 20).max(1);
        let due = t.unsent >= every || t.sent_at.is_none_or(|at| at.elapsed() >= SHARE_EVERY);
        if shared && due {
            let send = t.unsent;
            t.unsent = 0;
            t.known += send;
            t.sent_at = Some(std::time::Instant::now());
            return (total, send);
        }
        (total, 0)
    }

    /// What the shared count said after this instance added to it.
    fn learned(&self, key: &str, window: NaiveDateTime, shared: i64) -> i64 {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(key) {
            Some(t) if t.window == window => {
                t.known = t.known.max(shared);
                t.known + t.unsent
            }
            _ => shared,
        }
    }
}

struct Budget {
    name: &'static str,
    /// What the French refusal calls it: « ce compte ».
    name_fr: &'static str,
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
    let claims = crate::auth::verified_claims(req.request(), &state.keys);
    // Without a valid token the operation answers 401 (sign-in has its own throttle).
    let Some(claims) = claims else {
        return next.call(req).await;
    };
    let mut budgets = vec![Budget {
        name: "account",
        name_fr: "ce compte",
        key: format!("account:{}", claims.sub),
        limit: state.config.requests_per_minute,
    }];
    if let Some(client) = &claims.azp {
        budgets.push(Budget {
            name: "software",
            name_fr: "ce logiciel",
            key: format!("software:{client}"),
            limit: state.config.software_requests_per_minute,
        });
    }
    let now = crate::auth::now();
    let window = budget::window_start(now);
    let mut tightest: Option<(&Budget, u32)> = None;
    for b in &budgets {
        let shared = state.db.engine() == mcp_persistence::Engine::Postgres;
        let (mut spent, send) = state.local_counts.count(&b.key, window, b.limit, shared);
        if send > 0 {
            let (db, key) = (state.db.clone(), b.key.clone());
            // Counting must not take the service down: if the database fails here, the request
            // goes on with this instance's count (and fails itself just after if it needs it).
            if let Ok(Ok(total)) = web::block(move || {
                mcp_persistence::use_cases::budgets::spend(&db, &key, window, send)
            })
            .await
            {
                spent = state.local_counts.learned(&b.key, window, total);
            }
        }
        match budget::spend(b.limit, spent) {
            Some(left) => {
                if tightest.is_none_or(|(_, l)| left < l) {
                    tightest = Some((b, left));
                }
            }
            None => {
                let wait = budget::seconds_left(now);
                let (limit, name, name_fr) = (b.limit, b.name, b.name_fr);
                let e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    mcp_domain::msg!(
                        "plus de {limit} requêtes cette minute pour {name_fr} : attendez {wait} s",
                        "more than {limit} requests this minute for this {name}: wait {wait} s"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_instance_counts_exactly_and_several_share_every_twentieth() {
        let window = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(10, 41, 0)
            .unwrap();
        let local = LocalCounts::default();
        for n in 1..=50 {
            assert_eq!(local.count("account:a", window, 1200, false), (n, 0));
        }
        let shared = LocalCounts::default();
        // The first request is shared at once, then every 60th (1200 / 20) within a second.
        assert_eq!(shared.count("account:b", window, 1200, true), (1, 1));
        assert_eq!(
            shared.learned("account:b", window, 7),
            7,
            "another instance counted 6"
        );
        let sends: Vec<i64> = (0..120)
            .map(|_| shared.count("account:b", window, 1200, true).1)
            .filter(|s| *s > 0)
            .collect();
        assert_eq!(sends, [60, 60]);
        // A new window starts from nothing.
        let next = window + chrono::Duration::minutes(1);
        assert_eq!(shared.count("account:b", next, 1200, true), (1, 1));
    }
}
