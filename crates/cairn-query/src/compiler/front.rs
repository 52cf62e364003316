//! The front end: parsing and logical planning with the `partiql-*` crates, with errors
//! mapped to Cairn's, carrying line and column.

use crate::error::{Location, QueryError, Result};
use crate::functions::FunctionRegistry;
use partiql_catalog::call_defs::{CallSpecArg, ScalarFnCallDef, ScalarFnCallSpec};
use partiql_catalog::catalog::{MutableCatalog, PartiqlCatalog, PartiqlSharedCatalog};
use partiql_catalog::context::SessionContext;
use partiql_catalog::extension::ExtensionResultError;
use partiql_catalog::scalar_fn::{
    ScalarFnExpr, ScalarFnExprResult, ScalarFunction, SimpleScalarFunctionInfo,
};
use partiql_logical::{BindingsOp, LogicalPlan};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Converts a byte offset of `text` to a 1-based line and column.
pub fn location_of(text: &str, start: usize, end: usize) -> Location {
    let start = start.min(text.len());
    let before = &text[..text.floor_char_boundary_compat(start)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Location {
        line,
        column,
        start,
        end: end.max(start).min(text.len()),
    }
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}
impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// Finds where a name mentioned in a planning error message occurs in the text.
pub fn locate_message(text: &str, message: &str) -> Option<Location> {
    let quoted = message.split('`').nth(1)?;
    let lower = text.to_lowercase();
    let at = lower.find(&quoted.to_lowercase())?;
    Some(location_of(text, at, at + quoted.len()))
}

/// Parses `text`, reporting the first syntax error with its position.
pub fn parse(text: &str) -> Result<()> {
    let rewritten = super::pretext::rewrite(text)?;
    let src = rewritten.as_ref().map_or(text, |r| r.text.as_str());
    parse_ast(src)
        .map(|_| ())
        .map_err(|e| in_original(e, text, rewritten.as_ref()))
}

/// A syntax error in rewritten text, placed in the original.
fn in_original(
    e: QueryError,
    text: &str,
    rewritten: Option<&super::pretext::Rewritten>,
) -> QueryError {
    match (e, rewritten) {
        (QueryError::Syntax { message, location }, Some(r)) => QueryError::Syntax {
            message,
            location: location_of(text, r.original(location.start), r.original(location.end)),
        },
        (e, _) => e,
    }
}

fn parse_ast(text: &str) -> Result<partiql_parser::Parsed<'_>> {
    let parser = partiql_parser::Parser::default();
    parser.parse(text).map_err(|e| {
        use partiql_parser::ParseError as P;
        let Some(first) = e.errors.first() else {
            return QueryError::SyntaxNoLocation {
                message: "unknown parse error".into(),
            };
        };
        let span = match first {
            P::SyntaxError(l) => Some((l.location.start.0 .0, l.location.end.0 .0)),
            P::UnexpectedToken(l) => Some((l.location.start.0 .0, l.location.end.0 .0)),
            P::LexicalError(l) => Some((l.location.start.0 .0, l.location.end.0 .0)),
            P::UnexpectedEndOfInput(p) => Some((p.0 .0, p.0 .0)),
            P::Unknown(p) => Some((p.0 .0, p.0 .0)),
            _ => None,
        };
        let message = match first {
            P::SyntaxError(l) => l.inner.clone(),
            P::UnexpectedToken(l) => format!("unexpected token `{}`", l.inner.token),
            P::LexicalError(l) => l.inner.to_string(),
            P::UnexpectedEndOfInput(_) => "unexpected end of input".into(),
            other => other.to_string(),
        };
        match span {
            Some((s, en)) => QueryError::Syntax {
                message,
                location: location_of(text, s as usize, en as usize),
            },
            None => QueryError::SyntaxNoLocation { message },
        }
    })
}

/// A catalog function body that is never called: Cairn only uses the planner's catalog
/// to resolve names; the VM calls the function through its own registry.
#[derive(Debug, Clone)]
struct ResolvedByCairn;

impl ScalarFnExpr for ResolvedByCairn {
    fn evaluate<'c>(
        &self,
        _args: &[Cow<'_, partiql_value::Value>],
        _ctx: &'c dyn SessionContext,
    ) -> ScalarFnExprResult<'c> {
        Err(ExtensionResultError::ReadError(
            "function evaluated outside Cairn's VM".into(),
        ))
    }
}

/// Functions the planner knows natively; everything else in the registry is declared to
/// the planner's catalog.
const PLANNER_BUILTINS: &[&str] = &[
    "char_length",
    "character_length",
    "octet_length",
    "bit_length",
    "lower",
    "upper",
    "substring",
    "overlay",
    "position",
    "trim",
    "coalesce",
    "nullif",
    "exists",
    "abs",
    "mod",
    "cardinality",
    "extract",
    "coll_avg",
    "coll_count",
    "coll_max",
    "coll_min",
    "coll_sum",
    "coll_any",
    "coll_some",
    "coll_every",
];

fn planner_catalog(functions: &FunctionRegistry) -> Arc<PartiqlSharedCatalog> {
    // Catalogs are cached per set of function names: building one per query is wasteful.
    static CACHE: OnceLock<Mutex<HashMap<Vec<String>, Arc<PartiqlSharedCatalog>>>> =
        OnceLock::new();
    let mut key: Vec<String> = functions
        .iter()
        .map(|d| format!("{}/{}/{}", d.name, d.min_args, d.max_args))
        .collect();
    key.sort();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = guard.get(&key) {
        return Arc::clone(c);
    }
    let mut catalog = PartiqlCatalog::default();
    for def in functions.iter() {
        if PLANNER_BUILTINS.contains(&def.name.as_str()) {
            continue;
        }
        let max = def.max_args.min(16);
        let overloads = (def.min_args..=max)
            .map(|n| ScalarFnCallSpec {
                input: std::iter::repeat_n(CallSpecArg::Positional, n).collect(),
                output: Box::new(ResolvedByCairn),
            })
            .collect();
        let name: &'static str = Box::leak(def.name.clone().into_boxed_str());
        let info = SimpleScalarFunctionInfo::new(ScalarFnCallDef {
            names: vec![name],
            overloads,
        });
        // A clash with a name the catalog already has is harmless: it resolves the same way.
        let _ = catalog.add_scalar_function(ScalarFunction::new(Box::new(info)));
    }
    let shared = Arc::new(catalog.to_shared_catalog());
    guard.insert(key, Arc::clone(&shared));
    shared
}

/// Parses and lowers `text` to a logical plan.
pub fn plan(text: &str, functions: &FunctionRegistry) -> Result<LogicalPlan<BindingsOp>> {
    let rewritten = super::pretext::rewrite(text)?;
    let src = rewritten.as_ref().map_or(text, |r| r.text.as_str());
    let mut parsed = parse_ast(src).map_err(|e| in_original(e, text, rewritten.as_ref()))?;
    super::rewrite::rewrite_ast(&mut parsed)?;
    let catalog = planner_catalog(functions);
    let planner = partiql_logical_planner::LogicalPlanner::new(catalog.as_ref());
    planner.lower(&parsed).map_err(|e| {
        let message = e
            .errors
            .iter()
            .map(|e| match e {
                partiql_ast_passes::error::AstTransformError::UnsupportedFunction(f) => {
                    format!("unknown function `{f}`")
                }
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        QueryError::Planning {
            location: locate_message(text, &message),
            message,
        }
    })
}
