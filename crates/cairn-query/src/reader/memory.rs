//! An in-memory table of owned values.

use super::{BufferStability, RowReader, ScanLayout, Source, ValueWriter};
use crate::error::QueryError;
use crate::value::{OwnedValue, Value};
use bumpalo::Bump;
use std::sync::Arc;

/// A table held in memory: a collection of rows (usually tuples).
#[derive(Debug, Clone)]
pub struct MemorySource {
    rows: Arc<Vec<OwnedValue>>,
}

impl MemorySource {
    pub fn new(rows: Vec<OwnedValue>) -> Self {
        MemorySource {
            rows: Arc::new(rows),
        }
    }

    pub fn rows(&self) -> &[OwnedValue] {
        &self.rows
    }
}

impl Source for MemorySource {
    fn describe(&self) -> String {
        format!("memory table ({} rows)", self.rows.len())
    }

    fn stability(&self) -> BufferStability {
        BufferStability::UntilClose
    }

    fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
        Ok(Box::new(MemoryReader {
            rows: Arc::clone(&self.rows),
            layout: layout.clone(),
            pos: 0,
            end: self.rows.len(),
        }))
    }

    fn open_partition(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<Box<dyn RowReader>>, QueryError> {
        let n = self.rows.len();
        let parts = parts.max(1);
        let (start, end) = (n * part / parts, n * (part + 1) / parts);
        Ok(Some(Box::new(MemoryReader {
            rows: Arc::clone(&self.rows),
            layout: layout.clone(),
            pos: start,
            end,
        })))
    }
}

struct MemoryReader {
    rows: Arc<Vec<OwnedValue>>,
    layout: ScanLayout,
    pos: usize,
    end: usize,
}

/// Copies an owned value into `arena`, for the VM to borrow.
pub fn copy_into<'a>(v: &OwnedValue, arena: &'a Bump) -> Value<'a> {
    match v {
        OwnedValue::Missing => Value::Missing,
        OwnedValue::Null => Value::Null,
        OwnedValue::Bool(b) => Value::Bool(*b),
        OwnedValue::Int(i) => Value::Int(*i),
        OwnedValue::Float(f) => Value::Float(*f),
        OwnedValue::Str(s) => Value::Str(arena.alloc_str(s)),
        other => other.as_value(arena).deep_copy(arena),
    }
}

impl RowReader for MemoryReader {
    fn next_row(&mut self, out: &mut ValueWriter<'_, '_>) -> Result<bool, QueryError> {
        if self.pos >= self.end {
            return Ok(false);
        }
        let row = &self.rows[self.pos];
        let arena = out.arena();
        if let Some(slot) = self.layout.whole {
            out.set(slot, copy_into(row, arena));
        }
        if !self.layout.fields.is_empty() {
            for f in &self.layout.fields {
                out.set(f.slot, Value::Missing);
            }
            if let OwnedValue::Tuple(fields) = row {
                for f in &self.layout.fields {
                    let found = fields.iter().find(|(k, _)| {
                        if f.case_sensitive {
                            k == &f.name
                        } else {
                            k.eq_ignore_ascii_case(&f.name)
                        }
                    });
                    if let Some((_, v)) = found {
                        out.set(f.slot, copy_into(v, arena));
                    }
                }
            }
        }
        if let Some(slot) = self.layout.position {
            out.set(slot, Value::Int(self.pos as i64));
        }
        self.pos += 1;
        Ok(true)
    }
}
