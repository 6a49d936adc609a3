//! The use cases of clients: one file per action.

pub use crate::store::clients::*;

mod register;
pub use register::register;
mod list;
pub use list::list;
mod revoke;
pub use revoke::revoke;
mod approve;
pub use approve::approve;
mod approved;
pub use approved::approved;
mod issue_code;
pub use issue_code::issue_code;
mod redeem_code;
pub use redeem_code::redeem_code;
