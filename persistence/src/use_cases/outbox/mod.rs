//! The use cases of outbox: one file per action.

pub use crate::store::outbox::*;

mod deliver_pending;
pub use deliver_pending::deliver_pending;
