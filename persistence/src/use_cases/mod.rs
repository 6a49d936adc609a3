//! The use cases, as callers reach them: every action an interface offers goes through
//! [`run`], which traces what the rules refused.

mod runner;

pub mod accounts;
pub mod budgets;
pub mod cafs;
pub mod catalogue;
pub mod cdap;
pub mod clients;
pub mod conventions;
pub mod demo;
pub mod documents;
pub mod habilitations;
pub mod idempotency;
pub mod incidents;
pub mod keys;
pub mod meetings;
pub mod outbox;
pub mod partners;
pub mod providers;
pub mod requests;
pub mod retention;
pub mod reviews;
pub mod second_factor;
pub mod sessions;
pub mod staff;
pub mod stops;
pub mod subscriptions;
pub mod support;
pub mod trace;

pub use runner::run;
