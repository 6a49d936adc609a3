//! The use cases of staff: one file per action.

pub use crate::store::staff::*;

mod create_user;
pub use create_user::create_user;
mod list_staff;
pub use list_staff::list_staff;
mod export_staff;
pub use export_staff::export_staff;
mod close_due;
pub use close_due::close_due;
mod close_account;
pub use close_account::close_account;
mod give_delegation;
pub use give_delegation::give_delegation;
mod list_delegations;
pub use list_delegations::list_delegations;
mod withdraw_delegation;
pub use withdraw_delegation::withdraw_delegation;
mod create_group;
pub use create_group::create_group;
mod list_groups;
pub use list_groups::list_groups;
mod get_group;
pub use get_group::get_group;
mod add_member;
pub use add_member::add_member;
mod remove_member;
pub use remove_member::remove_member;
