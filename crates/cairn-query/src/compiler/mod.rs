//! The compiler: query text → `partiql-parser` AST → `partiql-logical-planner` logical
//! plan → Cairn's [`CompiledPlan`].
//!
//! Compilation resolves every variable to a register slot, every global to the catalog,
//! every function to the registry, and every scalar expression to register bytecode, so
//! that execution does no name lookups at all.

mod catalog;
mod copies;
mod expr;
mod front;
mod ion;
mod join;
mod ops;
mod pretext;
mod projection;
mod pushdown;
mod rewrite;
pub(crate) mod typed;

pub use catalog::{Catalog, Global};
pub use front::parse;

use crate::error::{QueryError, Result};
use crate::functions::FunctionRegistry;
use crate::plan::{CompiledPlan, Mode};
use std::sync::{Arc, OnceLock};

/// Compiles query text against a catalog.
pub struct Compiler<'c> {
    catalog: &'c Catalog,
    mode: Mode,
    functions: Arc<FunctionRegistry>,
    hash_joins: bool,
}

fn default_functions() -> Arc<FunctionRegistry> {
    static REGISTRY: OnceLock<Arc<FunctionRegistry>> = OnceLock::new();
    Arc::clone(REGISTRY.get_or_init(|| Arc::new(FunctionRegistry::with_builtins())))
}

impl<'c> Compiler<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        Compiler {
            catalog,
            mode: Mode::Permissive,
            functions: default_functions(),
            hash_joins: true,
        }
    }

    /// Strict or permissive evaluation.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Uses `functions` instead of the built-ins (to add users' functions, start from
    /// [`FunctionRegistry::with_builtins`] and register more).
    pub fn functions(mut self, functions: Arc<FunctionRegistry>) -> Self {
        self.functions = functions;
        self
    }

    /// Plans every join as a nested loop (the reference hash joins are tested against).
    #[cfg(test)]
    pub(crate) fn without_hash_joins(mut self) -> Self {
        self.hash_joins = false;
        self
    }

    /// Compiles `text` into a plan.
    pub fn compile(&self, text: &str) -> Result<Arc<CompiledPlan>> {
        // The upstream planner can panic on some invalid statements; that must be an
        // error, never a crash of the caller.
        let logical = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            front::plan(text, &self.functions)
        }))
        .unwrap_or_else(|_| {
            Err(QueryError::Planning {
                message: "the statement could not be planned".into(),
                location: None,
            })
        })?;
        let mut builder = ops::PlanBuilder::new(self.catalog, &self.functions, self.mode);
        builder.hash_joins = self.hash_joins;
        let plan = builder.build(&logical).map_err(|e| match e {
            QueryError::Planning {
                message,
                location: None,
            } => QueryError::Planning {
                location: front::locate_message(text, &message),
                message,
            },
            other => other,
        })?;
        Ok(Arc::new(plan))
    }
}
