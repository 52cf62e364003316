//! Numeric functions.

use super::builtins::{arg, arg_type_err, check_args, int_value, Kind};
use super::{FnContext, FnResult};
use crate::error::EvalError;
use crate::value::{Interval, Value};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

/// `abs(n)` for numbers and intervals.
pub fn abs<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(match arg(args, 0) {
        v @ (Value::Missing | Value::Null) => v,
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => int_value(i128::from(i).abs(), cx),
        },
        Value::BigInt(i) => match i.checked_abs() {
            Some(a) => int_value(a, cx),
            None => return Err(EvalError::data("abs: integer overflow")),
        },
        Value::Decimal(d) => Value::Decimal(d.abs()),
        Value::Float(f) => Value::Float(f.abs()),
        Value::Interval(Interval::YearMonth { months, q }) => {
            Value::Interval(Interval::YearMonth {
                q,
                months: months
                    .checked_abs()
                    .ok_or_else(|| EvalError::data("abs: interval overflow"))?,
            })
        }
        Value::Interval(Interval::DayTime { nanos, q }) => Value::Interval(Interval::DayTime {
            q,
            nanos: nanos
                .checked_abs()
                .ok_or_else(|| EvalError::data("abs: interval overflow"))?,
        }),
        other => return Err(arg_type_err("abs", 0, "a number or an interval", &other)),
    })
}

/// A number widened for arithmetic.
enum N {
    I(i128),
    D(Decimal),
    F(f64),
}

fn widen(v: &Value<'_>) -> N {
    match v {
        Value::Int(i) => N::I(i128::from(*i)),
        Value::BigInt(i) => N::I(**i),
        Value::Decimal(d) => N::D(*d),
        Value::Float(f) => N::F(*f),
        _ => N::I(0),
    }
}

fn to_dec(n: &N) -> Option<Decimal> {
    match n {
        N::I(i) => Decimal::from_i128(*i),
        N::D(d) => Some(*d),
        N::F(f) => Decimal::from_f64(*f),
    }
}

fn to_f64(n: &N) -> f64 {
    match n {
        N::I(i) => *i as f64,
        N::D(d) => d.to_f64().unwrap_or(f64::NAN),
        N::F(f) => *f,
    }
}

/// `mod(a, b)`: the remainder of `a / b`, with the sign of `a`.
pub fn modulo<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("mod", args, &[Kind::Num, Kind::Num])? {
        return Ok(v);
    }
    let (a, b) = (widen(&arg(args, 0)), widen(&arg(args, 1)));
    let zero = || EvalError::data("mod: division by zero");
    Ok(match (&a, &b) {
        (N::I(x), N::I(y)) => {
            if *y == 0 {
                return Err(zero());
            }
            int_value(x.checked_rem(*y).unwrap_or(0), cx)
        }
        (N::F(_), _) | (_, N::F(_)) => {
            let y = to_f64(&b);
            if y == 0.0 {
                return Err(zero());
            }
            Value::Float(to_f64(&a) % y)
        }
        _ => {
            let (Some(x), Some(y)) = (to_dec(&a), to_dec(&b)) else {
                return Err(EvalError::data("mod: number out of DECIMAL range"));
            };
            if y.is_zero() {
                return Err(zero());
            }
            Value::Decimal(
                x.checked_rem(y)
                    .ok_or_else(|| EvalError::data("mod: overflow"))?,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::builtins::test_util::call;
    use crate::value::{Interval, Value};
    use bumpalo::Bump;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn abs_values() {
        let a = Bump::new();
        let d = |s: &str| Value::Decimal(Decimal::from_str(s).unwrap());
        match call(&a, false, "abs", &[d("-0.0000")]).unwrap() {
            Value::Decimal(x) => assert_eq!(x.to_string(), "0.0000"),
            o => panic!("{o:?}"),
        }
        match call(&a, false, "abs", &[d("-1.9999999999999999999900")]).unwrap() {
            Value::Decimal(x) => assert_eq!(x.to_string(), "1.9999999999999999999900"),
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            call(&a, false, "abs", &[Value::Int(-1)]).unwrap(),
            Value::Int(1)
        ));
        match call(&a, false, "abs", &[Value::Int(i64::MIN)]).unwrap() {
            Value::BigInt(i) => assert_eq!(*i, 9223372036854775808),
            o => panic!("{o:?}"),
        }
        assert!(
            matches!(call(&a, false, "abs", &[Value::Float(f64::NEG_INFINITY)]).unwrap(), Value::Float(f) if f == f64::INFINITY)
        );
        assert!(matches!(
            call(
                &a,
                false,
                "abs",
                &[Value::Interval(Interval::year_month(-18))]
            )
            .unwrap(),
            Value::Interval(Interval::YearMonth { months: 18, .. })
        ));
        assert!(call(&a, true, "abs", &[Value::Str("x")]).is_err());
    }

    #[test]
    fn mod_values() {
        let a = Bump::new();
        let m = |x: Value<'static>, y: Value<'static>| call(&a, true, "mod", &[x, y]);
        assert!(matches!(
            m(Value::Int(-17), Value::Int(4)).unwrap(),
            Value::Int(-1)
        ));
        assert!(matches!(
            m(Value::Int(17), Value::Int(3)).unwrap(),
            Value::Int(2)
        ));
        assert!(matches!(
            m(Value::Int(i64::MIN), Value::Int(-1)).unwrap(),
            Value::Int(0)
        ));
        assert!(m(Value::Int(1), Value::Int(0)).is_err());
        assert!(m(Value::Null, Value::Str("s")).is_err());
        assert!(m(Value::Missing, Value::Null).unwrap().is_missing());
        assert!(m(Value::Int(3), Value::Null).unwrap().is_null());
        match m(Value::Decimal(Decimal::new(55, 1)), Value::Int(2)).unwrap() {
            Value::Decimal(x) => assert_eq!(x, Decimal::new(15, 1)),
            o => panic!("{o:?}"),
        }
    }
}
