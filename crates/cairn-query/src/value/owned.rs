//! [`OwnedValue`]: a value that owns its memory, for results, constants and callers' data.

use super::{Date, Interval, Time, Timestamp, Value};
use bumpalo::Bump;
use rust_decimal::Decimal;

/// A PartiQL value that owns its strings and collections.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum OwnedValue {
    #[default]
    Missing,
    Null,
    Bool(bool),
    Int(i64),
    BigInt(i128),
    Decimal(Decimal),
    Float(f64),
    Str(String),
    Blob(Vec<u8>),
    Clob(Vec<u8>),
    Date(Date),
    Time(Time),
    Timestamp(Timestamp),
    Interval(Interval),
    List(Vec<OwnedValue>),
    Bag(Vec<OwnedValue>),
    Tuple(Vec<(String, OwnedValue)>),
}

impl OwnedValue {
    pub fn from_value(v: &Value<'_>) -> OwnedValue {
        match *v {
            Value::Missing => OwnedValue::Missing,
            Value::Null => OwnedValue::Null,
            Value::Bool(b) => OwnedValue::Bool(b),
            Value::Int(i) => OwnedValue::Int(i),
            Value::BigInt(i) => OwnedValue::BigInt(*i),
            Value::Decimal(d) => OwnedValue::Decimal(d),
            Value::Float(f) => OwnedValue::Float(f),
            Value::Str(s) => OwnedValue::Str(s.to_string()),
            Value::Blob(b) => OwnedValue::Blob(b.to_vec()),
            Value::Clob(b) => OwnedValue::Clob(b.to_vec()),
            Value::Date(d) => OwnedValue::Date(d),
            Value::Time(t) => OwnedValue::Time(t),
            Value::Timestamp(t) => OwnedValue::Timestamp(t),
            Value::Interval(i) => OwnedValue::Interval(i),
            Value::List(items) => OwnedValue::List(items.iter().map(Self::from_value).collect()),
            Value::Bag(items) => OwnedValue::Bag(items.iter().map(Self::from_value).collect()),
            Value::Tuple(fields) => OwnedValue::Tuple(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), Self::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// Borrows this value as a [`Value`]. Scalars and strings are borrowed in place;
    /// collections need slices of `Value`, which are built in `arena`.
    pub fn as_value<'a>(&'a self, arena: &'a Bump) -> Value<'a> {
        match self {
            OwnedValue::Missing => Value::Missing,
            OwnedValue::Null => Value::Null,
            OwnedValue::Bool(b) => Value::Bool(*b),
            OwnedValue::Int(i) => Value::Int(*i),
            OwnedValue::BigInt(i) => Value::BigInt(i),
            OwnedValue::Decimal(d) => Value::Decimal(*d),
            OwnedValue::Float(f) => Value::Float(*f),
            OwnedValue::Str(s) => Value::Str(s),
            OwnedValue::Blob(b) => Value::Blob(b),
            OwnedValue::Clob(b) => Value::Clob(b),
            OwnedValue::Date(d) => Value::Date(*d),
            OwnedValue::Time(t) => Value::Time(*t),
            OwnedValue::Timestamp(t) => Value::Timestamp(*t),
            OwnedValue::Interval(i) => Value::Interval(*i),
            OwnedValue::List(items) => {
                Value::List(arena.alloc_slice_fill_iter(items.iter().map(|v| v.as_value(arena))))
            }
            OwnedValue::Bag(items) => {
                Value::Bag(arena.alloc_slice_fill_iter(items.iter().map(|v| v.as_value(arena))))
            }
            OwnedValue::Tuple(fields) => Value::Tuple(arena.alloc_slice_fill_iter(
                fields.iter().map(|(k, v)| (k.as_str(), v.as_value(arena))),
            )),
        }
    }

    /// A tuple built from `(name, value)` pairs.
    pub fn tuple<K: Into<String>>(fields: impl IntoIterator<Item = (K, OwnedValue)>) -> OwnedValue {
        OwnedValue::Tuple(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Test equality as the conformance suite defines it (bags as multisets, numbers by
    /// value, NULL = NULL); see [`super::total_cmp`].
    pub fn test_eq(&self, other: &OwnedValue) -> bool {
        let arena = Bump::new();
        super::compare::test_eq(&self.as_value(&arena), &other.as_value(&arena))
    }
}

impl From<i64> for OwnedValue {
    fn from(v: i64) -> Self {
        OwnedValue::Int(v)
    }
}
impl From<f64> for OwnedValue {
    fn from(v: f64) -> Self {
        OwnedValue::Float(v)
    }
}
impl From<bool> for OwnedValue {
    fn from(v: bool) -> Self {
        OwnedValue::Bool(v)
    }
}
impl From<&str> for OwnedValue {
    fn from(v: &str) -> Self {
        OwnedValue::Str(v.to_string())
    }
}
impl From<String> for OwnedValue {
    fn from(v: String) -> Self {
        OwnedValue::Str(v)
    }
}
