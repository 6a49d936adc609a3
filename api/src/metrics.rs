//! Prometheus metrics at `/metrics`: requests by route template and status, their latency, the
//! connection pool, the messages waiting in the outbox and the sign-ins refused for too many
//! failures. Only counts: no identifier, address or value of a request is a label.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::state::AppState;

/// The metrics of one process.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    throttled_sign_ins: IntCounter,
    pool_open: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    outbox_waiting: IntGauge,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "mcp_http_requests_total",
                "Requests answered, by route template and status",
            ),
            &["method", "route", "status"],
        )
        .expect("metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "mcp_http_request_duration_seconds",
                "Time to answer, by route template",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )
        .expect("metric");
        let throttled_sign_ins = IntCounter::new(
            "mcp_sign_ins_throttled_total",
            "Sign-ins refused for too many failed attempts (429)",
        )
        .expect("metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("metric");
        let pool_open = gauge("mcp_db_pool_connections", "Database connections open");
        let pool_idle = gauge("mcp_db_pool_idle_connections", "Database connections idle");
        let pool_max = gauge(
            "mcp_db_pool_max_connections",
            "Most connections the pool opens",
        );
        let outbox_waiting = gauge(
            "mcp_outbox_waiting_messages",
            "Messages to people waiting to be delivered",
        );
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(throttled_sign_ins.clone()),
            Box::new(pool_open.clone()),
            Box::new(pool_idle.clone()),
            Box::new(pool_max.clone()),
            Box::new(outbox_waiting.clone()),
        ] {
            registry.register(c).expect("metric registered once");
        }
        Self {
            registry,
            requests,
            latency,
            throttled_sign_ins,
            pool_open,
            pool_idle,
            pool_max,
            outbox_waiting,
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// The sign-in operations, whose 429 is the failed-attempts throttle.
fn signs_in(route: &str) -> bool {
    let base = crate::openapi::BASE_PATH;
    route == format!("{base}/auth/login") || route == format!("{base}/oauth/authorize")
}

/// Counts and times every request by the route template it matched (`/api/v1/partners/{id}`),
/// never by its path.
pub async fn measure(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let method = req.method().as_str().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let status = res.status().as_u16();
        m.requests
            .with_label_values(&[method.as_str(), route.as_str(), &status.to_string()])
            .inc();
        m.latency
            .with_label_values(&[method.as_str(), route.as_str()])
            .observe(started.elapsed().as_secs_f64());
        if status == 429 && signs_in(&route) {
            m.throttled_sign_ins.inc();
        }
    }
    Ok(res)
}

/// The metrics, in Prometheus's text format. The pool and the outbox are read at each scrape.
#[get("/metrics")]
pub async fn serve_metrics(state: web::Data<AppState>) -> HttpResponse {
    let m = &state.metrics;
    let pool = state.db.pool_state();
    m.pool_open.set(pool.open.into());
    m.pool_idle.set(pool.idle.into());
    m.pool_max.set(pool.max.into());
    let db = state.db.clone();
    if let Ok(Ok(n)) = web::block(move || mcp_persistence::use_cases::outbox::waiting(&db)).await {
        m.outbox_waiting.set(n);
    }
    let mut out = vec![];
    let encoder = TextEncoder::new();
    if let Err(e) = encoder.encode(&m.registry.gather(), &mut out) {
        log::error!("metrics not encoded: {e}");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(encoder.format_type())
        .body(out)
}
