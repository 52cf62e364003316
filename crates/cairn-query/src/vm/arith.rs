//! Arithmetic, comparison and logic on values, with PartiQL's absent-value rules.

use crate::error::EvalError;
use crate::plan::BinaryOp;
use crate::value::{compare_numbers, partiql_eq, EqResult, Value};
use bumpalo::Bump;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Integer overflow and division by zero are errors in both modes: they are not type
/// errors, which permissive mode turns into MISSING.
fn overflow() -> EvalError {
    EvalError::Fatal("integer overflow".into())
}

fn type_error(op: &str, a: &Value<'_>, b: &Value<'_>) -> EvalError {
    EvalError::type_err(format!(
        "`{op}` cannot combine {} and {}",
        a.type_tag().name(),
        b.type_tag().name()
    ))
}

/// MISSING if either is MISSING, else NULL if either is NULL.
#[inline]
pub fn absent<'a>(a: &Value<'a>, b: &Value<'a>) -> Option<Value<'a>> {
    if a.is_missing() || b.is_missing() {
        Some(Value::Missing)
    } else if a.is_null() || b.is_null() {
        Some(Value::Null)
    } else {
        None
    }
}

fn to_decimal(v: &Value<'_>) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::BigInt(i) => Decimal::from_i128(**i),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

fn to_f64(v: &Value<'_>) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::BigInt(i) => Some(**i as f64),
        Value::Decimal(d) => d.to_f64(),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn to_i128(v: &Value<'_>) -> Option<i128> {
    match v {
        Value::Int(i) => Some(i128::from(*i)),
        Value::BigInt(i) => Some(**i),
        _ => None,
    }
}

/// An i128 result as the narrowest integer value.
pub fn int_value<'a>(i: i128, arena: &'a Bump) -> Value<'a> {
    match i64::try_from(i) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::BigInt(arena.alloc(i)),
    }
}

/// `+ - * / % ^` on numbers.
pub fn arith<'a>(
    op: BinaryOp,
    a: Value<'a>,
    b: Value<'a>,
    arena: &'a Bump,
) -> Result<Value<'a>, EvalError> {
    if let Some(v) = absent(&a, &b) {
        return Ok(v);
    }
    // The fast path: two i64.
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return match op {
            BinaryOp::Add => x.checked_add(y).map(Value::Int).ok_or_else(overflow),
            BinaryOp::Sub => x.checked_sub(y).map(Value::Int).ok_or_else(overflow),
            BinaryOp::Mul => x.checked_mul(y).map(Value::Int).ok_or_else(overflow),
            BinaryOp::Div => {
                if y == 0 {
                    Err(EvalError::Fatal("division by zero".into()))
                } else {
                    x.checked_div(y).map(Value::Int).ok_or_else(overflow)
                }
            }
            BinaryOp::Mod => {
                if y == 0 {
                    Err(EvalError::Fatal("division by zero".into()))
                } else {
                    Ok(Value::Int(x.checked_rem(y).unwrap_or(0)))
                }
            }
            BinaryOp::Exp => Ok(Value::Float((x as f64).powf(y as f64))),
            _ => Err(type_error("?", &a, &b)),
        };
    }
    if !a.is_number() || !b.is_number() {
        if let Some(r) = crate::functions::interval::datetime_arith(op, a, b) {
            return r;
        }
        let name = match op {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            _ => "^",
        };
        return Err(type_error(name, &a, &b));
    }
    if let (Some(x), Some(y)) = (to_i128(&a), to_i128(&b)) {
        let r = match op {
            BinaryOp::Add => x.checked_add(y),
            BinaryOp::Sub => x.checked_sub(y),
            BinaryOp::Mul => x.checked_mul(y),
            BinaryOp::Div if y == 0 => return Err(EvalError::Fatal("division by zero".into())),
            BinaryOp::Div => x.checked_div(y),
            BinaryOp::Mod if y == 0 => return Err(EvalError::Fatal("division by zero".into())),
            BinaryOp::Mod => x.checked_rem(y),
            _ => return Ok(Value::Float((x as f64).powf(y as f64))),
        };
        return r.map(|i| int_value(i, arena)).ok_or_else(overflow);
    }
    if matches!(a, Value::Float(_)) || matches!(b, Value::Float(_)) || op == BinaryOp::Exp {
        let (x, y) = (
            to_f64(&a).unwrap_or(f64::NAN),
            to_f64(&b).unwrap_or(f64::NAN),
        );
        return Ok(Value::Float(match op {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::Div => x / y,
            BinaryOp::Mod => x % y,
            _ => x.powf(y),
        }));
    }
    let (Some(x), Some(y)) = (to_decimal(&a), to_decimal(&b)) else {
        return Err(type_error("arithmetic", &a, &b));
    };
    let r = match op {
        BinaryOp::Add => x.checked_add(y),
        BinaryOp::Sub => x.checked_sub(y),
        BinaryOp::Mul => x.checked_mul(y),
        BinaryOp::Div if y.is_zero() => return Err(EvalError::Fatal("division by zero".into())),
        BinaryOp::Div => x.checked_div(y),
        BinaryOp::Mod if y.is_zero() => return Err(EvalError::Fatal("division by zero".into())),
        BinaryOp::Mod => x.checked_rem(y),
        _ => None,
    };
    r.map(Value::Decimal)
        .ok_or_else(|| EvalError::data("decimal overflow"))
}

pub fn negate<'a>(a: Value<'a>, arena: &'a Bump) -> Result<Value<'a>, EvalError> {
    Ok(match a {
        Value::Missing | Value::Null => a,
        Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(overflow)?,
        Value::BigInt(i) => int_value(i.checked_neg().ok_or_else(overflow)?, arena),
        Value::Decimal(d) => Value::Decimal(-d),
        Value::Float(f) => Value::Float(-f),
        Value::Interval(i) => {
            Value::Interval(crate::functions::interval::negate(i).ok_or_else(overflow)?)
        }
        other => {
            return Err(EvalError::type_err(format!(
                "cannot negate {}",
                other.type_tag().name()
            )))
        }
    })
}

/// Orders two values for `<`, `<=`, `>`, `>=`; `None` when they are not comparable.
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    if let Some(o) = compare_numbers(a, b) {
        return Some(o);
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.epoch_nanos().cmp(&y.epoch_nanos())),
        (Value::Blob(x) | Value::Clob(x), Value::Blob(y) | Value::Clob(y)) => Some(x.cmp(y)),
        _ => crate::functions::interval::datetime_cmp(a, b),
    }
}

pub fn relational<'a>(op: BinaryOp, a: Value<'a>, b: Value<'a>) -> Result<Value<'a>, EvalError> {
    match op {
        BinaryOp::Eq => return Ok(partiql_eq(&a, &b).to_value()),
        BinaryOp::Neq => {
            return Ok(match partiql_eq(&a, &b) {
                EqResult::True => Value::Bool(false),
                EqResult::False => Value::Bool(true),
                other => other.to_value(),
            })
        }
        _ => {}
    }
    if let Some(v) = absent(&a, &b) {
        return Ok(v);
    }
    let Some(o) = compare(&a, &b) else {
        return Err(type_error("comparison", &a, &b));
    };
    Ok(Value::Bool(match op {
        BinaryOp::Lt => o == Ordering::Less,
        BinaryOp::Le => o != Ordering::Greater,
        BinaryOp::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    }))
}

fn logic_operand<'a>(v: Value<'a>, op: &str) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Bool(_) | Value::Null | Value::Missing => Ok(v),
        other => Err(EvalError::type_err(format!(
            "`{op}` expects booleans, got {}",
            other.type_tag().name()
        ))),
    }
}

pub fn and<'a>(a: Value<'a>, b: Value<'a>) -> Result<Value<'a>, EvalError> {
    if matches!(a, Value::Bool(false)) || matches!(b, Value::Bool(false)) {
        return Ok(Value::Bool(false));
    }
    let (a, b) = (logic_operand(a, "AND")?, logic_operand(b, "AND")?);
    Ok(match (a, b) {
        (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
        _ => Value::Null,
    })
}

pub fn or<'a>(a: Value<'a>, b: Value<'a>) -> Result<Value<'a>, EvalError> {
    if matches!(a, Value::Bool(true)) || matches!(b, Value::Bool(true)) {
        return Ok(Value::Bool(true));
    }
    let (a, b) = (logic_operand(a, "OR")?, logic_operand(b, "OR")?);
    Ok(match (a, b) {
        (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
        _ => Value::Null,
    })
}

pub fn not(a: Value<'_>) -> Result<Value<'_>, EvalError> {
    match logic_operand(a, "NOT")? {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        other => Ok(other),
    }
}

pub fn concat<'a>(a: Value<'a>, b: Value<'a>, arena: &'a Bump) -> Result<Value<'a>, EvalError> {
    if let Some(v) = absent(&a, &b) {
        return Ok(v);
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            let mut s = bumpalo::collections::String::with_capacity_in(x.len() + y.len(), arena);
            s.push_str(x);
            s.push_str(y);
            Ok(Value::Str(s.into_bump_str()))
        }
        _ => Err(type_error("||", &a, &b)),
    }
}

/// `a IN b`.
pub fn in_collection<'a>(a: Value<'a>, b: Value<'a>) -> Result<Value<'a>, EvalError> {
    let items = match b {
        Value::List(items) | Value::Bag(items) => items,
        Value::Missing => return Ok(Value::Missing),
        Value::Null => return Ok(Value::Null),
        // Not a collection: nothing is in it, in either mode (`x IN 5`; a parenthesized
        // single value is a one-element list already).
        _ => return Ok(Value::Missing),
    };
    if a.is_missing() {
        return Ok(Value::Missing);
    }
    if a.is_null() {
        return Ok(Value::Null);
    }
    let mut saw_null = false;
    for item in items {
        match partiql_eq(&a, item) {
            EqResult::True => return Ok(Value::Bool(true)),
            EqResult::Null | EqResult::Missing => saw_null = true,
            EqResult::False => {}
        }
    }
    Ok(if saw_null {
        Value::Null
    } else {
        Value::Bool(false)
    })
}
