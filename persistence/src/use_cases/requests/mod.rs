//! The use cases of requests: one file per action.

pub use crate::store::requests::*;

mod file;
pub use file::file;
mod edit;
pub use edit::edit;
mod submit;
pub use submit::submit;
mod withdraw;
pub use withdraw::withdraw;
mod decline;
pub use decline::decline;
mod approve;
pub use approve::approve;
mod get;
pub use get::get;
mod for_partner;
pub use for_partner::for_partner;
mod inbox;
pub use inbox::inbox;
mod escalation_contacts;
pub use escalation_contacts::escalation_contacts;
