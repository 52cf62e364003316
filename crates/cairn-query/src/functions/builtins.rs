//! The built-in scalar functions.

use super::{AbsentArgs, FnContext, FnResult, FunctionDef, FunctionRegistry};
use crate::error::EvalError;
use crate::value::Value;

pub fn register_all(r: &mut FunctionRegistry) {
    r.register(FunctionDef::new("upper", 1..=1, AbsentArgs::Propagate, upper));
}

fn upper<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    match args[0] {
        Value::Str(s) => {
            let mut out = bumpalo::collections::String::with_capacity_in(s.len(), cx.arena);
            for c in s.chars() {
                out.extend(c.to_uppercase());
            }
            Ok(Value::Str(out.into_bump_str()))
        }
        other => Err(EvalError::type_err(format!(
            "upper expects a string, got {}",
            other.type_tag().name()
        ))),
    }
}
