//! The use cases of sessions: one file per action.

pub use crate::store::sessions::*;

mod refresh;
pub use refresh::refresh;
mod revoke_own;
pub use revoke_own::revoke_own;
mod end_own;
pub use end_own::end_own;
mod revoke_all_own;
pub use revoke_all_own::revoke_all_own;
mod list_own;
pub use list_own::list_own;
mod active_principal;
pub use active_principal::active_principal;
mod login;
pub use login::{login, Credentials, Purpose, Refusal, SignedIn, Throttles, Welcome};
