//! [`WriteBatch`]: an atomic group of writes across keyspaces.
//!
//! The batch is kept in its WAL encoding so a commit appends it without re-encoding.
//! Each operation is `kind u8 | keyspace u16 | key_len u32 | key | [value_len u32 | value]`
//! (the value part only for puts), little-endian.

use crate::error::{Error, Result};
use crate::keyspace::Keyspace;
use crate::options::{MAX_BATCH_BYTES, MAX_KEY_LEN, MAX_VALUE_LEN};
use crate::util::Reader;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Kind {
    Delete = 0,
    Put = 1,
}

impl Kind {
    pub(crate) fn from_u8(b: u8) -> Option<Kind> {
        match b {
            0 => Some(Kind::Delete),
            1 => Some(Kind::Put),
            _ => None,
        }
    }
}

/// Writes that become visible together, or not at all.
#[derive(Debug, Default, Clone)]
pub struct WriteBatch {
    pub(crate) data: Vec<u8>,
    pub(crate) count: u32,
    invalid: Option<String>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty batch with room for about `bytes` bytes of encoded operations (see
    /// the format above), so a caller that can tell spares the buffer's regrowth.
    pub fn with_capacity(bytes: usize) -> Self {
        WriteBatch {
            data: Vec::with_capacity(bytes),
            ..Self::default()
        }
    }

    /// Bytes a put of a `key_len`-byte key and a `value_len`-byte value adds to a
    /// batch: for sizing one with [`Self::with_capacity`].
    pub fn put_len(key_len: usize, value_len: usize) -> usize {
        1 + 2 + 4 + key_len + 4 + value_len
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether the batch holds no operation.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Makes room for at least `bytes` more bytes of encoded operations.
    pub fn reserve(&mut self, bytes: usize) {
        self.data.reserve(bytes);
    }

    /// Empties the batch, keeping its buffer.
    pub fn clear(&mut self) {
        self.data.clear();
        self.count = 0;
        self.invalid = None;
    }

    fn push(&mut self, kind: Kind, ks: &Keyspace, key: &[u8], value: Option<&[u8]>) {
        if key.len() > MAX_KEY_LEN {
            self.invalid = Some(format!("key of {} bytes exceeds {MAX_KEY_LEN}", key.len()));
            return;
        }
        if let Some(v) = value {
            if v.len() > MAX_VALUE_LEN {
                self.invalid = Some(format!(
                    "value of {} bytes exceeds {MAX_VALUE_LEN}",
                    v.len()
                ));
                return;
            }
        }
        encode_op(&mut self.data, kind, ks.id, key, value.unwrap_or_default());
        self.count += 1;
    }

    /// Sets `key` to `value` in `ks`.
    pub fn put(&mut self, ks: &Keyspace, key: &[u8], value: &[u8]) {
        self.push(Kind::Put, ks, key, Some(value));
    }

    /// Sets `key` in `ks` to the bytes `write` appends to the buffer it is given: the
    /// value is encoded straight into the batch, without a buffer of its own and a
    /// copy. `write` must only append. A value over the size limit leaves the batch
    /// as it was and invalid, as [`Self::put`] does.
    pub fn put_with(&mut self, ks: &Keyspace, key: &[u8], write: impl FnOnce(&mut Vec<u8>)) {
        if key.len() > MAX_KEY_LEN {
            self.invalid = Some(format!("key of {} bytes exceeds {MAX_KEY_LEN}", key.len()));
            return;
        }
        let op_start = self.data.len();
        encode_op(&mut self.data, Kind::Delete, ks.id, key, &[]);
        self.data[op_start] = Kind::Put as u8;
        let len_at = self.data.len();
        self.data.extend_from_slice(&[0; 4]);
        write(&mut self.data);
        assert!(
            self.data.len() >= len_at + 4,
            "put_with's writer truncated the batch"
        );
        let value_len = self.data.len() - len_at - 4;
        if value_len > MAX_VALUE_LEN {
            self.data.truncate(op_start);
            self.invalid = Some(format!(
                "value of {value_len} bytes exceeds {MAX_VALUE_LEN}"
            ));
            return;
        }
        self.data[len_at..len_at + 4].copy_from_slice(&(value_len as u32).to_le_bytes());
        self.count += 1;
    }

    /// Deletes `key` from `ks`.
    pub fn delete(&mut self, ks: &Keyspace, key: &[u8]) {
        self.push(Kind::Delete, ks, key, None);
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(why) = &self.invalid {
            return Err(Error::InvalidArgument(why.clone()));
        }
        if self.data.len() > MAX_BATCH_BYTES {
            return Err(Error::InvalidArgument(format!(
                "batch of {} bytes exceeds {MAX_BATCH_BYTES}",
                self.data.len()
            )));
        }
        Ok(())
    }
}

/// Appends the encoding of one operation (the value is ignored for deletes).
pub(crate) fn encode_op(out: &mut Vec<u8>, kind: Kind, ks: u16, key: &[u8], value: &[u8]) {
    out.push(kind as u8);
    out.extend_from_slice(&ks.to_le_bytes());
    crate::util::put_len_bytes(out, key);
    if kind == Kind::Put {
        crate::util::put_len_bytes(out, value);
    }
}

/// Bytes of the encoding of one operation.
pub(crate) fn encoded_len(kind: Kind, key: &[u8], value: &[u8]) -> usize {
    match kind {
        Kind::Put => WriteBatch::put_len(key.len(), value.len()),
        Kind::Delete => 1 + 2 + 4 + key.len(),
    }
}

/// Checks the sizes of a single operation as `WriteBatch` would.
pub(crate) fn validate_op(key: &[u8], value: &[u8]) -> Result<()> {
    if key.len() > MAX_KEY_LEN {
        return Err(Error::InvalidArgument(format!(
            "key of {} bytes exceeds {MAX_KEY_LEN}",
            key.len()
        )));
    }
    if value.len() > MAX_VALUE_LEN {
        return Err(Error::InvalidArgument(format!(
            "value of {} bytes exceeds {MAX_VALUE_LEN}",
            value.len()
        )));
    }
    Ok(())
}

/// One decoded operation of an encoded batch.
pub(crate) struct Op<'a> {
    pub kind: Kind,
    pub ks: u16,
    pub key: &'a [u8],
    pub value: &'a [u8],
}

/// Decodes the operations of an encoded batch; `None` on malformed bytes.
pub(crate) fn decode_ops(data: &[u8], count: u32) -> Option<Vec<Op<'_>>> {
    let mut r = Reader::new(data);
    let mut ops = Vec::with_capacity(count.min(1 << 16) as usize);
    for _ in 0..count {
        let kind = Kind::from_u8(r.u8()?)?;
        let ks = r.u16()?;
        let key = r.len_bytes(MAX_KEY_LEN)?;
        let value = match kind {
            Kind::Put => r.len_bytes(MAX_VALUE_LEN)?,
            Kind::Delete => &[],
        };
        ops.push(Op {
            kind,
            ks,
            key,
            value,
        });
    }
    if !r.is_empty() {
        return None;
    }
    Some(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyspace(id: u16) -> Keyspace {
        Keyspace {
            id,
            name: format!("ks{id}").into(),
        }
    }

    #[test]
    fn put_with_encodes_as_put_does() {
        let (a, b) = (keyspace(3), keyspace(7));
        let mut by_put = WriteBatch::new();
        by_put.put(&a, b"k1", b"value one");
        by_put.delete(&b, b"gone");
        by_put.put(&b, b"k2", b"");
        let mut by_writer = WriteBatch::with_capacity(64);
        by_writer.put_with(&a, b"k1", |out| out.extend_from_slice(b"value one"));
        by_writer.delete(&b, b"gone");
        by_writer.put_with(&b, b"k2", |_| {});
        assert_eq!(by_writer.data, by_put.data);
        assert_eq!(by_writer.len(), 3);
        assert_eq!(
            by_put.data.len(),
            WriteBatch::put_len(2, 9)
                + encoded_len(Kind::Delete, b"gone", &[])
                + WriteBatch::put_len(2, 0)
        );
        let ops = decode_ops(&by_writer.data, 3).expect("decodes");
        assert_eq!(
            (ops[0].kind, ops[0].ks, ops[0].key),
            (Kind::Put, 3, &b"k1"[..])
        );
        assert_eq!(ops[0].value, b"value one");
        assert_eq!((ops[2].kind, ops[2].value), (Kind::Put, &b""[..]));
        assert!(by_writer.validate().is_ok());
    }

    #[test]
    fn put_with_refuses_oversized_values_and_keys_and_keeps_the_batch() {
        let ks = keyspace(1);
        let mut batch = WriteBatch::new();
        batch.put(&ks, b"kept", b"v");
        let before = batch.data.clone();
        batch.put_with(&ks, b"big", |out| {
            out.resize(out.len() + MAX_VALUE_LEN + 1, 7)
        });
        assert_eq!(
            batch.data, before,
            "the oversized operation is taken back out"
        );
        assert_eq!(batch.len(), 1);
        let err = batch
            .validate()
            .expect_err("an oversized value invalidates the batch");
        assert!(err.to_string().contains("exceeds"), "{err}");

        let mut batch = WriteBatch::new();
        batch.put_with(&ks, &vec![0; MAX_KEY_LEN + 1], |_| panic!("not called"));
        assert!(batch.is_empty());
        assert!(batch.validate().is_err());
    }
}
