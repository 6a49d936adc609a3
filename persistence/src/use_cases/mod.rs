//! The use cases, as callers reach them: every action an interface offers goes through
//! [`run`], which traces what the rules refused.

mod runner;

pub use runner::run;
