//! JSON-lines reader: one JSON value (usually an object) per line.
//!
//! The reader reuses one line buffer and parses each line with a hand-written JSON parser
//! straight into [`Value`]s allocated in the VM's arena, so reading a row makes no heap
//! allocation once the buffer has grown to the longest line. With projection pushdown
//! (no whole-row slot), only the top-level fields the scan needs are decoded; the values
//! of all other fields are passed over by a skipping scanner that builds nothing. The
//! skipper checks that brackets balance and match and that strings end, but not the
//! full grammar of the skipped value.
//!
//! A malformed line is a [`QueryError::Read`] naming the file, the 1-based line number
//! and what was wrong; no input makes the reader panic.

use super::{
    BufferStability, RowReader, ScanLayout, ScanReader, ScanReaderKind, Source, ValueWriter,
};
use crate::error::QueryError;
use crate::value::{Field, Value};
use bumpalo::Bump;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Deepest nesting of arrays and objects a line may have.
const MAX_DEPTH: usize = 256;

/// A JSON-lines file: one JSON value (usually an object) per line.
#[derive(Debug, Clone)]
pub struct JsonLinesSource {
    path: PathBuf,
}

impl JsonLinesSource {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonLinesSource { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open_file(&self) -> Result<File, QueryError> {
        File::open(&self.path).map_err(|source| QueryError::Io {
            path: self.path.display().to_string(),
            source,
        })
    }

    fn io_err(&self, source: std::io::Error) -> QueryError {
        QueryError::Io {
            path: self.path.display().to_string(),
            source,
        }
    }
}

impl Source for JsonLinesSource {
    fn describe(&self) -> String {
        format!("json-lines file {}", self.path.display())
    }

    fn stability(&self) -> BufferStability {
        BufferStability::UntilNext
    }

    fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
        let file = self.open_file()?;
        Ok(Box::new(JsonLinesReader {
            path: self.path.clone(),
            input: LineBuffer::new(file),
            layout: layout.clone(),
            offset: 0,
            end: u64::MAX,
            line_no: Some(0),
            row: 0,
        }))
    }

    /// Splits the file into `parts` byte ranges; the reader of a part reads the lines
    /// that start within its range (a line that crosses the end of the range is read
    /// whole by the part it starts in). `AT` positions count rows within the part.
    fn open_partition(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<Box<dyn RowReader>>, QueryError> {
        Ok(self
            .partition(layout, part, parts)?
            .map(|r| Box::new(r) as Box<dyn RowReader>))
    }

    fn open_scan(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<ScanReader>, QueryError> {
        Ok(self
            .partition(layout, part, parts)?
            .map(|r| ScanReader(ScanReaderKind::JsonLines(r))))
    }
}

impl JsonLinesSource {
    /// The reader of the `part`-th of `parts` byte ranges (see
    /// [`Source::open_partition`]).
    fn partition(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<JsonLinesReader>, QueryError> {
        let parts = parts.max(1);
        if part >= parts {
            return Ok(None);
        }
        let mut file = self.open_file()?;
        let len = file.metadata().map_err(|e| self.io_err(e))?.len();
        let bound = |p: usize| -> u64 { ((len as u128) * (p as u128) / (parts as u128)) as u64 };
        let start = bound(part);
        let end = if part + 1 == parts {
            u64::MAX
        } else {
            bound(part + 1)
        };
        let mut offset = 0;
        let input = if start == 0 {
            LineBuffer::new(file)
        } else {
            // Start at the byte before the range so that a line starting exactly at
            // `start` is kept: skip through the first newline at or after `start - 1`.
            file.seek(SeekFrom::Start(start - 1))
                .map_err(|e| self.io_err(e))?;
            let mut input = LineBuffer::new(file);
            let n = input
                .next_line()
                .map_err(|e| self.io_err(e))?
                .map_or(0, |l| l.len());
            offset = start - 1 + n as u64;
            input
        };
        Ok(Some(JsonLinesReader {
            path: self.path.clone(),
            input,
            layout: layout.clone(),
            offset,
            end,
            line_no: if start == 0 { Some(0) } else { None },
            row: 0,
        }))
    }
}

/// Reads the rows of a JSON-lines file (or of one byte range of it).
pub(super) struct JsonLinesReader {
    path: PathBuf,
    input: LineBuffer,
    layout: ScanLayout,
    /// File offset of the next line.
    offset: u64,
    /// Lines starting at or after this offset belong to the next partition.
    end: u64,
    /// The 1-based number of the last line read, when known (reading from the start).
    line_no: Option<u64>,
    /// Rows produced so far.
    row: i64,
}

/// The file's bytes in one reused buffer, handed out a line at a time in place (no
/// copy into a line buffer). A line longer than the buffer grows it.
struct LineBuffer {
    file: File,
    buf: Vec<u8>,
    /// The unread bytes are `buf[head..tail]`.
    head: usize,
    tail: usize,
    eof: bool,
}

impl LineBuffer {
    const CAPACITY: usize = 256 * 1024;

    fn new(file: File) -> Self {
        LineBuffer {
            file,
            buf: vec![0; Self::CAPACITY],
            head: 0,
            tail: 0,
            eof: false,
        }
    }

    /// The next line with its newline (the last line may lack one), or `None` at the
    /// end of the file. Valid until the next call.
    fn next_line(&mut self) -> std::io::Result<Option<&[u8]>> {
        let mut searched = self.head;
        loop {
            if let Some(k) = memchr::memchr(b'\n', &self.buf[searched..self.tail]) {
                let line = self.head..searched + k + 1;
                self.head = line.end;
                return Ok(Some(&self.buf[line]));
            }
            if self.eof {
                if self.head == self.tail {
                    return Ok(None);
                }
                let line = self.head..self.tail;
                self.head = self.tail;
                return Ok(Some(&self.buf[line]));
            }
            // Keep the partial line, make room, read more.
            let pending = self.tail - self.head;
            self.buf.copy_within(self.head..self.tail, 0);
            self.head = 0;
            self.tail = pending;
            searched = pending;
            if self.tail == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = loop {
                match self.file.read(&mut self.buf[self.tail..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
            }
            self.tail += n;
        }
    }
}

impl JsonLinesReader {
    /// The 1-based number of the line starting at `line_start`: tracked when reading
    /// from the start of the file, else counted (only on error) by reading the prefix.
    fn line_number(&self, line_start: u64) -> u64 {
        if let Some(n) = self.line_no {
            return n;
        }
        count_lines_before(&self.path, line_start).unwrap_or(0) + 1
    }
}

fn count_lines_before(path: &Path, offset: u64) -> std::io::Result<u64> {
    let mut file = File::open(path)?.take(offset);
    let mut buf = vec![0u8; 64 * 1024];
    let mut count = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(count);
        }
        count += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
}

impl RowReader for JsonLinesReader {
    fn next_row(&mut self, out: &mut ValueWriter<'_, '_>) -> Result<bool, QueryError> {
        loop {
            if self.offset >= self.end {
                return Ok(false);
            }
            let line = match self.input.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => return Ok(false),
                Err(source) => {
                    return Err(QueryError::Io {
                        path: self.path.display().to_string(),
                        source,
                    })
                }
            };
            let line_start = self.offset;
            self.offset += line.len() as u64;
            if let Some(l) = &mut self.line_no {
                *l += 1;
            }
            if line.iter().all(|b| is_ws(*b)) {
                continue;
            }
            match parse_row(line, &self.layout, out) {
                Ok(()) => {
                    if let Some(slot) = self.layout.position {
                        out.set(slot, Value::Int(self.row));
                    }
                    self.row += 1;
                    return Ok(true);
                }
                Err(e) => {
                    return Err(QueryError::Read {
                        path: self.path.display().to_string(),
                        line: self.line_number(line_start),
                        message: e.0,
                    })
                }
            }
        }
    }
}

/// What was wrong with a line (the message names the byte offset within the line).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError(pub(crate) String);

type PResult<T> = Result<T, ParseError>;

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Decodes one line into the slots of `layout`.
fn parse_row(line: &[u8], layout: &ScanLayout, out: &mut ValueWriter<'_, '_>) -> PResult<()> {
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(e) => {
            return Err(ParseError(format!(
                "invalid UTF-8 at byte {}",
                e.valid_up_to()
            )))
        }
    };
    out.clear(layout);
    let arena = out.arena();
    let mut p = Parser::new(text);
    if let Some(whole) = layout.whole {
        let v = p.parse_value(arena, 0)?;
        p.expect_end()?;
        out.set(whole, v);
        if let Value::Tuple(fields) = v {
            for f in &layout.fields {
                // The last occurrence of a duplicated key wins, as in the projected path.
                if let Some((_, v)) = fields.iter().rev().find(|(k, _)| matches(f, k)) {
                    out.set(f.slot, *v);
                }
            }
        }
        return Ok(());
    }
    p.skip_ws();
    if p.peek() != Some(b'{') {
        // Not an object: it has no fields (they stay MISSING), but it must be valid.
        p.skip_value(0)?;
        return p.expect_end();
    }
    p.pos += 1;
    p.skip_ws();
    if p.peek() == Some(b'}') {
        p.pos += 1;
        return p.expect_end();
    }
    loop {
        p.skip_ws();
        if p.peek() != Some(b'"') {
            return Err(p.error("expected a string key"));
        }
        let key = match p.plain_key() {
            Some(k) => k,
            None => p.key(arena)?,
        };
        p.skip_ws();
        if p.peek() != Some(b':') {
            return Err(p.error("expected ':'"));
        }
        p.pos += 1;
        let mut wanted = layout.fields.iter().filter(|f| matches(f, key)).peekable();
        if wanted.peek().is_some() {
            let v = p.parse_value(arena, 1)?;
            for f in wanted {
                out.set(f.slot, v);
            }
        } else {
            p.skip_value(1)?;
        }
        p.skip_ws();
        match p.peek() {
            Some(b',') => p.pos += 1,
            Some(b'}') => {
                p.pos += 1;
                return p.expect_end();
            }
            _ => return Err(p.error("expected ',' or '}'")),
        }
    }
}

#[inline]
fn matches(f: &super::FieldSlot, key: &str) -> bool {
    if f.case_sensitive {
        f.name == key
    } else {
        f.name.eq_ignore_ascii_case(key)
    }
}

/// Parses one whole line as a JSON value.
#[cfg(test)]
pub(crate) fn parse_line<'a>(line: &str, arena: &'a Bump) -> PResult<Value<'a>> {
    let mut p = Parser::new(line);
    let v = p.parse_value(arena, 0)?;
    p.expect_end()?;
    Ok(v)
}

/// A JSON parser over one line of valid UTF-8 text.
struct Parser<'s> {
    text: &'s str,
    b: &'s [u8],
    pos: usize,
}

/// A string's content: borrowed from the line when it has no escapes.
enum Str<'s, 'a> {
    Line(&'s str),
    Arena(&'a str),
}

impl<'s> Parser<'s> {
    fn new(text: &'s str) -> Self {
        Parser {
            text,
            b: text.as_bytes(),
            pos: 0,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if !is_ws(c) {
                break;
            }
            self.pos += 1;
        }
    }

    #[cold]
    fn error(&self, what: &str) -> ParseError {
        match self.b.get(self.pos) {
            None => ParseError(format!("{what} at byte {} (end of line)", self.pos)),
            Some(&c) => {
                let found = if c.is_ascii_graphic() {
                    format!("'{}'", c as char)
                } else {
                    format!("byte 0x{c:02x}")
                };
                ParseError(format!("{what} at byte {}, found {found}", self.pos))
            }
        }
    }

    fn expect_end(&mut self) -> PResult<()> {
        self.skip_ws();
        if self.pos < self.b.len() {
            return Err(self.error("unexpected characters after the value"));
        }
        Ok(())
    }

    fn parse_value<'a>(&mut self, arena: &'a Bump, depth: usize) -> PResult<Value<'a>> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("expected a value")),
            Some(b'{') => self.parse_object(arena, depth + 1),
            Some(b'[') => self.parse_array(arena, depth + 1),
            Some(b'"') => Ok(Value::Str(self.string(arena)?)),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(arena),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn literal<'a>(&mut self, word: &str, v: Value<'a>) -> PResult<Value<'a>> {
        if self.b[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn parse_object<'a>(&mut self, arena: &'a Bump, depth: usize) -> PResult<Value<'a>> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.pos += 1; // '{'
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Tuple(&[]));
        }
        let mut fields: bumpalo::collections::Vec<'a, Field<'a>> =
            bumpalo::collections::Vec::new_in(arena);
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string(arena)?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            let v = self.parse_value(arena, depth)?;
            fields.push((key, v));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Tuple(fields.into_bump_slice()));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn parse_array<'a>(&mut self, arena: &'a Bump, depth: usize) -> PResult<Value<'a>> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.pos += 1; // '['
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::List(&[]));
        }
        let mut items: bumpalo::collections::Vec<'a, Value<'a>> =
            bumpalo::collections::Vec::new_in(arena);
        loop {
            let v = self.parse_value(arena, depth)?;
            items.push(v);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::List(items.into_bump_slice()));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    /// Scans a string starting at its opening quote; returns the byte range of its
    /// content and whether it has escapes. Checks escapes and control characters.
    fn scan_string(&mut self) -> PResult<(usize, usize, bool)> {
        self.pos += 1; // '"'
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.b.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    let end = self.pos;
                    self.pos += 1;
                    return Ok((start, end, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    match self.b.get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            self.hex4()?;
                        }
                        _ => return Err(self.error("invalid escape in string")),
                    }
                }
                Some(&c) if c < 0x20 => {
                    return Err(self.error("control character in string"));
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn hex4(&mut self) -> PResult<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.b.get(self.pos) {
                Some(&c) => (c as char).to_digit(16),
                None => None,
            };
            match d {
                Some(d) => v = v * 16 + d,
                None => return Err(self.error("expected 4 hex digits after \\u")),
            }
            self.pos += 1;
        }
        Ok(v)
    }

    /// A string value, copied into the arena.
    fn string<'a>(&mut self, arena: &'a Bump) -> PResult<&'a str> {
        Ok(match self.str_content(arena)? {
            Str::Line(s) => arena.alloc_str(s),
            Str::Arena(s) => s,
        })
    }

    /// The common key: no escapes and no control characters, borrowed from the line
    /// in one pass. `None` (position unchanged) sends the key to [`Parser::key`].
    #[inline]
    fn plain_key(&mut self) -> Option<&'s str> {
        let start = self.pos + 1;
        let mut i = start;
        while let Some(&c) = self.b.get(i) {
            if c == b'"' {
                self.pos = i + 1;
                // Quotes are ASCII, so these are character boundaries of the line.
                return Some(&self.text[start..i]);
            }
            if c == b'\\' || c < 0x20 {
                return None;
            }
            i += 1;
        }
        None
    }

    /// A key, compared and dropped: borrowed from the line unless it has escapes.
    fn key<'a, 'k>(&mut self, arena: &'a Bump) -> PResult<&'k str>
    where
        's: 'k,
        'a: 'k,
    {
        Ok(match self.str_content(arena)? {
            Str::Line(s) => s,
            Str::Arena(s) => s,
        })
    }

    fn str_content<'a>(&mut self, arena: &'a Bump) -> PResult<Str<'s, 'a>> {
        let (start, end, escaped) = self.scan_string()?;
        if !escaped {
            // Quotes are ASCII, so these are character boundaries of the line.
            return Ok(Str::Line(&self.text[start..end]));
        }
        let raw = &self.b[start..end];
        let mut s = bumpalo::collections::String::with_capacity_in(raw.len(), arena);
        let mut i = 0;
        while i < raw.len() {
            let run = memchr::memchr(b'\\', &raw[i..]).map_or(raw.len(), |k| i + k);
            s.push_str(&self.text[start + i..start + run]);
            i = run;
            if i >= raw.len() {
                break;
            }
            // raw[i] is '\\', and scan_string checked what follows.
            let c = raw.get(i + 1).copied().unwrap_or(b'\\');
            i += 2;
            match c {
                b'n' => s.push('\n'),
                b't' => s.push('\t'),
                b'r' => s.push('\r'),
                b'b' => s.push('\u{8}'),
                b'f' => s.push('\u{c}'),
                b'u' => {
                    let hi = hex_at(raw, i);
                    i += 4;
                    let code = if (0xD800..0xDC00).contains(&hi) {
                        let lo = if raw.get(i) == Some(&b'\\') && raw.get(i + 1) == Some(&b'u') {
                            hex_at(raw, i + 2)
                        } else {
                            u32::MAX
                        };
                        if !(0xDC00..0xE000).contains(&lo) {
                            self.pos = start + i;
                            return Err(self.error("unpaired surrogate in string"));
                        }
                        i += 6;
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else if (0xDC00..0xE000).contains(&hi) {
                        self.pos = start + i - 6;
                        return Err(self.error("unpaired surrogate in string"));
                    } else {
                        hi
                    };
                    match char::from_u32(code) {
                        Some(ch) => s.push(ch),
                        None => return Err(self.error("invalid \\u escape")),
                    }
                }
                other => s.push(other as char), // '"', '\\', '/'
            }
        }
        Ok(Str::Arena(s.into_bump_str()))
    }

    fn scan_number(&mut self) -> PResult<(usize, bool)> {
        let start = self.pos;
        let mut float = false;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            float = true;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after '.'"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent"));
            }
            self.digits();
        }
        Ok((start, float))
    }

    /// The common number: an integer of at most 18 digits (so it cannot overflow),
    /// read in one pass. `None` (position unchanged) for anything else: a fraction, an
    /// exponent, a leading zero, a bigger integer or an error.
    #[inline]
    fn small_int(&mut self) -> Option<i64> {
        let neg = self.peek() == Some(b'-');
        let start = self.pos + neg as usize;
        let mut i = start;
        let mut v: i64 = 0;
        while let Some(&c) = self.b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            v = v * 10 + (c - b'0') as i64;
            i += 1;
        }
        let n = i - start;
        let leading_zero = n > 1 && self.b[start] == b'0';
        if n == 0 || n > 18 || leading_zero || matches!(self.b.get(i), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.pos = i;
        Some(if neg { -v } else { v })
    }

    #[inline]
    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn number<'a>(&mut self, arena: &'a Bump) -> PResult<Value<'a>> {
        if let Some(i) = self.small_int() {
            return Ok(Value::Int(i));
        }
        let (start, float) = self.scan_number()?;
        let text = &self.text[start..self.pos];
        if !float {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Int(i));
            }
            if let Ok(i) = text.parse::<i128>() {
                return Ok(Value::BigInt(arena.alloc(i)));
            }
        }
        match text.parse::<f64>() {
            Ok(f) => Ok(Value::Float(f)),
            Err(_) => {
                self.pos = start;
                Err(self.error("invalid number"))
            }
        }
    }

    /// Passes over one value without building anything.
    fn skip_value(&mut self, depth: usize) -> PResult<()> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("expected a value")),
            Some(b'{' | b'[') => self.skip_container(depth),
            Some(b'"') => self.skip_string(),
            Some(b't') => self.literal("true", Value::Null).map(drop),
            Some(b'f') => self.literal("false", Value::Null).map(drop),
            Some(b'n') => self.literal("null", Value::Null).map(drop),
            Some(b'-' | b'0'..=b'9') => self.scan_number().map(drop),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    /// Skips a string from its opening quote, jumping between quotes and backslashes.
    #[inline]
    fn skip_string(&mut self) -> PResult<()> {
        let open = self.pos;
        self.pos += 1;
        // Short strings end within a few bytes: a plain loop beats setting up a search.
        let short_end = (self.pos + 24).min(self.b.len());
        while self.pos < short_end {
            match self.b[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => break,
                _ => self.pos += 1,
            }
        }
        loop {
            match memchr::memchr2(b'"', b'\\', &self.b[self.pos..]) {
                None => {
                    self.pos = open;
                    return Err(self.error("unterminated string"));
                }
                Some(k) => {
                    self.pos += k;
                    if self.b[self.pos] == b'"' {
                        self.pos += 1;
                        return Ok(());
                    }
                    // A backslash: skip it and the character it escapes.
                    self.pos += 2;
                    if self.pos > self.b.len() {
                        self.pos = open;
                        return Err(self.error("unterminated string"));
                    }
                }
            }
        }
    }

    /// Skips an array or object, checking that brackets balance and match.
    fn skip_container(&mut self, depth: usize) -> PResult<()> {
        // One bit per open container: 1 for an object, 0 for an array.
        let mut stack = [0u64; MAX_DEPTH / 64];
        let mut level = 0usize;
        let base = depth;
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(self.error("unterminated array or object"));
            };
            match c {
                b'"' => {
                    self.skip_string()?;
                    continue;
                }
                b'{' | b'[' => {
                    if base + level >= MAX_DEPTH {
                        return Err(self.error("nesting too deep"));
                    }
                    let (w, bit) = (level / 64, level % 64);
                    if c == b'{' {
                        stack[w] |= 1 << bit;
                    } else {
                        stack[w] &= !(1 << bit);
                    }
                    level += 1;
                }
                b'}' | b']' => {
                    if level == 0 {
                        return Err(self.error("unbalanced brackets"));
                    }
                    level -= 1;
                    let is_obj = stack[level / 64] & (1 << (level % 64)) != 0;
                    if is_obj != (c == b'}') {
                        return Err(self.error("mismatched brackets"));
                    }
                    if level == 0 {
                        self.pos += 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }
}

#[inline]
fn hex_at(raw: &[u8], i: usize) -> u32 {
    let mut v = 0u32;
    for k in 0..4 {
        let d = raw
            .get(i + k)
            .and_then(|&c| (c as char).to_digit(16))
            .unwrap_or(0);
        v = v * 16 + d;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::FieldSlot;
    use crate::value::OwnedValue;
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn owned(line: &str) -> OwnedValue {
        let arena = Bump::new();
        let v = parse_line(line, &arena).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        v.to_owned_value()
    }

    fn parse_err(line: &str) -> String {
        let arena = Bump::new();
        match parse_line(line, &arena) {
            Ok(v) => panic!("{line} parsed as {v:?}"),
            Err(e) => e.0,
        }
    }

    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    /// A temporary file removed on drop.
    struct TempFile(PathBuf);
    impl TempFile {
        fn new(content: &[u8]) -> TempFile {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir()
                .join(format!("cairn-jsonl-test-{}-{n}.jsonl", std::process::id()));
            let mut f = File::create(&path).unwrap();
            f.write_all(content).unwrap();
            TempFile(path)
        }
    }
    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn field(name: &str, slot: u32) -> FieldSlot {
        FieldSlot {
            name: name.into(),
            case_sensitive: true,
            slot,
        }
    }

    /// Reads every row of a reader, each as the owned values of `nslots` slots.
    fn read_all(
        reader: &mut dyn RowReader,
        nslots: usize,
    ) -> Result<Vec<Vec<OwnedValue>>, QueryError> {
        let mut rows = Vec::new();
        loop {
            let arena = Bump::new();
            let mut regs = vec![Value::Missing; nslots];
            let mut w = ValueWriter::new(&mut regs, &arena);
            if !reader.next_row(&mut w)? {
                return Ok(rows);
            }
            rows.push(regs.iter().map(|v| v.to_owned_value()).collect());
        }
    }

    fn read_file(
        content: &str,
        layout: &ScanLayout,
        nslots: usize,
    ) -> Result<Vec<Vec<OwnedValue>>, QueryError> {
        let f = TempFile::new(content.as_bytes());
        let src = JsonLinesSource::new(&f.0);
        let mut r = src.open(layout)?;
        read_all(&mut *r, nslots)
    }

    #[test]
    fn parses_all_value_kinds() {
        assert_eq!(owned("null"), OwnedValue::Null);
        assert_eq!(owned(" true "), OwnedValue::Bool(true));
        assert_eq!(owned("false"), OwnedValue::Bool(false));
        assert_eq!(owned("0"), OwnedValue::Int(0));
        assert_eq!(owned("-42"), OwnedValue::Int(-42));
        assert_eq!(owned("9223372036854775807"), OwnedValue::Int(i64::MAX));
        assert_eq!(owned("-9223372036854775808"), OwnedValue::Int(i64::MIN));
        assert_eq!(
            owned("9223372036854775808"),
            OwnedValue::BigInt(9223372036854775808)
        );
        assert_eq!(
            owned("123456789012345678901234567890123456789012"),
            OwnedValue::Float(123456789012345678901234567890123456789012.0)
        );
        assert_eq!(owned("1.5"), OwnedValue::Float(1.5));
        assert_eq!(owned("-2.5e3"), OwnedValue::Float(-2500.0));
        assert_eq!(owned("1E2"), OwnedValue::Float(100.0));
        assert_eq!(owned("1e-2"), OwnedValue::Float(0.01));
        assert_eq!(owned("\"hi\""), OwnedValue::Str("hi".into()));
        assert_eq!(owned("\"héllo ✓\""), OwnedValue::Str("héllo ✓".into()));
        assert_eq!(owned("[]"), OwnedValue::List(vec![]));
        assert_eq!(
            owned("[1, \"a\", [null], {}]"),
            OwnedValue::List(vec![
                OwnedValue::Int(1),
                OwnedValue::Str("a".into()),
                OwnedValue::List(vec![OwnedValue::Null]),
                OwnedValue::Tuple(vec![]),
            ])
        );
        assert_eq!(
            owned(r#"{"a": 1, "b": {"c": [true, 2.0]}, "d": null}"#),
            OwnedValue::tuple([
                ("a", OwnedValue::Int(1)),
                (
                    "b",
                    OwnedValue::tuple([(
                        "c",
                        OwnedValue::List(vec![OwnedValue::Bool(true), OwnedValue::Float(2.0)])
                    )])
                ),
                ("d", OwnedValue::Null),
            ])
        );
    }

    #[test]
    fn parses_escapes() {
        assert_eq!(
            owned(r#""a\nb\"c\\d\/e\tf\rg\bh\fi""#),
            OwnedValue::Str("a\nb\"c\\d/e\tf\rg\u{8}h\u{c}i".into())
        );
        assert_eq!(
            owned(r#""\u0041\u00e9\u2713""#),
            OwnedValue::Str("Aé✓".into())
        );
        assert_eq!(owned(r#""\ud83d\ude00!""#), OwnedValue::Str("😀!".into()));
        assert_eq!(owned(r#""x\uD834\uDD1Ey""#), OwnedValue::Str("x𝄞y".into()));
        assert_eq!(
            owned(r#"{"k\"ey": "v"}"#),
            OwnedValue::tuple([("k\"ey", OwnedValue::Str("v".into()))])
        );
        assert!(parse_err(r#""\ud83d""#).contains("unpaired surrogate"));
        assert!(parse_err(r#""\ude00""#).contains("unpaired surrogate"));
        assert!(parse_err(r#""\ud83dx""#).contains("unpaired surrogate"));
        assert!(parse_err(r#""\u12""#).contains("hex digits"));
        assert!(parse_err(r#""\q""#).contains("invalid escape"));
        assert!(parse_err("\"a\tb\"").contains("control character"));
    }

    #[test]
    fn reports_what_is_wrong_and_where() {
        assert_eq!(
            parse_err(r#"{"a": 1 "b": 2}"#),
            "expected ',' or '}' at byte 8, found '\"'"
        );
        assert!(parse_err(r#"{"a" 1}"#).starts_with("expected ':' at byte 5"));
        assert!(parse_err(r#"{"a": 1,}"#).starts_with("expected a string key at byte 8"));
        assert!(parse_err("[1, 2").contains("expected ',' or ']' at byte 5 (end of line)"));
        assert!(parse_err("[1 2]").contains("expected ',' or ']'"));
        assert!(parse_err("tru").contains("invalid literal"));
        assert!(parse_err("01").contains("unexpected characters after the value"));
        assert!(parse_err("1.").contains("digit after '.'"));
        assert!(parse_err("1e+").contains("exponent"));
        assert!(parse_err("-").contains("invalid number"));
        assert!(parse_err("\"abc").contains("unterminated string"));
        assert!(parse_err("{} x").contains("unexpected characters"));
        assert!(parse_err("").contains("expected a value"));
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse_err(&deep).contains("nesting too deep"));
    }

    #[test]
    fn reads_rows_with_positions_and_blank_lines() {
        let layout = ScanLayout {
            whole: Some(0),
            fields: vec![field("a", 1)],
            position: Some(2),
            key_filters: Vec::new(),
        };
        let rows = read_file("{\"a\": 1}\n\n   \r\n{\"b\": 2}\r\n[3]", &layout, 3).unwrap();
        assert_eq!(
            rows,
            vec![
                vec![
                    OwnedValue::tuple([("a", OwnedValue::Int(1))]),
                    OwnedValue::Int(1),
                    OwnedValue::Int(0)
                ],
                vec![
                    OwnedValue::tuple([("b", OwnedValue::Int(2))]),
                    OwnedValue::Missing,
                    OwnedValue::Int(1)
                ],
                vec![
                    OwnedValue::List(vec![OwnedValue::Int(3)]),
                    OwnedValue::Missing,
                    OwnedValue::Int(2)
                ],
            ]
        );
    }

    #[test]
    fn projection_skips_other_fields_and_leaves_missing() {
        let layout = ScanLayout {
            whole: None,
            fields: vec![
                field("b", 0),
                field("z", 1),
                FieldSlot {
                    name: "CASE".into(),
                    case_sensitive: false,
                    slot: 2,
                },
            ],
            position: None,
            key_filters: Vec::new(),
        };
        let content = concat!(
            r#"{"a": {"x": [1, {"y": "}]\"\\"}], "q": "{["}, "b": [1, {"c": 2}], "s": "a\"b\\", "case": 7}"#,
            "\n",
            r#"{"nested": [[[[{"b": 1}]]]], "n": -1.5e3, "t": true, "f": false, "u": null}"#,
            "\n",
            r#"{"z": "\u00e9", "b": 5, "b": 6}"#,
            "\n",
            "17\n",
            "{}\n",
        );
        let rows = read_file(content, &layout, 3).unwrap();
        use OwnedValue as O;
        assert_eq!(
            rows,
            vec![
                vec![
                    O::List(vec![O::Int(1), O::tuple([("c", O::Int(2))])]),
                    O::Missing,
                    O::Int(7)
                ],
                vec![O::Missing, O::Missing, O::Missing],
                vec![O::Int(6), O::Str("é".into()), O::Missing],
                vec![O::Missing, O::Missing, O::Missing],
                vec![O::Missing, O::Missing, O::Missing],
            ]
        );
        // A field the previous row had does not leak into the next.
        let rows = read_file("{\"b\": 1}\n{\"c\": 1}\n", &layout, 3).unwrap();
        assert_eq!(rows[1][0], O::Missing);
    }

    #[test]
    fn skipper_rejects_broken_skipped_values() {
        let layout = ScanLayout {
            whole: None,
            fields: vec![field("b", 0)],
            position: None,
            key_filters: Vec::new(),
        };
        for bad in [
            r#"{"a": [1, 2}, "b": 1}"#,
            r#"{"a": "abc, "b": 1}"#,
            r#"{"a": [[[], "b": 1}"#,
            r#"{"a": tru, "b": 1}"#,
            r#"{"a": 1 "b": 1}"#,
            r#"{"a": 1, "b": 1"#,
            r#"{"a": 1, "b": 1} x"#,
        ] {
            let err = read_file(bad, &layout, 1).unwrap_err();
            assert!(
                matches!(err, QueryError::Read { line: 1, .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn bad_lines_name_path_and_line_number() {
        let layout = ScanLayout::whole_row(0);
        let f = TempFile::new(b"{\"a\": 1}\n\n{\"a\": 2}\n{\"a\": 3 \"b\": 4}\n{\"a\": 5}\n");
        let src = JsonLinesSource::new(&f.0);
        let mut r = src.open(&layout).unwrap();
        let err = read_all(&mut *r, 1).unwrap_err();
        match &err {
            QueryError::Read {
                path,
                line,
                message,
            } => {
                assert_eq!(path, &f.0.display().to_string());
                assert_eq!(*line, 4);
                assert_eq!(message, "expected ',' or '}' at byte 8, found '\"'");
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains(":4: expected ',' or '}'"));

        // A partition reader starting mid-file counts the lines before it on error.
        for parts in 1..6 {
            let mut errors = Vec::new();
            for part in 0..parts {
                let mut r = src.open_partition(&layout, part, parts).unwrap().unwrap();
                if let Err(QueryError::Read { line, .. }) = read_all(&mut *r, 1) {
                    errors.push(line);
                }
            }
            assert_eq!(errors, vec![4], "{parts} parts");
        }

        let bad_utf8 = TempFile::new(b"{\"a\": 1}\n{\"a\": \"\xff\"}\n");
        let mut r = JsonLinesSource::new(&bad_utf8.0).open(&layout).unwrap();
        let err = read_all(&mut *r, 1).unwrap_err();
        assert!(
            matches!(&err, QueryError::Read { line: 2, message, .. } if message == "invalid UTF-8 at byte 7"),
            "{err}"
        );
    }

    #[test]
    fn open_error_names_the_path() {
        let src = JsonLinesSource::new("/nonexistent/cairn/table.jsonl");
        match src.open(&ScanLayout::whole_row(0)) {
            Err(QueryError::Io { path, .. }) => assert_eq!(path, "/nonexistent/cairn/table.jsonl"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("opened"),
        }
        assert!(src.open_partition(&ScanLayout::whole_row(0), 1, 2).is_err());
        assert_eq!(src.stability(), BufferStability::UntilNext);
    }

    #[test]
    fn partitions_cover_every_line_once() {
        let mut content = String::new();
        let mut seed = 12345u64;
        for i in 0..200 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pad = "x".repeat((seed >> 33) as usize % 40);
            content.push_str(&format!("{{\"i\": {i}, \"pad\": \"{pad}\"}}\n"));
            if seed & 7 == 0 {
                content.push('\n');
            }
        }
        for trailing_newline in [true, false] {
            let text = if trailing_newline {
                content.clone()
            } else {
                content.trim_end().to_string()
            };
            let f = TempFile::new(text.as_bytes());
            let src = JsonLinesSource::new(&f.0);
            let layout = ScanLayout {
                whole: None,
                fields: vec![field("i", 0)],
                position: None,
                key_filters: Vec::new(),
            };
            for parts in [1, 2, 3, 4, 7, 16, 64, 500, 5000] {
                let mut seen = Vec::new();
                for part in 0..parts {
                    let mut r = src.open_partition(&layout, part, parts).unwrap().unwrap();
                    for row in read_all(&mut *r, 1).unwrap() {
                        match row[0] {
                            OwnedValue::Int(i) => seen.push(i),
                            ref other => panic!("{other:?}"),
                        }
                    }
                }
                assert!(src.open_partition(&layout, parts, parts).unwrap().is_none());
                seen.sort();
                assert_eq!(seen, (0..200).collect::<Vec<i64>>(), "{parts} parts");
            }
        }
    }

    #[test]
    fn never_panics_on_garbage_or_truncations() {
        let samples = [
            r#"{"a": [1, -2.5e-3, "x\"\\\u00e9\ud83d\ude00", {"b": null, "c": [true, false]}], "d": {}}"#,
            r#"[{"k": "v"}, [[]], "s", 0, -0.0, 1E+9]"#,
        ];
        let layouts = [
            ScanLayout::whole_row(0),
            ScanLayout {
                whole: None,
                fields: vec![field("a", 0), field("d", 1)],
                position: Some(2),
                key_filters: Vec::new(),
            },
        ];
        let check = |bytes: &[u8]| {
            for layout in &layouts {
                let arena = Bump::new();
                let mut regs = vec![Value::Missing; 3];
                let mut w = ValueWriter::new(&mut regs, &arena);
                let _ = parse_row(bytes, layout, &mut w);
            }
        };
        let mut seed = 0x9E3779B97F4A7C15u64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for s in samples {
            let b = s.as_bytes();
            for cut in 0..=b.len() {
                check(&b[..cut]);
                check(&b[cut..]);
            }
            for _ in 0..3000 {
                let mut m = b.to_vec();
                for _ in 0..1 + rand() % 4 {
                    let i = (rand() as usize) % m.len();
                    let alphabet = b"{}[]\",:\\u0123456789abcdefDEnulltrs -.eE+\xff\xc3";
                    m[i] = alphabet[(rand() as usize) % alphabet.len()];
                }
                check(&m);
            }
        }
        for _ in 0..5000 {
            let len = (rand() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let alphabet = b"{}[]\",:\\u0123456789abcdefDEnulltrs -.eE+";
                    alphabet[(rand() as usize) % alphabet.len()]
                })
                .collect();
            check(&bytes);
        }
    }

    #[test]
    fn agrees_with_serde_json_on_valid_lines() {
        let lines = [
            r#"{"a": 1, "b": [1.25, "two", null, true], "c": {"d": "\u00e9\n"}}"#,
            r#"[-0, 1e10, 12345678901234, "\"\\\/"]"#,
        ];
        for l in lines {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            let expected = crate::value::json::from_json(&j).unwrap();
            assert!(owned(l).test_eq(&expected), "{l}");
        }
    }
}
