//! Conversions between [`OwnedValue`] and JSON, in the encoding of the conformance suite:
//! plain JSON where exact, and one-key tagged objects (`{"$bag": [...]}`,
//! `{"$missing": true}`, `{"$decimal": "1.20"}`, ...) for everything else.

use super::datetime::{Date, Interval, Precision, Time, Timestamp};
use super::OwnedValue;
use base64::Engine as _;
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value as Json};
use std::str::FromStr;

/// Why a JSON document could not be read as a value.
#[derive(Debug, thiserror::Error)]
#[error("invalid encoded value at {path}: {message}")]
pub struct JsonDecodeError {
    pub path: String,
    pub message: String,
}

fn err<T>(path: &str, message: impl Into<String>) -> Result<T, JsonDecodeError> {
    Err(JsonDecodeError {
        path: if path.is_empty() {
            "$".into()
        } else {
            path.into()
        },
        message: message.into(),
    })
}

/// Reads an encoded JSON value.
pub fn from_json(j: &Json) -> Result<OwnedValue, JsonDecodeError> {
    decode(j, "")
}

fn decode_number(n: &Number, path: &str) -> Result<OwnedValue, JsonDecodeError> {
    let text = n.to_string();
    if text.contains(['.', 'e', 'E']) {
        match text.parse::<f64>() {
            Ok(f) => Ok(OwnedValue::Float(f)),
            Err(_) => err(path, format!("bad float {text}")),
        }
    } else if let Ok(i) = text.parse::<i64>() {
        Ok(OwnedValue::Int(i))
    } else if let Ok(i) = text.parse::<i128>() {
        Ok(OwnedValue::BigInt(i))
    } else {
        err(path, format!("integer {text} is too large"))
    }
}

fn decode(j: &Json, path: &str) -> Result<OwnedValue, JsonDecodeError> {
    Ok(match j {
        Json::Null => OwnedValue::Null,
        Json::Bool(b) => OwnedValue::Bool(*b),
        Json::Number(n) => decode_number(n, path)?,
        Json::String(s) => OwnedValue::Str(s.clone()),
        Json::Array(items) => OwnedValue::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| decode(v, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => {
            if map.len() == 1 {
                let (k, v) = map.iter().next().expect("one entry");
                if let Some(tagged) = decode_tagged(k, v, path)? {
                    return Ok(tagged);
                }
            }
            if map.len() == 2 && map.contains_key("$annot") && map.contains_key("$value") {
                return decode(&map["$value"], path);
            }
            OwnedValue::Tuple(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), decode(v, &format!("{path}.{k}"))?)))
                    .collect::<Result<_, JsonDecodeError>>()?,
            )
        }
    })
}

fn as_str<'j>(v: &'j Json, path: &str) -> Result<&'j str, JsonDecodeError> {
    v.as_str()
        .map_or_else(|| err(path, "expected a string"), Ok)
}

fn decode_tagged(tag: &str, v: &Json, path: &str) -> Result<Option<OwnedValue>, JsonDecodeError> {
    let value = match tag {
        "$bag" => match decode(v, path)? {
            OwnedValue::List(items) => OwnedValue::Bag(items),
            _ => return err(path, "$bag expects a list"),
        },
        "$missing" => OwnedValue::Missing,
        "$null" => OwnedValue::Null,
        "$symbol" => OwnedValue::Str(as_str(v, path)?.to_string()),
        "$decimal" => {
            let text = as_str(v, path)?;
            match parse_decimal(text) {
                Some(d) => OwnedValue::Decimal(d),
                None => return err(path, format!("bad decimal {text}")),
            }
        }
        "$int" => {
            let text = as_str(v, path)?;
            match text.parse::<i128>() {
                Ok(i) => OwnedValue::BigInt(i),
                Err(_) => return err(path, format!("integer {text} is out of range")),
            }
        }
        "$float" => OwnedValue::Float(match as_str(v, path)? {
            "nan" => f64::NAN,
            "+inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => return err(path, format!("bad float {other}")),
        }),
        "$blob" | "$clob" => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(as_str(v, path)?)
                .map_err(|e| JsonDecodeError {
                    path: path.into(),
                    message: e.to_string(),
                })?;
            if tag == "$blob" {
                OwnedValue::Blob(bytes)
            } else {
                OwnedValue::Clob(bytes)
            }
        }
        "$sexp" => match decode(v, path)? {
            OwnedValue::List(items) => OwnedValue::List(items),
            _ => return err(path, "$sexp expects a list"),
        },
        "$struct" => {
            let Some(pairs) = v.as_array() else {
                return err(path, "$struct expects a list of pairs");
            };
            let mut fields = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match pair.as_array().map(Vec::as_slice) {
                    Some([Json::String(k), val]) => {
                        fields.push((k.clone(), decode(val, &format!("{path}.{k}"))?))
                    }
                    _ => return err(path, "$struct pair must be [name, value]"),
                }
            }
            OwnedValue::Tuple(fields)
        }
        "$ion_timestamp" => {
            let text = as_str(v, path)?;
            match Timestamp::parse_ion(text) {
                Some(ts) => OwnedValue::Timestamp(ts),
                None => return err(path, format!("bad timestamp {text}")),
            }
        }
        "$date" => OwnedValue::Date(decode_date(v, path)?),
        "$time" => OwnedValue::Time(decode_time(v, path)?),
        "$timestamp" => OwnedValue::Timestamp(decode_timestamp(v, path)?),
        "$interval_ym" | "$interval_dt" => OwnedValue::Interval(decode_interval(tag, v, path)?),
        "$ion" => decode(v, path)?,
        _ => return Ok(None),
    };
    Ok(Some(value))
}

/// Parses a decimal literal, with an optional exponent (`1.5d2`, `1e-3`).
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.replace(['d', 'D'], "e");
    if t.contains(['e', 'E']) {
        Decimal::from_scientific(&t).ok()
    } else {
        Decimal::from_str(&t).ok()
    }
}

fn get_i64(m: &Map<String, Json>, k: &str) -> Option<i64> {
    m.get(k).and_then(Json::as_i64)
}

fn second_parts(m: &Map<String, Json>) -> (u8, u32, u8) {
    let text = match m.get("second") {
        Some(Json::Object(o)) => o
            .get("$decimal")
            .and_then(Json::as_str)
            .unwrap_or("0")
            .to_string(),
        Some(Json::Number(n)) => n.to_string(),
        _ => "0".to_string(),
    };
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits = frac.len().min(9);
    let nanos = if digits == 0 {
        0
    } else {
        frac[..digits].parse::<u32>().unwrap_or(0) * 10u32.pow((9 - digits) as u32)
    };
    (whole.parse().unwrap_or(0), nanos, digits as u8)
}

fn decode_date(v: &Json, path: &str) -> Result<Date, JsonDecodeError> {
    match v {
        Json::Object(m) if m.contains_key("year") => {
            let d = (get_i64(m, "year"), get_i64(m, "month"), get_i64(m, "day"));
            if let (Some(y), Some(mo), Some(da)) = d {
                if let Some(date) = Date::new(y as i32, mo as u8, da as u8) {
                    return Ok(date);
                }
            }
            err(path, "bad $date")
        }
        _ => match decode(v, path)? {
            OwnedValue::Timestamp(ts) => Ok(Date {
                year: ts.year,
                month: ts.month,
                day: ts.day,
            }),
            OwnedValue::Str(s) => match Timestamp::parse_ion(&s) {
                Some(ts) => Ok(Date {
                    year: ts.year,
                    month: ts.month,
                    day: ts.day,
                }),
                None => err(path, "bad $date"),
            },
            _ => err(path, "bad $date"),
        },
    }
}

fn offset_of(m: &Map<String, Json>) -> Option<i16> {
    if let Some(off) = m.get("offset").and_then(Json::as_i64) {
        return Some(off as i16);
    }
    let h = get_i64(m, "timezone_hour")?;
    let mi = get_i64(m, "timezone_minute").unwrap_or(0);
    Some((h * 60 + if h < 0 { -mi.abs() } else { mi }) as i16)
}

fn decode_time(v: &Json, path: &str) -> Result<Time, JsonDecodeError> {
    match v {
        Json::String(s) => parse_time(s).map_or_else(|| err(path, format!("bad $time {s}")), Ok),
        Json::Object(m) => {
            let (second, nanos, fraction_digits) = second_parts(m);
            Ok(Time {
                hour: get_i64(m, "hour").unwrap_or(0) as u8,
                minute: get_i64(m, "minute").unwrap_or(0) as u8,
                second,
                nanos,
                fraction_digits,
                offset_minutes: offset_of(m),
            })
        }
        _ => err(path, "bad $time"),
    }
}

/// Parses `HH:MM:SS[.fff][+hh:mm|Z]`.
pub fn parse_time(s: &str) -> Option<Time> {
    let (body, offset) = match s.rfind(['+', '-']) {
        Some(i) if i >= 8 => {
            let sign = if &s[i..=i] == "-" { -1 } else { 1 };
            let (h, m) = s[i + 1..].split_once(':')?;
            let mins = h.parse::<i16>().ok()? * 60 + m.parse::<i16>().ok()?;
            (&s[..i], Some(sign * mins))
        }
        _ => match s.strip_suffix(['Z', 'z']) {
            Some(b) => (b, Some(0)),
            None => (s, None),
        },
    };
    let mut parts = body.split(':');
    let hour: u8 = parts.next()?.parse().ok()?;
    let minute: u8 = parts.next()?.parse().ok()?;
    let sec = parts.next().unwrap_or("0");
    let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
    let second: u8 = whole.parse().ok()?;
    if hour > 23 || minute > 59 || second > 59 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = frac.len().min(9);
    let nanos = if digits == 0 {
        0
    } else {
        frac[..digits].parse::<u32>().ok()? * 10u32.pow((9 - digits) as u32)
    };
    Some(Time {
        hour,
        minute,
        second,
        nanos,
        fraction_digits: digits as u8,
        offset_minutes: offset,
    })
}

fn decode_timestamp(v: &Json, path: &str) -> Result<Timestamp, JsonDecodeError> {
    match v {
        Json::Object(m) if m.contains_key("year") => {
            let (second, nanos, fraction_digits) = second_parts(m);
            Ok(Timestamp {
                year: get_i64(m, "year").unwrap_or(1) as i32,
                month: get_i64(m, "month").unwrap_or(1) as u8,
                day: get_i64(m, "day").unwrap_or(1) as u8,
                hour: get_i64(m, "hour").unwrap_or(0) as u8,
                minute: get_i64(m, "minute").unwrap_or(0) as u8,
                second,
                nanos,
                fraction_digits,
                precision: Precision::Second,
                offset_minutes: offset_of(m),
                ion: false,
            })
        }
        _ => match decode(v, path)? {
            OwnedValue::Timestamp(mut ts) => {
                ts.ion = false;
                Ok(ts)
            }
            _ => err(path, "bad $timestamp"),
        },
    }
}

fn decode_interval(tag: &str, v: &Json, path: &str) -> Result<Interval, JsonDecodeError> {
    let Json::Object(m) = v else {
        return err(path, "bad interval");
    };
    let sign = if m.get("sign").and_then(Json::as_str) == Some("-") {
        -1
    } else {
        1
    };
    let g = |k: &str| get_i64(m, k).unwrap_or(0);
    Ok(if tag == "$interval_ym" {
        Interval::year_month(sign * (g("years") * 12 + g("months")))
    } else {
        let secs = ((g("days") * 24 + g("hours")) * 60 + g("minutes")) * 60 + g("seconds");
        Interval::day_time(
            i128::from(sign) * (i128::from(secs) * 1_000_000_000 + i128::from(g("nanos"))),
        )
    })
}

/// Writes a value in the conformance encoding.
pub fn to_json(v: &OwnedValue) -> Json {
    match v {
        OwnedValue::Missing => tagged("$missing", Json::Bool(true)),
        OwnedValue::Null => Json::Null,
        OwnedValue::Bool(b) => Json::Bool(*b),
        OwnedValue::Int(i) => Json::Number((*i).into()),
        OwnedValue::BigInt(i) => tagged("$int", Json::String(i.to_string())),
        OwnedValue::Decimal(d) => tagged("$decimal", Json::String(d.to_string())),
        OwnedValue::Float(f) => {
            if f.is_nan() {
                tagged("$float", "nan".into())
            } else if f.is_infinite() {
                tagged("$float", if *f > 0.0 { "+inf" } else { "-inf" }.into())
            } else {
                // `from_f64` keeps the float marker ("1.0") so readers recover FLOAT.
                let text = format!("{f:?}");
                match text.parse::<Number>() {
                    Ok(n) => Json::Number(n),
                    Err(_) => tagged("$float", text.into()),
                }
            }
        }
        OwnedValue::Str(s) => Json::String(s.clone()),
        OwnedValue::Blob(b) => tagged(
            "$blob",
            base64::engine::general_purpose::STANDARD.encode(b).into(),
        ),
        OwnedValue::Clob(b) => tagged(
            "$clob",
            base64::engine::general_purpose::STANDARD.encode(b).into(),
        ),
        OwnedValue::Date(d) => {
            let mut m = Map::new();
            m.insert("year".into(), d.year.into());
            m.insert("month".into(), d.month.into());
            m.insert("day".into(), d.day.into());
            tagged("$date", Json::Object(m))
        }
        OwnedValue::Time(t) => {
            let mut m = Map::new();
            m.insert("hour".into(), t.hour.into());
            m.insert("minute".into(), t.minute.into());
            m.insert(
                "second".into(),
                second_json(t.second, t.nanos, t.fraction_digits),
            );
            m.insert(
                "offset".into(),
                t.offset_minutes.map_or(Json::Null, |o| o.into()),
            );
            tagged("$time", Json::Object(m))
        }
        OwnedValue::Timestamp(ts) if ts.ion => tagged("$ion_timestamp", ts.to_ion_text().into()),
        OwnedValue::Timestamp(ts) => {
            let mut m = Map::new();
            m.insert("year".into(), ts.year.into());
            m.insert("month".into(), ts.month.into());
            m.insert("day".into(), ts.day.into());
            m.insert("hour".into(), ts.hour.into());
            m.insert("minute".into(), ts.minute.into());
            m.insert(
                "second".into(),
                second_json(ts.second, ts.nanos, ts.fraction_digits),
            );
            m.insert(
                "offset".into(),
                ts.offset_minutes.map_or(Json::Null, |o| o.into()),
            );
            tagged("$timestamp", Json::Object(m))
        }
        OwnedValue::Interval(iv) => interval_json(iv),
        OwnedValue::List(items) => Json::Array(items.iter().map(to_json).collect()),
        OwnedValue::Bag(items) => tagged("$bag", Json::Array(items.iter().map(to_json).collect())),
        OwnedValue::Tuple(fields) => {
            let mut seen = std::collections::HashSet::new();
            let plain = fields
                .iter()
                .all(|(k, _)| !k.starts_with('$') && seen.insert(k.as_str()));
            if plain {
                Json::Object(
                    fields
                        .iter()
                        .map(|(k, v)| (k.clone(), to_json(v)))
                        .collect(),
                )
            } else {
                tagged(
                    "$struct",
                    Json::Array(
                        fields
                            .iter()
                            .map(|(k, v)| Json::Array(vec![Json::String(k.clone()), to_json(v)]))
                            .collect(),
                    ),
                )
            }
        }
    }
}

fn second_json(second: u8, nanos: u32, digits: u8) -> Json {
    let mut s = second.to_string();
    s.push('.');
    if digits == 0 {
        s.push('0');
    } else {
        s.push_str(&format!("{nanos:09}")[..usize::from(digits)]);
    }
    tagged("$decimal", s.into())
}

fn tagged(tag: &str, v: Json) -> Json {
    let mut m = Map::new();
    m.insert(tag.to_string(), v);
    Json::Object(m)
}

/// An interval as `{sign, years, months}` or `{sign, days, hours, minutes, seconds,
/// nanos}`. A literal prints the fields of its qualifier (from the most significant
/// non-zero one, when the value carried into a higher field), a computed interval all.
fn interval_json(iv: &Interval) -> Json {
    use super::datetime::IntervalField as F;
    let q = iv.qualifier();
    let (tag, negative, fields): (&str, bool, Vec<(F, &str, u64)>) = match *iv {
        Interval::YearMonth { months, .. } => {
            let a = months.unsigned_abs();
            (
                "$interval_ym",
                months < 0,
                vec![(F::Year, "years", a / 12), (F::Month, "months", a % 12)],
            )
        }
        Interval::DayTime { nanos, .. } => {
            let a = nanos.unsigned_abs();
            let secs = (a / 1_000_000_000) as u64;
            (
                "$interval_dt",
                nanos < 0,
                vec![
                    (F::Day, "days", secs / 86400),
                    (F::Hour, "hours", secs / 3600 % 24),
                    (F::Minute, "minutes", secs / 60 % 60),
                    (F::Second, "seconds", secs % 60),
                    (F::Second, "nanos", (a % 1_000_000_000) as u64),
                ],
            )
        }
    };
    let mut m = Map::new();
    m.insert("sign".into(), if negative { "-" } else { "+" }.into());
    if !q.literal {
        for (_, name, v) in fields {
            m.insert(name.into(), v.into());
        }
        return tagged(tag, Json::Object(m));
    }
    let first_nonzero = fields.iter().find(|f| f.2 != 0).map_or(q.lead, |f| f.0);
    let start = first_nonzero.min(q.lead);
    let nanos = fields.iter().find(|f| f.1 == "nanos").map_or(0, |f| f.2);
    for (field, name, v) in fields {
        if field < start || field > q.end {
            continue;
        }
        let show = match name {
            "seconds" => v != 0 || nanos == 0,
            "nanos" => v != 0,
            _ => true,
        };
        if show {
            m.insert(name.into(), v.into());
        }
    }
    tagged(tag, Json::Object(m))
}
