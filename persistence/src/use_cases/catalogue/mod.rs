//! The use cases of catalogue: one file per action.

pub use crate::store::catalogue::*;

mod get;
pub use get::get;
mod list;
pub use list::list;
