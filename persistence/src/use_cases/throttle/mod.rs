//! The use cases of throttle: one file per action.

pub use crate::store::throttle::*;

mod retry_after;
pub use retry_after::retry_after;
mod failed;
pub use failed::failed;
mod succeeded;
pub use succeeded::succeeded;
