//! The use cases of second factor: one file per action.

pub use crate::store::second_factor::*;

mod enrol;
pub use enrol::{enrol, Enrolment};
mod confirm;
pub use confirm::confirm;
mod remove;
pub use remove::remove;
