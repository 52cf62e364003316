//! A parser for one Ion text value, as found inside PartiQL backtick literals
//! (`` `2017T` ``, `` `{a: 1, 'b': [1, 2.0, 3e0]}` ``).
//!
//! The result is an [`OwnedValue`]: structs become tuples (order and duplicate names kept),
//! lists and s-expressions become lists, symbols become strings, typed nulls become `NULL`
//! and annotations are dropped.

use crate::value::json::parse_decimal;
use crate::value::{OwnedValue, Timestamp};
use base64::Engine as _;

/// How deeply containers may nest before the parser gives up (instead of overflowing the
/// stack).
const MAX_DEPTH: usize = 256;

/// The type names that may follow `null.`.
const NULL_TYPES: &[&str] = &[
    "null",
    "bool",
    "int",
    "float",
    "decimal",
    "timestamp",
    "symbol",
    "string",
    "clob",
    "blob",
    "list",
    "sexp",
    "struct",
];

/// Parses exactly one Ion text value (surrounded by optional whitespace and comments).
pub(crate) fn parse_ion(text: &str) -> Result<OwnedValue, String> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.value(false)?;
    p.skip_ws()?;
    if p.pos < p.b.len() {
        return p.err_found(p.pos, "end of input after the value");
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

fn is_operator_char(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'#'
            | b'%'
            | b'&'
            | b'*'
            | b'+'
            | b'-'
            | b'.'
            | b'/'
            | b';'
            | b'<'
            | b'='
            | b'>'
            | b'?'
            | b'@'
            | b'^'
            | b'`'
            | b'|'
            | b'~'
    )
}

/// Characters a numeric or timestamp token is made of.
fn is_number_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'+' | b'-' | b':')
}

fn is_base64_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')
}

fn hex_value(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

/// Reads `digit+ ('_' digit+)*` from `t` at `i`, appending the digits (without
/// underscores) to `out`. Returns the index after the digits, or `None` if there are none
/// or an underscore is misplaced.
fn digit_groups(t: &[u8], mut i: usize, radix: u32, out: &mut String) -> Option<usize> {
    let is_digit = |c: u8| (c as char).is_digit(radix);
    loop {
        let start = i;
        while i < t.len() && is_digit(t[i]) {
            out.push(t[i] as char);
            i += 1;
        }
        if i == start {
            return None;
        }
        if i + 1 < t.len() && t[i] == b'_' && is_digit(t[i + 1]) {
            i += 1;
        } else {
            return Some(i);
        }
    }
}

impl<'a> Parser<'a> {
    fn err<T>(&self, at: usize, msg: impl std::fmt::Display) -> Result<T, String> {
        Err(format!("invalid Ion literal at byte {at}: {msg}"))
    }

    /// An error saying what was expected at `at` and what was found there.
    fn err_found<T>(&self, at: usize, expected: &str) -> Result<T, String> {
        let found = match self.text.get(at..).and_then(|s| s.chars().next()) {
            Some(c) => format!("{c:?}"),
            None => match self.b.get(at) {
                Some(byte) => format!("byte 0x{byte:02x}"),
                None => "end of input".to_string(),
            },
        };
        self.err(at, format!("expected {expected}, found {found}"))
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.b.get(self.pos + offset).copied()
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.b
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s))
    }

    /// Skips whitespace and comments.
    fn skip_ws(&mut self) -> Result<(), String> {
        loop {
            match self.peek() {
                Some(c) if is_ws(c) => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'/') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    self.pos += 2;
                    loop {
                        match self.peek() {
                            None => return self.err(start, "unterminated /* comment"),
                            Some(b'*') if self.peek_at(1) == Some(b'/') => {
                                self.pos += 2;
                                break;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Skips whitespace only (inside `{{ }}`, where comments are not allowed).
    fn skip_plain_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(
                self.pos,
                format!("containers nested deeper than {MAX_DEPTH}"),
            );
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// A value, with any annotations (`a::b::value`) dropped. `sexp` allows operator
    /// symbols.
    fn value(&mut self, sexp: bool) -> Result<OwnedValue, String> {
        loop {
            self.skip_ws()?;
            if !self.annotation()? {
                break;
            }
        }
        self.bare_value(sexp)
    }

    /// Consumes one annotation (`symbol ::`) if there is one here.
    fn annotation(&mut self) -> Result<bool, String> {
        let save = self.pos;
        let is_symbol = match self.peek() {
            Some(c) if is_ident_start(c) => {
                let ident = self.identifier();
                !matches!(ident, "null" | "true" | "false" | "nan")
            }
            Some(b'\'') if !self.starts_with(b"'''") => {
                self.pos += 1;
                self.quoted(b'\'', false)?;
                true
            }
            _ => false,
        };
        if is_symbol {
            self.skip_ws()?;
            if self.starts_with(b"::") {
                self.pos += 2;
                return Ok(true);
            }
        }
        self.pos = save;
        Ok(false)
    }

    /// Reads an identifier (the caller checked that one starts here).
    fn identifier(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        let text: &'a str = self.text;
        // Identifier characters are ASCII, so these are character boundaries.
        text.get(start..self.pos).unwrap_or("")
    }

    fn bare_value(&mut self, sexp: bool) -> Result<OwnedValue, String> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return self.err_found(start, "a value");
        };
        match c {
            b'{' if self.peek_at(1) == Some(b'{') => self.lob(),
            b'{' => self.structure(),
            b'[' => self.list(),
            b'(' => self.sexp(),
            b'"' => {
                self.pos += 1;
                let bytes = self.quoted(b'"', false)?;
                self.text_of(start, bytes).map(OwnedValue::Str)
            }
            b'\'' if self.starts_with(b"'''") => {
                let bytes = self.long_strings(false, true)?;
                self.text_of(start, bytes).map(OwnedValue::Str)
            }
            b'\'' => {
                self.pos += 1;
                let bytes = self.quoted(b'\'', false)?;
                self.text_of(start, bytes).map(OwnedValue::Str)
            }
            b'0'..=b'9' => self.number(),
            b'-' | b'+'
                if self.b.get(start + 1..start + 4) == Some(b"inf")
                    && !self.peek_at(4).is_some_and(is_ident_char) =>
            {
                self.pos += 4;
                Ok(OwnedValue::Float(if c == b'-' {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }))
            }
            b'-' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => self.number(),
            c if is_ident_start(c) => self.keyword_or_symbol(),
            c if sexp && is_operator_char(c) => {
                while let Some(c) = self.peek() {
                    let comment = c == b'/' && matches!(self.peek_at(1), Some(b'/' | b'*'));
                    if !is_operator_char(c) || (comment && self.pos > start) {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(OwnedValue::Str(
                    self.text.get(start..self.pos).unwrap_or("").to_string(),
                ))
            }
            _ => self.err_found(start, "a value"),
        }
    }

    fn text_of(&self, start: usize, bytes: Vec<u8>) -> Result<String, String> {
        String::from_utf8(bytes).or_else(|_| self.err(start, "string is not valid UTF-8"))
    }

    fn keyword_or_symbol(&mut self) -> Result<OwnedValue, String> {
        let ident = self.identifier();
        match ident {
            "null" => {
                if self.peek() == Some(b'.') {
                    self.pos += 1;
                    let at = self.pos;
                    let ty = if self.peek().is_some_and(is_ident_start) {
                        self.identifier()
                    } else {
                        ""
                    };
                    if !NULL_TYPES.contains(&ty) {
                        return self.err(at, "expected an Ion type name after 'null.'");
                    }
                }
                Ok(OwnedValue::Null)
            }
            "true" => Ok(OwnedValue::Bool(true)),
            "false" => Ok(OwnedValue::Bool(false)),
            "nan" => Ok(OwnedValue::Float(f64::NAN)),
            _ => Ok(OwnedValue::Str(ident.to_string())),
        }
    }

    /// Checks that a number or timestamp token is followed by a delimiter.
    fn expect_stop(&self) -> Result<(), String> {
        match self.peek() {
            None => Ok(()),
            Some(c) if is_ws(c) || b",]})[({\"'/".contains(&c) => Ok(()),
            Some(_) => self.err_found(self.pos, "a delimiter after the number"),
        }
    }

    /// An integer, decimal, float or timestamp.
    fn number(&mut self) -> Result<OwnedValue, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(is_number_char) {
            self.pos += 1;
        }
        let t = &self.b[start..self.pos];
        self.expect_stop()?;
        let token = self.text.get(start..self.pos).unwrap_or("");
        if t.len() >= 5 && t[..4].iter().all(u8::is_ascii_digit) && matches!(t[4], b'-' | b'T') {
            return match Timestamp::parse_ion(token) {
                Some(ts) => Ok(OwnedValue::Timestamp(ts)),
                None => self.err(start, format!("invalid timestamp {token:?}")),
            };
        }
        let bad = || self.err(start, format!("invalid numeric literal {token:?}"));
        let neg = t.first() == Some(&b'-');
        let body = if neg { &t[1..] } else { t };
        let mut clean = String::with_capacity(t.len());
        if neg {
            clean.push('-');
        }
        let radix = match body.get(..2) {
            Some(b"0x" | b"0X") => 16,
            Some(b"0b" | b"0B") => 2,
            _ => 10,
        };
        if radix != 10 {
            if digit_groups(body, 2, radix, &mut clean) != Some(body.len()) {
                return bad();
            }
            return match i128::from_str_radix(&clean, radix) {
                Ok(i) => Ok(int_value(i)),
                Err(_) => self.err(start, format!("integer {token:?} is out of range")),
            };
        }
        let int_start = clean.len();
        let Some(mut i) = digit_groups(body, 0, 10, &mut clean) else {
            return bad();
        };
        if clean.len() - int_start > 1 && clean.as_bytes()[int_start] == b'0' {
            return self.err(start, format!("leading zeros in numeric literal {token:?}"));
        }
        let mut has_dot = false;
        if body.get(i) == Some(&b'.') {
            has_dot = true;
            i += 1;
            if body.get(i).is_some_and(u8::is_ascii_digit) {
                clean.push('.');
                match digit_groups(body, i, 10, &mut clean) {
                    Some(end) => i = end,
                    None => return bad(),
                }
            }
        }
        let mut exp = None;
        if let Some(&e @ (b'e' | b'E' | b'd' | b'D')) = body.get(i) {
            exp = Some(e.to_ascii_lowercase());
            i += 1;
            clean.push('e');
            if let Some(&sign @ (b'+' | b'-')) = body.get(i) {
                clean.push(sign as char);
                i += 1;
            }
            match digit_groups(body, i, 10, &mut clean) {
                Some(end) => i = end,
                None => return bad(),
            }
        }
        if i != body.len() {
            return bad();
        }
        match exp {
            Some(b'e') => match clean.parse::<f64>() {
                Ok(f) => Ok(OwnedValue::Float(f)),
                Err(_) => bad(),
            },
            Some(_) => self.decimal(start, token, &clean),
            None if has_dot => self.decimal(start, token, &clean),
            None => match clean.parse::<i128>() {
                Ok(i) => Ok(int_value(i)),
                Err(_) => self.err(start, format!("integer {token:?} is out of range")),
            },
        }
    }

    fn decimal(&self, start: usize, token: &str, clean: &str) -> Result<OwnedValue, String> {
        match parse_decimal(clean) {
            Some(d) => Ok(OwnedValue::Decimal(d)),
            None => self.err(start, format!("decimal {token:?} is out of range")),
        }
    }

    /// The rest of a `"` string or `'` symbol (the opening quote is consumed). For clobs,
    /// the bytes; otherwise UTF-8 text.
    fn quoted(&mut self, quote: u8, clob: bool) -> Result<Vec<u8>, String> {
        let start = self.pos.saturating_sub(1);
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    let what = if quote == b'"' {
                        "string"
                    } else {
                        "quoted symbol"
                    };
                    return self.err(start, format!("unterminated {what}"));
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out, clob)?;
                }
                Some(b'\n' | b'\r') => {
                    return self.err(self.pos, "unescaped newline in a quoted string or symbol");
                }
                Some(c) => {
                    if clob && c >= 0x80 {
                        return self.err_found(self.pos, "an ASCII character in a clob");
                    }
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// One or more adjacent `'''...'''` strings, concatenated. `comments` allows comments
    /// between them (not inside `{{ }}`).
    fn long_strings(&mut self, clob: bool, comments: bool) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        loop {
            self.long_string(&mut out, clob)?;
            let save = self.pos;
            if comments {
                self.skip_ws()?;
            } else {
                self.skip_plain_ws();
            }
            if !self.starts_with(b"'''") {
                self.pos = save;
                return Ok(out);
            }
        }
    }

    fn long_string(&mut self, out: &mut Vec<u8>, clob: bool) -> Result<(), String> {
        let start = self.pos;
        self.pos += 3;
        loop {
            match self.peek() {
                None => return self.err(start, "unterminated long string"),
                Some(b'\'') if self.starts_with(b"'''") => {
                    self.pos += 3;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(out, clob)?;
                }
                Some(c) => {
                    if clob && c >= 0x80 {
                        return self.err_found(self.pos, "an ASCII character in a clob");
                    }
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// Reads `n` hex digits.
    fn hex(&mut self, n: usize) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.peek().and_then(hex_value) {
                Some(d) => {
                    v = v * 16 + d;
                    self.pos += 1;
                }
                None => return self.err_found(self.pos, "a hexadecimal digit"),
            }
        }
        Ok(v)
    }

    /// An escape sequence (the backslash is consumed).
    fn escape(&mut self, out: &mut Vec<u8>, clob: bool) -> Result<(), String> {
        let at = self.pos - 1;
        let Some(c) = self.peek() else {
            return self.err(at, "unterminated escape sequence");
        };
        self.pos += 1;
        let simple = match c {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'\'' => Some(b'\''),
            b'/' => Some(b'/'),
            b'?' => Some(b'?'),
            b'0' => Some(0),
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0C),
            b'r' => Some(b'\r'),
            b'v' => Some(0x0B),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            return Ok(());
        }
        let code = match c {
            // An escaped newline continues the string on the next line.
            b'\n' => return Ok(()),
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
                return Ok(());
            }
            b'x' => {
                let v = self.hex(2)?;
                if clob {
                    out.push(v as u8);
                    return Ok(());
                }
                v
            }
            b'u' | b'U' if clob => {
                return self.err(at, "\\u escapes are not allowed in clobs");
            }
            b'u' => {
                let hi = self.hex(4)?;
                if (0xD800..0xDC00).contains(&hi) {
                    if !self.starts_with(b"\\u") {
                        return self.err(at, "unpaired surrogate in \\u escape");
                    }
                    self.pos += 2;
                    let lo = self.hex(4)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return self.err(at, "unpaired surrogate in \\u escape");
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                }
            }
            b'U' => self.hex(8)?,
            _ => return self.err(at, "unknown escape sequence"),
        };
        match char::from_u32(code) {
            Some(ch) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                Ok(())
            }
            None => self.err(at, format!("invalid code point U+{code:X} in escape")),
        }
    }

    /// A blob `{{ base64 }}` or a clob `{{ "text" }}` / `{{ '''text''' }}`.
    fn lob(&mut self) -> Result<OwnedValue, String> {
        let start = self.pos;
        self.pos += 2;
        self.skip_plain_ws();
        let clob = match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Some(self.quoted(b'"', true)?)
            }
            Some(b'\'') if self.starts_with(b"'''") => Some(self.long_strings(true, false)?),
            _ => None,
        };
        if let Some(bytes) = clob {
            self.skip_plain_ws();
            if !self.starts_with(b"}}") {
                return self.err_found(self.pos, "'}}' to close the clob");
            }
            self.pos += 2;
            return Ok(OwnedValue::Clob(bytes));
        }
        let mut b64 = Vec::new();
        loop {
            self.skip_plain_ws();
            match self.peek() {
                Some(b'}') if self.peek_at(1) == Some(b'}') => {
                    self.pos += 2;
                    break;
                }
                Some(c) if is_base64_char(c) => {
                    b64.push(c);
                    self.pos += 1;
                }
                _ => return self.err_found(self.pos, "base64 data or '}}' in a blob"),
            }
        }
        match base64::engine::general_purpose::STANDARD.decode(&b64) {
            Ok(bytes) => Ok(OwnedValue::Blob(bytes)),
            Err(e) => self.err(start, format!("invalid base64 in blob: {e}")),
        }
    }

    /// A struct `{name: value, ...}` (the `{` is next).
    fn structure(&mut self) -> Result<OwnedValue, String> {
        self.pos += 1;
        self.enter()?;
        let mut fields = Vec::new();
        loop {
            self.skip_ws()?;
            if self.peek() == Some(b'}') {
                self.pos += 1;
                break;
            }
            let name = self.field_name()?;
            self.skip_ws()?;
            if self.peek() != Some(b':') || self.peek_at(1) == Some(b':') {
                return self.err_found(self.pos, "':' after the field name");
            }
            self.pos += 1;
            let value = self.value(false)?;
            fields.push((name, value));
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return self.err_found(self.pos, "',' or '}' in a struct"),
            }
        }
        self.leave();
        Ok(OwnedValue::Tuple(fields))
    }

    fn field_name(&mut self) -> Result<String, String> {
        let start = self.pos;
        let bytes = match self.peek() {
            Some(c) if is_ident_start(c) => return Ok(self.identifier().to_string()),
            Some(b'\'') if self.starts_with(b"'''") => self.long_strings(false, true)?,
            Some(q @ (b'\'' | b'"')) => {
                self.pos += 1;
                self.quoted(q, false)?
            }
            _ => return self.err_found(start, "a field name or '}'"),
        };
        self.text_of(start, bytes)
    }

    /// A list `[a, b]` (the `[` is next).
    fn list(&mut self) -> Result<OwnedValue, String> {
        self.pos += 1;
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.skip_ws()?;
            if self.peek() == Some(b']') {
                self.pos += 1;
                break;
            }
            items.push(self.value(false)?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return self.err_found(self.pos, "',' or ']' in a list"),
            }
        }
        self.leave();
        Ok(OwnedValue::List(items))
    }

    /// An s-expression `(a b c)` (the `(` is next).
    fn sexp(&mut self) -> Result<OwnedValue, String> {
        self.pos += 1;
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.skip_ws()?;
            match self.peek() {
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                None => return self.err_found(self.pos, "')' to close the s-expression"),
                Some(_) => items.push(self.value(true)?),
            }
        }
        self.leave();
        Ok(OwnedValue::List(items))
    }
}

fn int_value(i: i128) -> OwnedValue {
    match i64::try_from(i) {
        Ok(small) => OwnedValue::Int(small),
        Err(_) => OwnedValue::BigInt(i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Precision;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn ok(text: &str) -> OwnedValue {
        parse_ion(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn bad(text: &str) -> String {
        match parse_ion(text) {
            Ok(v) => panic!("{text:?} parsed as {v:?}"),
            Err(e) => e,
        }
    }

    fn s(text: &str) -> OwnedValue {
        OwnedValue::Str(text.to_string())
    }

    fn dec(text: &str) -> Decimal {
        match ok(text) {
            OwnedValue::Decimal(d) => d,
            other => panic!("{text:?} parsed as {other:?}"),
        }
    }

    fn ts(text: &str) -> Timestamp {
        match ok(text) {
            OwnedValue::Timestamp(t) => t,
            other => panic!("{text:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn nulls_and_bools() {
        assert_eq!(ok("null"), OwnedValue::Null);
        for ty in NULL_TYPES {
            assert_eq!(ok(&format!("null.{ty}")), OwnedValue::Null, "{ty}");
        }
        assert_eq!(ok("true"), OwnedValue::Bool(true));
        assert_eq!(ok(" false "), OwnedValue::Bool(false));
        bad("null.");
        bad("null.foo");
        bad("null .int");
    }

    #[test]
    fn whitespace_and_comments() {
        assert_eq!(
            ok("  // leading\n /* block\n comment */ 1 // trailing"),
            OwnedValue::Int(1)
        );
        assert_eq!(ok("\t\r\n\x0b\x0c1/**/"), OwnedValue::Int(1));
        assert_eq!(
            ok("[1,/* x */2]"),
            OwnedValue::List(vec![1.into(), 2.into()])
        );
        assert!(bad("1 /* unterminated").contains("comment"));
        bad("");
        bad("   // only a comment");
    }

    #[test]
    fn integers() {
        assert_eq!(ok("0"), OwnedValue::Int(0));
        assert_eq!(ok("-0"), OwnedValue::Int(0));
        assert_eq!(ok("123"), OwnedValue::Int(123));
        assert_eq!(ok("-123"), OwnedValue::Int(-123));
        assert_eq!(ok("1_000_000"), OwnedValue::Int(1_000_000));
        assert_eq!(ok("0x1F"), OwnedValue::Int(31));
        assert_eq!(ok("0XfF_fF"), OwnedValue::Int(0xffff));
        assert_eq!(ok("-0x10"), OwnedValue::Int(-16));
        assert_eq!(ok("0b101"), OwnedValue::Int(5));
        assert_eq!(ok("-0B1_0"), OwnedValue::Int(-2));
        assert_eq!(ok("9223372036854775807"), OwnedValue::Int(i64::MAX));
        assert_eq!(ok("-9223372036854775808"), OwnedValue::Int(i64::MIN));
        assert_eq!(
            ok("9223372036854775808"),
            OwnedValue::BigInt(i64::MAX as i128 + 1)
        );
        assert_eq!(
            ok("-9223372036854775809"),
            OwnedValue::BigInt(i64::MIN as i128 - 1)
        );
        assert_eq!(
            ok("0x7fffffffffffffffffffffffffffffff"),
            OwnedValue::BigInt(i128::MAX)
        );
        assert_eq!(ok(&i128::MIN.to_string()), OwnedValue::BigInt(i128::MIN));
        assert!(bad("170141183460469231731687303715884105728").contains("out of range"));
        assert!(bad("0x1_0000_0000_0000_0000_0000_0000_0000_0000").contains("out of range"));
        for text in [
            "007", "1__0", "1_", "0x", "0x_1", "0b2", "0xg", "1a", "--1", "+1", "1-", "0_1",
        ] {
            bad(text);
        }
    }

    #[test]
    fn decimals() {
        assert_eq!(dec("1.5"), Decimal::from_str("1.5").unwrap());
        let one = dec("1.");
        assert_eq!(one, Decimal::ONE);
        assert_eq!(one.scale(), 0);
        assert_eq!(dec("1.50").scale(), 2);
        assert_eq!(dec("1.5d3"), Decimal::from(1500));
        assert_eq!(dec("1.5D-3"), Decimal::from_str("0.0015").unwrap());
        assert_eq!(dec("15d0"), Decimal::from(15));
        assert_eq!(dec("1.d2"), Decimal::from(100));
        assert_eq!(
            dec("-1_000.000_1"),
            Decimal::from_str("-1000.0001").unwrap()
        );
        let neg_zero = dec("-0.0");
        assert!(neg_zero.is_zero());
        assert_eq!(neg_zero.scale(), 1);
        assert_eq!(dec("0.000").scale(), 3);
        for text in [
            "1.5.5",
            "1._5",
            "1.5_",
            "1.5d",
            "1.5d+",
            "01.5",
            "1.5dx",
            "1d99999999999999999999",
        ] {
            bad(text);
        }
    }

    #[test]
    fn decimal_extremes_never_panic() {
        for text in [
            "1d-99999",
            "1d99999",
            "-1d-4294967296",
            "1.00000000000000000000000000000000001",
            "79228162514264337593543950336.0",
            "79228162514264337593543950335.0",
            "0.0000000000000000000000000000000000001d0",
            "123456789012345678901234567890d-10",
            "1e-99999999999999999999",
        ] {
            let _ = parse_ion(text);
        }
        assert_eq!(ok("1e-99999999999999999999"), OwnedValue::Float(0.0));
    }

    #[test]
    fn floats() {
        assert_eq!(ok("1e0"), OwnedValue::Float(1.0));
        assert_eq!(ok("1.5E-3"), OwnedValue::Float(0.0015));
        assert_eq!(ok("-2.5e+2"), OwnedValue::Float(-250.0));
        assert_eq!(ok("1.e1"), OwnedValue::Float(10.0));
        assert_eq!(ok("1_0e1_0"), OwnedValue::Float(10e10));
        assert_eq!(ok("+inf"), OwnedValue::Float(f64::INFINITY));
        assert_eq!(ok("-inf"), OwnedValue::Float(f64::NEG_INFINITY));
        assert!(matches!(ok("nan"), OwnedValue::Float(f) if f.is_nan()));
        assert_eq!(
            ok("[-inf, +inf]"),
            OwnedValue::List(vec![f64::NEG_INFINITY.into(), f64::INFINITY.into()])
        );
        assert_eq!(ok("1e999"), OwnedValue::Float(f64::INFINITY));
        // Without a sign, these are symbols.
        assert_eq!(ok("inf"), s("inf"));
        assert_eq!(ok("e1"), s("e1"));
        for text in ["+infinity", "1e", "1e+", "1e1.5", "+nan", "-nan"] {
            bad(text);
        }
    }

    #[test]
    fn timestamps() {
        let t = ts("2017T");
        assert_eq!((t.year, t.precision, t.ion), (2017, Precision::Year, true));
        let t = ts("2017-01T");
        assert_eq!((t.year, t.month, t.precision), (2017, 1, Precision::Month));
        let t = ts("2017-01-02");
        assert_eq!((t.month, t.day, t.precision), (1, 2, Precision::Day));
        assert_eq!(ts("2017-01-02T").precision, Precision::Day);
        let t = ts("2017-01-02T03:04Z");
        assert_eq!(
            (t.hour, t.minute, t.precision, t.offset_minutes),
            (3, 4, Precision::Minute, Some(0))
        );
        let t = ts("2017-01-02T03:04:05.123+01:00");
        assert_eq!(
            (
                t.second,
                t.nanos,
                t.fraction_digits,
                t.precision,
                t.offset_minutes
            ),
            (5, 123_000_000, 3, Precision::Second, Some(60))
        );
        assert_eq!(ts("2017-01-02T03:04:05-00:00").offset_minutes, None);
        assert_eq!(ts("2017-01-02T03:04:05-08:30").offset_minutes, Some(-510));
        assert_eq!(
            ok("{a: 2017T, b: [2017-01-02T03:04Z]}"),
            OwnedValue::tuple([
                ("a", OwnedValue::Timestamp(ts("2017T"))),
                (
                    "b",
                    OwnedValue::List(vec![OwnedValue::Timestamp(ts("2017-01-02T03:04Z"))])
                ),
            ])
        );
        for text in [
            "2017",
            "2017-13T",
            "2017-02-30",
            "2017-01-02T03:04",
            "0000T",
            "2017-01-02T25:00Z",
            "2017TT",
        ] {
            if text == "2017" {
                assert_eq!(ok(text), OwnedValue::Int(2017));
                continue;
            }
            bad(text);
        }
    }

    #[test]
    fn strings() {
        assert_eq!(ok(r#""hello""#), s("hello"));
        assert_eq!(ok(r#""""#), s(""));
        assert_eq!(
            ok(r#""\n\t\"\\\'\/\?\0\a\b\f\r\v""#),
            s("\n\t\"\\'/?\0\x07\x08\x0c\r\x0b")
        );
        assert_eq!(ok(r#""\x41\u00e9\U0001F600\uD83D\uDE00""#), s("Aé😀😀"));
        assert_eq!(ok("\"a\\\nb\\\r\nc\""), s("abc"));
        assert_eq!(ok("\"héllo ✓\""), s("héllo ✓"));
        assert!(bad("\"a\nb\"").contains("newline"));
        for text in [
            r#""abc"#,
            r#""\q""#,
            r#""\x4""#,
            r#""\uD800""#,
            r#""\uD800\u0041""#,
            r#""\uDC00""#,
            r#""\U00110000""#,
            "\"\\",
        ] {
            bad(text);
        }
    }

    #[test]
    fn long_strings() {
        assert_eq!(ok("'''abc'''"), s("abc"));
        assert_eq!(ok("'''a\nb'''"), s("a\nb"));
        assert_eq!(ok("'''it's'''"), s("it's"));
        assert_eq!(ok("'''a''' '''b''' // c\n '''c'''"), s("abc"));
        assert_eq!(ok("''''''"), s(""));
        assert_eq!(ok("'''\\x41\\u00e9'''"), s("Aé"));
        assert_eq!(
            ok("['''a''' '''b''', 'c']"),
            OwnedValue::List(vec![s("ab"), s("c")])
        );
        bad("'''abc");
        bad("'''abc''' x");
    }

    #[test]
    fn symbols() {
        assert_eq!(ok("abc"), s("abc"));
        assert_eq!(ok("$abc"), s("$abc"));
        assert_eq!(ok("_x1"), s("_x1"));
        assert_eq!(ok("'quoted sym'"), s("quoted sym"));
        assert_eq!(ok("''"), s(""));
        assert_eq!(ok(r"'it\'s'"), s("it's"));
        assert_eq!(ok("'null'"), s("null"));
        bad("'abc");
        bad("'a\nb'");
        bad("a b");
        bad("+");
        bad("<=");
    }

    #[test]
    fn sexps_and_operators() {
        assert_eq!(
            ok("(a b c)"),
            OwnedValue::List(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            ok("(+ 1 -2 <= a.b)"),
            OwnedValue::List(vec![
                s("+"),
                1.into(),
                (-2).into(),
                s("<="),
                s("a"),
                s("."),
                s("b")
            ])
        );
        assert_eq!(ok("(a+b)"), OwnedValue::List(vec![s("a"), s("+"), s("b")]));
        assert_eq!(
            ok("(- -inf +inf)"),
            OwnedValue::List(vec![s("-"), f64::NEG_INFINITY.into(), f64::INFINITY.into()])
        );
        assert_eq!(
            ok("(+//comment\n-/*c*/*)"),
            OwnedValue::List(vec![s("+"), s("-"), s("*")])
        );
        assert_eq!(ok("()"), OwnedValue::List(vec![]));
        assert_eq!(
            ok("(a (b) [c, d] {e: f})"),
            OwnedValue::List(vec![
                s("a"),
                OwnedValue::List(vec![s("b")]),
                OwnedValue::List(vec![s("c"), s("d")]),
                OwnedValue::tuple([("e", s("f"))]),
            ])
        );
        bad("(a b");
        bad("(a b))");
        bad("[+]");
    }

    #[test]
    fn lists() {
        assert_eq!(ok("[]"), OwnedValue::List(vec![]));
        assert_eq!(ok("[ ]"), OwnedValue::List(vec![]));
        assert_eq!(
            ok("[1, 2.0, 3e0]"),
            OwnedValue::List(vec![
                1.into(),
                OwnedValue::Decimal(Decimal::from_str("2.0").unwrap()),
                3.0.into()
            ])
        );
        assert_eq!(
            ok("[a, 'b', \"c\",]"),
            OwnedValue::List(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            ok("[[1], [[]]]"),
            OwnedValue::List(vec![
                OwnedValue::List(vec![1.into()]),
                OwnedValue::List(vec![OwnedValue::List(vec![])])
            ])
        );
        for text in ["[", "[1", "[1,", "[1 2]", "[,]", "[1,,2]", "]", "[1]]"] {
            bad(text);
        }
    }

    #[test]
    fn structs() {
        assert_eq!(
            ok(r#"{a: 1, 'b': 2, "c": 3}"#),
            OwnedValue::tuple([("a", 1.into()), ("b", 2.into()), ("c", OwnedValue::Int(3))])
        );
        assert_eq!(ok("{}"), OwnedValue::Tuple(vec![]));
        assert_eq!(
            ok("{a:1,a:2,}"),
            OwnedValue::tuple([("a", OwnedValue::Int(1)), ("a", OwnedValue::Int(2))])
        );
        assert_eq!(
            ok("{'''x''' '''y''': null.struct, z: {w: [true]}}"),
            OwnedValue::tuple([
                ("xy", OwnedValue::Null),
                (
                    "z",
                    OwnedValue::tuple([("w", OwnedValue::List(vec![true.into()]))])
                ),
            ])
        );
        assert_eq!(
            ok("{a: 1, 'b': [1, 2.0, 3e0]}"),
            OwnedValue::tuple([
                ("a", OwnedValue::Int(1)),
                (
                    "b",
                    OwnedValue::List(vec![
                        1.into(),
                        OwnedValue::Decimal(Decimal::from_str("2.0").unwrap()),
                        3.0.into()
                    ])
                ),
            ])
        );
        for text in [
            "{",
            "{a}",
            "{a:}",
            "{a:1",
            "{a:1 b:2}",
            "{,}",
            "{a:1,,}",
            "{1:2}",
            "{a::b:1}",
            "{a:1}}",
        ] {
            bad(text);
        }
    }

    #[test]
    fn blobs_and_clobs() {
        assert_eq!(ok("{{ aGVsbG8= }}"), OwnedValue::Blob(b"hello".to_vec()));
        assert_eq!(ok("{{aGVs\n bG8=}}"), OwnedValue::Blob(b"hello".to_vec()));
        assert_eq!(ok("{{}}"), OwnedValue::Blob(vec![]));
        assert_eq!(
            ok("{{ \"hi\\x00\\xff\" }}"),
            OwnedValue::Clob(b"hi\x00\xff".to_vec())
        );
        assert_eq!(ok("{{'''a''' '''b'''}}"), OwnedValue::Clob(b"ab".to_vec()));
        assert_eq!(ok("{{\"\"}}"), OwnedValue::Clob(vec![]));
        for text in [
            "{{ aGVsbG8 }}",
            "{{ a*b }}",
            "{{ aGVsbG8=",
            "{{ aGVsbG8= }",
            "{{\"é\"}}",
            "{{\"\\u0041\"}}",
            "{{\"a\" x}}",
            "{{ /*c*/ }}",
        ] {
            bad(text);
        }
    }

    #[test]
    fn annotations_are_dropped() {
        assert_eq!(ok("a::1"), OwnedValue::Int(1));
        assert_eq!(ok("a::'b':: $c :: \"s\""), s("s"));
        assert_eq!(ok("a::b"), s("b"));
        assert_eq!(
            ok("[a::1, b::{c: d::e}]"),
            OwnedValue::List(vec![1.into(), OwnedValue::tuple([("c", s("e"))])])
        );
        assert_eq!(ok("(x::+ y)"), OwnedValue::List(vec![s("+"), s("y")]));
        assert_eq!(ok("a::/* c */b::2017T"), OwnedValue::Timestamp(ts("2017T")));
        bad("a::");
        bad("true::1");
        bad("a:1");
    }

    #[test]
    fn trailing_content_is_an_error() {
        let e = bad("1 2");
        assert!(e.contains("byte 2") && e.contains("end of input"), "{e}");
        bad("true false");
        bad("{} x");
        bad("\"a\" \"b\"");
        bad("1,");
        assert_eq!(ok("1 // fine\n"), OwnedValue::Int(1));
    }

    #[test]
    fn errors_name_offset_and_expectation() {
        let e = bad("[1, }");
        assert!(
            e.contains("byte 4") && e.contains("expected a value"),
            "{e}"
        );
        let e = bad("{a 1}");
        assert!(e.contains("byte 3") && e.contains("':'"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(bad(&deep).contains("nested"));
        let ok_depth = format!("{}{}", "(".repeat(100), ")".repeat(100));
        ok(&ok_depth);
        let many_annotations = "a::".repeat(100_000) + "1";
        assert_eq!(ok(&many_annotations), OwnedValue::Int(1));
    }

    const SAMPLES: &[&str] = &[
        "{a: 1, 'b': [1, 2.0, 3e0], \"c\": (x + -1 <= y), d: {{ aGVsbG8= }}, e: {{ \"hi\" }}}",
        "ann::[null.int, true, false, nan, +inf, -inf, 0x1F, 0b10, -1_000, 1.5d3, -0.0]",
        "[2017T, 2017-01T, 2017-01-02, 2017-01-02T03:04Z, 2017-01-02T03:04:05.123+01:00]",
        "\"a\\n\\x41\\u00e9\\U0001F600\" ",
        "'''long''' /* c */ '''string''' // end",
        "{{ '''clob''' }}",
        "( 'sym' $x _y ''' z ''' )",
        "9223372036854775808",
    ];

    #[test]
    fn truncations_never_panic() {
        for sample in SAMPLES {
            ok(sample);
            for end in 0..sample.len() {
                if let Some(prefix) = sample.get(..end) {
                    let _ = parse_ion(prefix);
                }
                if let Some(suffix) = sample.get(end..) {
                    let _ = parse_ion(suffix);
                }
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        // A small xorshift generator, so the test is deterministic.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet: Vec<char> = "{}[](),:'\"\\/*+-._$aAbBdDeExXTZ0123456789 \n\tnulrs{{}}é😀"
            .chars()
            .collect();
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let _ = parse_ion(&text);
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let lossy = String::from_utf8_lossy(&bytes);
            let _ = parse_ion(&lossy);
        }
        // Mutations of valid samples.
        for sample in SAMPLES {
            let chars: Vec<char> = sample.chars().collect();
            for _ in 0..2_000 {
                let mut mutated = chars.clone();
                let at = (next() % mutated.len() as u64) as usize;
                mutated[at] = alphabet[(next() % alphabet.len() as u64) as usize];
                let text: String = mutated.into_iter().collect();
                let _ = parse_ion(&text);
            }
        }
    }
}
