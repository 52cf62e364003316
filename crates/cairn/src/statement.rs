//! Prepared statements: compiled once, executed many times, with `?` parameters.
//!
//! The PartiQL parser has no parameter syntax, so `prepare` rewrites each `?` outside
//! strings, quoted names and comments into a call `cairn_param(n)` of a function bound
//! to this statement's parameter values, which `execute` sets before each run.

use crate::error::{Error, Result};
use cairn_query::error::EvalError;
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
        let (rewritten, param_count) = rewrite_placeholders(text);
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
            .compile(&rewritten)?;
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

/// Replaces each `?` outside string literals, quoted identifiers, Ion literals and
/// comments by `cairn_param(n)`; returns the new text and the number of placeholders.
fn rewrite_placeholders(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
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
                count += 1;
                out.push_str(&format!("{PARAM_FN}({count})"));
            }
            _ => out.push(c),
        }
    }
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::rewrite_placeholders;

    #[test]
    fn placeholders_outside_literals_and_comments_are_rewritten() {
        let (t, n) = rewrite_placeholders(
            "SELECT '?', \"a?\" FROM t WHERE x = ? AND y = ? -- ?\n/* ? */ AND z = `?`",
        );
        assert_eq!(n, 2);
        assert_eq!(
            t,
            "SELECT '?', \"a?\" FROM t WHERE x = cairn_param(1) AND y = cairn_param(2) -- ?\n/* ? */ AND z = `?`"
        );
        assert_eq!(
            rewrite_placeholders("SELECT 'it''s?' FROM t"),
            ("SELECT 'it''s?' FROM t".into(), 0)
        );
    }
}
