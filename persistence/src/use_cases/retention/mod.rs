//! The use cases of retention: one file per action.

pub use crate::store::retention::*;

mod purge_due;
pub use purge_due::purge_due;
mod purges;
pub use purges::purges;
