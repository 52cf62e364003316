//! The built-in scalar functions and the helpers they share.
//!
//! Registry names are the lower-case names the compiler maps PartiQL's calls to (see
//! `partiql-logical`'s `CallName`), plus the functions the conformance suite calls by name.
//! Most functions are registered with [`AbsentArgs::PassThrough`] so that they can raise a
//! type error for a wrongly-typed argument even when another argument is NULL or MISSING
//! (`MOD(NULL, 'a')` is an error in strict mode), via [`check_args`].

use super::{cast, collection, datetime, interval, numeric, path, string};
use super::{AbsentArgs, FnContext, FnResult, FunctionDef, FunctionRegistry};
use crate::error::EvalError;
use crate::value::Value;

/// Upper bound used for variadic functions.
pub(crate) const VARIADIC: usize = 1 << 16;

pub fn register_all(r: &mut FunctionRegistry) {
    use AbsentArgs::{PassThrough as P, Propagate as Q};
    let mut reg = |name: &str, args: std::ops::RangeInclusive<usize>, a: AbsentArgs, f| {
        r.register(FunctionDef::new(name, args, a, f));
    };

    // Strings.
    reg("lower", 1..=1, P, fn_ptr(string::lower));
    reg("upper", 1..=1, P, fn_ptr(string::upper));
    reg("char_length", 1..=1, P, fn_ptr(string::char_length));
    reg("character_length", 1..=1, P, fn_ptr(string::char_length));
    reg("octet_length", 1..=1, P, fn_ptr(string::octet_length));
    reg("bit_length", 1..=1, P, fn_ptr(string::bit_length));
    reg("ltrim", 1..=2, P, fn_ptr(string::ltrim));
    reg("rtrim", 1..=2, P, fn_ptr(string::rtrim));
    reg("btrim", 1..=2, P, fn_ptr(string::btrim));
    reg("trim", 1..=2, P, fn_ptr(string::btrim));
    reg("substring", 2..=3, P, fn_ptr(string::substring));
    reg("position", 2..=2, P, fn_ptr(string::position));
    reg("overlay", 3..=4, P, fn_ptr(string::overlay));
    reg("text_replace", 3..=3, P, fn_ptr(string::text_replace));
    reg("concat", 0..=VARIADIC, P, fn_ptr(string::concat));

    // Numbers.
    reg("abs", 1..=1, P, fn_ptr(numeric::abs));
    reg("mod", 2..=2, P, fn_ptr(numeric::modulo));

    // Intervals and periods.
    reg(
        "interval_literal",
        2..=2,
        P,
        fn_ptr(interval::interval_literal),
    );
    reg("overlaps", 2..=2, P, fn_ptr(interval::overlaps));

    // Collections.
    reg("cardinality", 1..=1, P, fn_ptr(collection::cardinality));
    reg("size", 1..=1, P, fn_ptr(collection::cardinality));
    reg("exists", 1..=1, P, fn_ptr(collection::exists));
    reg(
        "coll_to_scalar",
        1..=1,
        P,
        fn_ptr(collection::coll_to_scalar),
    );
    reg(
        "tupleunion",
        0..=VARIADIC,
        P,
        fn_ptr(collection::tupleunion),
    );
    reg("coalesce", 0..=VARIADIC, P, fn_ptr(collection::coalesce));
    reg("nullif", 2..=2, P, fn_ptr(collection::nullif));
    reg("coll_avg", 1..=1, P, fn_ptr(collection::coll_avg));
    reg(
        "coll_avg_distinct",
        1..=1,
        P,
        fn_ptr(collection::coll_avg_distinct),
    );
    reg("coll_count", 1..=1, P, fn_ptr(collection::coll_count));
    reg(
        "coll_count_distinct",
        1..=1,
        P,
        fn_ptr(collection::coll_count_distinct),
    );
    reg("coll_max", 1..=1, P, fn_ptr(collection::coll_max));
    reg("coll_max_distinct", 1..=1, P, fn_ptr(collection::coll_max));
    reg("coll_min", 1..=1, P, fn_ptr(collection::coll_min));
    reg("coll_min_distinct", 1..=1, P, fn_ptr(collection::coll_min));
    reg("coll_sum", 1..=1, P, fn_ptr(collection::coll_sum));
    reg(
        "coll_sum_distinct",
        1..=1,
        P,
        fn_ptr(collection::coll_sum_distinct),
    );
    reg("coll_any", 1..=1, P, fn_ptr(collection::coll_any));
    reg("coll_any_distinct", 1..=1, P, fn_ptr(collection::coll_any));
    reg("coll_some", 1..=1, P, fn_ptr(collection::coll_any));
    reg("coll_some_distinct", 1..=1, P, fn_ptr(collection::coll_any));
    reg("coll_every", 1..=1, P, fn_ptr(collection::coll_every));
    reg(
        "coll_every_distinct",
        1..=1,
        P,
        fn_ptr(collection::coll_every),
    );

    // Dates and times.
    reg("extract_year", 1..=1, P, fn_ptr(datetime::extract_year));
    reg("extract_month", 1..=1, P, fn_ptr(datetime::extract_month));
    reg("extract_day", 1..=1, P, fn_ptr(datetime::extract_day));
    reg("extract_hour", 1..=1, P, fn_ptr(datetime::extract_hour));
    reg("extract_minute", 1..=1, P, fn_ptr(datetime::extract_minute));
    reg("extract_second", 1..=1, P, fn_ptr(datetime::extract_second));
    reg(
        "extract_timezone_hour",
        1..=1,
        P,
        fn_ptr(datetime::extract_timezone_hour),
    );
    reg(
        "extract_timezone_minute",
        1..=1,
        P,
        fn_ptr(datetime::extract_timezone_minute),
    );
    reg("date_add", 3..=3, P, fn_ptr(datetime::date_add));
    reg("date_diff", 3..=3, P, fn_ptr(datetime::date_diff));
    reg("to_string", 2..=2, P, fn_ptr(datetime::to_string));
    reg("to_timestamp", 1..=2, P, fn_ptr(datetime::to_timestamp));
    reg("utcnow", 0..=0, Q, fn_ptr(datetime::utcnow));

    // Paths with wildcard steps, as the compiler's AST rewrite writes them.
    reg(
        "path_wildcard",
        2..=VARIADIC,
        P,
        fn_ptr(path::path_wildcard),
    );

    // CAST(v AS T) as a call: `cast(v, 'TypeName')`.
    reg("cast", 2..=2, P, fn_ptr(cast::cast_fn));
    reg("is_type", 2..=2, P, fn_ptr(is_type_fn));
}

/// The type of every built-in: a plain function pointer, higher-ranked over `'a`.
pub(crate) type BuiltinFn = for<'a> fn(&[Value<'a>], &super::FnContext<'a>) -> super::FnResult<'a>;

/// Coerces a function item to [`BuiltinFn`] (function items of generic lifetime do not
/// coerce by themselves inside a generic call).
#[inline]
fn fn_ptr(f: BuiltinFn) -> BuiltinFn {
    f
}

/// What an argument must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string (or symbol).
    Str,
    /// An integer.
    Int,
    /// Any number.
    Num,
    /// Anything.
    Any,
}

impl Kind {
    fn accepts(self, v: &Value<'_>) -> bool {
        match self {
            Kind::Str => matches!(v, Value::Str(_)),
            Kind::Int => matches!(v, Value::Int(_) | Value::BigInt(_)),
            Kind::Num => v.is_number(),
            Kind::Any => true,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Int => "an integer",
            Kind::Num => "a number",
            Kind::Any => "a value",
        }
    }
}

/// A type error naming the function, the argument position and what it got.
pub(crate) fn arg_type_err(fname: &str, pos: usize, expected: &str, got: &Value<'_>) -> EvalError {
    EvalError::type_err(format!(
        "{fname}: argument {} must be {expected}, got {}",
        pos + 1,
        got.type_tag().name()
    ))
}

/// Type-checks the present arguments against `kinds` (the last kind repeats for extra
/// arguments), then answers for absent ones: `Ok(Some(MISSING))` if any argument is
/// MISSING, `Ok(Some(NULL))` if any is NULL, `Ok(None)` when all are present and typed.
pub(crate) fn check_args(
    fname: &str,
    args: &[Value<'_>],
    kinds: &[Kind],
) -> Result<Option<Value<'static>>, EvalError> {
    let mut missing = false;
    let mut null = false;
    for (i, a) in args.iter().enumerate() {
        match a {
            Value::Missing => missing = true,
            Value::Null => null = true,
            v => {
                let k = kinds.get(i).or(kinds.last()).copied().unwrap_or(Kind::Any);
                if !k.accepts(v) {
                    return Err(arg_type_err(fname, i, k.name(), v));
                }
            }
        }
    }
    Ok(if missing {
        Some(Value::Missing)
    } else if null {
        Some(Value::Null)
    } else {
        None
    })
}

/// The argument at `i`, or MISSING when absent (defensive: the VM checks arity).
#[inline]
pub(crate) fn arg<'a>(args: &[Value<'a>], i: usize) -> Value<'a> {
    args.get(i).copied().unwrap_or(Value::Missing)
}

/// An integer argument as i128 (already type-checked as `Kind::Int`).
pub(crate) fn int_arg(v: &Value<'_>) -> i128 {
    match v {
        Value::Int(i) => i128::from(*i),
        Value::BigInt(i) => **i,
        _ => 0,
    }
}

/// An integer result, as `Int` when it fits in i64 and `BigInt` otherwise.
pub(crate) fn int_value<'a>(i: i128, cx: &super::FnContext<'a>) -> Value<'a> {
    match i64::try_from(i) {
        Ok(v) => Value::Int(v),
        Err(_) => Value::BigInt(cx.arena.alloc(i)),
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::super::{FnContext, FunctionRegistry};
    use crate::value::Value;
    use bumpalo::Bump;

    /// Calls a registered function the way the VM would (including `Propagate`).
    pub fn call<'a>(
        arena: &'a Bump,
        strict: bool,
        name: &str,
        args: &[Value<'a>],
    ) -> super::super::FnResult<'a> {
        let reg = FunctionRegistry::with_builtins();
        let id = reg
            .lookup(name)
            .unwrap_or_else(|| panic!("no function {name}"));
        let def = reg.get(id);
        assert!(
            args.len() >= def.min_args && args.len() <= def.max_args,
            "arity of {name}"
        );
        if def.absent == super::AbsentArgs::Propagate {
            if args.iter().any(|a| a.is_missing()) {
                return Ok(Value::Missing);
            }
            if args.iter().any(|a| a.is_null()) {
                return Ok(Value::Null);
            }
        }
        let cx = FnContext { arena, strict };
        def.func.call(args, &cx)
    }

    pub fn s(v: Value<'_>) -> String {
        match v {
            Value::Str(s) => s.to_string(),
            other => panic!("expected a string, got {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bumpalo::Bump;

    #[test]
    fn registry_has_builtins() {
        let r = FunctionRegistry::with_builtins();
        for n in [
            "lower",
            "upper",
            "char_length",
            "character_length",
            "octet_length",
            "bit_length",
            "ltrim",
            "rtrim",
            "btrim",
            "substring",
            "position",
            "overlay",
            "abs",
            "mod",
            "cardinality",
            "exists",
            "coll_to_scalar",
            "extract_year",
            "extract_second",
            "extract_timezone_minute",
            "coll_avg",
            "coll_sum_distinct",
            "coll_every_distinct",
            "to_string",
            "to_timestamp",
            "date_add",
            "date_diff",
            "utcnow",
            "size",
            "text_replace",
            "cast",
        ] {
            assert!(r.lookup(n).is_some(), "{n} not registered");
        }
    }

    #[test]
    fn check_args_types_before_absence() {
        let e = check_args("mod", &[Value::Null, Value::Str("a")], &[Kind::Num]);
        assert!(matches!(e, Err(EvalError::Type(_))));
        let m = check_args("mod", &[Value::Null, Value::Missing], &[Kind::Num]).unwrap();
        assert!(matches!(m, Some(Value::Missing)));
        let n = check_args("mod", &[Value::Null, Value::Int(1)], &[Kind::Num]).unwrap();
        assert!(matches!(n, Some(Value::Null)));
        let arena = Bump::new();
        assert!(matches!(
            int_value(
                i128::from(i64::MAX) + 1,
                &super::super::FnContext {
                    arena: &arena,
                    strict: false
                }
            ),
            Value::BigInt(_)
        ));
    }
}

/// `is_type(v, 'T')`: the rewritten form of `v IS T`.
fn is_type_fn<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    let Value::Str(name) = args[1] else {
        return Err(EvalError::Fatal("IS expects a type name".into()));
    };
    match super::CastTarget::from_name(name) {
        Some(t) => Ok(Value::Bool(super::is_type(&args[0], t))),
        None => Err(EvalError::Fatal(format!("unknown type `{name}` in IS"))),
    }
}
