//! Functions over collections and tuples, including the `COLL_*` aggregates.
//!
//! The aggregates skip NULL and MISSING elements as SQL aggregates do: COUNT of nothing is
//! 0, the others of nothing are NULL. A non-collection argument is a type error.

use super::builtins::{arg, arg_type_err, int_value};
use super::{FnContext, FnResult};
use crate::error::EvalError;
use crate::value::{partiql_eq, total_cmp, EqResult, Field, Value};
use bumpalo::collections::Vec as BumpVec;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// `cardinality(c)` / `size(c)`: the number of elements of a LIST/BAG or fields of a tuple.
pub fn cardinality<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(match arg(args, 0) {
        v @ (Value::Missing | Value::Null) => v,
        Value::List(items) | Value::Bag(items) => Value::Int(items.len() as i64),
        Value::Tuple(fields) => Value::Int(fields.len() as i64),
        other => {
            return Err(arg_type_err(
                "cardinality",
                0,
                "a collection or a tuple",
                &other,
            ))
        }
    })
}

/// `exists(c)`: whether a collection or tuple is non-empty.
pub fn exists<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(match arg(args, 0) {
        v @ (Value::Missing | Value::Null) => v,
        Value::List(items) | Value::Bag(items) => Value::Bool(!items.is_empty()),
        Value::Tuple(fields) => Value::Bool(!fields.is_empty()),
        other => return Err(arg_type_err("exists", 0, "a collection or a tuple", &other)),
    })
}

/// `coll_to_scalar(c)`: the only element of a collection (the value of its only field when
/// that element is a one-field tuple); an empty collection stays itself (a subquery with
/// no rows is an empty bag, or list when ordered); an error for more than one element.
pub fn coll_to_scalar<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    match arg(args, 0) {
        v @ (Value::Missing | Value::Null) => Ok(v),
        v @ (Value::List(items) | Value::Bag(items)) => match items {
            [] => Ok(v),
            [Value::Tuple([(_, v)])] => Ok(*v),
            [v] => Ok(*v),
            _ => Err(EvalError::data(format!(
                "coll_to_scalar: expected a collection of one element, got {} elements",
                items.len()
            ))),
        },
        other => Err(arg_type_err("coll_to_scalar", 0, "a collection", &other)),
    }
}

/// `tupleunion(t1, t2, ...)`: the fields of all tuples, in order. Absent arguments add
/// nothing.
pub fn tupleunion<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    let mut n = 0;
    for (i, a) in args.iter().enumerate() {
        match a {
            Value::Tuple(f) => n += f.len(),
            Value::Missing | Value::Null => {}
            other => return Err(arg_type_err("tupleunion", i, "a tuple", other)),
        }
    }
    let mut out: BumpVec<'a, Field<'a>> = BumpVec::with_capacity_in(n, cx.arena);
    for a in args {
        if let Value::Tuple(f) = a {
            out.extend_from_slice(f);
        }
    }
    Ok(Value::Tuple(out.into_bump_slice()))
}

/// `coalesce(v1, v2, ...)`: the first argument that is neither NULL nor MISSING.
pub fn coalesce<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    let mut any_null = false;
    for a in args {
        match a {
            Value::Null => any_null = true,
            Value::Missing => {}
            v => return Ok(*v),
        }
    }
    Ok(if any_null || args.is_empty() {
        Value::Null
    } else {
        Value::Missing
    })
}

/// `nullif(a, b)`: NULL when `a = b`, else `a`.
pub fn nullif<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    let (a, b) = (arg(args, 0), arg(args, 1));
    Ok(match partiql_eq(&a, &b) {
        EqResult::True => Value::Null,
        _ => a,
    })
}

/// The present (non-NULL, non-MISSING) elements of the collection argument, deduplicated
/// when `distinct`; `Err(Ok(v))` when the argument itself is NULL/MISSING.
fn elements<'a>(
    fname: &str,
    args: &[Value<'a>],
    distinct: bool,
    cx: &FnContext<'a>,
) -> Result<Result<&'a [Value<'a>], Value<'a>>, EvalError> {
    let items = match arg(args, 0) {
        v @ (Value::Missing | Value::Null) => return Ok(Err(v)),
        Value::List(items) | Value::Bag(items) => items,
        other => return Err(arg_type_err(fname, 0, "a collection", &other)),
    };
    if !distinct && !items.iter().any(|v| v.is_absent()) {
        return Ok(Ok(items));
    }
    let mut v: BumpVec<'a, Value<'a>> = BumpVec::with_capacity_in(items.len(), cx.arena);
    v.extend(items.iter().filter(|x| !x.is_absent()).copied());
    if distinct {
        v.sort_by(|a, b| total_cmp(a, b));
        v.dedup_by(|a, b| total_cmp(a, b) == Ordering::Equal);
    }
    Ok(Ok(v.into_bump_slice()))
}

fn count_impl<'a>(args: &[Value<'a>], distinct: bool, cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(match elements("coll_count", args, distinct, cx)? {
        Ok(items) => Value::Int(items.len() as i64),
        Err(v) => v,
    })
}

pub fn coll_count<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    count_impl(args, false, cx)
}

pub fn coll_count_distinct<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    count_impl(args, true, cx)
}

fn extreme<'a>(
    args: &[Value<'a>],
    cx: &FnContext<'a>,
    want: Ordering,
    fname: &str,
) -> FnResult<'a> {
    Ok(match elements(fname, args, false, cx)? {
        Ok(items) => {
            let mut best: Option<Value<'a>> = None;
            for v in items {
                best = match best {
                    Some(b) if total_cmp(v, &b) != want => Some(b),
                    _ => Some(*v),
                };
            }
            best.unwrap_or(Value::Null)
        }
        Err(v) => v,
    })
}

/// `coll_max(c)` (DISTINCT changes nothing).
pub fn coll_max<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    extreme(args, cx, Ordering::Greater, "coll_max")
}

/// `coll_min(c)` (DISTINCT changes nothing).
pub fn coll_min<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    extreme(args, cx, Ordering::Less, "coll_min")
}

/// A running numeric sum: integers exactly, then DECIMAL, then FLOAT as values require.
#[derive(Clone, Copy, Debug)]
enum Sum {
    Int(i128),
    Dec(Decimal),
    Float(f64),
}

fn overflow() -> EvalError {
    EvalError::data("integer overflow in aggregate")
}

fn sum_values(fname: &str, items: &[Value<'_>]) -> Result<Sum, EvalError> {
    let has_dec = items.iter().any(|v| matches!(v, Value::Decimal(_)));
    let mut acc = Sum::Int(0);
    for v in items {
        acc = match (acc, v) {
            (Sum::Int(a), Value::Int(i)) => {
                Sum::Int(a.checked_add(i128::from(*i)).ok_or_else(overflow)?)
            }
            (Sum::Int(a), Value::BigInt(i)) => Sum::Int(a.checked_add(**i).ok_or_else(overflow)?),
            (Sum::Int(a), Value::Decimal(d)) => Sum::Dec(
                Decimal::from_i128(a)
                    .and_then(|a| a.checked_add(*d))
                    .ok_or_else(overflow)?,
            ),
            (Sum::Int(a), Value::Float(f)) if !has_dec => Sum::Float(a as f64 + f),
            (Sum::Int(a), Value::Float(f)) => Sum::Dec(
                Decimal::from_i128(a)
                    .zip(Decimal::from_f64(*f))
                    .and_then(|(a, f)| a.checked_add(f))
                    .ok_or_else(overflow)?,
            ),
            (Sum::Dec(a), x) if x.is_number() => {
                Sum::Dec(a.checked_add(to_dec(x)?).ok_or_else(overflow)?)
            }
            (Sum::Float(a), x) if x.is_number() => Sum::Float(a + to_f64(x)),
            (_, other) => return Err(arg_type_err(fname, 0, "a collection of numbers", other)),
        };
    }
    Ok(acc)
}

fn to_dec(v: &Value<'_>) -> Result<Decimal, EvalError> {
    match v {
        Value::Int(i) => Ok(Decimal::from(*i)),
        Value::BigInt(i) => Decimal::from_i128(**i).ok_or_else(overflow),
        Value::Decimal(d) => Ok(*d),
        Value::Float(f) => Decimal::from_f64(*f)
            .ok_or_else(|| EvalError::data("FLOAT value out of DECIMAL range in aggregate")),
        _ => Err(EvalError::type_err("expected a number")),
    }
}

fn to_f64(v: &Value<'_>) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::BigInt(i) => **i as f64,
        Value::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

fn sum_impl<'a>(args: &[Value<'a>], distinct: bool, cx: &FnContext<'a>) -> FnResult<'a> {
    let items = match elements("coll_sum", args, distinct, cx)? {
        Ok(items) => items,
        Err(v) => return Ok(v),
    };
    let s = sum_values("coll_sum", items)?;
    if items.is_empty() {
        return Ok(Value::Null);
    }
    Ok(match s {
        Sum::Int(i) => int_value(i, cx),
        Sum::Dec(d) => Value::Decimal(d),
        Sum::Float(f) => Value::Float(f),
    })
}

pub fn coll_sum<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    sum_impl(args, false, cx)
}

pub fn coll_sum_distinct<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    sum_impl(args, true, cx)
}

fn avg_impl<'a>(args: &[Value<'a>], distinct: bool, cx: &FnContext<'a>) -> FnResult<'a> {
    let items = match elements("coll_avg", args, distinct, cx)? {
        Ok(items) => items,
        Err(v) => return Ok(v),
    };
    let s = sum_values("coll_avg", items)?;
    if items.is_empty() {
        return Ok(Value::Null);
    }
    let n = items.len();
    Ok(match s {
        Sum::Float(f) => Value::Float(f / n as f64),
        Sum::Int(i) => {
            let d = Decimal::from_i128(i).ok_or_else(overflow)?;
            Value::Decimal(
                d.checked_div(Decimal::from(n))
                    .ok_or_else(overflow)?
                    .normalize(),
            )
        }
        Sum::Dec(d) => Value::Decimal(d.checked_div(Decimal::from(n)).ok_or_else(overflow)?),
    })
}

pub fn coll_avg<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    avg_impl(args, false, cx)
}

pub fn coll_avg_distinct<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    avg_impl(args, true, cx)
}

fn bool_agg<'a>(args: &[Value<'a>], cx: &FnContext<'a>, any: bool, fname: &str) -> FnResult<'a> {
    let items = match elements(fname, args, false, cx)? {
        Ok(items) => items,
        Err(v) => return Ok(v),
    };
    let mut result: Option<bool> = None;
    for v in items {
        match v {
            Value::Bool(b) => {
                result = Some(if any {
                    result.unwrap_or(false) || *b
                } else {
                    result.unwrap_or(true) && *b
                })
            }
            other => return Err(arg_type_err(fname, 0, "a collection of booleans", other)),
        }
    }
    Ok(result.map_or(Value::Null, Value::Bool))
}

/// `coll_any(c)` / `coll_some(c)`.
pub fn coll_any<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    bool_agg(args, cx, true, "coll_any")
}

/// `coll_every(c)`.
pub fn coll_every<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    bool_agg(args, cx, false, "coll_every")
}

#[cfg(test)]
mod tests {
    use super::super::builtins::test_util::call;
    use crate::value::Value;
    use bumpalo::Bump;
    use rust_decimal::Decimal;

    fn dec(v: Value<'_>) -> String {
        match v {
            Value::Decimal(d) => d.to_string(),
            o => panic!("expected decimal, got {o:?}"),
        }
    }

    #[test]
    fn aggregates() {
        let a = Bump::new();
        let data = [Value::Int(1), Value::Int(1), Value::Int(1), Value::Int(2)];
        let l = Value::List(&data);
        assert_eq!(dec(call(&a, false, "coll_avg", &[l]).unwrap()), "1.25");
        assert_eq!(
            dec(call(&a, false, "coll_avg_distinct", &[l]).unwrap()),
            "1.5"
        );
        assert!(matches!(
            call(&a, false, "coll_count_distinct", &[l]).unwrap(),
            Value::Int(2)
        ));
        assert!(matches!(
            call(&a, false, "coll_sum_distinct", &[l]).unwrap(),
            Value::Int(3)
        ));
        assert!(matches!(
            call(&a, false, "coll_sum", &[l]).unwrap(),
            Value::Int(5)
        ));
        assert!(matches!(
            call(&a, false, "coll_max", &[l]).unwrap(),
            Value::Int(2)
        ));
        assert!(matches!(
            call(&a, false, "coll_min", &[l]).unwrap(),
            Value::Int(1)
        ));

        let nums = [
            Value::Int(1),
            Value::Decimal(Decimal::new(20, 1)),
            Value::Float(3.0),
            Value::Int(4),
            Value::Decimal(Decimal::new(5, 0)),
        ];
        let n = Value::List(&nums);
        assert_eq!(dec(call(&a, false, "coll_sum", &[n]).unwrap()), "15.0");
        assert_eq!(dec(call(&a, false, "coll_avg", &[n]).unwrap()), "3.0");
        assert!(
            matches!(call(&a, false, "coll_max", &[n]).unwrap(), Value::Decimal(d) if d == Decimal::new(5, 0))
        );

        let empty = Value::Bag(&[]);
        assert!(matches!(
            call(&a, false, "coll_count", &[empty]).unwrap(),
            Value::Int(0)
        ));
        assert!(call(&a, false, "coll_sum", &[empty]).unwrap().is_null());
        let mm = [Value::Missing, Value::Missing];
        assert!(call(&a, false, "coll_avg", &[Value::Bag(&mm)])
            .unwrap()
            .is_null());
        assert!(matches!(
            call(&a, false, "coll_count", &[Value::Bag(&mm)]).unwrap(),
            Value::Int(0)
        ));
        assert!(call(&a, false, "coll_max", &[Value::Missing])
            .unwrap()
            .is_missing());
        assert!(call(&a, false, "coll_max", &[Value::Str("x")]).is_err());

        let mixed = [
            Value::Int(1),
            Value::Str("non-number"),
            Value::Null,
            Value::Missing,
        ];
        assert!(matches!(
            call(&a, false, "coll_max", &[Value::Bag(&mixed)]).unwrap(),
            Value::Str("non-number")
        ));
        assert!(matches!(
            call(&a, false, "coll_min", &[Value::Bag(&mixed)]).unwrap(),
            Value::Int(1)
        ));
        assert!(matches!(
            call(&a, false, "coll_count", &[Value::Bag(&mixed)]).unwrap(),
            Value::Int(2)
        ));
        assert!(call(&a, false, "coll_sum", &[Value::Bag(&mixed)]).is_err());

        let big = [Value::Int(i64::MAX), Value::Int(i64::MAX)];
        assert!(matches!(
            call(&a, false, "coll_sum", &[Value::List(&big)]).unwrap(),
            Value::BigInt(_)
        ));
    }

    #[test]
    fn bool_aggregates() {
        let a = Bump::new();
        let b1 = [
            Value::Null,
            Value::Bool(true),
            Value::Missing,
            Value::Bool(false),
        ];
        assert!(matches!(
            call(&a, false, "coll_any", &[Value::Bag(&b1)]).unwrap(),
            Value::Bool(true)
        ));
        assert!(matches!(
            call(&a, false, "coll_every", &[Value::Bag(&b1)]).unwrap(),
            Value::Bool(false)
        ));
        let b2 = [Value::Null, Value::Missing];
        assert!(call(&a, false, "coll_every", &[Value::List(&b2)])
            .unwrap()
            .is_null());
        let b3 = [Value::Bool(true), Value::Int(5)];
        assert!(call(&a, false, "coll_some", &[Value::List(&b3)]).is_err());
    }

    #[test]
    fn misc() {
        let a = Bump::new();
        let t = [("a", Value::Int(1)), ("b", Value::Str("foo"))];
        assert!(matches!(
            call(&a, false, "cardinality", &[Value::Tuple(&t)]).unwrap(),
            Value::Int(2)
        ));
        assert!(matches!(
            call(&a, false, "exists", &[Value::List(&[])]).unwrap(),
            Value::Bool(false)
        ));
        assert!(matches!(
            call(&a, false, "exists", &[Value::List(&[Value::Missing])]).unwrap(),
            Value::Bool(true)
        ));
        assert!(call(&a, true, "cardinality", &[Value::Str("foo")]).is_err());
        let one = [("bar", Value::Int(1111))];
        let c = [Value::Tuple(&one)];
        assert!(matches!(
            call(&a, false, "coll_to_scalar", &[Value::Bag(&c)]).unwrap(),
            Value::Int(1111)
        ));
        assert!(call(
            &a,
            false,
            "coll_to_scalar",
            &[Value::Bag(&[Value::Int(1), Value::Int(2)])]
        )
        .is_err());
        assert!(matches!(
            call(&a, false, "coll_to_scalar", &[Value::List(&[])]).unwrap(),
            Value::List([])
        ));
        assert!(call(
            &a,
            false,
            "nullif",
            &[Value::Int(1), Value::Decimal(Decimal::new(10, 1))]
        )
        .unwrap()
        .is_null());
        assert!(matches!(
            call(&a, false, "nullif", &[Value::Int(1), Value::Missing]).unwrap(),
            Value::Int(1)
        ));
        assert!(matches!(
            call(
                &a,
                false,
                "coalesce",
                &[Value::Null, Value::Missing, Value::Int(9)]
            )
            .unwrap(),
            Value::Int(9)
        ));
        let t2 = [("c", Value::Int(3))];
        match call(
            &a,
            false,
            "tupleunion",
            &[Value::Tuple(&t), Value::Tuple(&t2)],
        )
        .unwrap()
        {
            Value::Tuple(f) => assert_eq!(f.len(), 3),
            o => panic!("{o:?}"),
        }
    }
}
