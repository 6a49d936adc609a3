//! Rows and queries, one module per table family, and the trace writer and sealer. Nothing here
//! calls a use case.

pub mod accounts;
pub mod amendments;
pub mod budgets;
pub mod cafs;
pub mod catalogue;
pub mod cdap;
pub mod clients;
pub mod conventions;
pub mod demo;
pub mod departures;
pub mod devices;
pub mod documents;
pub mod habilitations;
pub mod idempotency;
pub mod incidents;
pub mod keys;
pub mod meetings;
pub mod outbox;
pub mod partners;
pub mod providers;
pub mod quotas;
pub mod request_forms;
pub mod requests;
pub mod retention;
pub mod reviews;
pub mod second_factor;
pub mod sessions;
pub mod staff;
pub mod stops;
pub mod subscriptions;
pub mod support;
pub mod suspensions;
pub mod throttle;
pub mod trace;
pub mod trace_chains;
