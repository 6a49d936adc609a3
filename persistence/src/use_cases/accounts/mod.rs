//! The use cases of accounts: one file per action.

pub use crate::store::accounts::*;

mod bootstrap_cnaf_operator;
pub use bootstrap_cnaf_operator::bootstrap_cnaf_operator;
mod sign_in_rules_for;
pub use sign_in_rules_for::sign_in_rules_for;
mod set_second_factor_enrolment_required;
pub use set_second_factor_enrolment_required::set_second_factor_enrolment_required;
mod activate;
pub use activate::activate;
mod request_password_reset;
pub use request_password_reset::request_password_reset;
mod reset_password;
pub use reset_password::reset_password;
mod login_candidate;
pub use login_candidate::login_candidate;
mod record_failed_login;
pub use record_failed_login::record_failed_login;
mod identifier_of;
pub use identifier_of::identifier_of;
mod me;
pub use me::me;
mod own_password_hash;
pub use own_password_hash::own_password_hash;
mod change_own_password;
pub use change_own_password::change_own_password;
mod set_suspended;
pub use set_suspended::set_suspended;
mod require_password_change;
pub use require_password_change::require_password_change;
mod end_sessions_of;
pub use end_sessions_of::end_sessions_of;
