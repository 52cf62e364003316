//! Prepared statements: compiled once, executed many times, with `?` parameters.
//!
//! The PartiQL parser has no parameter syntax, so `prepare` rewrites each `?` outside
//! strings, quoted names and comments into a call `cairn_param(n)` of a function bound
//! to this statement's parameter values, which `execute` sets before each run.

use crate::error::{Error, Result};
use crate::Database;
use cairn_query::error::{EvalError, Location, QueryError};
use cairn_query::functions::{AbsentArgs, FnContext, FnResult, FunctionDef, ScalarFunction};
use cairn_query::{
    Catalog, CompiledPlan, Compiler, FunctionRegistry, Mode, OwnedValue, PartiQLVM, ResultStream,
    Shape, Value,
};
use std::sync::{Arc, RwLock};

/// The function `?` placeholders become.
const PARAM_FN: &str = "cairn_param";

/// A compiled statement and the VM that runs it.
pub struct Statement {
    text: String,
    plan: Arc<CompiledPlan>,
    vm: PartiQLVM,
    params: Arc<RwLock<Vec<OwnedValue>>>,
    param_count: usize,
}

impl Statement {
    pub(crate) fn prepare(
        catalog: &Catalog,
        functions: &Arc<FunctionRegistry>,
        text: &str,
    ) -> Result<Statement> {
        let rewritten = rewrite(text);
        let param_count = rewritten.placeholders;
        let params: Arc<RwLock<Vec<OwnedValue>>> = Arc::default();
        let functions = if param_count > 0 {
            let mut with_params = FunctionRegistry::clone(functions);
            with_params.register(FunctionDef::new(
                PARAM_FN,
                1..=1,
                AbsentArgs::PassThrough,
                Param(Arc::clone(&params)),
            ));
            Arc::new(with_params)
        } else {
            Arc::clone(functions)
        };
        let plan = Compiler::new(catalog)
            .mode(Mode::Permissive)
            .functions(functions)
            .compile(&rewritten.text)
            .map_err(|e| explained(rewritten.relocate_error(text, e)))?;
        Ok(Statement {
            text: text.to_string(),
            vm: PartiQLVM::new(Arc::clone(&plan)),
            plan,
            params,
            param_count,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// How many `?` placeholders the statement has.
    pub fn param_count(&self) -> usize {
        self.param_count
    }

    pub fn shape(&self) -> &Shape {
        self.plan.shape()
    }

    pub fn plan(&self) -> &Arc<CompiledPlan> {
        &self.plan
    }

    /// Runs the statement with no parameters.
    pub fn execute(&mut self) -> Result<ResultStream<'_>> {
        self.execute_with(&[])
    }

    /// Runs the statement with `params` bound to its `?` placeholders, in order.
    pub fn execute_with(&mut self, params: &[OwnedValue]) -> Result<ResultStream<'_>> {
        if params.len() != self.param_count {
            return Err(Error::Invalid(format!(
                "the statement has {} `?` parameter(s), {} given",
                self.param_count,
                params.len()
            )));
        }
        *self.params.write().unwrap_or_else(|p| p.into_inner()) = params.to_vec();
        Ok(self.vm.execute()?)
    }

    /// Runs the statement and collects the whole result as one value.
    pub fn execute_owned(&mut self, params: &[OwnedValue]) -> Result<OwnedValue> {
        Ok(self.execute_with(params)?.materialize()?)
    }

    /// The compiled plan, for `EXPLAIN`: operators, their sources and pushdowns.
    pub fn explain(&self) -> String {
        cairn_query::explain::explain(&self.plan)
    }
}

/// `error` with a hint where the engine's message alone leaves the user guessing.
fn explained(error: QueryError) -> QueryError {
    match error {
        QueryError::Planning { message, location } if message.starts_with("unknown variable") => {
            let tables: Vec<&str> = Database::tables().into_iter().map(|(t, _)| t).collect();
            QueryError::Planning {
                message: format!("{message} (the tables are {})", tables.join(", ")),
                location,
            }
        }
        other => other,
    }
}

struct Param(Arc<RwLock<Vec<OwnedValue>>>);

impl ScalarFunction for Param {
    fn call<'a>(&self, args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
        let Value::Int(n) = args[0] else {
            return Err(EvalError::Fatal("parameter index is not an integer".into()));
        };
        let params = self.0.read().unwrap_or_else(|p| p.into_inner());
        let v = usize::try_from(n - 1)
            .ok()
            .and_then(|i| params.get(i))
            .ok_or_else(|| EvalError::Fatal(format!("parameter {n} is not bound")))?;
        Ok(v.as_value(cx.arena).deep_copy(cx.arena))
    }
}

/// An edit of the query text by [`rewrite`]: `len` bytes at `at` in the original
/// became `new_len` bytes at `new_at` in the rewritten text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edit {
    at: usize,
    len: usize,
    new_at: usize,
    new_len: usize,
}

/// The query text as the parser gets it, and how to map its offsets back.
#[derive(Debug)]
struct Rewritten {
    text: String,
    placeholders: usize,
    edits: Vec<Edit>,
}

impl Rewritten {
    /// The offset in the original text of `offset` in the rewritten one (an offset
    /// inside an edit maps to the edit's start, or its end for an end offset).
    fn original_offset(&self, offset: usize, is_end: bool) -> usize {
        let mut delta: isize = 0;
        for e in &self.edits {
            if offset < e.new_at {
                break;
            }
            if offset < e.new_at + e.new_len {
                return if is_end && offset > e.new_at {
                    e.at + e.len
                } else {
                    e.at
                };
            }
            delta += e.new_len as isize - e.len as isize;
        }
        offset.saturating_add_signed(-delta)
    }

    /// `location` (in the rewritten text) moved to the original `text`.
    fn relocate(&self, text: &str, location: Location) -> Location {
        if self.edits.is_empty() {
            return location;
        }
        let start = self.original_offset(location.start, false).min(text.len());
        let end = self
            .original_offset(location.end, true)
            .clamp(start, text.len());
        let mut at = start;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &text[..at];
        Location {
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            start,
            end,
        }
    }

    /// `error`, with its location in the original `text` rather than the rewritten one.
    fn relocate_error(&self, text: &str, error: QueryError) -> QueryError {
        match error {
            QueryError::Syntax { message, location } => QueryError::Syntax {
                message,
                location: self.relocate(text, location),
            },
            QueryError::Planning { message, location } => QueryError::Planning {
                message,
                location: location.map(|l| self.relocate(text, l)),
            },
            other => other,
        }
    }
}

/// Words before `PATH` in a GPML path mode (`WALK PATH`, `ANY SHORTEST PATH`...),
/// where `PATH` is the keyword and stays as written.
const PATH_MODE_WORDS: [&str; 6] = ["walk", "trail", "simple", "acyclic", "shortest", "any"];

/// Prepares `text` for the parser, outside string literals, quoted identifiers, Ion
/// literals and comments:
/// - each `?` becomes `cairn_param(n)`;
/// - the word `path`, reserved in PartiQL's graph syntax, becomes `"path"`, so the
///   `path` column (`b.path`, `AS path`) and the `path(from, to)` function can be
///   written as they are named.
fn rewrite(text: &str) -> Rewritten {
    let mut out = String::with_capacity(text.len());
    let mut placeholders = 0;
    let mut edits = Vec::new();
    // The last word outside quotes and comments, lowercased.
    let mut last_word = String::new();
    let bytes = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                out.push(c);
                // Until the closing quote; a doubled quote is an escaped one and
                // simply closes and reopens.
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
                last_word.clear();
            }
            '-' if chars.peek().map(|&(_, d)| d) == Some('-') => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().map(|&(_, d)| d) == Some('*') => {
                out.push(c);
                let mut prev = ' ';
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
            }
            '?' => {
                placeholders += 1;
                let new = format!("{PARAM_FN}({placeholders})");
                edits.push(Edit {
                    at: i,
                    len: 1,
                    new_at: out.len(),
                    new_len: new.len(),
                });
                out.push_str(&new);
                last_word.clear();
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '$' => {
                let mut end = i + 1;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'$'))
                {
                    end += 1;
                    chars.next();
                }
                let word = &text[i..end];
                if word.eq_ignore_ascii_case("path")
                    && !PATH_MODE_WORDS.contains(&last_word.as_str())
                {
                    edits.push(Edit {
                        at: i,
                        len: word.len(),
                        new_at: out.len(),
                        new_len: "\"path\"".len(),
                    });
                    out.push_str("\"path\"");
                } else {
                    out.push_str(word);
                }
                last_word = word.to_ascii_lowercase();
            }
            c => {
                if !c.is_whitespace() {
                    last_word.clear();
                }
                out.push(c);
            }
        }
    }
    Rewritten {
        text: out,
        placeholders,
        edits,
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;
    use cairn_query::{Location, QueryError};

    #[test]
    fn placeholders_outside_literals_and_comments_are_rewritten() {
        let r =
            rewrite("SELECT '?', \"a?\" FROM t WHERE x = ? AND y = ? -- ?\n/* ? */ AND z = `?`");
        assert_eq!(r.placeholders, 2);
        assert_eq!(
            r.text,
            "SELECT '?', \"a?\" FROM t WHERE x = cairn_param(1) AND y = cairn_param(2) -- ?\n/* ? */ AND z = `?`"
        );
        let r = rewrite("SELECT 'it''s?' FROM t");
        assert_eq!(
            (r.text.as_str(), r.placeholders),
            ("SELECT 'it''s?' FROM t", 0)
        );
        assert!(r.edits.is_empty());
    }

    #[test]
    fn the_reserved_word_path_is_quoted_where_it_names_a_column_or_function() {
        let r = rewrite(
            "SELECT b.path AS path, 'path' FROM blocks AS b, path('a', 'b') AS p \
             WHERE b.PATH = \"path\" -- path\n ORDER BY b.path_len, xpath, 12path",
        );
        assert_eq!(
            r.text,
            "SELECT b.\"path\" AS \"path\", 'path' FROM blocks AS b, \"path\"('a', 'b') AS p \
             WHERE b.\"path\" = \"path\" -- path\n ORDER BY b.path_len, xpath, 12path"
        );
        // GPML path modes keep their keyword.
        assert_eq!(
            rewrite("MATCH ANY SHORTEST PATH (a)").text,
            "MATCH ANY SHORTEST PATH (a)"
        );
        assert_eq!(rewrite("MATCH TRAIL path (a)").text, "MATCH TRAIL path (a)");
    }

    #[test]
    fn error_locations_map_back_to_the_text_as_written() {
        let text = "SELECT b.path FROM t AS b WHERE b.x = ? AND oops";
        let r = rewrite(text);
        let at = r.text.find("oops").unwrap();
        let moved = r.relocate(
            text,
            Location {
                line: 1,
                column: at + 1,
                start: at,
                end: at + 4,
            },
        );
        let want = text.find("oops").unwrap();
        assert_eq!(
            moved,
            Location {
                line: 1,
                column: want + 1,
                start: want,
                end: want + 4,
            }
        );
        // Inside a rewritten placeholder: the placeholder itself.
        let inside = r.text.find("cairn_param").unwrap() + 3;
        let q = text.find('?').unwrap();
        assert_eq!(r.original_offset(inside, false), q);
        assert_eq!(r.original_offset(inside, true), q + 1);
        // Lines and columns are recomputed, and the error's message follows.
        let text = "SELECT ?\nFROM t WHERE ? ?";
        let r = rewrite(text);
        let at = r.text.rfind("cairn_param").unwrap();
        let e = r.relocate_error(
            text,
            QueryError::Syntax {
                message: "unexpected token".into(),
                location: Location {
                    line: 2,
                    column: 1,
                    start: at,
                    end: at + 14,
                },
            },
        );
        assert_eq!(
            e.to_string(),
            "syntax error at line 2, column 16: unexpected token"
        );
    }
}
