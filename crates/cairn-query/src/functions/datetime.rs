//! Date and time functions: EXTRACT, `date_add`, `date_diff`, `to_string`,
//! `to_timestamp`, `utcnow`.
//!
//! Format patterns follow the subset of Java's `DateTimeFormatter` letters that PartiQL
//! supports (`y M d a h H m s S n X x` and quoted text). An invalid pattern or a string
//! that does not match its pattern is a [`EvalError::Fatal`] error: the conformance suite
//! requires them to fail in permissive mode too.

use super::builtins::{arg, arg_type_err, check_args, int_arg, Kind};
use super::{FnContext, FnResult};
use crate::error::EvalError;
use crate::value::datetime::{civil_from_days, days_from_civil, days_in_month};
use crate::value::{Date, Interval, Precision, Time, Timestamp, Value};
use bumpalo::collections::String as BumpString;
use rust_decimal::Decimal;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------
// EXTRACT

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    TzHour,
    TzMinute,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Year => "YEAR",
            Part::Month => "MONTH",
            Part::Day => "DAY",
            Part::Hour => "HOUR",
            Part::Minute => "MINUTE",
            Part::Second => "SECOND",
            Part::TzHour => "TIMEZONE_HOUR",
            Part::TzMinute => "TIMEZONE_MINUTE",
        }
    }
}

fn seconds_decimal(second: u8, nanos: u32, digits: u8) -> Decimal {
    let digits = u32::from(digits.min(9));
    let frac = i64::from(nanos) / 10i64.pow(9 - digits);
    Decimal::new(i64::from(second) * 10i64.pow(digits) + frac, digits)
}

fn extract<'a>(args: &[Value<'a>], part: Part) -> FnResult<'a> {
    let v = arg(args, 0);
    let int = |i: i64| Ok(Value::Int(i));
    let bad = |v: &Value<'_>| {
        Err(EvalError::type_err(format!(
            "EXTRACT({} FROM ...) is not defined for {}",
            part.name(),
            v.type_tag().name()
        )))
    };
    match (part, v) {
        (_, Value::Missing | Value::Null) => Ok(v),
        (Part::Year, Value::Date(d)) => int(i64::from(d.year)),
        (Part::Month, Value::Date(d)) => int(i64::from(d.month)),
        (Part::Day, Value::Date(d)) => int(i64::from(d.day)),
        (Part::Year, Value::Timestamp(t)) => int(i64::from(t.year)),
        (Part::Month, Value::Timestamp(t)) => int(i64::from(t.month)),
        (Part::Day, Value::Timestamp(t)) => int(i64::from(t.day)),
        (Part::Hour, Value::Timestamp(t)) => int(i64::from(t.hour)),
        (Part::Minute, Value::Timestamp(t)) => int(i64::from(t.minute)),
        (Part::Second, Value::Timestamp(t)) => Ok(Value::Decimal(seconds_decimal(
            t.second,
            t.nanos,
            t.fraction_digits,
        ))),
        (Part::TzHour, Value::Timestamp(t)) => int(i64::from(t.offset_minutes.unwrap_or(0) / 60)),
        (Part::TzMinute, Value::Timestamp(t)) => int(i64::from(t.offset_minutes.unwrap_or(0) % 60)),
        (Part::Hour, Value::Time(t)) => int(i64::from(t.hour)),
        (Part::Minute, Value::Time(t)) => int(i64::from(t.minute)),
        (Part::Second, Value::Time(t)) => Ok(Value::Decimal(seconds_decimal(
            t.second,
            t.nanos,
            t.fraction_digits,
        ))),
        (
            Part::TzHour,
            Value::Time(Time {
                offset_minutes: Some(o),
                ..
            }),
        ) => int(i64::from(o / 60)),
        (
            Part::TzMinute,
            Value::Time(Time {
                offset_minutes: Some(o),
                ..
            }),
        ) => int(i64::from(o % 60)),
        (Part::Year, Value::Interval(Interval::YearMonth { months, .. })) => int(months / 12),
        (Part::Month, Value::Interval(Interval::YearMonth { months, .. })) => int(months % 12),
        (p, Value::Interval(Interval::DayTime { nanos, .. })) => {
            let secs = nanos / 1_000_000_000;
            let as_int =
                |x: i128| i64::try_from(x).map_err(|_| EvalError::data("interval too large"));
            match p {
                Part::Day => int(as_int(secs / 86400)?),
                Part::Hour => int(as_int(secs / 3600 % 24)?),
                Part::Minute => int(as_int(secs / 60 % 60)?),
                Part::Second => {
                    let n = as_int(nanos % 60_000_000_000)?;
                    Ok(Value::Decimal(Decimal::new(n, 9).normalize()))
                }
                _ => bad(&v),
            }
        }
        _ => bad(&v),
    }
}

pub fn extract_year<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::Year)
}
pub fn extract_month<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::Month)
}
pub fn extract_day<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::Day)
}
pub fn extract_hour<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::Hour)
}
pub fn extract_minute<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::Minute)
}
pub fn extract_second<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::Second)
}
pub fn extract_timezone_hour<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::TzHour)
}
pub fn extract_timezone_minute<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    extract(args, Part::TzMinute)
}

// ---------------------------------------------------------------------------------------
// date_add / date_diff

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

fn field_arg(fname: &str, v: &Value<'_>) -> Result<Field, EvalError> {
    let Value::Str(s) = v else {
        return Err(arg_type_err(fname, 0, "a date part", v));
    };
    Ok(match s.to_ascii_lowercase().as_str() {
        "year" => Field::Year,
        "month" => Field::Month,
        "day" => Field::Day,
        "hour" => Field::Hour,
        "minute" => Field::Minute,
        "second" => Field::Second,
        other => {
            return Err(EvalError::Fatal(format!(
                "{fname}: unsupported date part `{other}` (expected year, month, day, hour, minute or second)"
            )))
        }
    })
}

fn overflow(fname: &str) -> EvalError {
    EvalError::data(format!("{fname}: result out of range"))
}

/// Seconds since 1970-01-01T00:00 of a timestamp's local (wall-clock) fields.
fn local_seconds(t: &Timestamp) -> i64 {
    days_from_civil(t.year, t.month, t.day) * 86400
        + i64::from(t.hour) * 3600
        + i64::from(t.minute) * 60
        + i64::from(t.second)
}

fn set_local_seconds(t: &mut Timestamp, secs: i64) -> Option<()> {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    t.year = y;
    t.month = m;
    t.day = d;
    t.hour = u8::try_from(rem / 3600).ok()?;
    t.minute = u8::try_from(rem / 60 % 60).ok()?;
    t.second = u8::try_from(rem % 60).ok()?;
    Some(())
}

fn field_precision(f: Field) -> Precision {
    match f {
        Field::Year => Precision::Year,
        Field::Month => Precision::Month,
        Field::Day => Precision::Day,
        Field::Hour | Field::Minute => Precision::Minute,
        Field::Second => Precision::Second,
    }
}

/// Adds `n` units of `field` to `t` (months clamp the day to the end of the month).
fn add_to_timestamp(t: &Timestamp, field: Field, n: i64) -> Option<Timestamp> {
    let mut r = *t;
    const MAX_YEAR: i64 = 1_000_000;
    match field {
        Field::Year | Field::Month => {
            let months = if field == Field::Year {
                n.checked_mul(12)?
            } else {
                n
            };
            let total = (i64::from(t.year) * 12 + i64::from(t.month) - 1).checked_add(months)?;
            let y = total.div_euclid(12);
            if y.abs() > MAX_YEAR {
                return None;
            }
            r.year = i32::try_from(y).ok()?;
            r.month = u8::try_from(total.rem_euclid(12) + 1).ok()?;
            r.day = t.day.min(days_in_month(r.year, r.month));
        }
        _ => {
            let unit = match field {
                Field::Day => 86400,
                Field::Hour => 3600,
                Field::Minute => 60,
                _ => 1,
            };
            let secs = local_seconds(t).checked_add(n.checked_mul(unit)?)?;
            if secs.unsigned_abs() / 86400 / 366 > MAX_YEAR as u64 {
                return None;
            }
            set_local_seconds(&mut r, secs)?;
        }
    }
    let p = field_precision(field);
    if p > r.precision {
        r.precision = p;
    }
    if !(1..=9999).contains(&r.year) {
        r.ion = false;
    }
    if !r.ion {
        r.offset_minutes = None;
        r.precision = Precision::Second;
    }
    Some(r)
}

fn date_to_timestamp(d: &Date) -> Timestamp {
    Timestamp {
        year: d.year,
        month: d.month,
        day: d.day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        fraction_digits: 0,
        precision: Precision::Day,
        offset_minutes: None,
        ion: false,
    }
}

/// `date_add(part, quantity, timestamp)`.
pub fn date_add<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    let target = arg(args, 2);
    if !matches!(
        target,
        Value::Timestamp(_) | Value::Date(_) | Value::Missing | Value::Null
    ) {
        return Err(arg_type_err("date_add", 2, "a timestamp", &target));
    }
    if let Some(v) = check_args(
        "date_add",
        &args[..args.len().min(2)],
        &[Kind::Str, Kind::Int],
    )? {
        return Ok(if target.is_missing() {
            Value::Missing
        } else {
            v
        });
    }
    if target.is_absent() {
        return Ok(target);
    }
    let field = field_arg("date_add", &arg(args, 0))?;
    let n = i64::try_from(int_arg(&arg(args, 1))).map_err(|_| overflow("date_add"))?;
    match target {
        Value::Timestamp(t) => add_to_timestamp(&t, field, n)
            .map(Value::Timestamp)
            .ok_or_else(|| overflow("date_add")),
        Value::Date(d) => {
            let t = add_to_timestamp(&date_to_timestamp(&d), field, n)
                .ok_or_else(|| overflow("date_add"))?;
            if matches!(field, Field::Year | Field::Month | Field::Day) {
                Ok(Value::Date(Date {
                    year: t.year,
                    month: t.month,
                    day: t.day,
                }))
            } else {
                Ok(Value::Timestamp(t))
            }
        }
        _ => Err(arg_type_err("date_add", 2, "a timestamp", &target)),
    }
}

/// A point in time for `date_diff`: a timestamp, or a date at midnight UTC.
fn as_timestamp(v: &Value<'_>) -> Option<Timestamp> {
    match v {
        Value::Timestamp(t) => Some(*t),
        Value::Date(d) => Some(date_to_timestamp(d)),
        _ => None,
    }
}

/// Whole months from `a` to `b` (truncated toward zero), comparing wall-clock fields
/// after moving `b` to `a`'s offset.
fn months_between(a: &Timestamp, b: &Timestamp) -> i64 {
    let shift = i64::from(a.offset_minutes.unwrap_or(0)) - i64::from(b.offset_minutes.unwrap_or(0));
    let mut b2 = *b;
    if shift != 0 {
        let _ = set_local_seconds(&mut b2, local_seconds(b) + shift * 60);
    }
    let ma = i64::from(a.year) * 12 + i64::from(a.month);
    let mb = i64::from(b2.year) * 12 + i64::from(b2.month);
    let rest = |t: &Timestamp| {
        (
            t.day,
            (i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second))
                * 1_000_000_000
                + i64::from(t.nanos),
        )
    };
    let mut months = mb - ma;
    if months > 0 && rest(&b2) < rest(a) {
        months -= 1;
    } else if months < 0 && rest(&b2) > rest(a) {
        months += 1;
    }
    months
}

/// `date_diff(part, a, b)`: how many whole `part`s from `a` to `b`.
pub fn date_diff<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    let (a, b) = (arg(args, 1), arg(args, 2));
    for (i, v) in [(1, &a), (2, &b)] {
        if !matches!(
            v,
            Value::Timestamp(_) | Value::Date(_) | Value::Time(_) | Value::Missing | Value::Null
        ) {
            return Err(arg_type_err("date_diff", i, "a date, time or timestamp", v));
        }
    }
    if a.is_missing() || b.is_missing() {
        return Ok(Value::Missing);
    }
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let field = field_arg("date_diff", &arg(args, 0))?;
    let nanos_diff: i128 = match (&a, &b) {
        (Value::Time(x), Value::Time(y)) => {
            if matches!(field, Field::Year | Field::Month | Field::Day) {
                return Err(EvalError::type_err(
                    "date_diff: a TIME has no year, month or day",
                ));
            }
            let utc = |t: &Time| {
                i128::from(t.nanos_of_day())
                    - i128::from(t.offset_minutes.unwrap_or(0)) * 60_000_000_000
            };
            utc(y) - utc(x)
        }
        _ => {
            let (Some(x), Some(y)) = (as_timestamp(&a), as_timestamp(&b)) else {
                return Err(EvalError::type_err(format!(
                    "date_diff: cannot compare {} with {}",
                    a.type_tag().name(),
                    b.type_tag().name()
                )));
            };
            match field {
                Field::Year => return Ok(Value::Int(months_between(&x, &y) / 12)),
                Field::Month => return Ok(Value::Int(months_between(&x, &y))),
                _ => y.epoch_nanos() - x.epoch_nanos(),
            }
        }
    };
    let unit: i128 = match field {
        Field::Day => 86_400_000_000_000,
        Field::Hour => 3_600_000_000_000,
        Field::Minute => 60_000_000_000,
        _ => 1_000_000_000,
    };
    i64::try_from(nanos_diff / unit)
        .map(Value::Int)
        .map_err(|_| overflow("date_diff"))
}

// ---------------------------------------------------------------------------------------
// Format patterns

/// One element of a format pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'p> {
    /// A run of the same pattern letter.
    Field(char, usize),
    /// Text to print or match as is.
    Lit(&'p str),
    /// A quote written `''`.
    Quote,
}

/// Splits a pattern into tokens, calling `f` on each; fails on unknown letters.
fn tokenize<'p>(
    fname: &str,
    pattern: &'p str,
    mut f: impl FnMut(Tok<'p>) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    let b = pattern.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                f(Tok::Quote)?;
                i += 2;
                continue;
            }
            // Quoted text up to the closing quote ('' inside is a quote).
            let mut j = i + 1;
            let mut start = j;
            loop {
                match b.get(j) {
                    None => {
                        return Err(EvalError::Fatal(format!(
                            "{fname}: unterminated quote in pattern `{pattern}`"
                        )))
                    }
                    Some(b'\'') if b.get(j + 1) == Some(&b'\'') => {
                        f(Tok::Lit(&pattern[start..j]))?;
                        f(Tok::Quote)?;
                        j += 2;
                        start = j;
                    }
                    Some(b'\'') => break,
                    Some(_) => j += 1,
                }
            }
            f(Tok::Lit(&pattern[start..j]))?;
            i = j + 1;
        } else if c.is_ascii_alphabetic() {
            let mut j = i;
            while j < b.len() && b[j] == c {
                j += 1;
            }
            let n = j - i;
            let ok = match c {
                b'y' | b'S' | b'n' => true,
                b'M' => n <= 5,
                b'd' | b'h' | b'H' | b'm' | b's' => n <= 2,
                b'a' => n == 1,
                b'X' | b'x' => n <= 5,
                _ => false,
            };
            if !ok {
                return Err(EvalError::Fatal(format!(
                    "{fname}: unsupported pattern letters `{}` in `{pattern}`",
                    &pattern[i..j]
                )));
            }
            f(Tok::Field(c as char, n))?;
            i = j;
        } else {
            // A run of non-letter, non-quote characters (may be multi-byte).
            let mut j = i + 1;
            while j < b.len() && !b[j].is_ascii_alphabetic() && b[j] != b'\'' {
                j += 1;
            }
            f(Tok::Lit(&pattern[i..j]))?;
            i = j;
        }
    }
    Ok(())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn write_offset(out: &mut BumpString<'_>, offset: i16, n: usize, z_for_zero: bool) {
    if offset == 0 && z_for_zero {
        out.push('Z');
        return;
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let (h, m) = (a / 60, a % 60);
    let _ = match n {
        1 if m == 0 => write!(out, "{sign}{h:02}"),
        1 | 2 | 4 => write!(out, "{sign}{h:02}{m:02}"),
        _ => write!(out, "{sign}{h:02}:{m:02}"),
    };
}

/// `to_string(timestamp, pattern)`.
pub fn to_string<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    let (tv, pv) = (arg(args, 0), arg(args, 1));
    if let Some(v) = check_args("to_string", &[pv], &[Kind::Str])? {
        return Ok(if tv.is_missing() { Value::Missing } else { v });
    }
    let t = match tv {
        Value::Missing | Value::Null => return Ok(tv),
        Value::Timestamp(t) => t,
        Value::Date(d) => date_to_timestamp(&d),
        other => return Err(arg_type_err("to_string", 0, "a timestamp", &other)),
    };
    let pattern = pv.as_str().unwrap_or("");
    let mut out = BumpString::with_capacity_in(pattern.len() + 8, cx.arena);
    let offset = t.offset_minutes.unwrap_or(0);
    tokenize("to_string", pattern, |tok| {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Quote => out.push('\''),
            Tok::Field(c, n) => {
                let _ = match c {
                    'y' if n == 2 => write!(out, "{:02}", t.year.rem_euclid(100)),
                    'y' => write!(out, "{:0n$}", t.year),
                    'M' => match n {
                        1 => write!(out, "{}", t.month),
                        2 => write!(out, "{:02}", t.month),
                        _ => {
                            let name = MONTHS[usize::from(t.month.clamp(1, 12)) - 1];
                            out.push_str(match n {
                                3 => &name[..3],
                                4 => name,
                                _ => &name[..1],
                            });
                            Ok(())
                        }
                    },
                    'd' => write!(out, "{:0n$}", t.day),
                    'a' => {
                        out.push_str(if t.hour < 12 { "AM" } else { "PM" });
                        Ok(())
                    }
                    'h' => {
                        let h = if t.hour % 12 == 0 { 12 } else { t.hour % 12 };
                        write!(out, "{h:0n$}")
                    }
                    'H' => write!(out, "{:0n$}", t.hour),
                    'm' => write!(out, "{:0n$}", t.minute),
                    's' => write!(out, "{:0n$}", t.second),
                    'S' => {
                        let digits = format!("{:09}", t.nanos);
                        let k = n.min(9);
                        out.push_str(&digits[..k]);
                        for _ in k..n {
                            out.push('0');
                        }
                        Ok(())
                    }
                    'n' => write!(out, "{:0n$}", t.nanos),
                    'X' => {
                        write_offset(&mut out, offset, n, true);
                        Ok(())
                    }
                    'x' => {
                        write_offset(&mut out, offset, n, false);
                        Ok(())
                    }
                    _ => Ok(()),
                };
            }
        }
        Ok(())
    })?;
    Ok(Value::Str(out.into_bump_str()))
}

fn parse_fail(text: &str, pattern: &str, why: &str) -> EvalError {
    EvalError::Fatal(format!(
        "to_timestamp: `{text}` does not match pattern `{pattern}`: {why}"
    ))
}

/// Fields collected while parsing with a pattern.
#[derive(Default)]
struct Parsed {
    year: Option<i32>,
    month: Option<u8>,
    day: Option<u8>,
    hour24: Option<u8>,
    hour12: Option<u8>,
    pm: Option<bool>,
    minute: Option<u8>,
    second: Option<u8>,
    /// Nanoseconds and the digits that were significant.
    fraction: Option<(u32, u8)>,
    offset: Option<i16>,
}

/// Reads exactly two ASCII digits.
fn two_digits(text: &str, pos: &mut usize) -> Option<i16> {
    let d = text.get(*pos..*pos + 2)?;
    if !d.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    *pos += 2;
    d.parse().ok()
}

/// Reads between `min` and `max` ASCII digits.
fn digits(text: &str, pos: &mut usize, min: usize, max: usize) -> Option<u64> {
    let b = text.as_bytes();
    let start = *pos;
    let mut end = start;
    while end < b.len() && end - start < max && b[end].is_ascii_digit() {
        end += 1;
    }
    if end - start < min {
        return None;
    }
    // More digits than allowed right after the field: not a match.
    if end < b.len() && b[end].is_ascii_digit() && end - start == max {
        return None;
    }
    *pos = end;
    text[start..end].parse().ok()
}

fn parse_offset(text: &str, pos: &mut usize, letter: char, n: usize) -> Option<i16> {
    let b = text.as_bytes();
    if letter == 'X' && b.get(*pos) == Some(&b'Z') {
        *pos += 1;
        return Some(0);
    }
    let sign: i16 = match b.get(*pos)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    *pos += 1;
    let h = two_digits(text, pos)?;
    let m = match n {
        1 => {
            if b.get(*pos).is_some_and(|c| c.is_ascii_digit()) {
                two_digits(text, pos)?
            } else {
                0
            }
        }
        2 | 4 => two_digits(text, pos)?,
        _ => {
            if b.get(*pos) != Some(&b':') {
                return None;
            }
            *pos += 1;
            two_digits(text, pos)?
        }
    };
    if h > 18 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

fn parse_with_pattern(text: &str, pattern: &str) -> Result<Timestamp, EvalError> {
    let mut p = Parsed::default();
    let mut pos = 0usize;
    let fail = |why: &str| parse_fail(text, pattern, why);
    tokenize("to_timestamp", pattern, |tok| {
        match tok {
            Tok::Lit(s) => {
                if !text[pos..].starts_with(s) {
                    return Err(fail(&format!("expected `{s}`")));
                }
                pos += s.len();
            }
            Tok::Quote => {
                if !text[pos..].starts_with('\'') {
                    return Err(fail("expected a quote"));
                }
                pos += 1;
            }
            Tok::Field(c, n) => {
                let num = |pos: &mut usize, min: usize, max: usize, what: &str| {
                    digits(text, pos, min, max).ok_or_else(|| fail(&format!("expected {what}")))
                };
                match c {
                    'y' => {
                        let y = match n {
                            1 => num(&mut pos, 1, 5, "a year")?,
                            2 => {
                                let v = num(&mut pos, 2, 2, "a two-digit year")?;
                                if v < 70 {
                                    2000 + v
                                } else {
                                    1900 + v
                                }
                            }
                            _ => num(&mut pos, n, n, "a year")?,
                        };
                        if !(1..=9999).contains(&y) {
                            return Err(fail("year out of range 1..9999"));
                        }
                        p.year = Some(y as i32);
                    }
                    'M' => {
                        let m = match n {
                            1 => num(&mut pos, 1, 2, "a month")?,
                            2 => num(&mut pos, 2, 2, "a two-digit month")?,
                            3 | 4 => {
                                let rest = &text[pos..];
                                let found = MONTHS.iter().enumerate().find_map(|(i, name)| {
                                    let name = if n == 3 { &name[..3] } else { name };
                                    rest.get(..name.len())
                                        .filter(|r| r.eq_ignore_ascii_case(name))
                                        .map(|_| (i as u64 + 1, name.len()))
                                });
                                let (m, len) =
                                    found.ok_or_else(|| fail("expected a month name"))?;
                                pos += len;
                                m
                            }
                            _ => return Err(fail("MMMMM cannot be parsed")),
                        };
                        if !(1..=12).contains(&m) {
                            return Err(fail("month out of range"));
                        }
                        p.month = Some(m as u8);
                    }
                    'd' => {
                        let d = num(&mut pos, n, 2, "a day")?;
                        if !(1..=31).contains(&d) {
                            return Err(fail("day out of range"));
                        }
                        p.day = Some(d as u8);
                    }
                    'H' => {
                        let h = num(&mut pos, n, 2, "an hour")?;
                        if h > 23 {
                            return Err(fail("hour out of range"));
                        }
                        p.hour24 = Some(h as u8);
                    }
                    'h' => {
                        let h = num(&mut pos, n, 2, "an hour")?;
                        if !(1..=12).contains(&h) {
                            return Err(fail("hour out of range 1..12"));
                        }
                        p.hour12 = Some(h as u8);
                    }
                    'a' => {
                        let rest = &text[pos..];
                        let pm = if rest.get(..2).is_some_and(|r| r.eq_ignore_ascii_case("AM")) {
                            false
                        } else if rest.get(..2).is_some_and(|r| r.eq_ignore_ascii_case("PM")) {
                            true
                        } else {
                            return Err(fail("expected AM or PM"));
                        };
                        pos += 2;
                        p.pm = Some(pm);
                    }
                    'm' => {
                        let m = num(&mut pos, n, 2, "a minute")?;
                        if m > 59 {
                            return Err(fail("minute out of range"));
                        }
                        p.minute = Some(m as u8);
                    }
                    's' => {
                        let s = num(&mut pos, n, 2, "a second")?;
                        if s > 59 {
                            return Err(fail("second out of range"));
                        }
                        p.second = Some(s as u8);
                    }
                    'S' => {
                        if n > 9 {
                            return Err(fail("at most 9 fraction digits"));
                        }
                        let v = num(&mut pos, n, n, "fraction digits")?;
                        let nanos = v as u32 * 10u32.pow(9 - n as u32);
                        p.fraction = Some((nanos, significant_digits(nanos)));
                    }
                    'n' => {
                        let v = num(&mut pos, n, 19, "nanoseconds")?;
                        if v > 999_999_999 {
                            return Err(fail("nanoseconds out of range"));
                        }
                        p.fraction = Some((v as u32, significant_digits(v as u32)));
                    }
                    'X' | 'x' => {
                        let o = parse_offset(text, &mut pos, c, n)
                            .ok_or_else(|| fail("expected a UTC offset"))?;
                        p.offset = Some(o);
                    }
                    _ => return Err(fail("unsupported pattern letter")),
                }
            }
        }
        Ok(())
    })?;
    if pos != text.len() {
        return Err(fail("unparsed text at the end"));
    }
    build_timestamp(&p).map_err(fail)
}

/// Digits of a nanosecond fraction without trailing zeros.
fn significant_digits(nanos: u32) -> u8 {
    if nanos == 0 {
        return 0;
    }
    let mut d = 9;
    let mut n = nanos;
    while (n / 10) * 10 == n {
        n /= 10;
        d -= 1;
    }
    d
}

fn build_timestamp(p: &Parsed) -> Result<Timestamp, &'static str> {
    let year = p.year.ok_or("the pattern has no year")?;
    if p.hour12.is_some() != p.pm.is_some() {
        return Err("`h` and `a` must be used together");
    }
    let hour = match (p.hour24, p.hour12, p.pm) {
        (Some(h), None, _) => Some(h),
        (None, Some(h), Some(pm)) => Some(h % 12 + if pm { 12 } else { 0 }),
        (None, None, _) => None,
        _ => return Err("both `H` and `h` in the pattern"),
    };
    let mut ts = Timestamp::year(year);
    let Some(month) = p.month else {
        return if p.day.is_some() || hour.is_some() || p.minute.is_some() || p.offset.is_some() {
            Err("the pattern has no month")
        } else {
            Ok(ts)
        };
    };
    ts.month = month;
    ts.precision = Precision::Month;
    let Some(day) = p.day else {
        return if hour.is_some() || p.minute.is_some() || p.offset.is_some() {
            Err("the pattern has no day")
        } else {
            Ok(ts)
        };
    };
    if day > days_in_month(year, month) {
        return Err("day out of range for the month");
    }
    ts.day = day;
    ts.precision = Precision::Day;
    let Some(hour) = hour else {
        return if p.minute.is_some() || p.second.is_some() || p.offset.is_some() {
            Err("the pattern has no hour")
        } else {
            Ok(ts)
        };
    };
    ts.hour = hour;
    ts.minute = p.minute.unwrap_or(0);
    ts.precision = Precision::Minute;
    ts.offset_minutes = p.offset;
    if p.minute.is_none() && (p.second.is_some() || p.fraction.is_some()) {
        return Err("the pattern has no minute");
    }
    if let Some(s) = p.second {
        ts.second = s;
        ts.precision = Precision::Second;
        if let Some((nanos, d)) = p.fraction {
            ts.nanos = nanos;
            ts.fraction_digits = d;
        }
    } else if p.fraction.is_some() {
        return Err("the pattern has no second");
    }
    Ok(ts)
}

/// `to_timestamp(string[, pattern])`: without a pattern the string is Ion timestamp text.
pub fn to_timestamp<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("to_timestamp", args, &[Kind::Str, Kind::Str])? {
        return Ok(v);
    }
    let text = arg(args, 0).as_str().unwrap_or("");
    if args.len() < 2 {
        return Timestamp::parse_ion(text.trim())
            .map(Value::Timestamp)
            .ok_or_else(|| EvalError::Fatal(format!("to_timestamp: `{text}` is not a timestamp")));
    }
    let pattern = arg(args, 1).as_str().unwrap_or("");
    parse_with_pattern(text, pattern).map(Value::Timestamp)
}

/// `utcnow()`: the current time in UTC, to the millisecond.
pub fn utcnow<'a>(_args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| EvalError::Fatal("utcnow: the clock is before 1970".into()))?;
    let secs = i64::try_from(now.as_secs())
        .map_err(|_| EvalError::Fatal("utcnow: clock out of range".into()))?;
    let mut ts = Timestamp {
        year: 1970,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: now.subsec_millis() * 1_000_000,
        fraction_digits: 3,
        precision: Precision::Second,
        offset_minutes: Some(0),
        ion: true,
    };
    set_local_seconds(&mut ts, secs)
        .ok_or_else(|| EvalError::Fatal("utcnow: clock out of range".into()))?;
    Ok(Value::Timestamp(ts))
}

#[cfg(test)]
mod tests {
    use super::super::builtins::test_util::{call, s};
    use crate::error::EvalError;
    use crate::value::{Date, Interval, Time, Timestamp, Value};
    use bumpalo::Bump;

    fn ts(text: &str) -> Value<'static> {
        Value::Timestamp(Timestamp::parse_ion(text).unwrap_or_else(|| panic!("bad ts {text}")))
    }

    fn ion(v: Value<'_>) -> String {
        match v {
            Value::Timestamp(t) if t.ion => t.to_ion_text(),
            Value::Timestamp(t) => format!("sql:{t:?}"),
            o => panic!("{o:?}"),
        }
    }

    fn int(v: Value<'_>) -> i64 {
        match v {
            Value::Int(i) => i,
            o => panic!("expected int, got {o:?}"),
        }
    }

    #[test]
    fn extracts() {
        let a = Bump::new();
        let t = ts("2000-01-02T03:04:05.67-08:09");
        assert_eq!(int(call(&a, false, "extract_year", &[t]).unwrap()), 2000);
        assert_eq!(int(call(&a, false, "extract_day", &[t]).unwrap()), 2);
        assert_eq!(int(call(&a, false, "extract_minute", &[t]).unwrap()), 4);
        assert_eq!(
            int(call(&a, false, "extract_timezone_hour", &[t]).unwrap()),
            -8
        );
        assert_eq!(
            int(call(&a, false, "extract_timezone_minute", &[t]).unwrap()),
            -9
        );
        match call(&a, false, "extract_second", &[t]).unwrap() {
            Value::Decimal(d) => assert_eq!(d.to_string(), "5.67"),
            o => panic!("{o:?}"),
        }
        let time = Value::Time(Time {
            hour: 1,
            minute: 23,
            second: 45,
            nanos: 678_000_000,
            fraction_digits: 3,
            offset_minutes: None,
        });
        assert!(call(&a, true, "extract_year", &[time]).is_err());
        assert_eq!(int(call(&a, false, "extract_hour", &[time]).unwrap()), 1);
        let ym = Value::Interval(Interval::year_month(40));
        assert_eq!(int(call(&a, false, "extract_year", &[ym]).unwrap()), 3);
        assert_eq!(int(call(&a, false, "extract_month", &[ym]).unwrap()), 4);
        assert!(call(&a, false, "extract_day", &[ym]).is_err());
        let dt = Value::Interval(Interval::day_time(
            ((3 * 24 + 4) * 3600 + 5 * 60 + 6) as i128 * 1_000_000_000 + 789_000_000,
        ));
        assert_eq!(int(call(&a, false, "extract_hour", &[dt]).unwrap()), 4);
        match call(&a, false, "extract_second", &[dt]).unwrap() {
            Value::Decimal(d) => assert_eq!(d.to_string(), "6.789"),
            o => panic!("{o:?}"),
        }
        let d = Value::Date(Date {
            year: 2000,
            month: 1,
            day: 2,
        });
        assert_eq!(int(call(&a, false, "extract_month", &[d]).unwrap()), 1);
        assert!(call(&a, false, "extract_year", &[Value::Null])
            .unwrap()
            .is_null());
    }

    #[test]
    fn date_add_cases() {
        let a = Bump::new();
        let add = |f: &'static str, n: i64, t: &str| {
            ion(call(
                &a,
                false,
                "date_add",
                &[Value::Str(f), Value::Int(n), ts(t)],
            )
            .unwrap())
        };
        assert_eq!(add("day", 1, "2017T"), "2017-01-02");
        assert_eq!(add("hour", 1, "2017T"), "2017-01-01T01:00-00:00");
        assert_eq!(add("year", 1, "2017-01T"), "2018-01T");
        assert_eq!(add("second", 1, "2017-01T"), "2017-01-01T00:00:01-00:00");
        assert_eq!(
            add("minute", 1, "2017-01-02T03:04:05.006Z"),
            "2017-01-02T03:05:05.006Z"
        );
        assert_eq!(add("day", 420, "2017T"), "2018-02-25");
        assert_eq!(
            add("second", 36288000, "2017T"),
            "2018-02-25T00:00:00-00:00"
        );
        assert_eq!(add("minute", -1, "2017T"), "2016-12-31T23:59-00:00");
        assert_eq!(add("month", 1, "2017-01-31"), "2017-02-28");
        assert_eq!(
            add("hour", -1, "2017-02-03T04:05+01:00"),
            "2017-02-03T03:05+01:00"
        );
        let big = call(
            &a,
            false,
            "date_add",
            &[
                Value::Str("year"),
                Value::Int(9999),
                ts("9999-12-31T23:59:59Z"),
            ],
        )
        .unwrap();
        match big {
            Value::Timestamp(t) => {
                assert!(!t.ion);
                assert_eq!(
                    (t.year, t.month, t.day, t.offset_minutes),
                    (19998, 12, 31, None)
                );
            }
            o => panic!("{o:?}"),
        }
        assert!(call(
            &a,
            false,
            "date_add",
            &[Value::Str("year"), Value::Int(i64::MAX), ts("2017T")]
        )
        .is_err());
        assert!(call(
            &a,
            false,
            "date_add",
            &[Value::Str("second"), Value::Int(i64::MAX), ts("2017T")]
        )
        .is_err());
        assert!(call(
            &a,
            false,
            "date_add",
            &[Value::Str("year"), Value::Null, Value::Missing]
        )
        .unwrap()
        .is_missing());
        assert!(call(
            &a,
            false,
            "date_add",
            &[Value::Str("year"), Value::Int(1), Value::Null]
        )
        .unwrap()
        .is_null());
    }

    #[test]
    fn date_diff_cases() {
        let a = Bump::new();
        let diff = |f: &'static str, x: &str, y: &str| {
            int(call(&a, false, "date_diff", &[Value::Str(f), ts(x), ts(y)]).unwrap())
        };
        assert_eq!(diff("day", "2017T", "2018T"), 365);
        assert_eq!(diff("second", "2017T", "2018T"), 31536000);
        assert_eq!(diff("month", "2018T", "2017T"), -12);
        assert_eq!(diff("minute", "2017-02T", "2017-01T"), -44640);
        assert_eq!(diff("month", "2017-01-02T04:04Z", "2017-01-02T03:04Z"), 0);
        assert_eq!(
            diff("year", "2017-01-02T03:04+01:02", "2017-01-02T03:04+00:00"),
            0
        );
        assert_eq!(diff("minute", "2016-01-01T", "2017-01-01T"), 527040);
        assert_eq!(diff("month", "2017-01-31", "2017-02-28"), 0);
        assert_eq!(diff("month", "2017-01-15", "2017-02-15"), 1);
        let t = |h, off| {
            Value::Time(Time {
                hour: h,
                minute: 30,
                second: 0,
                nanos: 0,
                fraction_digits: 0,
                offset_minutes: off,
            })
        };
        assert_eq!(
            int(call(
                &a,
                false,
                "date_diff",
                &[Value::Str("hour"), t(10, Some(300)), t(10, Some(-180))]
            )
            .unwrap()),
            8
        );
        assert!(call(
            &a,
            false,
            "date_diff",
            &[Value::Str("hour"), t(10, None), ts("2017T")]
        )
        .is_err());
        assert!(matches!(
            call(
                &a,
                false,
                "date_diff",
                &[Value::Str("timezone_hour"), ts("2001T"), ts("1986T")]
            ),
            Err(EvalError::Fatal(_))
        ));
    }

    #[test]
    fn to_string_cases() {
        let a = Bump::new();
        let f =
            |t: &str, p: &'static str| call(&a, false, "to_string", &[ts(t), Value::Str(p)]).map(s);
        assert_eq!(f("0986T", "y").unwrap(), "986");
        assert_eq!(f("0001T", "yy").unwrap(), "01");
        assert_eq!(f("0986T", "yyyy").unwrap(), "0986");
        assert_eq!(f("0986-10T", "MMMMM").unwrap(), "O");
        assert_eq!(f("0986-09T", "MMM").unwrap(), "Sep");
        assert_eq!(f("0986-01-02T20:01:55.004Z", "h").unwrap(), "8");
        assert_eq!(f("0986T", "h").unwrap(), "12");
        assert_eq!(f("0986-01-02T20:01:55.004Z", "n").unwrap(), "4000000");
        assert_eq!(f("0986-01-02T18:01:55.004+01:00", "SS").unwrap(), "00");
        assert_eq!(f("0986-01-02T18:01:55.004+01:00", "SSS").unwrap(), "004");
        assert_eq!(f("0986-01-02T20:01:55.100Z", "S").unwrap(), "1");
        assert_eq!(f("0986-01-12T10:01+01:00", "X").unwrap(), "+01");
        assert_eq!(f("0986-01-02T18:01:55.004+01:10", "XX").unwrap(), "+0110");
        assert_eq!(f("0986-01-02T18:01:55.004+01:10", "XXX").unwrap(), "+01:10");
        assert_eq!(f("0986T", "X").unwrap(), "Z");
        assert_eq!(f("0986-01T", "x").unwrap(), "+00");
        assert_eq!(f("0986T", "xxx").unwrap(), "+00:00");
        assert_eq!(
            f("1969-07-20T20:18Z", "MMMM d, y h:m a").unwrap(),
            "July 20, 1969 8:18 PM"
        );
        assert_eq!(
            f("1969-07-20T20:18+08:00", "y-MM-dd'T'H:m:ssXXXX").unwrap(),
            "1969-07-20T20:18:00+0800"
        );
        assert_eq!(f("1969-07-20T20:18Z", "'It''s' y").unwrap(), "It's 1969");
        for bad in ["not_a_pattern", "G", "Q", "k", "z", "'open"] {
            assert!(matches!(f("2000T", bad), Err(EvalError::Fatal(_))), "{bad}");
        }
        assert!(call(&a, false, "to_string", &[Value::Null, Value::Missing])
            .unwrap()
            .is_missing());
        assert!(call(&a, false, "to_string", &[ts("2000T"), Value::Null])
            .unwrap()
            .is_null());
    }

    #[test]
    fn to_timestamp_cases() {
        let a = Bump::new();
        let f = |t: &'static str, p: &'static str| {
            call(&a, false, "to_timestamp", &[Value::Str(t), Value::Str(p)]).map(ion)
        };
        assert_eq!(f("1", "y").unwrap(), "0001T");
        assert_eq!(f("69", "yy").unwrap(), "2069T");
        assert_eq!(f("70", "yy").unwrap(), "1970T");
        assert_eq!(f("1 Jan", "y MMM").unwrap(), "0001-01T");
        assert_eq!(f("1 January", "y MMMM").unwrap(), "0001-01T");
        assert_eq!(f("1 1 1", "y M d").unwrap(), "0001-01-01");
        assert_eq!(f("1 1 1 0", "y M d H").unwrap(), "0001-01-01T00:00-00:00");
        assert_eq!(
            f("1 1 1 11 59 PM", "y M d h m a").unwrap(),
            "0001-01-01T23:59-00:00"
        );
        assert_eq!(
            f("1 1 1 0 0 0 10", "y M d H m s SS").unwrap(),
            "0001-01-01T00:00:00.1-00:00"
        );
        assert_eq!(
            f("1 1 1 0 0 0 00", "y M d H m s SS").unwrap(),
            "0001-01-01T00:00:00-00:00"
        );
        assert_eq!(
            f("1 1 1 0 0 0 00000000001", "y M d H m s n").unwrap(),
            "0001-01-01T00:00:00.000000001-00:00"
        );
        assert_eq!(
            f("2 1 1 0 0 Z", "y M d H m X").unwrap(),
            "0002-01-01T00:00Z"
        );
        assert_eq!(
            f("2 1 1 0 0 -0159", "y M d H m XX").unwrap(),
            "0002-01-01T00:00-01:59"
        );
        assert_eq!(
            f("2 1 1 0 0 -10:00", "y M d H m xxx").unwrap(),
            "0002-01-01T00:00-10:00"
        );
        for (t, p) in [
            ("doesnt matter", "O"),
            ("doesnt matter", "h"),
            ("doesnt matter", "X"),
            ("doesnt matter", "y MMMMM"),
            ("0", "y"),
            ("10000", "y"),
            ("010", "yy"),
            ("00010", "yyyy"),
            ("10 13", "y M"),
            ("10 1", "y MM"),
            ("10 Fub", "y MMM"),
            ("10 1 40", "y M d"),
            ("10 1 1 25 1", "y M d H m"),
            ("10 1 1 001 1", "y M d HH m"),
            ("10 1 1 13 1 AM", "y M d h m a"),
            ("10 1 1 1 1 1 0.1", "y M d H m s SS"),
            ("10 1 1 1 1 1 1000000000", "y M d H m s n"),
            ("10 1 1 1 1 05", "y M d H m X"),
            ("10 1 1 1 1 +24", "y M d H m x"),
            ("10 1 1 1 1 Z", "y M d H m xx"),
            ("10 1 1 1 1 +1:00", "y M d H m XXX"),
            ("10 1 1 1 1 -001:00", "y M d H m xxx"),
            ("some text", "y"),
            ("10 1 1 1 1 +2400", "y M d H m XX"),
        ] {
            assert!(matches!(f(t, p), Err(EvalError::Fatal(_))), "{t} / {p}");
        }
        assert!(call(&a, false, "to_timestamp", &[Value::Null])
            .unwrap()
            .is_null());
        assert!(
            call(&a, false, "to_timestamp", &[Value::Missing, Value::Null])
                .unwrap()
                .is_missing()
        );
        assert_eq!(
            ion(call(
                &a,
                false,
                "to_timestamp",
                &[Value::Str("2017-01-02T03:04Z")]
            )
            .unwrap()),
            "2017-01-02T03:04Z"
        );
    }

    #[test]
    fn utcnow_is_a_timestamp() {
        let a = Bump::new();
        assert!(
            matches!(call(&a, false, "utcnow", &[]).unwrap(), Value::Timestamp(t) if t.year >= 2024)
        );
    }
}
