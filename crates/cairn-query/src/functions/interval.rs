//! INTERVAL literals and datetime arithmetic: `INTERVAL '1-6' YEAR TO MONTH`,
//! datetime ± interval, interval ± interval, interval × number, datetime − datetime, and
//! the `OVERLAPS` predicate.
//!
//! The 0.15 parser has no INTERVAL literals; the compiler's text pass turns
//! `INTERVAL '…' qualifier` into `interval_literal('…', 'qualifier')`, which
//! [`parse_literal`] checks at compile time and evaluates here.

use super::{FnContext, FnResult};
use crate::error::EvalError;
use crate::plan::BinaryOp;
use crate::value::datetime::{civil_from_days, days_from_civil, days_in_month};
use crate::value::{
    Date, Interval, IntervalField, IntervalQualifier, Precision, Time, Timestamp, Value,
};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::cmp::Ordering;

const NANOS_PER_DAY: i128 = 86_400_000_000_000;

/// Parses an interval qualifier written as `DAY(3) TO SECOND(6)`, `SECOND(2, 3)`, `YEAR`.
pub fn parse_qualifier(text: &str) -> Result<IntervalQualifier, String> {
    let bad = || format!("invalid interval qualifier `{text}`");
    let upper = text.to_ascii_uppercase();
    let (head, tail) = match upper.split_once(" TO ") {
        Some((h, t)) => (h.trim(), Some(t.trim())),
        None => (upper.trim(), None),
    };
    // `NAME` or `NAME(a)` or `NAME(a, b)`.
    fn field_with_args(s: &str) -> Option<(IntervalField, Vec<u8>)> {
        let (name, args) = match s.split_once('(') {
            Some((n, rest)) => {
                let inner = rest.trim().strip_suffix(')')?;
                let args = inner
                    .split(',')
                    .map(|a| a.trim().parse::<u8>().ok())
                    .collect::<Option<Vec<u8>>>()?;
                (n.trim(), args)
            }
            None => (s.trim(), Vec::new()),
        };
        Some((IntervalField::parse(name)?, args))
    }
    let (lead, lead_args) = field_with_args(head).ok_or_else(bad)?;
    let mut q = IntervalQualifier {
        lead,
        end: lead,
        precision: 2,
        fraction: 6,
        literal: true,
    };
    match (lead, lead_args.as_slice()) {
        (_, []) => {}
        (_, [p]) => q.precision = *p,
        (IntervalField::Second, [p, f]) if tail.is_none() => {
            q.precision = *p;
            q.fraction = *f;
        }
        _ => return Err(bad()),
    }
    if let Some(tail) = tail {
        let (end, end_args) = field_with_args(tail).ok_or_else(bad)?;
        let ym = |f: IntervalField| f <= IntervalField::Month;
        if end <= lead || ym(lead) != ym(end) {
            return Err(bad());
        }
        match (end, end_args.as_slice()) {
            (_, []) => {}
            (IntervalField::Second, [f]) => q.fraction = *f,
            _ => return Err(bad()),
        }
        q.end = end;
    }
    if !(1..=9).contains(&q.precision) || q.fraction > 9 {
        return Err(bad());
    }
    Ok(q)
}

/// Parses the text of an interval literal under its qualifier.
pub fn parse_literal(text: &str, qualifier: &str) -> Result<Interval, String> {
    let q = parse_qualifier(qualifier)?;
    let bad = || format!("invalid interval literal '{text}' for {qualifier}");
    let t = text.trim();
    let (negative, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    // The separators between fields, from the leading field on.
    let fields: Vec<IntervalField> = [
        IntervalField::Year,
        IntervalField::Month,
        IntervalField::Day,
        IntervalField::Hour,
        IntervalField::Minute,
        IntervalField::Second,
    ]
    .into_iter()
    .filter(|f| *f >= q.lead && *f <= q.end)
    .collect();
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = body;
    for (i, f) in fields.iter().enumerate() {
        if i + 1 == fields.len() {
            parts.push(rest);
            break;
        }
        let sep = match f {
            IntervalField::Year => '-',
            IntervalField::Day => ' ',
            _ => ':',
        };
        let (a, b) = rest.split_once(sep).ok_or_else(bad)?;
        parts.push(a);
        rest = b;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut months: i128 = 0;
    let mut nanos: i128 = 0;
    for (i, (f, part)) in fields.iter().zip(&parts).enumerate() {
        let (int_part, frac_part) = match (f, part.split_once('.')) {
            (IntervalField::Second, Some((a, b))) => (a, Some(b)),
            _ => (*part, None),
        };
        if !digits(int_part) {
            return Err(bad());
        }
        let max_digits = if i == 0 { usize::from(q.precision) } else { 2 };
        if int_part.len() > max_digits {
            return Err(format!(
                "interval field overflow: '{text}' does not fit {qualifier}"
            ));
        }
        let n: i128 = int_part.parse().map_err(|_| bad())?;
        let limit = match f {
            IntervalField::Month => 12,
            IntervalField::Hour => 24,
            IntervalField::Minute | IntervalField::Second => 60,
            _ => i128::MAX,
        };
        if i > 0 && n >= limit {
            return Err(format!("interval field out of range in '{text}'"));
        }
        match f {
            IntervalField::Year => months += n * 12,
            IntervalField::Month => months += n,
            _ => nanos += n * f.nanos(),
        }
        if let Some(frac) = frac_part {
            if !digits(frac) || frac.len() > 9 {
                return Err(bad());
            }
            let kept = &frac[..frac.len().min(usize::from(q.fraction))];
            let mut value: i128 = if kept.is_empty() {
                0
            } else {
                kept.parse().map_err(|_| bad())?
            };
            for _ in kept.len()..9 {
                value *= 10;
            }
            nanos += value;
        }
    }
    let sign = if negative { -1 } else { 1 };
    Ok(if q.lead <= IntervalField::Month {
        Interval::YearMonth {
            months: i64::try_from(sign * months).map_err(|_| bad())?,
            q,
        }
    } else {
        Interval::DayTime {
            nanos: sign * nanos,
            q,
        }
    })
}

/// `interval_literal(text, qualifier)`.
pub fn interval_literal<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    match (args.first(), args.get(1)) {
        (Some(Value::Str(text)), Some(Value::Str(q))) => parse_literal(text, q)
            .map(Value::Interval)
            .map_err(EvalError::Fatal),
        _ => Err(EvalError::Fatal(
            "interval_literal takes the literal's text and qualifier".into(),
        )),
    }
}

fn fatal(msg: &str) -> EvalError {
    EvalError::Fatal(msg.into())
}

/// Truncates a day-time value to the qualifier's fractional precision and checks that it
/// fits the leading field's precision.
fn bounded_day_time(nanos: i128, q: IntervalQualifier) -> Result<Interval, EvalError> {
    let unit = 10i128.pow(9 - u32::from(q.fraction.min(9)));
    let nanos = nanos / unit * unit;
    let lead = q.lead.nanos().max(1);
    if (nanos / lead).abs() >= 10i128.pow(u32::from(q.precision)) {
        return Err(fatal("interval field overflow"));
    }
    Ok(Interval::DayTime {
        nanos,
        q: IntervalQualifier {
            literal: false,
            ..q
        },
    })
}

fn bounded_year_month(months: i128, q: IntervalQualifier) -> Result<Interval, EvalError> {
    let in_lead = if q.lead == IntervalField::Year {
        months / 12
    } else {
        months
    };
    if in_lead.abs() >= 10i128.pow(u32::from(q.precision)) {
        return Err(fatal("interval field overflow"));
    }
    Ok(Interval::YearMonth {
        months: i64::try_from(months).map_err(|_| fatal("interval field overflow"))?,
        q: IntervalQualifier {
            literal: false,
            ..q
        },
    })
}

/// The qualifier of the sum of two intervals: the more significant leading field.
fn joined(a: IntervalQualifier, b: IntervalQualifier) -> IntervalQualifier {
    let (lead, precision) = match a.lead.cmp(&b.lead) {
        Ordering::Less => (a.lead, a.precision),
        Ordering::Greater => (b.lead, b.precision),
        Ordering::Equal => (a.lead, a.precision.max(b.precision)),
    };
    IntervalQualifier {
        lead,
        end: a.end.max(b.end),
        precision,
        fraction: a.fraction.max(b.fraction),
        literal: false,
    }
}

/// A number as an exact decimal or a float.
enum Factor {
    Exact(Decimal),
    Float(f64),
}

fn factor(v: &Value<'_>) -> Option<Factor> {
    Some(match v {
        Value::Int(i) => Factor::Exact(Decimal::from(*i)),
        Value::BigInt(i) => Factor::Exact(Decimal::from_i128(**i)?),
        Value::Decimal(d) => Factor::Exact(*d),
        // A float by its exact binary value, as decimal arithmetic sees it.
        Value::Float(f) => Decimal::from_f64_retain(*f).map_or(Factor::Float(*f), Factor::Exact),
        _ => return None,
    })
}

/// `x * f` or `x / f`, truncated toward zero.
fn scale(x: i128, f: &Factor, divide: bool) -> Result<i128, EvalError> {
    match f {
        Factor::Exact(d) => {
            if divide && d.is_zero() {
                return Err(fatal("division by zero"));
            }
            let x = Decimal::from_i128(x).ok_or_else(|| fatal("interval overflow"))?;
            let r = if divide {
                x.checked_div(*d)
            } else {
                x.checked_mul(*d)
            };
            r.and_then(|r| r.trunc().to_i128())
                .ok_or_else(|| fatal("interval overflow"))
        }
        Factor::Float(g) => {
            if divide && *g == 0.0 {
                return Err(fatal("division by zero"));
            }
            let r = if divide { x as f64 / g } else { x as f64 * g };
            if !r.is_finite() || r.abs() >= 1e36 {
                return Err(fatal("interval overflow"));
            }
            Ok(r.trunc() as i128)
        }
    }
}

fn type_error(op: &str, a: &Value<'_>, b: &Value<'_>) -> EvalError {
    EvalError::type_err(format!(
        "`{op}` cannot combine {} and {}",
        a.type_tag().name(),
        b.type_tag().name()
    ))
}

/// Date with months added, the day clamped to the month's length.
fn add_months_to(year: i32, month: u8, day: u8, months: i64) -> Option<(i32, u8, u8)> {
    let total = i64::from(year) * 12 + i64::from(month) - 1 + months;
    let y = i32::try_from(total.div_euclid(12)).ok()?;
    let m = (total.rem_euclid(12) + 1) as u8;
    Some((y, m, day.min(days_in_month(y, m))))
}

fn fraction_digits_of(nanos: i128) -> u8 {
    let mut n = (nanos.rem_euclid(1_000_000_000)) as u32;
    if n == 0 {
        return 0;
    }
    let mut digits = 9;
    while n.is_multiple_of(10) {
        n /= 10;
        digits -= 1;
    }
    digits
}

fn time_plus(t: Time, nanos: i128) -> Time {
    let n = (i128::from(t.nanos_of_day()) + nanos).rem_euclid(NANOS_PER_DAY);
    let secs = (n / 1_000_000_000) as u32;
    Time {
        hour: (secs / 3600) as u8,
        minute: (secs / 60 % 60) as u8,
        second: (secs % 60) as u8,
        nanos: (n % 1_000_000_000) as u32,
        fraction_digits: t.fraction_digits.max(fraction_digits_of(nanos)),
        offset_minutes: t.offset_minutes,
    }
}

/// Local nanoseconds since the epoch of a timestamp's wall-clock reading.
fn local_nanos(ts: &Timestamp) -> i128 {
    let days = i128::from(days_from_civil(ts.year, ts.month, ts.day));
    let secs = i128::from(ts.hour) * 3600 + i128::from(ts.minute) * 60 + i128::from(ts.second);
    days * NANOS_PER_DAY + secs * 1_000_000_000 + i128::from(ts.nanos)
}

fn timestamp_plus(ts: Timestamp, nanos: i128) -> Option<Timestamp> {
    let n = local_nanos(&ts) + nanos;
    let days = i64::try_from(n.div_euclid(NANOS_PER_DAY)).ok()?;
    let rem = n.rem_euclid(NANOS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let secs = (rem / 1_000_000_000) as u32;
    Some(Timestamp {
        year,
        month,
        day,
        hour: (secs / 3600) as u8,
        minute: (secs / 60 % 60) as u8,
        second: (secs % 60) as u8,
        nanos: (rem % 1_000_000_000) as u32,
        fraction_digits: ts.fraction_digits.max(fraction_digits_of(nanos)),
        precision: ts.precision.max(if nanos % NANOS_PER_DAY == 0 {
            ts.precision
        } else {
            Precision::Second
        }),
        offset_minutes: ts.offset_minutes,
        ion: ts.ion,
    })
}

fn date_as_timestamp(d: Date) -> Timestamp {
    Timestamp {
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
    }
}

/// A datetime plus an interval (negated for `-`).
fn shift<'a>(dt: Value<'a>, iv: Interval, negate: bool) -> Result<Value<'a>, EvalError> {
    let overflow = || fatal("datetime overflow");
    match iv {
        Interval::YearMonth { months, .. } => {
            let months = if negate { -months } else { months };
            match dt {
                Value::Date(d) => {
                    let (y, m, day) =
                        add_months_to(d.year, d.month, d.day, months).ok_or_else(overflow)?;
                    Ok(Value::Date(Date {
                        year: y,
                        month: m,
                        day,
                    }))
                }
                Value::Timestamp(ts) => {
                    let (y, m, day) =
                        add_months_to(ts.year, ts.month, ts.day, months).ok_or_else(overflow)?;
                    Ok(Value::Timestamp(Timestamp {
                        year: y,
                        month: m,
                        day,
                        ..ts
                    }))
                }
                other => Err(type_error(
                    "+",
                    &other,
                    &Value::Interval(Interval::year_month(0)),
                )),
            }
        }
        Interval::DayTime { nanos, .. } => {
            let nanos = if negate { -nanos } else { nanos };
            match dt {
                Value::Date(d) if nanos % NANOS_PER_DAY == 0 => {
                    let days = i64::try_from(nanos / NANOS_PER_DAY).map_err(|_| overflow())?;
                    let (year, month, day) =
                        civil_from_days(days_from_civil(d.year, d.month, d.day) + days);
                    Ok(Value::Date(Date { year, month, day }))
                }
                Value::Date(d) => timestamp_plus(date_as_timestamp(d), nanos)
                    .map(Value::Timestamp)
                    .ok_or_else(overflow),
                Value::Time(t) => Ok(Value::Time(time_plus(t, nanos))),
                Value::Timestamp(ts) => timestamp_plus(ts, nanos)
                    .map(Value::Timestamp)
                    .ok_or_else(overflow),
                other => Err(type_error(
                    "+",
                    &other,
                    &Value::Interval(Interval::day_time(0)),
                )),
            }
        }
    }
}

/// UTC nanoseconds of a time of day (a time without a zone counts as UTC).
fn time_utc_nanos(t: &Time) -> i128 {
    i128::from(t.nanos_of_day()) - i128::from(t.offset_minutes.unwrap_or(0)) * 60_000_000_000
}

/// UTC nanoseconds since the epoch of a date or timestamp (no zone counts as UTC).
fn instant_nanos(v: &Value<'_>) -> Option<i128> {
    match v {
        Value::Date(d) => Some(date_as_timestamp(*d).epoch_nanos()),
        Value::Timestamp(ts) => Some(ts.epoch_nanos()),
        _ => None,
    }
}

fn is_datetime(v: &Value<'_>) -> bool {
    matches!(v, Value::Date(_) | Value::Time(_) | Value::Timestamp(_))
}

/// Orders datetimes across DATE and TIMESTAMP, and TIMEs by their UTC instant; `None`
/// when the two are not comparable that way.
pub fn datetime_cmp(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Time(x), Value::Time(y)) => Some(time_utc_nanos(x).cmp(&time_utc_nanos(y))),
        (Value::Date(_) | Value::Timestamp(_), Value::Date(_) | Value::Timestamp(_)) => {
            Some(instant_nanos(a)?.cmp(&instant_nanos(b)?))
        }
        (Value::Interval(x), Value::Interval(y)) => match (x, y) {
            (Interval::YearMonth { months: m, .. }, Interval::YearMonth { months: n, .. }) => {
                Some(m.cmp(n))
            }
            (Interval::DayTime { nanos: m, .. }, Interval::DayTime { nanos: n, .. }) => {
                Some(m.cmp(n))
            }
            _ => None,
        },
        _ => None,
    }
}

/// `+ - * /` where an operand is an interval, or `-` between datetimes; `None` when
/// neither operand is one (ordinary arithmetic then applies).
pub fn datetime_arith<'a>(
    op: BinaryOp,
    a: Value<'a>,
    b: Value<'a>,
) -> Option<Result<Value<'a>, EvalError>> {
    let name = match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        _ => "%",
    };
    let a_iv = matches!(a, Value::Interval(_));
    let b_iv = matches!(b, Value::Interval(_));
    if !(a_iv || b_iv || (is_datetime(&a) && is_datetime(&b))) {
        return None;
    }
    Some(match (op, a, b) {
        (BinaryOp::Add | BinaryOp::Sub, Value::Interval(x), Value::Interval(y)) => {
            let neg = op == BinaryOp::Sub;
            match (x, y) {
                (
                    Interval::YearMonth { months: m, q: qm },
                    Interval::YearMonth { months: n, q: qn },
                ) => {
                    let n = i128::from(n);
                    let r = i128::from(m) + if neg { -n } else { n };
                    bounded_year_month(r, joined(qm, qn)).map(Value::Interval)
                }
                (Interval::DayTime { nanos: m, q: qm }, Interval::DayTime { nanos: n, q: qn }) => {
                    let r = m + if neg { -n } else { n };
                    bounded_day_time(r, joined(qm, qn)).map(Value::Interval)
                }
                _ => Err(type_error(name, &a, &b)),
            }
        }
        (BinaryOp::Add | BinaryOp::Sub, dt, Value::Interval(iv)) if is_datetime(&dt) => {
            shift(dt, iv, op == BinaryOp::Sub)
        }
        (BinaryOp::Add, Value::Interval(iv), dt) if is_datetime(&dt) => shift(dt, iv, false),
        (BinaryOp::Mul | BinaryOp::Div, Value::Interval(iv), n)
        | (BinaryOp::Mul, n, Value::Interval(iv))
            if factor(&n).is_some() =>
        {
            let f = factor(&n).expect("checked");
            let divide = op == BinaryOp::Div;
            match iv {
                Interval::YearMonth { months, q } => scale(i128::from(months), &f, divide)
                    .and_then(|m| bounded_year_month(m, q))
                    .map(Value::Interval),
                Interval::DayTime { nanos, q } => scale(nanos, &f, divide)
                    .and_then(|n| bounded_day_time(n, q))
                    .map(Value::Interval),
            }
        }
        (BinaryOp::Sub, Value::Time(x), Value::Time(y)) => Ok(Value::Interval(Interval::day_time(
            time_utc_nanos(&x) - time_utc_nanos(&y),
        ))),
        (BinaryOp::Sub, x, y) if instant_nanos(&x).is_some() && instant_nanos(&y).is_some() => {
            let d = instant_nanos(&x).expect("checked") - instant_nanos(&y).expect("checked");
            Ok(Value::Interval(Interval::day_time(d)))
        }
        (_, a, b) => Err(type_error(name, &a, &b)),
    })
}

/// `CAST(interval AS INTERVAL qualifier)`: the same kind of interval, truncated to the
/// target's fractional precision and checked against its leading precision.
pub fn cast_interval(iv: Interval, q: IntervalQualifier) -> Result<Interval, EvalError> {
    let target_ym = q.lead <= IntervalField::Month;
    match iv {
        Interval::YearMonth { months, .. } if target_ym => {
            bounded_year_month(i128::from(months), q)
        }
        Interval::DayTime { nanos, .. } if !target_ym => bounded_day_time(nanos, q),
        _ => Err(EvalError::type_err(
            "cannot cast between year-month and day-time intervals",
        )),
    }
}

/// `-interval`.
pub fn negate(iv: Interval) -> Option<Interval> {
    Some(match iv {
        Interval::YearMonth { months, q } => Interval::YearMonth {
            months: months.checked_neg()?,
            q,
        },
        Interval::DayTime { nanos, q } => Interval::DayTime {
            nanos: nanos.checked_neg()?,
            q,
        },
    })
}

/// The start and end of a period operand of OVERLAPS (NULL for an absent bound).
fn period<'a>(v: &Value<'a>) -> Result<(Value<'a>, Value<'a>), EvalError> {
    let items = match v {
        Value::List(items) | Value::Bag(items) if items.len() == 2 => items,
        other => {
            return Err(EvalError::type_err(format!(
                "OVERLAPS takes two-element periods, not {}",
                other.type_tag().name()
            )))
        }
    };
    let norm = |v: Value<'a>| if v.is_missing() { Value::Null } else { v };
    let start = norm(items[0]);
    let end = match (start, items[1]) {
        (s, Value::Interval(iv)) if !s.is_null() => shift(s, iv, false)?,
        (_, Value::Interval(_)) => Value::Null,
        (_, e) => norm(e),
    };
    // SQL: the earlier bound is the start; a NULL start swaps with the end.
    Ok(match (start.is_null(), end.is_null()) {
        (true, false) => (end, start),
        (false, false) if cmp3(&end, &start)? == Some(Ordering::Less) => (end, start),
        _ => (start, end),
    })
}

/// Orders two datetimes; `None` when either is NULL.
fn cmp3(a: &Value<'_>, b: &Value<'_>) -> Result<Option<Ordering>, EvalError> {
    if a.is_null() || b.is_null() {
        return Ok(None);
    }
    match (a, b) {
        _ if a.type_tag() == b.type_tag() || datetime_cmp(a, b).is_some() => {}
        _ => return Err(type_error("OVERLAPS", a, b)),
    }
    datetime_cmp(a, b)
        .or_else(|| match (a, b) {
            (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
            _ => None,
        })
        .map(Some)
        .ok_or_else(|| type_error("OVERLAPS", a, b))
}

/// `(S1, E1) OVERLAPS (S2, E2)` in SQL's three-valued logic:
/// `(S1 > S2 AND NOT (S1 >= E2 AND E1 >= E2)) OR (S2 > S1 AND NOT (S2 >= E1 AND E2 >= E1))
/// OR S1 = S2`.
pub fn overlaps<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    let (a, b) = (args[0], args[1]);
    if a.is_missing() || b.is_missing() {
        return Ok(Value::Missing);
    }
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let (s1, e1) = period(&a)?;
    let (s2, e2) = period(&b)?;
    // Three-valued logic over Option<bool>.
    let gt = |x: &Value<'a>, y: &Value<'a>| -> Result<Option<bool>, EvalError> {
        Ok(cmp3(x, y)?.map(|o| o == Ordering::Greater))
    };
    let ge = |x: &Value<'a>, y: &Value<'a>| -> Result<Option<bool>, EvalError> {
        Ok(cmp3(x, y)?.map(|o| o != Ordering::Less))
    };
    let and = |x: Option<bool>, y: Option<bool>| match (x, y) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    };
    let or = |x: Option<bool>, y: Option<bool>| match (x, y) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    };
    let not = |x: Option<bool>| x.map(|b| !b);
    let first = and(gt(&s1, &s2)?, not(and(ge(&s1, &e2)?, ge(&e1, &e2)?)));
    let second = and(gt(&s2, &s1)?, not(and(ge(&s2, &e1)?, ge(&e2, &e1)?)));
    let same = cmp3(&s1, &s2)?.map(|o| o == Ordering::Equal);
    Ok(match or(or(first, second), same) {
        Some(b) => Value::Bool(b),
        None => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str, q: &str) -> Interval {
        parse_literal(text, q).unwrap()
    }

    fn nanos(iv: Interval) -> i128 {
        match iv {
            Interval::DayTime { nanos, .. } => nanos,
            Interval::YearMonth { months, .. } => i128::from(months),
        }
    }

    #[test]
    fn literals_follow_their_qualifier() {
        assert_eq!(nanos(lit("-1-11", "YEAR TO MONTH")), -23);
        assert_eq!(nanos(lit("999", "MONTH(3)")), 999);
        assert_eq!(
            nanos(lit("3 8:45", "DAY TO MINUTE")),
            (3 * 86400 + 8 * 3600 + 45 * 60) * 1_000_000_000
        );
        // The default fractional precision is 6: further digits are truncated.
        assert_eq!(nanos(lit("2.123456789", "SECOND")), 2_123_456_000);
        assert_eq!(nanos(lit("1.123456789", "SECOND(2,3)")), 1_123_000_000);
        // The default leading precision is 2.
        assert!(parse_literal("100", "DAY").is_err());
        assert!(parse_literal("100-11", "YEAR TO MONTH").is_err());
        assert!(parse_literal("1.1234567899", "SECOND").is_err());
        assert!(parse_literal("1 24", "DAY TO HOUR").is_err());
        assert!(parse_literal("1", "MONTH TO YEAR").is_err());
        assert!(parse_literal("x", "DAY").is_err());
    }

    #[test]
    fn interval_arithmetic_truncates_and_bounds() {
        let day2 = Value::Interval(lit("2", "DAY"));
        let r = datetime_arith(BinaryOp::Mul, day2, Value::Float(0.225)).unwrap();
        assert!(matches!(r, Ok(Value::Interval(i)) if nanos(i) == 38_880_000_000_000));
        // 100 days does not fit DAY(2).
        assert!(datetime_arith(BinaryOp::Mul, day2, Value::Int(50))
            .unwrap()
            .is_err());
        assert!(datetime_arith(BinaryOp::Div, day2, Value::Int(0))
            .unwrap()
            .is_err());
        let ym = Value::Interval(lit("7", "MONTH"));
        let r = datetime_arith(BinaryOp::Div, ym, Value::Decimal(Decimal::new(25, 1))).unwrap();
        assert!(matches!(r, Ok(Value::Interval(i)) if nanos(i) == 2));
        assert!(datetime_arith(BinaryOp::Add, Value::Int(1), Value::Int(2)).is_none());
    }

    #[test]
    fn datetimes_shift_and_subtract() {
        let d = Value::Date(Date::new(2025, 1, 31).unwrap());
        let r = datetime_arith(BinaryOp::Add, d, Value::Interval(lit("1", "MONTH"))).unwrap();
        assert!(matches!(r, Ok(Value::Date(d)) if d == Date::new(2025, 2, 28).unwrap()));
        let t = |h: u8, off: Option<i16>| {
            Value::Time(Time {
                hour: h,
                minute: 30,
                second: 0,
                nanos: 0,
                fraction_digits: 0,
                offset_minutes: off,
            })
        };
        let r = datetime_arith(BinaryOp::Sub, t(10, Some(300)), t(10, Some(-180))).unwrap();
        assert!(matches!(r, Ok(Value::Interval(i)) if nanos(i) == -8 * 3_600_000_000_000));
        // A year-month interval cannot move a time of day.
        let r = datetime_arith(BinaryOp::Add, t(1, None), Value::Interval(lit("1", "YEAR")));
        assert!(matches!(r, Some(Err(EvalError::Type(_)))));
        assert_eq!(
            datetime_cmp(&t(10, None), &t(10, Some(0))),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn overlaps_uses_sql_three_valued_logic() {
        let arena = bumpalo::Bump::new();
        let cx = FnContext {
            arena: &arena,
            strict: true,
        };
        let d = |day: u8| Value::Date(Date::new(2023, 1, day).unwrap());
        let p = |a: Value<'static>, b: Value<'static>| -> Value<'static> {
            Value::List(Box::leak(Box::new([a, b])))
        };
        let ov = |a, b| format!("{:?}", overlaps(&[a, b], &cx).unwrap());
        assert_eq!(ov(p(d(1), d(31)), p(d(10), d(20))), "Bool(true)");
        assert_eq!(ov(p(d(1), d(31)), p(d(31), d(31))), "Bool(false)");
        assert_eq!(ov(p(Value::Null, d(15)), p(d(1), d(31))), "Bool(true)");
        assert_eq!(ov(p(Value::Null, d(1)), p(d(15), d(31))), "Null");
        assert_eq!(ov(Value::Null, Value::Missing), "Missing");
        let ten_days = Value::Interval(lit("10", "DAY"));
        assert_eq!(ov(p(d(1), ten_days), p(d(15), d(31))), "Bool(false)");
    }
}
