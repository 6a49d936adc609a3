//! The use cases of cafs: one file per action.

pub use crate::store::cafs::*;

mod create;
pub use create::create;
mod update;
pub use update::update;
mod set_second_factor_requirement;
pub use set_second_factor_requirement::set_second_factor_requirement;
mod get;
pub use get::get;
mod list;
pub use list::list;
mod add_administrator;
pub use add_administrator::add_administrator;
mod administrators;
pub use administrators::administrators;
mod add_auditor;
pub use add_auditor::add_auditor;
mod auditors;
pub use auditors::auditors;
