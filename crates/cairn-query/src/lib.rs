//! Cairn's PartiQL query engine.
//!
//! A statement is parsed by `partiql-parser`, lowered by `partiql-logical-planner`, and
//! compiled ([`compiler`]) into an immutable [`CompiledPlan`] shared with `Arc`. A
//! [`PartiQLVM`] executes a plan: it owns one register array and the bump arenas that
//! hold everything a query computes.

pub mod error;
pub mod functions;
pub mod value;

pub use error::{EvalError, Location, QueryError};
pub use functions::{AbsentArgs, FnContext, FnResult, FunctionDef, FunctionRegistry, ScalarFunction};
pub use value::{OwnedValue, Value};
