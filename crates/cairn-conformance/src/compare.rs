//! Test equality of encoded values, as `score.py`'s `canon()` defines it.
//!
//! Each encoded JSON value maps to a canonical form whose plain equality is the test
//! equality: a BAG is a multiset (its canonical elements are sorted), a LIST is ordered,
//! a tuple is an unordered multiset of (name, value) pairs, numbers compare by value
//! across INT, DECIMAL and FLOAT (a JSON float goes through f64 and its shortest repr,
//! as Python's `Decimal(repr(float))` does), NaN equals NaN, typed nulls are NULL,
//! MISSING equals MISSING, and a symbol equals the string with the same text.
//!
//! One deliberate difference: `score.py` sorts bag elements and tuple fields by the
//! Python `repr` of their canonical forms and then compares position by position, which
//! in rare cases orders two equal multisets differently (e.g. `1` and `1.0` have
//! different reprs). Here the order is a total order on canonical forms in which equal
//! values are identical, so equal multisets always compare equal.

use serde_json::Value as Json;

/// A number's value, normalized so that equal numbers are identical.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Num {
    /// `{"$float": "nan"}` (or any tagged number "nan"), and a NaN float.
    TagNan,
    /// `{"$float": "+inf"}` / `"-inf"`.
    TagInf { negative: bool },
    /// An infinity that Python's `Decimal` would hold (a JSON float that overflows).
    DecInf { negative: bool },
    /// A finite value: `0.digits × 10^exp`, no leading or trailing zeros in `digits`;
    /// zero is `digits` empty, not negative.
    Finite {
        negative: bool,
        exp: i64,
        digits: Vec<u8>,
    },
    /// A tagged number whose text is not a number (compared as text).
    Text(String),
}

/// The canonical form of an encoded value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Canon {
    Null,
    Missing,
    Bool(bool),
    Num(Num),
    Str(String),
    List(Vec<Canon>),
    /// Sorted.
    Bag(Vec<Canon>),
    /// Sorted (name, value) pairs.
    Tuple(Vec<(String, Canon)>),
    /// Another one-key `$` tag (`$date`, `$ion_timestamp`, `$blob`, ...).
    Tagged(String, Box<Canon>),
    /// `{"$annot": [...], "$value": v}`.
    Annot(Vec<String>, Box<Canon>),
}

/// Whether two encoded values are equal under the suite's test equality.
pub fn test_eq(a: &Json, b: &Json) -> bool {
    canon(a) == canon(b)
}

/// The canonical form of an encoded value.
pub fn canon(v: &Json) -> Canon {
    match v {
        Json::Null => Canon::Null,
        Json::Bool(b) => Canon::Bool(*b),
        Json::Number(n) => Canon::Num(json_number(&n.to_string())),
        Json::String(s) => Canon::Str(s.clone()),
        Json::Array(items) => Canon::List(items.iter().map(canon).collect()),
        Json::Object(map) => {
            if map.len() == 1 {
                let (k, x) = map.iter().next().expect("one entry");
                match k.as_str() {
                    "$missing" => return Canon::Missing,
                    "$null" => return Canon::Null,
                    "$bag" => {
                        let mut items: Vec<Canon> = match x {
                            Json::Array(items) => items.iter().map(canon).collect(),
                            other => vec![canon(other)],
                        };
                        items.sort();
                        return Canon::Bag(items);
                    }
                    "$symbol" => {
                        return match x {
                            Json::String(s) => Canon::Str(s.clone()),
                            other => Canon::Tagged(k.clone(), Box::new(canon(other))),
                        }
                    }
                    "$decimal" | "$int" | "$float" => {
                        return Canon::Num(match x {
                            Json::String(s) => tagged_number(s),
                            other => Num::Text(other.to_string()),
                        })
                    }
                    "$struct" => {
                        if let Json::Array(pairs) = x {
                            let mut fields: Vec<(String, Canon)> = pairs
                                .iter()
                                .map(|p| match p {
                                    Json::Array(nv) if nv.len() == 2 => (
                                        nv[0]
                                            .as_str()
                                            .map_or_else(|| nv[0].to_string(), str::to_owned),
                                        canon(&nv[1]),
                                    ),
                                    other => (String::new(), canon(other)),
                                })
                                .collect();
                            fields.sort();
                            return Canon::Tuple(fields);
                        }
                        return Canon::Tagged(k.clone(), Box::new(canon(x)));
                    }
                    _ if k.starts_with('$') => return Canon::Tagged(k.clone(), Box::new(canon(x))),
                    _ => {}
                }
            }
            if map.len() == 2 && map.contains_key("$annot") && map.contains_key("$value") {
                let annots = match &map["$annot"] {
                    Json::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                        .collect(),
                    other => vec![other.to_string()],
                };
                return Canon::Annot(annots, Box::new(canon(&map["$value"])));
            }
            let mut fields: Vec<(String, Canon)> =
                map.iter().map(|(n, x)| (n.clone(), canon(x))).collect();
            fields.sort();
            Canon::Tuple(fields)
        }
    }
}

/// A plain JSON number: an integer is exact, a float goes through f64 (Python reads it
/// as a float and takes `Decimal(repr(f))`).
fn json_number(text: &str) -> Num {
    if !text.contains(['.', 'e', 'E']) {
        return decimal_text(text).unwrap_or_else(|| Num::Text(text.to_owned()));
    }
    match text.parse::<f64>() {
        Ok(f) => float(f),
        Err(_) => Num::Text(text.to_owned()),
    }
}

fn float(f: f64) -> Num {
    if f.is_nan() {
        Num::TagNan
    } else if f.is_infinite() {
        Num::DecInf { negative: f < 0.0 }
    } else {
        // `{:e}` is the shortest representation that round-trips, as Python's repr.
        decimal_text(&format!("{f:e}")).unwrap_or(Num::TagNan)
    }
}

/// A `$decimal` / `$int` / `$float` payload.
fn tagged_number(s: &str) -> Num {
    match s {
        "nan" => Num::TagNan,
        "+inf" => Num::TagInf { negative: false },
        "-inf" => Num::TagInf { negative: true },
        _ => match s.to_ascii_lowercase().trim_start_matches(['+', '-']) {
            "inf" | "infinity" => Num::DecInf {
                negative: s.starts_with('-'),
            },
            _ => decimal_text(s).unwrap_or_else(|| Num::Text(s.to_owned())),
        },
    }
}

/// Parses decimal text (`-12.50`, `1e3`, `1.2E-7`, `5d2`) into its exact normalized value.
pub fn decimal_text(s: &str) -> Option<Num> {
    let s = s.trim();
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E', 'd', 'D']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // value = 0.(int_part frac_part) × 10^(len(int_part) + exponent)
    let all: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b - b'0')
        .collect();
    let lead = all.iter().take_while(|d| **d == 0).count();
    let digits = &all[lead..];
    let end = digits.len() - digits.iter().rev().take_while(|d| **d == 0).count();
    let digits = &digits[..end];
    if digits.is_empty() {
        return Some(Num::Finite {
            negative: false,
            exp: 0,
            digits: Vec::new(),
        });
    }
    let exp = (int_part.len() as i64)
        .checked_sub(lead as i64)?
        .checked_add(exponent)?;
    Some(Num::Finite {
        negative,
        exp,
        digits: digits.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(a: &str, b: &str) -> bool {
        let a: Json = serde_json::from_str(a).unwrap();
        let b: Json = serde_json::from_str(b).unwrap();
        test_eq(&a, &b)
    }

    #[test]
    fn numbers_compare_by_value_across_types() {
        assert!(eq("1", "1.0"));
        assert!(eq("1", r#"{"$decimal": "1.00"}"#));
        assert!(eq("1.0e0", r#"{"$decimal": "1"}"#));
        assert!(eq("100", "1e2"));
        assert!(eq(r#"{"$decimal": "-0.0"}"#, "0"));
        assert!(eq("-0.0", "0"));
        assert!(eq(r#"{"$decimal": "0.001"}"#, "1e-3"));
        assert!(eq(
            r#"{"$int": "123456789012345678901234567890"}"#,
            r#"{"$decimal": "123456789012345678901234567890.000"}"#
        ));
        assert!(eq(
            "12345678901234567890123",
            r#"{"$int": "12345678901234567890123"}"#
        ));
        assert!(!eq("1", "2"));
        assert!(!eq("1", "-1"));
        assert!(!eq("10", "1"));
        assert!(!eq(r#"{"$decimal": "1.5"}"#, "15"));
        assert!(!eq("1", "true"));
        assert!(!eq("1", "\"1\""));
        // JSON floats go through f64, like Python's float: 0.1 is the float nearest 0.1.
        assert!(eq("0.10000000000000000001", "0.1"));
        assert!(!eq(r#"{"$decimal": "0.10000000000000000001"}"#, "0.1"));
    }

    #[test]
    fn nan_infinities_null_missing_symbols() {
        assert!(eq(r#"{"$float": "nan"}"#, r#"{"$float": "nan"}"#));
        assert!(eq(r#"{"$float": "+inf"}"#, r#"{"$float": "+inf"}"#));
        assert!(!eq(r#"{"$float": "+inf"}"#, r#"{"$float": "-inf"}"#));
        assert!(!eq(r#"{"$float": "nan"}"#, "1"));
        assert!(eq("null", r#"{"$null": "int"}"#));
        assert!(eq(r#"{"$null": "string"}"#, r#"{"$null": "int"}"#));
        assert!(eq(r#"{"$missing": true}"#, r#"{"$missing": true}"#));
        assert!(!eq(r#"{"$missing": true}"#, "null"));
        assert!(eq(r#"{"$symbol": "a"}"#, "\"a\""));
        assert!(!eq(r#"{"$symbol": "a"}"#, "\"b\""));
    }

    #[test]
    fn bags_are_multisets_lists_are_ordered() {
        assert!(eq(r#"{"$bag": [1, 2, 2]}"#, r#"{"$bag": [2, 1, 2.0]}"#));
        assert!(!eq(r#"{"$bag": [1, 2, 2]}"#, r#"{"$bag": [1, 1, 2]}"#));
        assert!(!eq(r#"{"$bag": [1, 2]}"#, r#"{"$bag": [1, 2, 2]}"#));
        assert!(eq(
            r#"{"$bag": [1, {"$decimal": "1.5"}, 9, 10]}"#,
            r#"{"$bag": [10.0, 1.0, 1.5, 9]}"#
        ));
        assert!(eq("[1, 2]", "[1.0, 2]"));
        assert!(!eq("[1, 2]", "[2, 1]"));
        assert!(!eq("[1, 2]", r#"{"$bag": [1, 2]}"#));
        assert!(eq(r#"{"$bag": []}"#, r#"{"$bag": []}"#));
        assert!(!eq("[]", r#"{"$bag": []}"#));
    }

    #[test]
    fn tuples_are_unordered_multisets_of_fields() {
        assert!(eq(r#"{"a": 1, "b": "x"}"#, r#"{"b": "x", "a": 1.0}"#));
        assert!(!eq(r#"{"a": 1, "b": "x"}"#, r#"{"a": 1}"#));
        assert!(!eq(r#"{"a": 1}"#, r#"{"A": 1}"#));
        assert!(eq(
            r#"{"$struct": [["a", 1], ["a", 2]]}"#,
            r#"{"$struct": [["a", 2], ["a", 1]]}"#
        ));
        assert!(!eq(
            r#"{"$struct": [["a", 1], ["a", 1]]}"#,
            r#"{"$struct": [["a", 1]]}"#
        ));
        assert!(eq(
            r#"{"$struct": [["a", 1], ["b", 2]]}"#,
            r#"{"b": 2, "a": 1}"#
        ));
        assert!(eq(r#"{}"#, r#"{"$struct": []}"#));
        assert!(eq(
            r#"{"$bag": [{"a": {"$bag": [1, 2]}}, {"a": null}]}"#,
            r#"{"$bag": [{"a": {"$null": "bool"}}, {"a": {"$bag": [2, 1]}}]}"#
        ));
    }

    #[test]
    fn other_tags_compare_structurally() {
        assert!(eq(
            r#"{"$date": {"$ion_timestamp": "2021-08-22"}}"#,
            r#"{"$date": {"$ion_timestamp": "2021-08-22"}}"#
        ));
        assert!(!eq(
            r#"{"$date": {"$ion_timestamp": "2021-08-22"}}"#,
            r#"{"$ion_timestamp": "2021-08-22"}"#
        ));
        assert!(eq(r#"{"$blob": "AAE="}"#, r#"{"$blob": "AAE="}"#));
        assert!(!eq(r#"{"$blob": "AAE="}"#, r#"{"$clob": "AAE="}"#));
        assert!(eq(
            r#"{"$annot": ["a"], "$value": 1}"#,
            r#"{"$value": 1.0, "$annot": ["a"]}"#
        ));
        assert!(!eq(r#"{"$annot": ["a"], "$value": 1}"#, "1"));
        // An object with one non-`$` key is a tuple.
        assert!(eq(r#"{"x": 1}"#, r#"{"$struct": [["x", 1]]}"#));
    }

    #[test]
    fn every_expected_value_of_the_suite_equals_itself_reencoded() {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/conformance/eval.jsonl"
        ));
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipping: {} is not present", path.display());
            return;
        };
        for line in text.lines() {
            let t: Json = serde_json::from_str(line).unwrap();
            if let Some(expected) = t.get("expected") {
                let again: Json = serde_json::from_str(&expected.to_string()).unwrap();
                assert!(test_eq(expected, &again), "{}", t["id"]);
            }
        }
    }

    #[test]
    fn decimal_text_normalizes() {
        assert_eq!(decimal_text("1.20"), decimal_text("12e-1"));
        assert_eq!(decimal_text("0012.0"), decimal_text("12"));
        assert_eq!(decimal_text("5d2"), decimal_text("500"));
        assert_eq!(decimal_text("."), None);
        assert_eq!(decimal_text("abc"), None);
        assert_eq!(decimal_text(""), None);
        assert_eq!(decimal_text("1e99999999999999999999"), None);
    }
}
