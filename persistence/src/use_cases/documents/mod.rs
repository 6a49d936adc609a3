//! The use cases of a convention's documents: one file per action.

pub use crate::store::documents::*;

mod attach;
pub use attach::attach;
mod download;
pub use download::download;
mod list_for_convention;
pub use list_for_convention::list_for_convention;
