//! The demo world, for a newcomer's first minutes: one file per action.

mod seed;
pub use seed::{seed, DemoPerson, DemoWorld};
