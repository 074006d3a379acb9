//! The core's one error type. Each variant names the thing involved so the
//! web layer can map it to a status and a message that says what to change.

use std::fmt;

use serde::Serialize;

/// A problem with one field of a write, gathered with all the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name (`title`, `opening_hours`…).
    pub field: String,
    /// A stable machine code (`required`, `too_long`, `not_html`…).
    pub code: &'static str,
    /// A sentence for people, in English; the web layer translates `code`.
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

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// What can go wrong in the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration or declaration file is wrong (a type's TOML, `site.toml`…).
    #[error("{file}: {message}")]
    Config {
        /// The file, as the module or the site names it.
        file: String,
        /// What is wrong, naming the field or key.
        message: String,
    },
    /// A write failed validation; every field error is listed.
    #[error("invalid input: {}", join(.0))]
    Invalid(Vec<FieldError>),
    /// Nothing at this path, uid or name.
    #[error("not found: {0}")]
    NotFound(String),
    /// The write conflicts with what is stored (stale revision, id taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The operation is not allowed here (type not addable in this container…).
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// The user lacks the permission (or role) this needs.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A workflow guard closed the transition, with its reason.
    #[error("transition closed: {}", .0.message)]
    Closed(crate::workflow::Closed),
    /// Too many failed logins: try again after this many seconds.
    #[error("too many failed attempts; try again in {0} s")]
    Throttled(u64),
    /// The credentials are wrong, expired or forged.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// A `before` hook refused the write.
    #[error("refused by {module}: {message}")]
    Vetoed {
        /// The module whose subscriber refused.
        module: String,
        /// Its message, meant for the user.
        message: String,
    },
    /// A run-time module's shared library is refused (missing, built for
    /// another plugin API or compiler, without the entry, a name taken…);
    /// the message says what to do.
    #[error("{file}: {message}")]
    Library {
        /// The library's file.
        file: String,
        /// Why it is refused, and what to do.
        message: String,
    },
    /// Modules cannot be resolved (missing, unmet version range, cycle).
    #[error("modules: {0}")]
    Modules(String),
    /// A template failed to load or render.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// Tera's explanation.
        message: String,
    },
    /// The storage backend failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
