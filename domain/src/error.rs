//! The one error type of the domain: each variant carries a stable machine code.

use std::fmt;

/// One invalid field of an input, named as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path as the client names it (`siret`, `profiles[2].max_users`).
    pub field: String,
    /// A stable machine code (`invalid_siret`, `too_long`, …).
    pub code: &'static str,
    /// A sentence for a person.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// Why the domain refused a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// The input is well-formed JSON but some fields are invalid (422 `validation_failed`).
    Validation(Vec<FieldError>),
    /// A business rule forbids the change (422).
    Rule {
        /// Stable machine code.
        code: &'static str,
        /// Explanation for a person.
        message: String,
    },
    /// The object's current state forbids the change (409).
    Conflict {
        /// Stable machine code.
        code: &'static str,
        /// Explanation for a person.
        message: String,
    },
    /// The caller's role does not include this function (403).
    Forbidden,
    /// The caller may not use this function until they do something first (403 with a code,
    /// such as `password_change_required`).
    Blocked {
        /// Stable machine code.
        code: &'static str,
        /// What to do, for a person.
        message: String,
    },
    /// The object does not exist or is outside the caller's reach (404).
    NotFound,
}

impl DomainError {
    /// A business-rule refusal.
    pub fn rule(code: &'static str, message: impl Into<String>) -> Self {
        Self::Rule {
            code,
            message: message.into(),
        }
    }

    /// A state conflict.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A validation failure on one field.
    pub fn field(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(errors) => {
                write!(f, "invalid input:")?;
                for e in errors {
                    write!(f, " {}: {};", e.field, e.message)?;
                }
                Ok(())
            }
            Self::Rule { message, .. }
            | Self::Conflict { message, .. }
            | Self::Blocked { message, .. } => f.write_str(message),
            Self::Forbidden => f.write_str("function not allowed for this role"),
            Self::NotFound => f.write_str("not found"),
        }
    }
}

impl std::error::Error for DomainError {}

/// Collects field errors while checking an input, then turns them into one result.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a field error.
    pub fn push(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Keeps the value of a check, or records its errors and gives `None`.
    pub fn take<T>(&mut self, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(DomainError::Validation(errors)) => {
                self.0.extend(errors);
                None
            }
            Err(other) => {
                self.0
                    .push(FieldError::new("", "invalid", other.to_string()));
                None
            }
        }
    }

    /// Ok when nothing was recorded.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.0))
        }
    }
}
