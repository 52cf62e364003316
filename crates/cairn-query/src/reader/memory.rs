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
//!
//! A table whose rows are all tuples of one shape (the same field names in the same
//! order, none twice: the common case of a table) is kept by column instead
//! ([`Rows::Columns`]): one array of nodes per field. A scan then finds each field it
//! needs once, when it opens, and reads a row's field at a fixed place, touching only
//! the 16 bytes per row of the columns it reads rather than every field of the row. A
//! column of integers only (or floats only) is kept as a plain array of them ([`Column`]),
//! 8 bytes a row, read without looking at a tag.
//! The first row of another shape turns the table back into rows of tuples.

use super::{
    BufferStability, RowReader, ScanLayout, ScanReader, ScanReaderKind, Source, ValueWriter,
};
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
    rows: Rows,
    /// The fields of every tuple: name number and value.
    fields: Vec<(u32, Node)>,
    /// The elements of every list and bag.
    items: Vec<Node>,
    strings: String,
    others: Vec<OwnedValue>,
    /// Whether some tuple has two fields of one name.
    repeated_names: bool,
}

/// The values of one field of every row of a table kept by column.
#[derive(Debug)]
enum Column {
    Ints(Vec<i64>),
    Floats(Vec<f64>),
    Nodes(Vec<Node>),
}

impl Column {
    /// Row `i`'s value.
    #[inline]
    fn node(&self, i: usize) -> Node {
        match self {
            Column::Ints(v) => Node::Int(v[i]),
            Column::Floats(v) => Node::Float(v[i]),
            Column::Nodes(v) => v[i],
        }
    }

    /// Adds a row's value (while the table is built, every column holds nodes).
    fn push(&mut self, n: Node) {
        match self {
            Column::Nodes(v) => v.push(n),
            Column::Ints(_) | Column::Floats(_) => {
                let mut nodes = self.nodes();
                nodes.push(n);
                *self = Column::Nodes(nodes);
            }
        }
    }

    fn nodes(&self) -> Vec<Node> {
        match self {
            Column::Nodes(v) => v.clone(),
            Column::Ints(v) => v.iter().map(|&i| Node::Int(i)).collect(),
            Column::Floats(v) => v.iter().map(|&f| Node::Float(f)).collect(),
        }
    }

    /// The plain array of a column of integers only or floats only.
    fn narrowed(self) -> Column {
        let Column::Nodes(mut v) = self else {
            return self;
        };
        // `Option<Vec<_>>` collects to `None` at the first node of another kind.
        let ints: Option<Vec<i64>> = v
            .iter()
            .map(|n| if let Node::Int(i) = n { Some(*i) } else { None })
            .collect();
        if let Some(ints) = ints {
            return Column::Ints(ints);
        }
        let floats: Option<Vec<f64>> = v
            .iter()
            .map(|n| {
                if let Node::Float(f) = n {
                    Some(*f)
                } else {
                    None
                }
            })
            .collect();
        if let Some(floats) = floats {
            return Column::Floats(floats);
        }
        v.shrink_to_fit();
        Column::Nodes(v)
    }
}

/// The rows of a table.
#[derive(Debug)]
enum Rows {
    /// Every row is a tuple with the fields `shape` (name numbers, no name twice), in
    /// that order: `columns[k]` holds field `k` of every row.
    Columns {
        shape: Box<[u32]>,
        columns: Vec<Column>,
        len: usize,
    },
    /// Rows of any kind, one node each.
    Nodes(Vec<Node>),
}

impl Default for Rows {
    fn default() -> Self {
        Rows::Nodes(Vec::new())
    }
}

impl Rows {
    fn len(&self) -> usize {
        match self {
            Rows::Columns { len, .. } => *len,
            Rows::Nodes(rows) => rows.len(),
        }
    }
}

fn range(start: usize, len: usize) -> Option<(u32, u32)> {
    let end = start.checked_add(len)?;
    u32::try_from(end).ok()?;
    Some((start as u32, len as u32))
}

fn has_repeats(ids: &[u32]) -> bool {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.windows(2).any(|w| w[0] == w[1])
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

    /// Adds a row: into the columns while it has the shape of the rows before it,
    /// else as a node (turning the columns into nodes first).
    fn push_row(&mut self, row: OwnedValue) {
        let row = match row {
            OwnedValue::Tuple(fields) => {
                let ids: Vec<u32> = fields.iter().map(|(k, _)| self.name(k)).collect();
                if self.rows.len() == 0 && !has_repeats(&ids) {
                    self.rows = Rows::Columns {
                        columns: ids.iter().map(|_| Column::Nodes(Vec::new())).collect(),
                        shape: ids.clone().into_boxed_slice(),
                        len: 0,
                    };
                }
                if matches!(&self.rows, Rows::Columns { shape, .. } if **shape == *ids) {
                    let values: Vec<Node> =
                        fields.into_iter().map(|(_, v)| self.encode(v)).collect();
                    if let Rows::Columns { columns, len, .. } = &mut self.rows {
                        for (column, v) in columns.iter_mut().zip(values) {
                            column.push(v);
                        }
                        *len += 1;
                    }
                    return;
                }
                OwnedValue::Tuple(fields)
            }
            other => other,
        };
        self.rows_as_nodes();
        let node = self.encode(row);
        if let Rows::Nodes(rows) = &mut self.rows {
            rows.push(node);
        }
    }

    /// Turns columns into one tuple node per row (when a row of another shape comes).
    fn rows_as_nodes(&mut self) {
        let (shape, columns, len) = match std::mem::take(&mut self.rows) {
            Rows::Columns {
                shape,
                columns,
                len,
            } => (shape, columns, len),
            nodes => {
                self.rows = nodes;
                return;
            }
        };
        let mut rows = Vec::with_capacity(len + 1);
        for i in 0..len {
            let node = match range(self.fields.len(), shape.len()) {
                Some((start, n)) => {
                    self.fields
                        .extend(shape.iter().zip(&columns).map(|(k, c)| (*k, c.node(i))));
                    Node::Tuple { start, len: n }
                }
                None => {
                    let owned = shape
                        .iter()
                        .zip(&columns)
                        .map(|(k, c)| (self.names[*k as usize].to_string(), self.owned(c.node(i))))
                        .collect();
                    self.other(OwnedValue::Tuple(owned))
                }
            };
            rows.push(node);
        }
        self.rows = Rows::Nodes(rows);
    }

    /// Row `i` as a value in `arena`.
    fn row_value<'a>(&self, i: usize, arena: &'a Bump) -> Value<'a> {
        match &self.rows {
            Rows::Columns { shape, columns, .. } => Value::Tuple(arena.alloc_slice_fill_iter(
                shape.iter().zip(columns).map(|(k, c)| {
                    (
                        &*arena.alloc_str(&self.names[*k as usize]),
                        self.value(c.node(i), arena),
                    )
                }),
            )),
            Rows::Nodes(rows) => self.value(rows[i], arena),
        }
    }

    /// Row `i` decoded back to an owned value.
    fn row_owned(&self, i: usize) -> Option<OwnedValue> {
        match &self.rows {
            Rows::Columns {
                shape,
                columns,
                len,
            } => (i < *len).then(|| {
                OwnedValue::Tuple(
                    shape
                        .iter()
                        .zip(columns)
                        .map(|(k, c)| (self.names[*k as usize].to_string(), self.owned(c.node(i))))
                        .collect(),
                )
            }),
            Rows::Nodes(rows) => rows.get(i).map(|n| self.owned(*n)),
        }
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
                    let ids: Vec<u32> = encoded.iter().map(|(k, _)| *k).collect();
                    self.repeated_names = has_repeats(&ids);
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

    /// [`Table::value`] out of line, for the reads of a scan that are not scalars.
    #[inline(never)]
    fn value_cold<'a>(&self, n: Node, arena: &'a Bump) -> Value<'a> {
        self.value(n, arena)
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
        let mut table = Table::default();
        for row in rows {
            table.push_row(row);
        }
        match &mut table.rows {
            Rows::Columns { columns, .. } => {
                *columns = std::mem::take(columns)
                    .into_iter()
                    .map(Column::narrowed)
                    .collect();
            }
            Rows::Nodes(rows) => rows.shrink_to_fit(),
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
        self.len() == 0
    }

    /// Row `i`, decoded back to an owned value.
    pub fn row(&self, i: usize) -> Option<OwnedValue> {
        self.table.row_owned(i)
    }

    /// The reader of the `part`-th of `parts` index ranges.
    fn partition(&self, layout: &ScanLayout, part: usize, parts: usize) -> MemoryReader {
        let n = self.len();
        let parts = parts.max(1);
        self.reader(layout, n * part / parts, n * (part + 1) / parts)
    }

    fn reader(&self, layout: &ScanLayout, pos: usize, end: usize) -> MemoryReader {
        let t = &self.table;
        let ids_of = |f: &super::FieldSlot| -> Vec<u32> {
            t.names
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
                .collect()
        };
        let fields = match &t.rows {
            // The first field of the shape with a wanted name, as a path `r.f` finds.
            Rows::Columns { shape, .. } => {
                let (mut reads, mut missing) = (Vec::new(), Vec::new());
                for f in &layout.fields {
                    let ids = ids_of(f);
                    match shape.iter().position(|k| ids.contains(k)) {
                        Some(c) => reads.push((f.slot, c)),
                        None => missing.push(f.slot),
                    }
                }
                Wanted::Columns { reads, missing }
            }
            Rows::Nodes(_) => Wanted::Fields(
                layout
                    .fields
                    .iter()
                    .map(|f| {
                        let ids = ids_of(f);
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
                    .collect(),
            ),
        };
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
        Ok(Some(Box::new(self.partition(layout, part, parts))))
    }

    fn open_scan(
        &self,
        layout: &ScanLayout,
        part: usize,
        parts: usize,
    ) -> Result<Option<ScanReader>, QueryError> {
        Ok(Some(ScanReader(ScanReaderKind::Memory(
            self.partition(layout, part, parts),
        ))))
    }
}

/// The fields a scan reads, resolved when it opens.
enum Wanted {
    /// Of a table kept by column: the slot and column of each field the shape has,
    /// and the slots of those it lacks.
    Columns {
        reads: Vec<(Reg, usize)>,
        missing: Vec<Reg>,
    },
    /// Of a table of nodes.
    Fields(Vec<WantedField>),
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

pub(super) struct MemoryReader {
    table: Arc<Table>,
    whole: Option<Reg>,
    position: Option<Reg>,
    fields: Wanted,
    pos: usize,
    end: usize,
}

/// Writes a field's node to its slot. Scalars are written straight into the slot:
/// building the value in a temporary first and copying it costs a store-forwarding
/// stall per field, the largest cost of a plain scan.
#[inline(always)]
fn write_node(t: &Table, slot: Reg, node: Option<&Node>, out: &mut ValueWriter<'_, '_>) {
    match node {
        Some(Node::Int(i)) => out.set(slot, Value::Int(*i)),
        Some(Node::Float(f)) => out.set(slot, Value::Float(*f)),
        Some(n) => out.set(slot, t.value_cold(*n, out.arena())),
        None => out.set(slot, Value::Missing),
    }
}

impl MemoryReader {
    /// The wanted fields of `row`, in a table of nodes. Out of line, as is everything
    /// but the reading of columns, so the common scan stays a short function.
    #[inline(never)]
    fn read_fields(
        t: &Table,
        wanted: &mut [WantedField],
        row: Node,
        out: &mut ValueWriter<'_, '_>,
    ) {
        let fields: &[(u32, Node)] = match row {
            Node::Tuple { start, len } => &t.fields[start as usize..(start + len) as usize],
            _ => &[],
        };
        let repeated = t.repeated_names;
        for w in wanted.iter_mut() {
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
            write_node(t, w.slot, found.map(|(_, n)| n), out);
        }
    }

    /// The whole row and its position, where the layout asks for them.
    #[inline(never)]
    fn read_whole_and_position(&self, pos: usize, out: &mut ValueWriter<'_, '_>) {
        if let Some(slot) = self.whole {
            out.set(slot, self.table.row_value(pos, out.arena()));
        }
        if let Some(slot) = self.position {
            out.set(slot, Value::Int(pos as i64));
        }
    }
}

impl RowReader for MemoryReader {
    #[inline]
    fn next_row(&mut self, out: &mut ValueWriter<'_, '_>) -> Result<bool, QueryError> {
        let pos = self.pos;
        if pos >= self.end {
            return Ok(false);
        }
        self.pos = pos + 1;
        let t = &*self.table;
        match (&mut self.fields, &t.rows) {
            (Wanted::Columns { reads, missing }, Rows::Columns { columns, .. }) => {
                for &(slot, c) in reads.iter() {
                    match &columns[c] {
                        Column::Ints(v) => out.set(slot, Value::Int(v[pos])),
                        Column::Floats(v) => out.set(slot, Value::Float(v[pos])),
                        Column::Nodes(v) => write_node(t, slot, v.get(pos), out),
                    }
                }
                for &slot in missing.iter() {
                    out.set(slot, Value::Missing);
                }
            }
            (Wanted::Fields(wanted), Rows::Nodes(rows)) => {
                Self::read_fields(t, wanted, rows[pos], out)
            }
            // A table does not change its layout once made, and a reader's fields
            // are resolved for its table's layout.
            _ => {}
        }
        if self.whole.is_some() || self.position.is_some() {
            self.read_whole_and_position(pos, out);
        }
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

    /// Rows of one shape are kept by column; a row of another shape (other names, the
    /// same names in another order, not a tuple) turns the table back into nodes, and
    /// either way every row and every field reads back as it was given.
    #[test]
    fn columns_and_the_switch_to_nodes_keep_every_row() {
        use OwnedValue as O;
        let shaped = |i: i64| {
            O::tuple([
                ("a", O::Int(i)),
                ("s", O::Str(format!("s{i}"))),
                ("n", O::tuple([("x", O::Int(i % 2))])),
            ])
        };
        let uniform: Vec<O> = (0..5).map(shaped).collect();
        let src = MemorySource::new(uniform.clone());
        let Rows::Columns { columns, .. } = &src.table.rows else {
            panic!("one shape: kept by column");
        };
        assert!(matches!(
            columns.as_slice(),
            [Column::Ints(_), Column::Nodes(_), Column::Nodes(_)]
        ));
        let mut tails = vec![
            O::tuple([("s", O::Str("late".into())), ("a", O::Int(9))]),
            O::Int(7),
            O::Tuple(vec![]),
            O::tuple([("a", O::Int(1)), ("a", O::Int(2))]),
        ];
        for tail in tails.drain(..) {
            let mut rows = uniform.clone();
            rows.push(tail);
            rows.push(shaped(5));
            let src = MemorySource::new(rows.clone());
            assert!(matches!(src.table.rows, Rows::Nodes(_)));
            assert_eq!(src.len(), rows.len());
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(src.row(i).as_ref(), Some(row));
            }
        }
        let f = |name: &str, case_sensitive, slot| FieldSlot {
            name: name.into(),
            case_sensitive,
            slot,
        };
        let layout = ScanLayout {
            whole: Some(0),
            fields: vec![f("n", true, 1), f("A", false, 2), f("zz", true, 3)],
            position: Some(4),
            key_filters: Vec::new(),
        };
        let got = read(&src, &layout, 5);
        assert_eq!(got.len(), 5);
        for (i, row) in got.iter().enumerate() {
            assert_eq!(row[0], uniform[i]);
            assert_eq!(row[1], O::tuple([("x", O::Int(i as i64 % 2))]));
            assert_eq!(row[2], O::Int(i as i64), "case-insensitive a");
            assert_eq!(row[3], O::Missing);
            assert_eq!(row[4], O::Int(i as i64));
        }
        let empty = MemorySource::new(Vec::new());
        assert!(empty.is_empty());
        assert_eq!(read(&empty, &layout, 5).len(), 0);
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
