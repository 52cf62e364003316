//! AST rewrites applied before logical planning, for constructs the 0.15 planner does
//! not lower itself.

use crate::error::Result;

/// Rewrites the parsed AST in place.
pub(crate) fn rewrite_ast(_parsed: &mut partiql_parser::Parsed<'_>) -> Result<()> {
    Ok(())
}
