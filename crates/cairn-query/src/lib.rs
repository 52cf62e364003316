//! Cairn's PartiQL query engine.
//!
//! A statement is parsed by `partiql-parser`, lowered by `partiql-logical-planner`, and
//! compiled ([`compiler`]) into an immutable [`CompiledPlan`] shared with `Arc`. A
//! [`PartiQLVM`] executes a plan: it owns one register array and the bump arenas that
//! hold everything a query computes.

pub mod compiler;
pub mod error;
pub mod explain;
pub mod functions;
pub mod plan;
pub mod reader;
pub mod value;
pub mod vm;

pub use compiler::{Catalog, Compiler};
pub use error::{EvalError, Location, QueryError};
pub use functions::{
    AbsentArgs, FnContext, FnResult, FunctionDef, FunctionRegistry, ScalarFunction,
};
pub use plan::{CompiledPlan, Mode, Shape};
pub use reader::{
    BufferStability, JsonLinesSource, KeyFilter, MemorySource, ScanLayout, ScanReader, Source,
    ValueWriter,
};
pub use value::{OwnedValue, Value};
pub use vm::{
    execute_parallel, materialize_parallel, PartiQLVM, PooledVm, ResultStream, RowView, VmPool,
};
