//! The use cases of cdap: one file per action.

pub use crate::store::cdap::*;

mod authorize_import;
pub use authorize_import::authorize_import;
mod import_batch;
pub use import_batch::import_batch;
mod lookup_only;
pub use lookup_only::lookup_only;
mod consult;
pub use consult::consult;
mod search;
pub use search::search;
mod views;
pub use views::views;
