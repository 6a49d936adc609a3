//! Business rules of « Mon Compte Partenaire », free of I/O, frameworks and clock reads.
//!
//! Every rule here is named after the article of the *Convention d'accès* (C-art.) or the
//! *Contrat de services* (S-art.) it comes from; time is always passed in by the caller.

pub mod access;
pub mod browser;
pub mod budget;
pub mod caf;
pub mod catalogue;
pub mod cdap;
pub mod commitment;
pub mod contract;
pub mod convention;
pub mod delivery;
pub mod document;
pub mod error;
pub mod habilitation;
pub mod ids;
pub mod incident;
pub mod links;
pub mod maintenance;
pub mod meeting;
pub mod message;
pub mod partner;
pub mod password;
pub mod person;
pub mod provider;
pub mod request;
pub mod review;
pub mod second_factor;
pub mod service_centre;
pub mod siret;
pub mod software;
pub mod subscription;
pub mod text;
pub mod throttle;
pub mod trace;
pub mod vocabulary;

pub use error::{DomainError, ErrorCode, FieldError};
pub use message::Message;
