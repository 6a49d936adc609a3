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

    /// The stable machine code a client reads (`quota_exceeded`, `forbidden`…).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation_failed",
            Self::Rule { code, .. } | Self::Conflict { code, .. } | Self::Blocked { code, .. } => {
                code
            }
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
        }
    }

    /// The HTTP status that carries this refusal.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation(_) | Self::Rule { .. } => 422,
            Self::Conflict { .. } => 409,
            Self::Forbidden | Self::Blocked { .. } => 403,
            Self::NotFound => 404,
        }
    }

    /// Whether this is a decision of the rules about what the caller asked (who may do what,
    /// on which object, in which state), as opposed to a badly filled input: those decisions
    /// are traced.
    pub fn is_decision(&self) -> bool {
        !matches!(self, Self::Validation(_))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_has_its_code_and_status() {
        let cases = [
            (
                DomainError::field("siret", "invalid_siret", "x"),
                "validation_failed",
                422,
                false,
            ),
            (
                DomainError::rule("quota_exceeded", "x"),
                "quota_exceeded",
                422,
                true,
            ),
            (
                DomainError::conflict("already_signed", "x"),
                "already_signed",
                409,
                true,
            ),
            (DomainError::Forbidden, "forbidden", 403, true),
            (
                DomainError::Blocked {
                    code: "password_change_required",
                    message: "x".into(),
                },
                "password_change_required",
                403,
                true,
            ),
            (DomainError::NotFound, "not_found", 404, true),
        ];
        for (e, code, status, decision) in cases {
            assert_eq!(
                (e.code(), e.status(), e.is_decision()),
                (code, status, decision),
                "{e:?}"
            );
        }
    }
}

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
