//! Retried requests (`Idempotency-Key`): claim a key before the work, store the answer after.
//! The HTTP layer calls these around the operation's own use case.

mod answer;
mod claim;
mod forget_expired;
mod release;

pub use crate::store::idempotency::{Claim, StoredAnswer, KEPT_HOURS};
pub use answer::answer;
pub use claim::claim;
pub use forget_expired::forget_expired;
pub use release::release;
