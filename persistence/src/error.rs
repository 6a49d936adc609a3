//! The one error type of the persistence crate.

use mcp_domain::DomainError;

/// Why a use case did not complete; nothing was committed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The domain refused the decision.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(diesel::result::Error),
    /// No connection to the database could be had.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value does not read back (a corrupt or foreign row).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// Too many failed attempts for the identifier: wait this many seconds.
    #[error("too many failed attempts: wait {0} s")]
    Throttled(i64),
    /// Every password-hashing worker is busy and the queue is full: come back in this many
    /// seconds.
    #[error("hashing queue full: retry in {0} s")]
    Busy(i64),
    /// A console operation (a backup) cannot be done as asked.
    #[error("{0}")]
    Refused(String),
    /// A secret could not be hashed, or a stored one does not read back.
    #[error("secret unusable: {0}")]
    Secret(String),
}

impl From<diesel::result::Error> for Error {
    /// A query on a connection the server ended (a restart, a failover, a network cut) is the
    /// database being unavailable, not a fault of the service.
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as E};
        match e {
            E::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::Unavailable(e.to_string()),
            // SQLSTATE 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now) and
            // 08xxx (connection exceptions) read back as "unknown" errors.
            E::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if [
                    "terminating connection",
                    "the database system is",
                    "server closed the connection",
                ]
                .iter()
                .any(|m| info.message().starts_with(m)) =>
            {
                Self::Unavailable(e.to_string())
            }
            other => Self::Database(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for Error {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Turns a unique-constraint violation into a 409 with a business code; other errors pass.
pub(crate) fn on_unique(
    code: mcp_domain::ErrorCode,
    message: mcp_domain::Message,
) -> impl Fn(diesel::result::Error) -> Error {
    move |e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => Error::Domain(DomainError::conflict(code, message.clone())),
        other => Error::Database(other),
    }
}
