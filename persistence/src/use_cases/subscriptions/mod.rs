//! The use cases of subscriptions: one file per action.

pub use crate::store::subscriptions::*;

mod create;
pub use create::create;
mod list;
pub use list::list;
mod get;
pub use get::get;
mod update_quotas;
pub use update_quotas::update_quotas;
