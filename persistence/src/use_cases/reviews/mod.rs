//! The use cases of reviews: one file per action.

pub use crate::store::reviews::*;

mod open;
pub use open::open;
mod run_schedule;
pub use run_schedule::run_schedule;
mod for_caf;
pub use for_caf::for_caf;
mod for_partner;
pub use for_partner::for_partner;
mod get;
pub use get::get;
mod decide;
pub use decide::decide;
mod complete;
pub use complete::complete;
mod report;
pub use report::report;
mod annual_review;
pub use annual_review::annual_review;
