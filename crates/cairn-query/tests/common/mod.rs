//! What the end-to-end query tests share.

use cairn_query::value::json::to_json;
use cairn_query::{Catalog, Compiler, Mode, PartiQLVM, QueryError};
use serde_json::Value as Json;

/// Compiles and runs `q` (no tables) in `mode`; the whole result as JSON in the
/// conformance suite's encoding.
pub fn run(q: &str, mode: Mode) -> Result<Json, QueryError> {
    let catalog = Catalog::new();
    let plan = Compiler::new(&catalog).mode(mode).compile(q)?;
    let mut vm = PartiQLVM::new(plan);
    let v = vm.execute()?.materialize()?;
    Ok(to_json(&v))
}
