//! String functions. Positions and lengths count Unicode code points, as PartiQL does.
//!
//! Results that are a part of an argument (trim, substring) borrow it; others are written
//! into the arena, and inputs that a function leaves unchanged are returned as they are, so
//! the common paths allocate nothing on the heap.

use super::builtins::{arg, arg_type_err, check_args, int_arg, Kind};
use super::{FnContext, FnResult};
use crate::error::EvalError;
use crate::value::Value;
use bumpalo::collections::String as BumpString;

/// The string in an argument that `check_args` has verified as `Kind::Str`.
#[inline]
fn str_of<'a>(v: Value<'a>) -> &'a str {
    match v {
        Value::Str(s) => s,
        _ => "",
    }
}

pub fn upper<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("upper", args, &[Kind::Str])? {
        return Ok(v);
    }
    let s = str_of(arg(args, 0));
    if s.is_ascii() {
        if !s.bytes().any(|b| b.is_ascii_lowercase()) {
            return Ok(Value::Str(s));
        }
        let out = cx.arena.alloc_str(s);
        out.make_ascii_uppercase();
        return Ok(Value::Str(out));
    }
    let mut out = BumpString::with_capacity_in(s.len(), cx.arena);
    for c in s.chars() {
        // U+019B has an upper case only since Unicode 16; PartiQL keeps it as is.
        if c == '\u{019B}' {
            out.push(c);
        } else {
            out.extend(c.to_uppercase());
        }
    }
    Ok(Value::Str(out.into_bump_str()))
}

pub fn lower<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("lower", args, &[Kind::Str])? {
        return Ok(v);
    }
    let s = str_of(arg(args, 0));
    if s.is_ascii() {
        if !s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Ok(Value::Str(s));
        }
        let out = cx.arena.alloc_str(s);
        out.make_ascii_lowercase();
        return Ok(Value::Str(out));
    }
    if s.contains('Σ') {
        // Final sigma depends on context: let the standard library decide (rare path).
        return Ok(Value::Str(cx.arena.alloc_str(&s.to_lowercase())));
    }
    let mut out = BumpString::with_capacity_in(s.len(), cx.arena);
    for c in s.chars() {
        out.extend(c.to_lowercase());
    }
    Ok(Value::Str(out.into_bump_str()))
}

pub fn char_length<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("char_length", args, &[Kind::Str])? {
        return Ok(v);
    }
    Ok(Value::Int(str_of(arg(args, 0)).chars().count() as i64))
}

fn byte_len(fname: &str, args: &[Value<'_>]) -> Result<Result<usize, Value<'static>>, EvalError> {
    match arg(args, 0) {
        Value::Missing => Ok(Err(Value::Missing)),
        Value::Null => Ok(Err(Value::Null)),
        Value::Str(s) => Ok(Ok(s.len())),
        Value::Blob(b) | Value::Clob(b) => Ok(Ok(b.len())),
        other => Err(arg_type_err(fname, 0, "a string or a LOB", &other)),
    }
}

pub fn octet_length<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(match byte_len("octet_length", args)? {
        Ok(n) => Value::Int(n as i64),
        Err(v) => v,
    })
}

pub fn bit_length<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(match byte_len("bit_length", args)? {
        Ok(n) => Value::Int((n as i64).saturating_mul(8)),
        Err(v) => v,
    })
}

#[derive(Clone, Copy)]
enum TrimSide {
    Leading,
    Trailing,
    Both,
}

/// `trim(<side> chars FROM s)`: the planner passes `[chars, s]`; one argument trims spaces.
fn trim_impl<'a>(fname: &str, args: &[Value<'a>], side: TrimSide) -> FnResult<'a> {
    if let Some(v) = check_args(fname, args, &[Kind::Str])? {
        return Ok(v);
    }
    let (chars, s) = if args.len() >= 2 {
        (str_of(arg(args, 0)), str_of(arg(args, 1)))
    } else {
        (" ", str_of(arg(args, 0)))
    };
    let is_trim = |c: char| chars.contains(c);
    let out = match side {
        TrimSide::Leading => s.trim_start_matches(is_trim),
        TrimSide::Trailing => s.trim_end_matches(is_trim),
        TrimSide::Both => s.trim_matches(is_trim),
    };
    Ok(Value::Str(out))
}

pub fn ltrim<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    trim_impl("trim", args, TrimSide::Leading)
}

pub fn rtrim<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    trim_impl("trim", args, TrimSide::Trailing)
}

pub fn btrim<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    trim_impl("trim", args, TrimSide::Both)
}

/// Byte offset of the code point at 0-based index `idx` (the end of `s` when past it).
fn byte_offset(s: &str, idx: u128) -> usize {
    if idx == 0 {
        return 0;
    }
    let Ok(idx) = usize::try_from(idx) else {
        return s.len();
    };
    s.char_indices().nth(idx).map_or(s.len(), |(b, _)| b)
}

/// SQL substring with 1-based `start` and optional `len`, clamped to the string.
fn substr(s: &str, start: i128, len: Option<i128>) -> Result<&str, EvalError> {
    let end: Option<i128> = match len {
        Some(l) if l < 0 => {
            return Err(EvalError::data(format!(
                "substring: length must not be negative, got {l}"
            )))
        }
        Some(l) => Some(start.saturating_add(l)),
        None => None,
    };
    let from = start.max(1);
    if let Some(e) = end {
        if e <= from {
            return Ok("");
        }
    }
    let b0 = byte_offset(s, (from - 1) as u128);
    let rest = &s[b0..];
    Ok(match end {
        None => rest,
        Some(e) => {
            let n = (e - from) as u128;
            &rest[..byte_offset(rest, n)]
        }
    })
}

/// `substring(s, start[, len])`.
pub fn substring<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("substring", args, &[Kind::Str, Kind::Int, Kind::Int])? {
        return Ok(v);
    }
    let s = str_of(arg(args, 0));
    let start = int_arg(&arg(args, 1));
    let len = (args.len() > 2).then(|| int_arg(&arg(args, 2)));
    Ok(Value::Str(substr(s, start, len)?))
}

/// `position(needle IN s)`: the 1-based code point index of the first match, 0 if none.
pub fn position<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("position", args, &[Kind::Str, Kind::Str])? {
        return Ok(v);
    }
    let needle = str_of(arg(args, 0));
    let hay = str_of(arg(args, 1));
    Ok(Value::Int(match hay.find(needle) {
        Some(b) => hay[..b].chars().count() as i64 + 1,
        None => 0,
    }))
}

/// `overlay(s PLACING r FROM start [FOR len])`:
/// `substring(s, 1, start - 1) || r || substring(s, start + len)`, `len` defaulting to
/// the length of `r`.
pub fn overlay<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args(
        "overlay",
        args,
        &[Kind::Str, Kind::Str, Kind::Int, Kind::Int],
    )? {
        return Ok(v);
    }
    let s = str_of(arg(args, 0));
    let r = str_of(arg(args, 1));
    let start = int_arg(&arg(args, 2));
    let len = if args.len() > 3 {
        int_arg(&arg(args, 3))
    } else {
        r.chars().count() as i128
    };
    if len < 0 {
        return Err(EvalError::data(format!(
            "overlay: length must not be negative, got {len}"
        )));
    }
    let head = substr(s, 1, Some((start - 1).max(0)))?;
    let tail = substr(s, start.saturating_add(len), None)?;
    let mut out = BumpString::with_capacity_in(head.len() + r.len() + tail.len(), cx.arena);
    out.push_str(head);
    out.push_str(r);
    out.push_str(tail);
    Ok(Value::Str(out.into_bump_str()))
}

/// `text_replace(s, from, to)`: every occurrence of `from` replaced by `to`; an empty
/// `from` matches between every two characters and at both ends.
pub fn text_replace<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("text_replace", args, &[Kind::Str])? {
        return Ok(v);
    }
    let s = str_of(arg(args, 0));
    let from = str_of(arg(args, 1));
    let to = str_of(arg(args, 2));
    if !from.is_empty() && !s.contains(from) {
        return Ok(Value::Str(s));
    }
    let mut out = BumpString::with_capacity_in(s.len(), cx.arena);
    let mut last = 0;
    for (i, m) in s.match_indices(from) {
        out.push_str(&s[last..i]);
        out.push_str(to);
        last = i + m.len();
    }
    out.push_str(&s[last..]);
    Ok(Value::Str(out.into_bump_str()))
}

/// `concat(s1, s2, ...)`: the strings joined.
pub fn concat<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    if let Some(v) = check_args("concat", args, &[Kind::Str])? {
        return Ok(v);
    }
    let mut out = BumpString::new_in(cx.arena);
    for a in args {
        out.push_str(str_of(*a));
    }
    Ok(Value::Str(out.into_bump_str()))
}

#[cfg(test)]
mod tests {
    use super::super::builtins::test_util::{call, s};
    use crate::error::EvalError;
    use crate::value::Value;
    use bumpalo::Bump;

    #[test]
    fn upper_lower() {
        let a = Bump::new();
        assert_eq!(
            s(call(&a, false, "upper", &[Value::Str("abc")]).unwrap()),
            "ABC"
        );
        assert_eq!(
            s(call(&a, false, "upper", &[Value::Str("µß")]).unwrap()),
            "ΜSS"
        );
        assert_eq!(
            s(call(&a, false, "lower", &[Value::Str("ÀB")]).unwrap()),
            "àb"
        );
        assert_eq!(
            s(call(&a, false, "lower", &[Value::Str("ΟΔΟΣ")]).unwrap()),
            "οδος"
        );
        assert!(call(&a, false, "upper", &[Value::Null]).unwrap().is_null());
        assert!(call(&a, false, "upper", &[Value::Missing])
            .unwrap()
            .is_missing());
        assert!(matches!(
            call(&a, true, "upper", &[Value::Int(1)]),
            Err(EvalError::Type(_))
        ));
    }

    #[test]
    fn lengths() {
        let a = Bump::new();
        let n = |f: &str, v: &str| match call(&a, false, f, &[Value::Str(v)]).unwrap() {
            Value::Int(i) => i,
            o => panic!("{o:?}"),
        };
        assert_eq!(n("char_length", "😁😞😸😸"), 4);
        assert_eq!(n("char_length", "👩🏽"), 2);
        assert_eq!(n("octet_length", "français"), 9);
        assert_eq!(n("bit_length", "abc"), 24);
        assert!(call(&a, false, "octet_length", &[Value::Int(1)]).is_err());
    }

    #[test]
    fn trims() {
        let a = Bump::new();
        let t = |f: &str, c: &str, v: &str| {
            s(call(&a, false, f, &[Value::Str(c), Value::Str(v)]).unwrap())
        };
        assert_eq!(t("ltrim", "12", "111112a1212121211"), "a1212121211");
        assert_eq!(t("rtrim", "12", "111112a1212121211"), "111112a");
        assert_eq!(t("btrim", "👶🏻", "👶🏻👩👶🏻"), "👩");
        assert_eq!(t("btrim", " ", " "), "");
        assert_eq!(
            s(call(&a, false, "btrim", &[Value::Str(" x ")]).unwrap()),
            "x"
        );
        assert!(call(&a, false, "btrim", &[Value::Missing, Value::Null])
            .unwrap()
            .is_missing());
    }

    #[test]
    fn substrings() {
        let a = Bump::new();
        let sub = |v: &str, st: i64, l: Option<i64>| {
            let mut args = vec![Value::Str(v), Value::Int(st)];
            if let Some(l) = l {
                args.push(Value::Int(l));
            }
            call(&a, false, "substring", &args).map(s)
        };
        assert_eq!(sub("123456789", 0, None).unwrap(), "123456789");
        assert_eq!(sub("123456789", 2, None).unwrap(), "23456789");
        assert_eq!(sub("123456789", -4, None).unwrap(), "123456789");
        assert_eq!(sub("123456789", 0, Some(2)).unwrap(), "1");
        assert_eq!(sub("123456789", 2, Some(3)).unwrap(), "234");
        assert_eq!(sub("123456789", -4, Some(6)).unwrap(), "1");
        assert_eq!(sub("1", -4, Some(1)).unwrap(), "");
        assert_eq!(sub("😁😞😸😸", 3, Some(1)).unwrap(), "😸");
        assert_eq!(sub("話家身圧費谷料村能計税金", 6, Some(2)).unwrap(), "谷料");
        assert_eq!(sub("", 0, Some(999)).unwrap(), "");
        assert!(sub("1", 4, Some(-11)).is_err());
        assert_eq!(sub("abc", i64::MAX, Some(i64::MAX)).unwrap(), "");
        assert_eq!(sub("abc", i64::MIN, Some(i64::MAX)).unwrap(), "");
    }

    #[test]
    fn position_overlay_replace() {
        let a = Bump::new();
        let pos =
            |n: &str, h: &str| match call(&a, false, "position", &[Value::Str(n), Value::Str(h)])
                .unwrap()
            {
                Value::Int(i) => i,
                o => panic!("{o:?}"),
            };
        assert_eq!(pos("", "abcdefg"), 1);
        assert_eq!(pos("cde", "abcdefg"), 3);
        assert_eq!(pos("ghi", "abcdefg"), 0);
        assert_eq!(pos("b", "ééb"), 3);
        assert!(call(&a, true, "position", &[Value::Int(1), Value::Str("a")]).is_err());

        let ov = |p: &str, f: i64, l: Option<i64>| {
            let mut args = vec![Value::Str("hello"), Value::Str(p), Value::Int(f)];
            if let Some(l) = l {
                args.push(Value::Int(l));
            }
            s(call(&a, false, "overlay", &args).unwrap())
        };
        assert_eq!(ov("", 1, None), "hello");
        assert_eq!(ov("", 2, Some(3)), "ho");
        assert_eq!(ov("XX", 1, None), "XXllo");
        assert_eq!(ov("XX", 1, Some(100)), "XX");
        assert_eq!(ov("XX", 1, Some(0)), "XXhello");
        assert_eq!(ov("XX", 7, None), "helloXX");
        assert_eq!(ov("XX", 100, Some(100)), "helloXX");
        assert_eq!(ov("XX", 2, Some(3)), "hXXo");
        assert!(call(
            &a,
            true,
            "overlay",
            &[
                Value::Str("foo"),
                Value::Str("bar"),
                Value::Int(1),
                Value::Str("x")
            ]
        )
        .is_err());

        let tr = |x: &str, f: &str, t: &str| {
            s(call(
                &a,
                false,
                "text_replace",
                &[Value::Str(x), Value::Str(f), Value::Str(t)],
            )
            .unwrap())
        };
        assert_eq!(tr("abcdefabcdef", "cd", "XX"), "abXXefabXXef");
        assert_eq!(tr("abcabcabcdef", "abcabc", "XXX"), "XXXabcdef");
        assert_eq!(tr("abc", "", "X"), "XaXbXcX");
        assert_eq!(tr("", "", "XX"), "XX");
        assert_eq!(tr("", "abc", "XX"), "");
        assert!(call(
            &a,
            false,
            "text_replace",
            &[Value::Null, Value::Str("f"), Value::Missing]
        )
        .unwrap()
        .is_missing());
    }
}
