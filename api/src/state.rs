//! What every handler shares.

use mcp_persistence::Database;

use crate::auth::TokenKeys;
use crate::config::Config;

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Database,
    /// Token keys.
    pub keys: TokenKeys,
    /// Settings.
    pub config: Config,
    /// Wakes the outbox delivery.
    pub outbox: std::sync::Arc<tokio::sync::Notify>,
    /// Where the outbox delivers.
    pub mail: std::sync::Arc<dyn mcp_persistence::use_cases::outbox::Transport>,
    /// This process's metrics (`/metrics`).
    pub metrics: crate::metrics::Metrics,
    /// Where the bytes of documents are kept (the database by default).
    pub documents: std::sync::Arc<dyn mcp_persistence::use_cases::documents::Contents>,
    /// The national stops not ended, during which the API answers 503.
    pub maintenance: crate::maintenance::Calendar,
    /// What this instance counted of each request budget.
    pub local_counts: crate::budget::LocalCounts,
}
