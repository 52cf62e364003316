//! `CAST(v AS T)` and `v IS T`, following the PartiQL specification's CAST table.
//!
//! A cast that the table does not allow (e.g. a timestamp to INT) is a type error, and a
//! value that cannot be converted (e.g. `'12a'` to INT) a data error: both are MISSING in
//! permissive mode. A number out of the target's range is a fatal error, raised in
//! permissive mode too, as arithmetic overflow is. Casting NULL gives NULL and MISSING
//! gives MISSING, except that casting to MISSING, or MISSING to NULL, is an error.

use super::builtins::arg;
use super::{FnContext, FnResult};
use crate::error::EvalError;
use crate::value::{Date, Precision, Time, Timestamp, Value};
use bumpalo::collections::String as BumpString;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write as _;

/// The target of a CAST or an IS test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CastTarget {
    Null,
    Missing,
    Bool,
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Int4,
    /// 64-bit integer (BIGINT).
    Int8,
    /// An integer of any size the engine supports (i128).
    Int,
    Decimal {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    Float,
    Real,
    Double,
    String,
    Symbol,
    Varchar,
    Char,
    Blob,
    Clob,
    Date,
    Time,
    TimeWithTz,
    Timestamp,
    TimestampWithTz,
    List,
    Bag,
    Sexp,
    Tuple,
    Struct,
    Any,
    /// An interval type with its qualifier (`INTERVAL DAY(3) TO SECOND`).
    Interval(crate::value::IntervalQualifier),
}

impl CastTarget {
    /// Parses a type name: the Debug name of `partiql_ast::Type` / `partiql_logical::Type`
    /// (`Integer4Type`, `CharacterVaryingType`, ...) or an SQL spelling (`INT`,
    /// `DOUBLE PRECISION`, `DECIMAL(5, 2)`, `TIME WITH TIME ZONE`, ...), ignoring case.
    pub fn from_name(name: &str) -> Option<CastTarget> {
        if let Some(q) = name
            .trim()
            .get(..9)
            .filter(|h| h.eq_ignore_ascii_case("interval "))
            .and_then(|_| super::interval::parse_qualifier(&name.trim()[9..]).ok())
        {
            return Some(CastTarget::Interval(q));
        }
        let norm: String = name
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let (base, params) = match norm.find('(') {
            Some(i) => (&norm[..i], norm[i + 1..].trim_end_matches(')')),
            None => (norm.as_str(), ""),
        };
        let base = base
            .strip_suffix("type")
            .filter(|b| !b.is_empty())
            .unwrap_or(base);
        let mut nums = params
            .split(',')
            .filter_map(|p| p.trim().parse::<u32>().ok());
        let zoned = norm.contains("withtimezone");
        if base == "time" || base == "timestamp" {
            return Some(match (base == "time", zoned) {
                (true, true) => CastTarget::TimeWithTz,
                (true, false) => CastTarget::Time,
                (false, true) => CastTarget::TimestampWithTz,
                (false, false) => CastTarget::Timestamp,
            });
        }
        Some(match base {
            "null" => CastTarget::Null,
            "missing" => CastTarget::Missing,
            "bool" | "boolean" => CastTarget::Bool,
            "smallint" | "integer2" | "int2" => CastTarget::SmallInt,
            "integer4" | "int4" => CastTarget::Int4,
            "bigint" | "integer8" | "int8" => CastTarget::Int8,
            "int" | "integer" => CastTarget::Int,
            "decimal" | "numeric" | "dec" => CastTarget::Decimal {
                precision: nums.next(),
                scale: nums.next(),
            },
            "float" => CastTarget::Float,
            "real" => CastTarget::Real,
            "double" | "doubleprecision" => CastTarget::Double,
            "string" => CastTarget::String,
            "symbol" => CastTarget::Symbol,
            "varchar" | "charactervarying" | "charvarying" => CastTarget::Varchar,
            "char" | "character" => CastTarget::Char,
            "blob" => CastTarget::Blob,
            "clob" => CastTarget::Clob,
            "date" => CastTarget::Date,
            "time" | "timewithouttimezone" => CastTarget::Time,
            "timewithtimezone" => CastTarget::TimeWithTz,
            "timestamp" | "timestampwithouttimezone" => CastTarget::Timestamp,
            "timestampwithtimezone" | "zonedtimestamp" => CastTarget::TimestampWithTz,
            "list" | "array" => CastTarget::List,
            "bag" => CastTarget::Bag,
            "sexp" => CastTarget::Sexp,
            "tuple" => CastTarget::Tuple,
            "struct" => CastTarget::Struct,
            "any" => CastTarget::Any,
            _ => {
                // `TIME(3) WITH TIME ZONE` and the like: drop the precision.
                if base.starts_with("timestamp") {
                    if norm.contains("withtimezone") {
                        CastTarget::TimestampWithTz
                    } else {
                        CastTarget::Timestamp
                    }
                } else if base.starts_with("time") {
                    if norm.contains("withtimezone") {
                        CastTarget::TimeWithTz
                    } else {
                        CastTarget::Time
                    }
                } else {
                    return None;
                }
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            CastTarget::Null => "NULL",
            CastTarget::Missing => "MISSING",
            CastTarget::Bool => "BOOL",
            CastTarget::SmallInt => "SMALLINT",
            CastTarget::Int4 => "INT4",
            CastTarget::Int8 => "INT8",
            CastTarget::Int => "INT",
            CastTarget::Decimal { .. } => "DECIMAL",
            CastTarget::Float => "FLOAT",
            CastTarget::Real => "REAL",
            CastTarget::Double => "DOUBLE PRECISION",
            CastTarget::String => "STRING",
            CastTarget::Symbol => "SYMBOL",
            CastTarget::Varchar => "VARCHAR",
            CastTarget::Char => "CHAR",
            CastTarget::Blob => "BLOB",
            CastTarget::Clob => "CLOB",
            CastTarget::Date => "DATE",
            CastTarget::Time => "TIME",
            CastTarget::TimeWithTz => "TIME WITH TIME ZONE",
            CastTarget::Timestamp => "TIMESTAMP",
            CastTarget::TimestampWithTz => "TIMESTAMP WITH TIME ZONE",
            CastTarget::List => "LIST",
            CastTarget::Bag => "BAG",
            CastTarget::Sexp => "SEXP",
            CastTarget::Tuple => "TUPLE",
            CastTarget::Struct => "STRUCT",
            CastTarget::Any => "ANY",
            CastTarget::Interval(_) => "INTERVAL",
        }
    }

    fn int_range(self) -> Option<(i128, i128)> {
        match self {
            CastTarget::SmallInt => Some((i128::from(i16::MIN), i128::from(i16::MAX))),
            CastTarget::Int4 => Some((i128::from(i32::MIN), i128::from(i32::MAX))),
            CastTarget::Int8 => Some((i128::from(i64::MIN), i128::from(i64::MAX))),
            CastTarget::Int => Some((i128::MIN, i128::MAX)),
            _ => None,
        }
    }
}

fn cannot(v: &Value<'_>, target: CastTarget) -> EvalError {
    EvalError::type_err(format!(
        "cannot cast {} to {}",
        v.type_tag().name(),
        target.name()
    ))
}

/// A number too large for the target type: raised in permissive mode too, like integer
/// overflow in arithmetic.
fn out_of_range(what: &dyn std::fmt::Display, target: CastTarget) -> EvalError {
    EvalError::Fatal(format!(
        "cannot cast {what} to {}: out of range",
        target.name()
    ))
}

fn bad_value(what: &str, target: CastTarget) -> EvalError {
    EvalError::data(format!("cannot cast {what} to {}", target.name()))
}

/// `cast(v, 'TypeName')`: the call form the compiler emits for CAST.
pub fn cast_fn<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    let name = match arg(args, 1) {
        Value::Str(s) => s,
        other => {
            return Err(EvalError::Fatal(format!(
                "cast: the target type must be given as a string, got {}",
                other.type_tag().name()
            )))
        }
    };
    let target = CastTarget::from_name(name)
        .ok_or_else(|| EvalError::Fatal(format!("cast: unsupported target type `{name}`")))?;
    cast_value(arg(args, 0), target, cx)
}

/// Casts `v` to `target`.
pub fn cast_value<'a>(v: Value<'a>, target: CastTarget, cx: &FnContext<'a>) -> FnResult<'a> {
    match (target, v) {
        (CastTarget::Missing, _) => {
            return Err(EvalError::Fatal("cannot cast to MISSING".into()));
        }
        (CastTarget::Null, Value::Missing) => {
            return Err(EvalError::Fatal("cannot cast MISSING to NULL".into()));
        }
        (CastTarget::Null, _) => return Ok(Value::Null),
        (_, Value::Missing | Value::Null) => return Ok(v),
        (CastTarget::Any, _) => return Ok(v),
        _ => {}
    }
    if let Some((lo, hi)) = target.int_range() {
        return to_int(v, target, lo, hi, cx);
    }
    match target {
        CastTarget::Bool => to_bool(v, target),
        CastTarget::Decimal { precision, scale } => to_decimal(v, target, precision, scale),
        CastTarget::Float | CastTarget::Real | CastTarget::Double => to_float(v, target),
        CastTarget::String | CastTarget::Symbol | CastTarget::Varchar | CastTarget::Char => {
            to_string(v, target, cx)
        }
        CastTarget::Interval(q) => match v {
            Value::Interval(iv) => super::interval::cast_interval(iv, q).map(Value::Interval),
            _ => Err(cannot(&v, target)),
        },
        CastTarget::Blob => match v {
            Value::Blob(b) | Value::Clob(b) => Ok(Value::Blob(b)),
            _ => Err(cannot(&v, target)),
        },
        CastTarget::Clob => match v {
            Value::Blob(b) | Value::Clob(b) => Ok(Value::Clob(b)),
            _ => Err(cannot(&v, target)),
        },
        CastTarget::Date => match v {
            Value::Date(_) => Ok(v),
            Value::Timestamp(t) => Ok(Value::Date(Date {
                year: t.year,
                month: t.month,
                day: t.day,
            })),
            Value::Str(s) => parse_date(s.trim())
                .map(Value::Date)
                .ok_or_else(|| bad_value(&format!("'{s}'"), target)),
            _ => Err(cannot(&v, target)),
        },
        CastTarget::Time | CastTarget::TimeWithTz => {
            let with_tz = target == CastTarget::TimeWithTz;
            let t = match v {
                Value::Time(t) => t,
                Value::Timestamp(t) => Time {
                    hour: t.hour,
                    minute: t.minute,
                    second: t.second,
                    nanos: t.nanos,
                    fraction_digits: t.fraction_digits,
                    offset_minutes: t.offset_minutes,
                },
                Value::Str(s) => crate::value::json::parse_time(s.trim())
                    .ok_or_else(|| bad_value(&format!("'{s}'"), target))?,
                _ => return Err(cannot(&v, target)),
            };
            Ok(Value::Time(Time {
                offset_minutes: if with_tz {
                    Some(t.offset_minutes.unwrap_or(0))
                } else {
                    t.offset_minutes
                },
                ..t
            }))
        }
        CastTarget::Timestamp | CastTarget::TimestampWithTz => match v {
            Value::Timestamp(_) => Ok(v),
            Value::Date(d) => Ok(Value::Timestamp(Timestamp {
                year: d.year,
                month: d.month,
                day: d.day,
                hour: 0,
                minute: 0,
                second: 0,
                nanos: 0,
                fraction_digits: 0,
                precision: Precision::Second,
                offset_minutes: None,
                ion: false,
            })),
            Value::Str(s) => parse_timestamp(s.trim())
                .map(Value::Timestamp)
                .ok_or_else(|| bad_value(&format!("'{s}'"), target)),
            _ => Err(cannot(&v, target)),
        },
        CastTarget::List | CastTarget::Sexp => match v {
            Value::List(items) | Value::Bag(items) => Ok(Value::List(items)),
            _ => Err(cannot(&v, target)),
        },
        CastTarget::Bag => match v {
            Value::List(items) | Value::Bag(items) => Ok(Value::Bag(items)),
            _ => Err(cannot(&v, target)),
        },
        CastTarget::Tuple | CastTarget::Struct => match v {
            Value::Tuple(_) => Ok(v),
            _ => Err(cannot(&v, target)),
        },
        _ => Err(cannot(&v, target)),
    }
}

/// Whether `v` is of type `target` (`v IS T`). `IS NULL` holds for MISSING too.
pub fn is_type(v: &Value<'_>, target: CastTarget) -> bool {
    match target {
        CastTarget::Null => v.is_absent(),
        CastTarget::Missing => v.is_missing(),
        CastTarget::Any => true,
        CastTarget::Bool => matches!(v, Value::Bool(_)),
        CastTarget::SmallInt | CastTarget::Int4 | CastTarget::Int8 | CastTarget::Int => {
            let (lo, hi) = target.int_range().unwrap_or((i128::MIN, i128::MAX));
            match v {
                Value::Int(i) => (lo..=hi).contains(&i128::from(*i)),
                Value::BigInt(i) => (lo..=hi).contains(*i),
                _ => false,
            }
        }
        CastTarget::Decimal { precision, scale } => match v {
            Value::Decimal(d) => {
                !matches!(scale, Some(s) if d.scale() > s)
                    && !matches!(precision, Some(p) if decimal_digits(d) > p)
            }
            _ => false,
        },
        CastTarget::Float | CastTarget::Real | CastTarget::Double => matches!(v, Value::Float(_)),
        CastTarget::String | CastTarget::Symbol | CastTarget::Varchar | CastTarget::Char => {
            matches!(v, Value::Str(_))
        }
        CastTarget::Interval(q) => match v {
            Value::Interval(iv) => {
                (q.lead <= crate::value::IntervalField::Month)
                    == matches!(iv, crate::value::Interval::YearMonth { .. })
            }
            _ => false,
        },
        CastTarget::Blob => matches!(v, Value::Blob(_)),
        CastTarget::Clob => matches!(v, Value::Clob(_)),
        CastTarget::Date => matches!(v, Value::Date(_)),
        CastTarget::Time => matches!(v, Value::Time(_)),
        CastTarget::TimeWithTz => matches!(
            v,
            Value::Time(Time {
                offset_minutes: Some(_),
                ..
            })
        ),
        CastTarget::Timestamp => matches!(v, Value::Timestamp(_)),
        CastTarget::TimestampWithTz => {
            matches!(
                v,
                Value::Timestamp(Timestamp {
                    offset_minutes: Some(_),
                    ..
                })
            )
        }
        CastTarget::List | CastTarget::Sexp => matches!(v, Value::List(_)),
        CastTarget::Bag => matches!(v, Value::Bag(_)),
        CastTarget::Tuple | CastTarget::Struct => matches!(v, Value::Tuple(_)),
    }
}

/// Number of significant digits of a decimal's mantissa.
fn decimal_digits(d: &Decimal) -> u32 {
    let m = d.mantissa().unsigned_abs();
    if m == 0 {
        1
    } else {
        m.ilog10() + 1
    }
}

fn int_result<'a>(
    i: i128,
    target: CastTarget,
    lo: i128,
    hi: i128,
    cx: &FnContext<'a>,
) -> FnResult<'a> {
    if i < lo || i > hi {
        return Err(out_of_range(&i, target));
    }
    Ok(super::builtins::int_value(i, cx))
}

fn decimal_to_int(d: Decimal, target: CastTarget) -> Result<i128, EvalError> {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven)
        .to_i128()
        .ok_or_else(|| out_of_range(&d, target))
}

fn float_to_int(f: f64, target: CastTarget) -> Result<i128, EvalError> {
    if !f.is_finite() {
        return Err(bad_value(&format!("{f}"), target));
    }
    let r = f.round_ties_even();
    // i128 covers about ±1.7e38.
    if r.abs() >= 1.7e38 {
        return Err(out_of_range(&f, target));
    }
    Ok(r as i128)
}

/// Parses integer text: optional sign, then decimal digits, `0b...` or `0x...`.
fn parse_int_text(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) =
        if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, d)
        } else {
            (10, body)
        };
    let digits = digits.replace('_', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(&digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

fn parse_decimal_text(s: &str) -> Option<Decimal> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).ok()
    } else if t.contains(['d', 'D']) {
        Decimal::from_scientific(&t.replace(['d', 'D'], "e")).ok()
    } else {
        t.parse::<Decimal>().ok()
    }
}

fn to_int<'a>(
    v: Value<'a>,
    target: CastTarget,
    lo: i128,
    hi: i128,
    cx: &FnContext<'a>,
) -> FnResult<'a> {
    let i = match v {
        Value::Bool(b) => i128::from(b),
        Value::Int(i) => i128::from(i),
        Value::BigInt(i) => *i,
        Value::Decimal(d) => decimal_to_int(d, target)?,
        Value::Float(f) => float_to_int(f, target)?,
        Value::Str(s) => {
            let t = s.trim();
            match parse_int_text(t) {
                Some(i) => i,
                None => match parse_decimal_text(t) {
                    Some(d) if !t.contains("0x") && !t.contains("0b") => decimal_to_int(d, target)?,
                    _ => match t.parse::<f64>() {
                        Ok(f) if t.contains(['e', 'E']) => float_to_int(f, target)?,
                        _ => return Err(bad_value(&format!("'{s}'"), target)),
                    },
                },
            }
        }
        _ => return Err(cannot(&v, target)),
    };
    int_result(i, target, lo, hi, cx)
}

fn to_bool<'a>(v: Value<'a>, target: CastTarget) -> FnResult<'a> {
    Ok(Value::Bool(match v {
        Value::Bool(b) => b,
        Value::Int(i) => i != 0,
        Value::BigInt(i) => *i != 0,
        Value::Decimal(d) => !d.is_zero(),
        Value::Float(f) => f != 0.0,
        Value::Str(s) => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                true
            } else if t.eq_ignore_ascii_case("false") {
                false
            } else {
                return Err(bad_value(&format!("'{s}'"), target));
            }
        }
        _ => return Err(cannot(&v, target)),
    }))
}

fn to_decimal<'a>(
    v: Value<'a>,
    target: CastTarget,
    precision: Option<u32>,
    scale: Option<u32>,
) -> FnResult<'a> {
    let d = match v {
        Value::Bool(b) => Decimal::from(u8::from(b)),
        Value::Int(i) => Decimal::from(i),
        Value::BigInt(i) => Decimal::from_i128(*i).ok_or_else(|| out_of_range(&i, target))?,
        Value::Decimal(d) => d,
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(bad_value(&format!("{f}"), target));
            }
            Decimal::from_f64(f).ok_or_else(|| out_of_range(&f, target))?
        }
        Value::Str(s) => {
            parse_decimal_text(s).ok_or_else(|| bad_value(&format!("'{s}'"), target))?
        }
        _ => return Err(cannot(&v, target)),
    };
    let scale = match (precision, scale) {
        (Some(_), None) => Some(0),
        (_, s) => s,
    };
    let d = match scale {
        Some(s) => {
            let mut r = d.round_dp_with_strategy(s.min(28), RoundingStrategy::MidpointAwayFromZero);
            if r.scale() < s.min(28) {
                r.rescale(s.min(28));
            }
            r
        }
        None => d,
    };
    if let Some(p) = precision {
        let int_digits = decimal_digits(&d).saturating_sub(d.scale());
        if int_digits > p.saturating_sub(scale.unwrap_or(0)) && !d.trunc().is_zero() {
            return Err(bad_value(
                &format!("{d} (exceeds DECIMAL({p}, {}))", scale.unwrap_or(0)),
                target,
            ));
        }
    }
    Ok(Value::Decimal(d))
}

fn to_float<'a>(v: Value<'a>, target: CastTarget) -> FnResult<'a> {
    Ok(Value::Float(match v {
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::Int(i) => i as f64,
        Value::BigInt(i) => *i as f64,
        Value::Decimal(d) => d
            .to_f64()
            .ok_or_else(|| bad_value(&d.to_string(), target))?,
        Value::Float(f) => f,
        Value::Str(s) => {
            let t = s.trim();
            match t.to_ascii_lowercase().as_str() {
                "nan" => f64::NAN,
                "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
                "-inf" | "-infinity" => f64::NEG_INFINITY,
                _ => match parse_int_text(t) {
                    Some(i) => i as f64,
                    None => t
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .ok_or_else(|| bad_value(&format!("'{s}'"), target))?,
                },
            }
        }
        _ => return Err(cannot(&v, target)),
    }))
}

fn to_string<'a>(v: Value<'a>, target: CastTarget, cx: &FnContext<'a>) -> FnResult<'a> {
    let mut out = BumpString::new_in(cx.arena);
    let _ = match v {
        Value::Str(s) => return Ok(Value::Str(s)),
        Value::Bool(b) => return Ok(Value::Str(if b { "true" } else { "false" })),
        Value::Int(i) => write!(out, "{i}"),
        Value::BigInt(i) => write!(out, "{i}"),
        Value::Decimal(d) => write!(out, "{d}"),
        Value::Float(f) => {
            if f.is_nan() {
                return Ok(Value::Str("nan"));
            } else if f.is_infinite() {
                return Ok(Value::Str(if f > 0.0 { "+inf" } else { "-inf" }));
            }
            write!(out, "{f:?}")
        }
        Value::Date(d) => write!(out, "{d}"),
        Value::Time(t) => {
            let _ = write!(out, "{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
            if t.fraction_digits > 0 {
                let frac = format!("{:09}", t.nanos);
                out.push('.');
                out.push_str(&frac[..usize::from(t.fraction_digits.min(9))]);
            }
            if let Some(o) = t.offset_minutes {
                let sign = if o < 0 { '-' } else { '+' };
                let a = o.unsigned_abs();
                let _ = write!(out, "{sign}{:02}:{:02}", a / 60, a % 60);
            }
            Ok(())
        }
        Value::Timestamp(t) => {
            out.push_str(&t.to_ion_text());
            Ok(())
        }
        _ => return Err(cannot(&v, target)),
    };
    Ok(Value::Str(out.into_bump_str()))
}

fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        let p = s.get(r)?;
        p.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse().ok())?
    };
    Date::new(n(0..4)? as i32, n(5..7)? as u8, n(8..10)? as u8)
}

/// Timestamp text: Ion form, or SQL `YYYY-MM-DD[ HH:MM[:SS[.f]][+hh:mm]]`.
fn parse_timestamp(s: &str) -> Option<Timestamp> {
    if let Some(t) = Timestamp::parse_ion(s) {
        return Some(t);
    }
    let d = parse_date(s.get(..10)?)?;
    let rest = s.get(10..)?;
    let mut ts = Timestamp {
        year: d.year,
        month: d.month,
        day: d.day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        fraction_digits: 0,
        precision: Precision::Second,
        offset_minutes: None,
        ion: false,
    };
    if rest.is_empty() {
        return Some(ts);
    }
    let time = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T'))?;
    let t = crate::value::json::parse_time(time.trim())?;
    ts.hour = t.hour;
    ts.minute = t.minute;
    ts.second = t.second;
    ts.nanos = t.nanos;
    ts.fraction_digits = t.fraction_digits;
    ts.offset_minutes = t.offset_minutes;
    Some(ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bumpalo::Bump;
    use std::str::FromStr;

    fn cx(a: &Bump) -> FnContext<'_> {
        FnContext {
            arena: a,
            strict: true,
        }
    }

    fn as_int(v: Value<'_>) -> i128 {
        match v {
            Value::Int(i) => i128::from(i),
            Value::BigInt(i) => *i,
            o => panic!("expected int, got {o:?}"),
        }
    }

    #[test]
    fn to_int_cases() {
        let a = Bump::new();
        let c = |v: Value<'static>| cast_value(v, CastTarget::Int, &cx(&a));
        for (f, want) in [
            (1.5, 2),
            (1.9, 2),
            (0.5, 0),
            (-1.1, -1),
            (-1.5, -2),
            (-1.9, -2),
        ] {
            assert_eq!(as_int(c(Value::Float(f)).unwrap()), want, "{f}");
        }
        for (d, want) in [
            ("1.5", 2),
            ("1.1", 1),
            ("0.1", 0),
            ("0.5", 0),
            ("0.9", 1),
            ("-1.5", -2),
            ("-1.9", -2),
        ] {
            assert_eq!(
                as_int(c(Value::Decimal(Decimal::from_str(d).unwrap())).unwrap()),
                want,
                "{d}"
            );
        }
        for (s, want) in [
            ("1", 1),
            ("01", 1),
            ("+01", 1),
            ("-01", -1),
            ("-00", 0),
            ("0b10", 2),
            ("0B10", 2),
            ("0b010", 2),
            ("+0b10", 2),
            ("-0b10", -2),
            ("0xA", 10),
            ("0XA", 10),
            ("+0x0A", 10),
            ("-0x0A", -10),
            ("1.5e0", 2),
        ] {
            assert_eq!(as_int(c(Value::Str(s)).unwrap()), want, "{s}");
        }
        for s in ["123456A", "00b10", "", "0x", "--1"] {
            assert!(matches!(c(Value::Str(s)), Err(EvalError::Data(_))), "{s}");
        }
        assert_eq!(as_int(c(Value::Bool(true)).unwrap()), 1);
        assert!(matches!(c(Value::List(&[])), Err(EvalError::Type(_))));
        assert!(matches!(c(Value::Tuple(&[])), Err(EvalError::Type(_))));
        assert!(matches!(c(Value::Float(2e100)), Err(EvalError::Fatal(_))));
        assert!(c(Value::Float(f64::NAN)).is_err());
        assert!(c(Value::Null).unwrap().is_null());
        assert!(c(Value::Missing).unwrap().is_missing());
        assert!(cast_value(Value::Int(70000), CastTarget::SmallInt, &cx(&a)).is_err());
        assert!(cast_value(Value::Float(9.3e18), CastTarget::Int8, &cx(&a)).is_err());
        assert_eq!(
            as_int(
                cast_value(
                    Value::Decimal(Decimal::from_str("9223372036854775807.0").unwrap()),
                    CastTarget::Int8,
                    &cx(&a)
                )
                .unwrap()
            ),
            i128::from(i64::MAX)
        );
        assert!(cast_value(Value::Null, CastTarget::Missing, &cx(&a)).is_err());
        assert!(cast_value(Value::Missing, CastTarget::Null, &cx(&a)).is_err());
    }

    #[test]
    fn other_targets() {
        let a = Bump::new();
        let c = |v: Value<'static>, t| cast_value(v, t, &cx(&a));
        assert!(matches!(
            c(Value::Bool(true), CastTarget::String).unwrap(),
            Value::Str("true")
        ));
        assert!(matches!(
            c(Value::Int(-5), CastTarget::String).unwrap(),
            Value::Str("-5")
        ));
        assert!(matches!(
            c(Value::Float(1.5), CastTarget::String).unwrap(),
            Value::Str("1.5")
        ));
        assert!(matches!(
            c(Value::Str("TRUE"), CastTarget::Bool).unwrap(),
            Value::Bool(true)
        ));
        assert!(c(Value::Str("yes"), CastTarget::Bool).is_err());
        assert!(
            matches!(c(Value::Str("1.5"), CastTarget::Float).unwrap(), Value::Float(f) if f == 1.5)
        );
        match c(
            Value::Str("1.25"),
            CastTarget::Decimal {
                precision: Some(5),
                scale: Some(1),
            },
        )
        .unwrap()
        {
            Value::Decimal(d) => assert_eq!(d.to_string(), "1.3"),
            o => panic!("{o:?}"),
        }
        assert!(c(
            Value::Int(123456),
            CastTarget::Decimal {
                precision: Some(3),
                scale: None
            }
        )
        .is_err());
        match c(Value::Str("2021-02-03"), CastTarget::Date).unwrap() {
            Value::Date(d) => assert_eq!((d.year, d.month, d.day), (2021, 2, 3)),
            o => panic!("{o:?}"),
        }
        assert!(c(Value::Str("2021-02-30"), CastTarget::Date).is_err());
        static ITEMS: [Value<'static>; 1] = [Value::Int(1)];
        assert!(matches!(
            c(Value::List(&ITEMS), CastTarget::Bag).unwrap(),
            Value::Bag(_)
        ));
        assert!(matches!(
            c(Value::Int(1), CastTarget::Any).unwrap(),
            Value::Int(1)
        ));
        match c(Value::Str("2021-02-03 04:05:06"), CastTarget::Timestamp).unwrap() {
            Value::Timestamp(t) => assert_eq!((t.hour, t.minute, t.second), (4, 5, 6)),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn names_and_is_type() {
        assert_eq!(
            CastTarget::from_name("Integer4Type"),
            Some(CastTarget::Int4)
        );
        assert_eq!(CastTarget::from_name("INT"), Some(CastTarget::Int));
        assert_eq!(
            CastTarget::from_name("double precision"),
            Some(CastTarget::Double)
        );
        assert_eq!(
            CastTarget::from_name("CharacterVaryingType"),
            Some(CastTarget::Varchar)
        );
        assert_eq!(
            CastTarget::from_name("ZonedTimestampType"),
            Some(CastTarget::TimestampWithTz)
        );
        assert_eq!(
            CastTarget::from_name("TIME (3) WITH TIME ZONE"),
            Some(CastTarget::TimeWithTz)
        );
        assert_eq!(
            CastTarget::from_name("DECIMAL(5, 2)"),
            Some(CastTarget::Decimal {
                precision: Some(5),
                scale: Some(2)
            })
        );
        assert_eq!(CastTarget::from_name("nonsense"), None);
        assert!(is_type(&Value::Missing, CastTarget::Null));
        assert!(!is_type(&Value::Null, CastTarget::Missing));
        assert!(is_type(&Value::Int(5), CastTarget::SmallInt));
        assert!(!is_type(&Value::Int(70000), CastTarget::SmallInt));
        assert!(is_type(&Value::Tuple(&[]), CastTarget::Struct));
        assert!(!is_type(&Value::Str("1"), CastTarget::Int));

        let a = Bump::new();
        let c = FnContext {
            arena: &a,
            strict: false,
        };
        assert!(matches!(
            cast_fn(&[Value::Str("7"), Value::Str("IntegerType")], &c).unwrap(),
            Value::Int(7)
        ));
        assert!(matches!(
            cast_fn(&[Value::Int(1), Value::Str("bogus")], &c),
            Err(EvalError::Fatal(_))
        ));
    }
}
