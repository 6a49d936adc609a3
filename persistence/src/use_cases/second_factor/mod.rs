//! The use cases of second factor: one file per action.

pub use crate::store::second_factor::*;

mod of_account;
pub use of_account::of_account;
mod enrol;
pub use enrol::enrol;
mod use_step;
pub use use_step::use_step;
mod confirm;
pub use confirm::confirm;
mod remove;
pub use remove::remove;
