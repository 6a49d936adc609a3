//! The use cases of keys: one file per action.

pub use crate::store::keys::*;

mod ensure_and_load;
pub use ensure_and_load::ensure_and_load;
