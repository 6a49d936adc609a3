//! The use cases of catalogue: one file per action.

pub use crate::store::catalogue::*;

mod add_profile;
pub use add_profile::add_profile;
mod change_profile;
pub use change_profile::change_profile;
mod get;
pub use get::get;
mod list;
pub use list::list;
