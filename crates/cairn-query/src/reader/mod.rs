//! Readers: how table data enters the VM.
//!
//! A [`Source`] is a named table in the catalog. For each scan it opens a [`RowReader`]
//! configured with a [`ScanLayout`] (which fields the query uses, and into which slots),
//! so that it decodes only those. The reader writes each row into the VM's slots through
//! a [`ValueWriter`], allocating anything it must copy in the arena the writer carries.
//! A source declares its [`BufferStability`], which tells blocking operators whether
//! rows must be copied before the reader moves on.

mod jsonl;
mod memory;

pub use jsonl::JsonLinesSource;
pub use memory::MemorySource;

use crate::error::QueryError;
use crate::plan::Reg;
use crate::value::Value;
use bumpalo::Bump;

/// How long the memory behind a row a reader produced stays valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufferStability {
    /// Until the reader is asked for the next row (it reuses its buffers).
    UntilNext,
    /// Until the reader is closed (its data is stable, e.g. held in memory).
    UntilClose,
}

/// Which parts of each row a scan needs, and the slots they go to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScanLayout {
    /// The whole row, when the query uses the row variable itself.
    pub whole: Option<Reg>,
    /// Top-level fields the query reads (`r.a`), matched case-sensitively when the flag
    /// says so, each into its slot. MISSING when the row lacks the field.
    pub fields: Vec<FieldSlot>,
    /// `AT i`: the row's ordinal position.
    pub position: Option<Reg>,
    /// Equalities the query's filter requires of every row, on fields the source
    /// declared in [`Source::indexed_fields`]: the reader may look rows up by them
    /// instead of scanning. The filter still runs, so returning extra rows is safe.
    pub key_filters: Vec<KeyFilter>,
}

/// `field = value`, pushed down from a filter into a scan.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyFilter {
    pub field: String,
    pub value: crate::value::OwnedValue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldSlot {
    pub name: String,
    pub case_sensitive: bool,
    pub slot: Reg,
}

impl ScanLayout {
    /// The layout that decodes whole rows into `slot`.
    pub fn whole_row(slot: Reg) -> ScanLayout {
        ScanLayout {
            whole: Some(slot),
            ..ScanLayout::default()
        }
    }

    /// Whether a field of a row is needed, and where it goes.
    pub fn slot_of(&self, field: &str) -> Option<Reg> {
        self.fields
            .iter()
            .find(|f| {
                if f.case_sensitive {
                    f.name == field
                } else {
                    f.name.eq_ignore_ascii_case(field)
                }
            })
            .map(|f| f.slot)
    }
}

/// Writes the values of one row into the VM's slots.
pub struct ValueWriter<'w, 'a> {
    regs: &'w mut [Value<'a>],
    arena: &'a Bump,
}

impl<'w, 'a> ValueWriter<'w, 'a> {
    pub fn new(regs: &'w mut [Value<'a>], arena: &'a Bump) -> Self {
        ValueWriter { regs, arena }
    }

    /// The arena that values written now may point into.
    #[inline]
    pub fn arena(&self) -> &'a Bump {
        self.arena
    }

    #[inline]
    pub fn set(&mut self, slot: Reg, value: Value<'a>) {
        self.regs[slot as usize] = value;
    }

    /// Sets every slot of `layout` to MISSING (before a row fills in what it has).
    pub fn clear(&mut self, layout: &ScanLayout) {
        if let Some(s) = layout.whole {
            self.regs[s as usize] = Value::Missing;
        }
        for f in &layout.fields {
            self.regs[f.slot as usize] = Value::Missing;
        }
    }
}

/// A table that can be scanned.
pub trait Source: Send + Sync + std::fmt::Debug {
    /// A short description, for EXPLAIN and errors.
    fn describe(&self) -> String;
    fn stability(&self) -> BufferStability;
    /// Fields this source can look rows up by (see [`ScanLayout::key_filters`]).
    fn indexed_fields(&self) -> &'static [&'static str] {
        &[]
    }
    /// Opens a reader producing the rows in `layout`.
    fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError>;
    /// Opens a reader over the `part`-th of `parts` partitions of the source, for
    /// parallel scans. Sources that cannot split return the whole source for part 0 and
    /// nothing for the others.
    fn open_partition(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<Box<dyn RowReader>>, QueryError> {
        let _ = parts;
        if part == 0 {
            self.open(layout).map(Some)
        } else {
            Ok(None)
        }
    }
    /// [`Source::open_partition`] for the VM's fused pipeline. Cairn's own sources
    /// return their reader by type, so that the pipeline reads each row through a
    /// direct call; any other source's reader is a trait object.
    fn open_scan(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<ScanReader>, QueryError> {
        Ok(self
            .open_partition(layout, part, parts)?
            .map(ScanReader::from_dyn))
    }
}

/// The reader of a fused pipeline's scan. Cairn's own readers are held by type, so
/// reading a row is a branch on the kind (always taken the same way) and a direct,
/// inlinable call rather than a call through a vtable on every row.
pub struct ScanReader(ScanReaderKind);

enum ScanReaderKind {
    Memory(memory::MemoryReader),
    JsonLines(jsonl::JsonLinesReader),
    Dyn(Box<dyn RowReader>),
}

impl ScanReader {
    /// A reader of another source.
    pub fn from_dyn(reader: Box<dyn RowReader>) -> ScanReader {
        ScanReader(ScanReaderKind::Dyn(reader))
    }

    /// Writes the next row's values; `false` at the end.
    #[inline(always)]
    pub fn next_row(&mut self, out: &mut ValueWriter<'_, '_>) -> Result<bool, QueryError> {
        match &mut self.0 {
            ScanReaderKind::Memory(r) => r.next_row(out),
            ScanReaderKind::JsonLines(r) => r.next_row(out),
            ScanReaderKind::Dyn(r) => r.next_row(out),
        }
    }
}

/// Produces the rows of one scan.
pub trait RowReader: Send {
    /// Writes the next row's values; `false` at the end.
    fn next_row(&mut self, out: &mut ValueWriter<'_, '_>) -> Result<bool, QueryError>;
}
