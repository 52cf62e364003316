//! Byte encoding of the graph's records, written by hand so that a reader can skip a
//! field without decoding it (projection pushdown reads only what a query uses).
//!
//! Every record is a sequence of fields in a fixed order. Integers are LEB128 varints;
//! strings and byte strings are a varint length followed by the bytes; a list is a
//! varint count followed by its items. A record starts with a one-byte format version
//! ([`RECORD_VERSION`]) so a future layout can be told apart.
//!
//! A corrupt or truncated record decodes to [`DecodeError`], never to a panic.

/// The version byte every record starts with.
pub const RECORD_VERSION: u8 = 1;

/// What was wrong with an encoded record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt {record} record: {what} at byte {offset}")]
pub struct DecodeError {
    pub record: &'static str,
    pub what: &'static str,
    pub offset: usize,
}

/// Appends fields to a buffer.
#[derive(Default)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// A new record, version byte written.
    pub fn record() -> Encoder {
        Encoder::record_of(256)
    }

    /// A new record with room for about `bytes` bytes (a guess, not a limit: it
    /// spares the buffer's regrowth when the caller can tell).
    pub fn record_of(bytes: usize) -> Encoder {
        Encoder::append_to(Vec::new(), bytes)
    }

    /// A new record appended to `buf` after the bytes it holds, with room reserved
    /// for about `bytes` more; [`Self::finish`] gives `buf` back. Encodes straight
    /// into a buffer of the caller's (a write batch) instead of a record's own.
    pub fn append_to(mut buf: Vec<u8>, bytes: usize) -> Encoder {
        buf.reserve(bytes.max(16));
        buf.push(RECORD_VERSION);
        Encoder { buf }
    }

    /// Appends an encoded record as a byte string, without an intermediate buffer:
    /// `write` appends the record's fields to the encoder it is given, whose bytes
    /// (after the version byte) are `len - 1` long.
    pub fn nested(&mut self, len: usize, write: impl FnOnce(&mut Encoder)) -> &mut Self {
        self.u64(len as u64);
        let start = self.buf.len();
        self.buf.push(RECORD_VERSION);
        write(self);
        debug_assert_eq!(self.buf.len() - start, len, "nested record length");
        self
    }

    pub fn u64(&mut self, mut v: u64) -> &mut Self {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(byte);
                return self;
            }
            self.buf.push(byte | 0x80);
        }
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.u64(u64::from(v))
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        self.buf.extend_from_slice(b);
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads fields back in the order they were written.
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    record: &'static str,
}

impl<'a> Decoder<'a> {
    /// Starts reading a record, checking its version byte.
    pub fn record(buf: &'a [u8], record: &'static str) -> Result<Decoder<'a>, DecodeError> {
        let mut d = Decoder {
            buf,
            pos: 0,
            record,
        };
        let version = d.byte()?;
        if version != RECORD_VERSION {
            return Err(d.error("unknown record version"));
        }
        Ok(d)
    }

    /// Reads fields from bytes that have no version byte (a slice inside a record).
    pub fn raw(buf: &'a [u8], record: &'static str) -> Decoder<'a> {
        Decoder {
            buf,
            pos: 0,
            record,
        }
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    pub fn error(&self, what: &'static str) -> DecodeError {
        DecodeError {
            record: self.record,
            what,
            offset: self.pos,
        }
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or_else(|| self.error("record ends early"))?;
        self.pos += 1;
        Ok(b)
    }

    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.error("varint too long"))
    }

    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.u64()?).map_err(|_| self.error("integer out of range"))
    }

    /// A count of items that follow, bounded by the bytes left (each item takes at
    /// least one byte), so a corrupt count cannot make a caller reserve huge memory.
    pub fn count(&mut self) -> Result<usize, DecodeError> {
        let n = self.u64()?;
        if n > (self.buf.len() - self.pos) as u64 {
            return Err(self.error("count larger than the record"));
        }
        Ok(n as usize)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.u64()?;
        let end = self
            .pos
            .checked_add(usize::try_from(len).map_err(|_| self.error("length out of range"))?)
            .filter(|&end| end <= self.buf.len())
            .ok_or_else(|| self.error("length past the end of the record"))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub fn str(&mut self) -> Result<&'a str, DecodeError> {
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|_| self.error("string is not UTF-8"))
    }

    /// Skips a string or byte-string field.
    pub fn skip_bytes(&mut self) -> Result<(), DecodeError> {
        self.bytes().map(|_| ())
    }

    pub fn is_done(&self) -> bool {
        self.pos == self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let mut e = Encoder::record();
        e.u64(0)
            .u64(300)
            .u64(u64::MAX)
            .str("héllo")
            .bytes(&[1, 2, 3]);
        let buf = e.finish();
        let mut d = Decoder::record(&buf, "test").unwrap();
        assert_eq!(d.u64().unwrap(), 0);
        assert_eq!(d.u64().unwrap(), 300);
        assert_eq!(d.u64().unwrap(), u64::MAX);
        assert_eq!(d.str().unwrap(), "héllo");
        assert_eq!(d.bytes().unwrap(), &[1, 2, 3]);
        assert!(d.is_done());
    }

    #[test]
    fn truncated_and_corrupt_records_are_errors() {
        let mut e = Encoder::record();
        e.str("hello").u64(1 << 40);
        let buf = e.finish();
        for cut in 0..buf.len() {
            let r = Decoder::record(&buf[..cut], "test").and_then(|mut d| {
                d.str()?;
                d.u64()
            });
            assert!(r.is_err(), "cut at {cut} decoded");
        }
        let mut bad = buf.clone();
        bad[0] = 9;
        assert_eq!(
            Decoder::record(&bad, "test").err().map(|e| e.what),
            Some("unknown record version")
        );
        let mut huge = Encoder::record();
        huge.u64(u64::MAX);
        let huge = huge.finish();
        assert!(Decoder::record(&huge, "test").unwrap().bytes().is_err());
        assert!(Decoder::record(&huge, "test").unwrap().count().is_err());
    }
}
