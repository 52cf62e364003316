//! Values: the borrowed [`Value`] the VM computes with, the [`OwnedValue`] callers hold,
//! and the comparison rules PartiQL defines between them.
//!
//! A `Value<'a>` is `Copy` and never owns heap memory: its strings and collections point
//! into the VM's bump arena, into a reader's buffers, or into constants of the plan. That is
//! what lets the VM reset its row arena in O(1): the borrow checker proves that no `Value`
//! outlives the memory it points into.

pub mod compare;
pub mod datetime;
pub mod json;
mod owned;

pub use compare::{compare_numbers, hash_value, partiql_eq, sort_cmp, total_cmp, EqResult};
pub use datetime::{Date, Interval, IntervalField, IntervalQualifier, Precision, Time, Timestamp};
pub use owned::OwnedValue;

use rust_decimal::Decimal;

/// A field of a tuple: its name and its value.
pub type Field<'a> = (&'a str, Value<'a>);

/// A PartiQL value borrowed from an arena or a reader's buffer.
#[derive(Clone, Copy, Debug, Default)]
pub enum Value<'a> {
    #[default]
    Missing,
    Null,
    Bool(bool),
    Int(i64),
    /// An integer outside `i64`: the path to larger integers.
    BigInt(&'a i128),
    Decimal(Decimal),
    Float(f64),
    Str(&'a str),
    Blob(&'a [u8]),
    Clob(&'a [u8]),
    Date(Date),
    Time(Time),
    Timestamp(Timestamp),
    Interval(Interval),
    List(&'a [Value<'a>]),
    Bag(&'a [Value<'a>]),
    Tuple(&'a [Field<'a>]),
}

/// The runtime type of a value, as named in error messages and `IS` tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeTag {
    Missing,
    Null,
    Bool,
    Int,
    Decimal,
    Float,
    Str,
    Blob,
    Clob,
    Date,
    Time,
    Timestamp,
    Interval,
    List,
    Bag,
    Tuple,
}

impl TypeTag {
    pub fn name(self) -> &'static str {
        match self {
            TypeTag::Missing => "MISSING",
            TypeTag::Null => "NULL",
            TypeTag::Bool => "BOOL",
            TypeTag::Int => "INT",
            TypeTag::Decimal => "DECIMAL",
            TypeTag::Float => "FLOAT",
            TypeTag::Str => "STRING",
            TypeTag::Blob => "BLOB",
            TypeTag::Clob => "CLOB",
            TypeTag::Date => "DATE",
            TypeTag::Time => "TIME",
            TypeTag::Timestamp => "TIMESTAMP",
            TypeTag::Interval => "INTERVAL",
            TypeTag::List => "LIST",
            TypeTag::Bag => "BAG",
            TypeTag::Tuple => "TUPLE",
        }
    }
}

impl<'a> Value<'a> {
    pub fn type_tag(&self) -> TypeTag {
        match self {
            Value::Missing => TypeTag::Missing,
            Value::Null => TypeTag::Null,
            Value::Bool(_) => TypeTag::Bool,
            Value::Int(_) | Value::BigInt(_) => TypeTag::Int,
            Value::Decimal(_) => TypeTag::Decimal,
            Value::Float(_) => TypeTag::Float,
            Value::Str(_) => TypeTag::Str,
            Value::Blob(_) => TypeTag::Blob,
            Value::Clob(_) => TypeTag::Clob,
            Value::Date(_) => TypeTag::Date,
            Value::Time(_) => TypeTag::Time,
            Value::Timestamp(_) => TypeTag::Timestamp,
            Value::Interval(_) => TypeTag::Interval,
            Value::List(_) => TypeTag::List,
            Value::Bag(_) => TypeTag::Bag,
            Value::Tuple(_) => TypeTag::Tuple,
        }
    }

    #[inline]
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// NULL or MISSING: the values that propagate through most operators.
    #[inline]
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Null | Value::Missing)
    }

    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::BigInt(_) | Value::Decimal(_) | Value::Float(_)
        )
    }

    /// The elements of a LIST or BAG.
    pub fn as_collection(&self) -> Option<&'a [Value<'a>]> {
        match self {
            Value::List(items) | Value::Bag(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Looks a field up by name in a tuple: the first match, as PartiQL paths do.
    pub fn field(&self, name: &str, case_sensitive: bool) -> Value<'a> {
        match self {
            Value::Tuple(fields) => lookup_field(fields, name, case_sensitive),
            _ => Value::Missing,
        }
    }

    /// Copies this value (and everything it points to) into `arena`, so it lives as long
    /// as the arena. Blocking operators use it to move rows out of a reader's buffer.
    pub fn deep_copy<'b>(&self, arena: &'b bumpalo::Bump) -> Value<'b> {
        match *self {
            Value::Missing => Value::Missing,
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::BigInt(i) => Value::BigInt(arena.alloc(*i)),
            Value::Decimal(d) => Value::Decimal(d),
            Value::Float(f) => Value::Float(f),
            Value::Str(s) => Value::Str(arena.alloc_str(s)),
            Value::Blob(b) => Value::Blob(arena.alloc_slice_copy(b)),
            Value::Clob(b) => Value::Clob(arena.alloc_slice_copy(b)),
            Value::Date(d) => Value::Date(d),
            Value::Time(t) => Value::Time(t),
            Value::Timestamp(t) => Value::Timestamp(t),
            Value::Interval(i) => Value::Interval(i),
            Value::List(items) => {
                Value::List(arena.alloc_slice_fill_iter(items.iter().map(|v| v.deep_copy(arena))))
            }
            Value::Bag(items) => {
                Value::Bag(arena.alloc_slice_fill_iter(items.iter().map(|v| v.deep_copy(arena))))
            }
            Value::Tuple(fields) => Value::Tuple(
                arena.alloc_slice_fill_iter(
                    fields
                        .iter()
                        .map(|(k, v)| (&*arena.alloc_str(k), v.deep_copy(arena))),
                ),
            ),
        }
    }

    /// Converts to an owned value, for results handed to callers.
    pub fn to_owned_value(&self) -> OwnedValue {
        OwnedValue::from_value(self)
    }
}

/// First field named `name` (case-insensitively unless `case_sensitive`).
pub fn lookup_field<'a>(fields: &'a [Field<'a>], name: &str, case_sensitive: bool) -> Value<'a> {
    if case_sensitive {
        for (k, v) in fields {
            if *k == name {
                return *v;
            }
        }
    } else {
        for (k, v) in fields {
            if k.eq_ignore_ascii_case(name)
                || (!k.is_ascii() && k.to_lowercase() == name.to_lowercase())
            {
                return *v;
            }
        }
    }
    Value::Missing
}
