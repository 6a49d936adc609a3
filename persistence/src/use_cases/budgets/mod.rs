//! Request budgets, shared by the instances in front of one database.

mod forget_expired;
mod spend;

pub use forget_expired::forget_expired;
pub use spend::spend;
