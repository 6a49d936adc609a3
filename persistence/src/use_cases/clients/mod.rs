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
mod exchange_token;
pub use exchange_token::{
    exchange_token, unknown_client, unregistered_scope, Exchanged, Grant, TokenRefusal,
};
mod software_session;
pub use software_session::software_session;
mod end_software_session;
pub use end_software_session::end_software_session;
mod names;
pub use names::names;
