//! An in-memory table.
//!
//! The rows are encoded once, when the source is made, into a few flat arrays: each
//! value is a 16-byte [`Node`] (scalars inline; strings, tuples and collections as
//! ranges of shared byte, field and item arrays), and field names are interned to
//! numbers. A scan resolves the names its layout needs to those numbers when it opens,
//! so reading a field of a row compares integers over contiguous memory instead of
//! chasing a pointer per name and per value as a tree of owned values would. The
//! values a row hands to the VM are copied into the VM's arena (strings and nested
//! values; scalars are copied in registers).

use super::{BufferStability, RowReader, ScanLayout, Source, ValueWriter};
use crate::error::QueryError;
use crate::plan::Reg;
use crate::value::{OwnedValue, Value};
use bumpalo::Bump;
use std::collections::HashMap;
use std::sync::Arc;

/// A table held in memory: a collection of rows (usually tuples).
#[derive(Debug, Clone)]
pub struct MemorySource {
    table: Arc<Table>,
}

/// One encoded value. Ranges index the arrays of the [`Table`].
#[derive(Debug, Clone, Copy)]
enum Node {
    Missing,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str {
        start: u32,
        len: u32,
    },
    Tuple {
        start: u32,
        len: u32,
    },
    List {
        start: u32,
        len: u32,
    },
    Bag {
        start: u32,
        len: u32,
    },
    /// Any other value (decimals, big integers, blobs, datetimes, or anything past the
    /// 4 GiB a range can address), kept as it came.
    Other(u32),
}

#[derive(Debug, Default)]
struct Table {
    /// Interned field names, and their numbers.
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
    rows: Vec<Node>,
    /// The fields of every tuple: name number and value.
    fields: Vec<(u32, Node)>,
    /// The elements of every list and bag.
    items: Vec<Node>,
    strings: String,
    others: Vec<OwnedValue>,
    /// Whether some tuple has two fields of one name.
    repeated_names: bool,
}

fn range(start: usize, len: usize) -> Option<(u32, u32)> {
    let end = start.checked_add(len)?;
    u32::try_from(end).ok()?;
    Some((start as u32, len as u32))
}

impl Table {
    fn name(&mut self, k: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(k) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(k.into());
        self.name_ids.insert(k.into(), id);
        id
    }

    fn other(&mut self, v: OwnedValue) -> Node {
        self.others.push(v);
        Node::Other(self.others.len() as u32 - 1)
    }

    fn encode(&mut self, v: OwnedValue) -> Node {
        match v {
            OwnedValue::Missing => Node::Missing,
            OwnedValue::Null => Node::Null,
            OwnedValue::Bool(b) => Node::Bool(b),
            OwnedValue::Int(i) => Node::Int(i),
            OwnedValue::Float(f) => Node::Float(f),
            OwnedValue::Str(s) => match range(self.strings.len(), s.len()) {
                Some((start, len)) => {
                    self.strings.push_str(&s);
                    Node::Str { start, len }
                }
                None => self.other(OwnedValue::Str(s)),
            },
            OwnedValue::Tuple(fields) => {
                // Children first, into a scratch list, so the tuple's fields end up
                // contiguous however deep its values go.
                let encoded: Vec<(u32, Node)> = fields
                    .into_iter()
                    .map(|(k, v)| (self.name(&k), self.encode(v)))
                    .collect();
                if !self.repeated_names {
                    let mut ids: Vec<u32> = encoded.iter().map(|(k, _)| *k).collect();
                    ids.sort_unstable();
                    self.repeated_names = ids.windows(2).any(|w| w[0] == w[1]);
                }
                match range(self.fields.len(), encoded.len()) {
                    Some((start, len)) => {
                        self.fields.extend(encoded);
                        Node::Tuple { start, len }
                    }
                    None => {
                        let owned = encoded
                            .iter()
                            .map(|(k, n)| (self.names[*k as usize].to_string(), self.owned(*n)))
                            .collect();
                        self.other(OwnedValue::Tuple(owned))
                    }
                }
            }
            OwnedValue::List(items) => match self.items_of(items) {
                Ok((start, len)) => Node::List { start, len },
                Err(items) => self.other(OwnedValue::List(items)),
            },
            OwnedValue::Bag(items) => match self.items_of(items) {
                Ok((start, len)) => Node::Bag { start, len },
                Err(items) => self.other(OwnedValue::Bag(items)),
            },
            other => self.other(other),
        }
    }

    /// Encodes the elements of a collection contiguously; gives them back (decoded)
    /// when the item array cannot address them.
    fn items_of(&mut self, items: Vec<OwnedValue>) -> Result<(u32, u32), Vec<OwnedValue>> {
        let encoded: Vec<Node> = items.into_iter().map(|v| self.encode(v)).collect();
        match range(self.items.len(), encoded.len()) {
            Some(r) => {
                self.items.extend(encoded);
                Ok(r)
            }
            None => Err(encoded.into_iter().map(|n| self.owned(n)).collect()),
        }
    }

    /// Decodes a node back to an owned value.
    fn owned(&self, n: Node) -> OwnedValue {
        match n {
            Node::Missing => OwnedValue::Missing,
            Node::Null => OwnedValue::Null,
            Node::Bool(b) => OwnedValue::Bool(b),
            Node::Int(i) => OwnedValue::Int(i),
            Node::Float(f) => OwnedValue::Float(f),
            Node::Str { start, len } => OwnedValue::Str(self.str(start, len).to_string()),
            Node::Tuple { start, len } => OwnedValue::Tuple(
                self.fields[start as usize..(start + len) as usize]
                    .iter()
                    .map(|(k, v)| (self.names[*k as usize].to_string(), self.owned(*v)))
                    .collect(),
            ),
            Node::List { start, len } => OwnedValue::List(
                self.items[start as usize..(start + len) as usize]
                    .iter()
                    .map(|v| self.owned(*v))
                    .collect(),
            ),
            Node::Bag { start, len } => OwnedValue::Bag(
                self.items[start as usize..(start + len) as usize]
                    .iter()
                    .map(|v| self.owned(*v))
                    .collect(),
            ),
            Node::Other(i) => self.others[i as usize].clone(),
        }
    }

    #[inline]
    fn str(&self, start: u32, len: u32) -> &str {
        &self.strings[start as usize..(start + len) as usize]
    }

    /// Copies a node into `arena` as a value the VM can hold.
    #[inline(always)]
    fn value<'a>(&self, n: Node, arena: &'a Bump) -> Value<'a> {
        match n {
            Node::Missing => Value::Missing,
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::Int(i),
            Node::Float(f) => Value::Float(f),
            Node::Str { start, len } => Value::Str(arena.alloc_str(self.str(start, len))),
            _ => self.nested(n, arena),
        }
    }

    fn nested<'a>(&self, n: Node, arena: &'a Bump) -> Value<'a> {
        match n {
            Node::Tuple { start, len } => {
                let fields = &self.fields[start as usize..(start + len) as usize];
                Value::Tuple(arena.alloc_slice_fill_iter(fields.iter().map(|(k, v)| {
                    (
                        &*arena.alloc_str(&self.names[*k as usize]),
                        self.value(*v, arena),
                    )
                })))
            }
            Node::List { start, len } => Value::List(self.items_in(start, len, arena)),
            Node::Bag { start, len } => Value::Bag(self.items_in(start, len, arena)),
            Node::Other(i) => {
                let v = &self.others[i as usize];
                v.as_value(arena).deep_copy(arena)
            }
            scalar => self.value(scalar, arena),
        }
    }

    fn items_in<'a>(&self, start: u32, len: u32, arena: &'a Bump) -> &'a [Value<'a>] {
        let items = &self.items[start as usize..(start + len) as usize];
        arena.alloc_slice_fill_iter(items.iter().map(|v| self.value(*v, arena)))
    }
}

impl MemorySource {
    pub fn new(rows: Vec<OwnedValue>) -> Self {
        let mut table = Table {
            rows: Vec::with_capacity(rows.len()),
            ..Table::default()
        };
        for row in rows {
            let node = table.encode(row);
            table.rows.push(node);
        }
        table.name_ids.shrink_to_fit();
        table.fields.shrink_to_fit();
        table.items.shrink_to_fit();
        table.strings.shrink_to_fit();
        MemorySource {
            table: Arc::new(table),
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.table.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.rows.is_empty()
    }

    /// Row `i`, decoded back to an owned value.
    pub fn row(&self, i: usize) -> Option<OwnedValue> {
        self.table.rows.get(i).map(|n| self.table.owned(*n))
    }

    fn reader(&self, layout: &ScanLayout, pos: usize, end: usize) -> MemoryReader {
        let t = &self.table;
        let fields = layout
            .fields
            .iter()
            .map(|f| {
                let ids: Vec<u32> = t
                    .names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| {
                        if f.case_sensitive {
                            &***n == f.name.as_str()
                        } else {
                            n.eq_ignore_ascii_case(&f.name)
                        }
                    })
                    .map(|(i, _)| i as u32)
                    .collect();
                WantedField {
                    slot: f.slot,
                    only: match ids.as_slice() {
                        [id] => Some(*id),
                        _ => None,
                    },
                    ids,
                    hint: 0,
                }
            })
            .collect();
        MemoryReader {
            table: Arc::clone(&self.table),
            whole: layout.whole,
            position: layout.position,
            fields,
            pos,
            end,
        }
    }
}

impl Source for MemorySource {
    fn describe(&self) -> String {
        format!("memory table ({} rows)", self.len())
    }

    fn stability(&self) -> BufferStability {
        BufferStability::UntilClose
    }

    fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
        Ok(Box::new(self.reader(layout, 0, self.len())))
    }

    fn open_partition(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<Box<dyn RowReader>>, QueryError> {
        let n = self.len();
        let parts = parts.max(1);
        let (start, end) = (n * part / parts, n * (part + 1) / parts);
        Ok(Some(Box::new(self.reader(layout, start, end))))
    }
}

/// A field of the layout: its slot, and the numbers of the names it matches (one,
/// or several spellings when matched case-insensitively; none if no row has it).
struct WantedField {
    slot: Reg,
    ids: Vec<u32>,
    /// The one name number, when there is exactly one (the common case, read without
    /// going through `ids`).
    only: Option<u32>,
    /// Where the field was in the last row: rows of one table mostly share a shape,
    /// so this is checked first.
    hint: usize,
}

struct MemoryReader {
    table: Arc<Table>,
    whole: Option<Reg>,
    position: Option<Reg>,
    fields: Vec<WantedField>,
    pos: usize,
    end: usize,
}

impl RowReader for MemoryReader {
    fn next_row(&mut self, out: &mut ValueWriter<'_, '_>) -> Result<bool, QueryError> {
        if self.pos >= self.end {
            return Ok(false);
        }
        let t = &*self.table;
        let row = t.rows[self.pos];
        let arena = out.arena();
        if let Some(slot) = self.whole {
            out.set(slot, t.value(row, arena));
        }
        if !self.fields.is_empty() {
            let fields: &[(u32, Node)] = match row {
                Node::Tuple { start, len } => &t.fields[start as usize..(start + len) as usize],
                _ => &[],
            };
            let repeated = t.repeated_names;
            for w in &mut self.fields {
                // The first field of the row with a wanted name, as a path `r.f` finds.
                let found = match w.only {
                    // Where the name was in the last row: right unless an earlier field
                    // has the name too, which cannot be when no tuple repeats a name.
                    Some(id) => match fields.get(w.hint) {
                        Some(f) if f.0 == id && !repeated => Some(f),
                        _ => {
                            let at = fields.iter().position(|(k, _)| *k == id);
                            if let Some(at) = at {
                                w.hint = at;
                            }
                            at.map(|at| &fields[at])
                        }
                    },
                    None => fields.iter().find(|(k, _)| w.ids.contains(k)),
                };
                // Scalars are written straight into their slot: building the value in
                // a temporary first and copying it costs a store-forwarding stall per
                // field, the largest cost of a plain scan.
                match found {
                    Some((_, Node::Int(i))) => out.set(w.slot, Value::Int(*i)),
                    Some((_, Node::Float(f))) => out.set(w.slot, Value::Float(*f)),
                    Some((_, n)) => out.set(w.slot, t.value(*n, arena)),
                    None => out.set(w.slot, Value::Missing),
                }
            }
        }
        if let Some(slot) = self.position {
            out.set(slot, Value::Int(self.pos as i64));
        }
        self.pos += 1;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::FieldSlot;
    use rust_decimal::Decimal;

    fn sample() -> Vec<OwnedValue> {
        use OwnedValue as O;
        vec![
            O::tuple([
                ("a", O::Int(1)),
                ("s", O::Str("x\"y".into())),
                (
                    "n",
                    O::tuple([
                        ("x", O::Float(0.5)),
                        ("t", O::List(vec![O::Str("t1".into()), O::Null])),
                        ("b", O::Bag(vec![O::Decimal(Decimal::new(15, 1))])),
                    ]),
                ),
                ("A", O::Int(2)),
                ("a", O::Int(3)),
            ]),
            O::Int(7),
            O::tuple([
                ("e", O::Tuple(vec![])),
                ("m", O::Missing),
                ("b", O::BigInt(1 << 70)),
            ]),
            O::List(vec![]),
        ]
    }

    fn read(src: &MemorySource, layout: &ScanLayout, nslots: usize) -> Vec<Vec<OwnedValue>> {
        let mut r = src.open(layout).unwrap();
        let mut rows = Vec::new();
        loop {
            let arena = Bump::new();
            let mut regs = vec![Value::Missing; nslots];
            if !r
                .next_row(&mut ValueWriter::new(&mut regs, &arena))
                .unwrap()
            {
                return rows;
            }
            rows.push(regs.iter().map(|v| v.to_owned_value()).collect());
        }
    }

    #[test]
    fn rows_round_trip() {
        let src = MemorySource::new(sample());
        assert_eq!(src.len(), 4);
        for (i, row) in sample().iter().enumerate() {
            assert_eq!(src.row(i).as_ref(), Some(row));
        }
        let whole = read(&src, &ScanLayout::whole_row(0), 1);
        let got: Vec<OwnedValue> = whole.into_iter().map(|mut r| r.remove(0)).collect();
        assert_eq!(got, sample());
    }

    #[test]
    fn fields_are_the_first_match_and_missing_when_absent() {
        let src = MemorySource::new(sample());
        let f = |name: &str, case_sensitive, slot| FieldSlot {
            name: name.into(),
            case_sensitive,
            slot,
        };
        let layout = ScanLayout {
            whole: None,
            fields: vec![
                f("a", true, 0),
                f("A", false, 1),
                f("zz", false, 2),
                f("n", true, 3),
            ],
            position: Some(4),
            key_filters: Vec::new(),
        };
        let rows = read(&src, &layout, 5);
        use OwnedValue as O;
        assert_eq!(rows[0][0], O::Int(1));
        assert_eq!(
            rows[0][1],
            O::Int(1),
            "case-insensitive: the first of a, A, a"
        );
        assert_eq!(rows[0][2], O::Missing);
        assert_eq!(rows[0][3], sample()[0].clone().field_for_test("n"));
        assert_eq!(rows[0][4], O::Int(0));
        assert_eq!(
            rows[1],
            vec![O::Missing, O::Missing, O::Missing, O::Missing, O::Int(1)]
        );
        assert_eq!(rows[3][4], O::Int(3));
        // Partitions cover the rows once, positions counting from the table's start.
        let mut seen = Vec::new();
        for part in 0..3 {
            let mut r = src.open_partition(&layout, part, 3).unwrap().unwrap();
            let arena = Bump::new();
            let mut regs = vec![Value::Missing; 5];
            while r
                .next_row(&mut ValueWriter::new(&mut regs, &arena))
                .unwrap()
            {
                seen.push(regs[4].to_owned_value());
            }
        }
        assert_eq!(seen, (0..4).map(O::Int).collect::<Vec<_>>());
    }

    impl OwnedValue {
        fn field_for_test(self, name: &str) -> OwnedValue {
            match self {
                OwnedValue::Tuple(f) => f
                    .into_iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v)
                    .unwrap_or(OwnedValue::Missing),
                _ => OwnedValue::Missing,
            }
        }
    }
}
