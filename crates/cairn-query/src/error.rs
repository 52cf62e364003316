//! Errors of the query engine, each naming what was wrong and where.

use std::fmt;

/// A position in the query text (1-based line and column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// Byte offsets into the query text, for diagnostics that underline the span.
    pub start: usize,
    pub end: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Everything that can go wrong between query text and the last result row.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    #[error("syntax error at {location}: {message}")]
    Syntax { message: String, location: Location },
    #[error("syntax error: {message}")]
    SyntaxNoLocation { message: String },
    #[error("planning error{}: {message}", location.map(|l| format!(" at {l}")).unwrap_or_default())]
    Planning {
        message: String,
        location: Option<Location>,
    },
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("unknown function `{name}`")]
    UnknownFunction { name: String },
    #[error("function `{name}` expects {expected} arguments, got {got}")]
    Arity {
        name: String,
        expected: String,
        got: usize,
    },
    #[error("evaluation error: {0}")]
    Eval(#[from] EvalError),
    #[error("{path}:{line}: {message}")]
    Read {
        path: String,
        line: u64,
        message: String,
    },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A runtime error raised while evaluating an expression.
///
/// `Type` and `Data` errors become MISSING in permissive mode and are raised in strict
/// mode; `Fatal` errors are always raised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("type error: {0}")]
    Type(String),
    #[error("{0}")]
    Data(String),
    #[error("{0}")]
    Fatal(String),
}

impl EvalError {
    pub fn type_err(msg: impl Into<String>) -> EvalError {
        EvalError::Type(msg.into())
    }
    pub fn data(msg: impl Into<String>) -> EvalError {
        EvalError::Data(msg.into())
    }
    /// Whether permissive mode turns this error into MISSING.
    pub fn is_recoverable(&self) -> bool {
        !matches!(self, EvalError::Fatal(_))
    }
}

pub type Result<T, E = QueryError> = std::result::Result<T, E>;
