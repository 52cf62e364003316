//! Equality and ordering between values.
//!
//! Three relations, each where PartiQL uses it:
//! - [`partiql_eq`]: the `=` operator, which propagates MISSING and NULL;
//! - [`total_cmp`]: the total order of the spec (§12.2) used by ORDER BY, GROUP BY,
//!   DISTINCT and set operators: absent < BOOL < numbers < DATE < TIME < TIMESTAMP <
//!   text < LOB < LIST < TUPLE < BAG, numbers by value across INT, DECIMAL and FLOAT;
//! - [`test_eq`]: equality for test results, where NULL equals NULL.

use super::{Field, Value};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// The three-valued (four, counting MISSING) result of `=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EqResult {
    True,
    False,
    Null,
    Missing,
}

impl EqResult {
    pub fn to_value(self) -> Value<'static> {
        match self {
            EqResult::True => Value::Bool(true),
            EqResult::False => Value::Bool(false),
            EqResult::Null => Value::Null,
            EqResult::Missing => Value::Missing,
        }
    }
}

/// The `=` operator.
pub fn partiql_eq(a: &Value<'_>, b: &Value<'_>) -> EqResult {
    match (a, b) {
        // NULL against MISSING is unknown as NULL (only MISSING against a present value
        // or MISSING is MISSING).
        (Value::Missing, Value::Null) | (Value::Null, Value::Missing) => EqResult::Null,
        (Value::Missing, _) | (_, Value::Missing) => EqResult::Missing,
        (Value::Null, _) | (_, Value::Null) => EqResult::Null,
        // A DATE equals the TIMESTAMP of its midnight; TIMEs compare as UTC instants.
        (Value::Date(_), Value::Timestamp(_))
        | (Value::Timestamp(_), Value::Date(_))
        | (Value::Time(_), Value::Time(_)) => {
            match crate::functions::interval::datetime_cmp(a, b) {
                Some(Ordering::Equal) => EqResult::True,
                _ => EqResult::False,
            }
        }
        _ => {
            if comparable(a, b) {
                if deep_eq(a, b) {
                    EqResult::True
                } else {
                    EqResult::False
                }
            } else {
                EqResult::False
            }
        }
    }
}

/// Year-month intervals order before day-time ones, each by value.
fn interval_key(i: &super::Interval) -> (u8, i128) {
    match i {
        super::Interval::YearMonth { months, .. } => (0, i128::from(*months)),
        super::Interval::DayTime { nanos, .. } => (1, *nanos),
    }
}

fn comparable(a: &Value<'_>, b: &Value<'_>) -> bool {
    class(a) == class(b)
}

/// Equality of two non-absent values of the same class, with nested NULLs equal.
fn deep_eq(a: &Value<'_>, b: &Value<'_>) -> bool {
    total_cmp(a, b) == Ordering::Equal
}

/// Equality for comparing results against expectations.
pub fn test_eq(a: &Value<'_>, b: &Value<'_>) -> bool {
    total_cmp(a, b) == Ordering::Equal
}

/// Rank of a value's class in the total order.
fn class(v: &Value<'_>) -> u8 {
    match v {
        Value::Missing => 0,
        Value::Null => 1,
        Value::Bool(_) => 2,
        Value::Int(_) | Value::BigInt(_) | Value::Decimal(_) | Value::Float(_) => 3,
        Value::Date(_) => 4,
        Value::Time(_) => 5,
        Value::Timestamp(_) => 6,
        Value::Str(_) => 7,
        Value::Blob(_) | Value::Clob(_) => 8,
        Value::Interval(_) => 9,
        Value::List(_) => 10,
        Value::Tuple(_) => 11,
        Value::Bag(_) => 12,
    }
}

/// A number widened for comparison.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Dec(Decimal),
    Float(f64),
}

fn as_num(v: &Value<'_>) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::Int(i128::from(*i))),
        Value::BigInt(i) => Some(Num::Int(**i)),
        Value::Decimal(d) => Some(Num::Dec(*d)),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

fn num_to_f64(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::Dec(d) => d.to_f64().unwrap_or(f64::NAN),
        Num::Float(f) => f,
    }
}

fn cmp_f64(a: f64, b: f64) -> Ordering {
    // NaN sorts before every other number.
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn cmp_num(a: Num, b: Num) -> Ordering {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x.cmp(&y),
        (Num::Dec(x), Num::Dec(y)) => x.cmp(&y),
        (Num::Int(x), Num::Dec(y)) => match Decimal::from_i128(x) {
            Some(x) => x.cmp(&y),
            None => cmp_f64(x as f64, num_to_f64(b)),
        },
        (Num::Dec(x), Num::Int(y)) => match Decimal::from_i128(y) {
            Some(y) => x.cmp(&y),
            None => cmp_f64(num_to_f64(a), y as f64),
        },
        (Num::Int(x), Num::Float(y)) => {
            if y.is_finite() && y.fract() == 0.0 && y.abs() < 1.7e38 {
                x.cmp(&(y as i128))
            } else {
                cmp_f64(x as f64, y)
            }
        }
        (Num::Float(x), Num::Int(y)) => cmp_num(Num::Int(y), Num::Float(x)).reverse(),
        (Num::Dec(x), Num::Float(y)) => match Decimal::from_f64(y) {
            Some(yd) if y.is_finite() => {
                // Compare exactly when the float converts without loss of meaning.
                let ord = x.cmp(&yd);
                if ord == Ordering::Equal {
                    ord
                } else {
                    cmp_f64(num_to_f64(a), y)
                }
            }
            _ => cmp_f64(num_to_f64(a), y),
        },
        (Num::Float(_), Num::Dec(_)) => cmp_num(b, a).reverse(),
        (Num::Float(x), Num::Float(y)) => cmp_f64(x, y),
    }
}

/// Compares two numbers by value; `None` when either is not a number.
pub fn compare_numbers(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    Some(cmp_num(as_num(a)?, as_num(b)?))
}

/// The total order of the PartiQL spec.
pub fn total_cmp(a: &Value<'_>, b: &Value<'_>) -> Ordering {
    cmp_with(a, b, false)
}

/// [`total_cmp`], with NULL and MISSING inside collections and tuples ordered after
/// every other value when `nulls_high` (ORDER BY places nested absent values where it
/// places absent keys).
fn cmp_with(a: &Value<'_>, b: &Value<'_>, nulls_high: bool) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => return x.cmp(y),
        (Value::Str(x), Value::Str(y)) => return x.cmp(y),
        _ => {}
    }
    let class = |v: &Value<'_>| match v {
        Value::Missing if nulls_high => 13,
        Value::Null if nulls_high => 14,
        v => class(v),
    };
    let (ca, cb) = (class(a), class(b));
    if ca != cb {
        return ca.cmp(&cb);
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Blob(x) | Value::Clob(x), Value::Blob(y) | Value::Clob(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Time(x), Value::Time(y)) => x
            .nanos_of_day()
            .cmp(&y.nanos_of_day())
            .then(x.offset_minutes.cmp(&y.offset_minutes)),
        (Value::Timestamp(x), Value::Timestamp(y)) => x.epoch_nanos().cmp(&y.epoch_nanos()),
        (Value::Interval(x), Value::Interval(y)) => interval_key(x).cmp(&interval_key(y)),
        (Value::List(x), Value::List(y)) => cmp_seq(x, y, nulls_high),
        (Value::Bag(x), Value::Bag(y)) => cmp_multiset(x, y, nulls_high),
        (Value::Tuple(x), Value::Tuple(y)) => cmp_tuples(x, y, nulls_high),
        _ if ca == 3 => match (as_num(a), as_num(b)) {
            (Some(x), Some(y)) => cmp_num(x, y),
            _ => Ordering::Equal,
        },
        _ => Ordering::Equal,
    }
}

fn cmp_seq(x: &[Value<'_>], y: &[Value<'_>], nulls_high: bool) -> Ordering {
    for (a, b) in x.iter().zip(y) {
        let o = cmp_with(a, b, nulls_high);
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

fn cmp_multiset(x: &[Value<'_>], y: &[Value<'_>], nulls_high: bool) -> Ordering {
    if x.len() != y.len() {
        return x.len().cmp(&y.len());
    }
    let mut xs: Vec<&Value<'_>> = x.iter().collect();
    let mut ys: Vec<&Value<'_>> = y.iter().collect();
    xs.sort_by(|a, b| cmp_with(a, b, nulls_high));
    ys.sort_by(|a, b| cmp_with(a, b, nulls_high));
    for (a, b) in xs.iter().zip(&ys) {
        let o = cmp_with(a, b, nulls_high);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn cmp_tuples(x: &[Field<'_>], y: &[Field<'_>], nulls_high: bool) -> Ordering {
    let mut xs: Vec<&Field<'_>> = x.iter().collect();
    let mut ys: Vec<&Field<'_>> = y.iter().collect();
    let by = |a: &&Field<'_>, b: &&Field<'_>| {
        a.0.cmp(b.0).then_with(|| cmp_with(&a.1, &b.1, nulls_high))
    };
    xs.sort_by(by);
    ys.sort_by(by);
    for (a, b) in xs.iter().zip(&ys) {
        let o = a.0.cmp(b.0).then_with(|| cmp_with(&a.1, &b.1, nulls_high));
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// ORDER BY comparison of one key: direction and where absent values go.
pub fn sort_cmp(a: &Value<'_>, b: &Value<'_>, descending: bool, nulls_first: bool) -> Ordering {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let o = x.cmp(y);
        return if descending { o.reverse() } else { o };
    }
    match (a.is_absent(), b.is_absent()) {
        (true, true) => Ordering::Equal,
        (true, false) => {
            if nulls_first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (false, true) => {
            if nulls_first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        _ => {
            // Nested absent values go where the absent keys go: last unless NULLS FIRST
            // for ascending keys, first unless NULLS LAST for descending ones.
            let o = cmp_with(a, b, nulls_first == descending);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// Hashes a value consistently with [`total_cmp`] equality (1 = 1.0 = 1.00 hash alike).
pub fn hash_value<H: Hasher>(v: &Value<'_>, h: &mut H) {
    class(v).hash(h);
    match v {
        Value::Bool(b) => b.hash(h),
        Value::Int(_) | Value::BigInt(_) | Value::Decimal(_) | Value::Float(_) => {
            let f = as_num(v).map(num_to_f64).unwrap_or(0.0);
            if f.is_nan() {
                0u64.hash(h)
            } else if f == 0.0 {
                0.0f64.to_bits().hash(h)
            } else {
                f.to_bits().hash(h)
            }
        }
        Value::Str(s) => s.hash(h),
        Value::Blob(b) | Value::Clob(b) => b.hash(h),
        Value::Date(d) => d.hash(h),
        Value::Time(t) => t.nanos_of_day().hash(h),
        Value::Timestamp(t) => t.epoch_nanos().hash(h),
        Value::List(items) => {
            for i in items.iter() {
                hash_value(i, h);
            }
        }
        // Order-insensitive: combine element hashes commutatively.
        Value::Bag(items) => {
            let mut acc = 0u64;
            for i in items.iter() {
                let mut sub = std::collections::hash_map::DefaultHasher::new();
                hash_value(i, &mut sub);
                acc = acc.wrapping_add(sub.finish());
            }
            acc.hash(h)
        }
        Value::Tuple(fields) => {
            let mut acc = 0u64;
            for (k, val) in fields.iter() {
                let mut sub = std::collections::hash_map::DefaultHasher::new();
                k.hash(&mut sub);
                hash_value(val, &mut sub);
                acc = acc.wrapping_add(sub.finish());
            }
            acc.hash(h)
        }
        Value::Missing | Value::Null | Value::Interval(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_absent_values_sort_where_absent_keys_go() {
        let null = [Value::Null];
        let one = [Value::Int(1)];
        let (with_null, with_one) = (Value::List(&null), Value::List(&one));
        // Ascending, NULLS LAST (the default): [NULL] after [1].
        assert_eq!(
            sort_cmp(&with_null, &with_one, false, false),
            Ordering::Greater
        );
        // Descending, NULLS FIRST (the default): [NULL] first.
        assert_eq!(sort_cmp(&with_null, &with_one, true, true), Ordering::Less);
        // The total order itself keeps NULL lowest.
        assert_eq!(total_cmp(&with_null, &with_one), Ordering::Less);
    }
}
