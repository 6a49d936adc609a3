//! The use cases of outbox: one file per action.

pub use crate::store::outbox::*;

mod deliver_pending;
mod retry;
mod set_aside;
pub use deliver_pending::deliver_pending;
pub use retry::retry;
pub use set_aside::set_aside;
mod waiting;
pub use waiting::waiting;
