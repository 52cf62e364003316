//! The graph as PartiQL tables: `blocks`, `edges`, `files` and `workspaces`, each a
//! [`Source`] over a storage scan.
//!
//! A scan decodes only the columns the query uses ([`ScanLayout`]): block records are
//! read field by field and the fields no column needs are skipped without decoding.
//! Values are copied into the VM's arena, so the rows' stability is `UntilNext`.

use bumpalo::Bump;
use cairn_graph::record::{BlockField, BlockFields, FieldValue};
use cairn_graph::{BlockId, EdgeInfo, FileRecord, GraphStore, WorkspaceRecord};
use cairn_query::error::QueryError;
use cairn_query::reader::{BufferStability, RowReader, ScanLayout, Source, ValueWriter};
use cairn_query::{OwnedValue, Value};
use cairn_storage::Iter;
use std::fmt;
use std::marker::PhantomData;

/// One table's columns and how a stored entry becomes a row.
pub trait Table: Send + Sync + 'static {
    const NAME: &'static str;
    /// Column names, in the order rows are decoded.
    const COLUMNS: &'static [&'static str];
    /// Columns [`Table::lookup`] can find rows by without a scan.
    const INDEXED: &'static [&'static str] = &[];
    /// Opens the scan of the table's keyspace.
    fn scan(store: &GraphStore) -> cairn_graph::Result<Iter>;
    /// The entries (keys and values as [`Table::scan`] yields them) whose `column` may
    /// equal `value`, through an index; `column` is one of [`Table::INDEXED`]. Extra
    /// entries are allowed (the query's filter still runs), missing ones are not.
    fn lookup(
        _store: &GraphStore,
        _column: &str,
        _value: &OwnedValue,
    ) -> cairn_graph::Result<Option<Entries>> {
        Ok(None)
    }
    /// Writes the columns in `wanted` (indexes into `COLUMNS`, ascending) of the entry
    /// into `out` (one value per wanted column).
    fn decode<'a>(
        key: &[u8],
        value: &[u8],
        wanted: &[usize],
        arena: &'a Bump,
        out: &mut [Value<'a>],
    ) -> Result<(), String>;
}

/// A table of the graph, readable in PartiQL.
pub struct TableSource<T: Table> {
    store: GraphStore,
    _table: PhantomData<T>,
}

impl<T: Table> TableSource<T> {
    pub fn new(store: GraphStore) -> Self {
        TableSource {
            store,
            _table: PhantomData,
        }
    }
}

impl<T: Table> fmt::Debug for TableSource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.describe())
    }
}

impl<T: Table> Source for TableSource<T> {
    fn describe(&self) -> String {
        format!("graph table `{}`", T::NAME)
    }

    fn stability(&self) -> BufferStability {
        BufferStability::UntilNext
    }

    fn indexed_fields(&self) -> &'static [&'static str] {
        T::INDEXED
    }

    fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
        // Which columns to decode, and where each goes.
        let mut wanted: Vec<(usize, Target)> = Vec::new();
        if layout.whole.is_some() {
            wanted.extend((0..T::COLUMNS.len()).map(|c| (c, Target::Whole)));
        }
        for f in &layout.fields {
            let col = T::COLUMNS.iter().position(|c| {
                if f.case_sensitive {
                    *c == f.name
                } else {
                    c.eq_ignore_ascii_case(&f.name)
                }
            });
            if let Some(col) = col {
                wanted.push((col, Target::Slot(f.slot)));
            }
        }
        let mut columns: Vec<usize> = wanted.iter().map(|(c, _)| *c).collect();
        columns.sort_unstable();
        columns.dedup();
        let read_err = |e: cairn_graph::GraphError| QueryError::Read {
            path: T::NAME.to_string(),
            line: 0,
            message: e.to_string(),
        };
        // An index lookup when the filter pins an indexed column, else a full scan.
        let mut feed = None;
        for k in &layout.key_filters {
            if let Some(entries) = T::lookup(&self.store, &k.field, &k.value).map_err(read_err)? {
                feed = Some(Feed::Lookup(entries.into_iter()));
                break;
            }
        }
        let feed = match feed {
            Some(f) => f,
            None => Feed::Scan(T::scan(&self.store).map_err(read_err)?),
        };
        Ok(Box::new(TableReader::<T> {
            feed,
            layout: layout.clone(),
            wanted,
            columns,
            current: Default::default(),
            position: 0,
            _table: PhantomData,
        }))
    }
}

#[derive(Clone, Copy)]
enum Target {
    Whole,
    Slot(cairn_query::plan::Reg),
}

/// Entries found through an index, in the table's key and value format.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Where a reader's entries come from.
enum Feed {
    Scan(Iter),
    Lookup(std::vec::IntoIter<(Vec<u8>, Vec<u8>)>),
}

struct TableReader<T: Table> {
    feed: Feed,
    /// The entry being decoded, for lookups.
    current: (Vec<u8>, Vec<u8>),
    layout: ScanLayout,
    wanted: Vec<(usize, Target)>,
    /// The columns decoded per row, ascending.
    columns: Vec<usize>,
    position: i64,
    _table: PhantomData<T>,
}

impl<T: Table> RowReader for TableReader<T> {
    fn next_row(&mut self, out: &mut ValueWriter<'_, '_>) -> Result<bool, QueryError> {
        let read_err = |message: String| QueryError::Read {
            path: T::NAME.to_string(),
            line: 0,
            message,
        };
        let (key, value): (&[u8], &[u8]) = match &mut self.feed {
            Feed::Scan(iter) => match iter.next_entry().map_err(|e| read_err(e.to_string()))? {
                Some(entry) => entry,
                None => return Ok(false),
            },
            Feed::Lookup(entries) => match entries.next() {
                Some(entry) => {
                    self.current = entry;
                    (&self.current.0, &self.current.1)
                }
                None => return Ok(false),
            },
        };
        let arena = out.arena();
        // Scratch for the decoded columns, in the row arena (no heap allocation per row).
        let decoded = arena.alloc_slice_fill_copy(self.columns.len(), Value::Missing);
        T::decode(key, value, &self.columns, arena, decoded).map_err(read_err)?;
        let col_value = |c: usize| {
            self.columns
                .binary_search(&c)
                .map_or(Value::Missing, |i| decoded[i])
        };
        out.clear(&self.layout);
        if let Some(slot) = self.layout.whole {
            let fields = arena.alloc_slice_fill_iter(
                T::COLUMNS
                    .iter()
                    .enumerate()
                    .map(|(c, name)| (*name, col_value(c))),
            );
            out.set(slot, Value::Tuple(fields));
        }
        for &(c, target) in &self.wanted {
            if let Target::Slot(slot) = target {
                out.set(slot, col_value(c));
            }
        }
        if let Some(slot) = self.layout.position {
            out.set(slot, Value::Int(self.position));
        }
        self.position += 1;
        Ok(true)
    }
}

fn id_value<'a>(id: &[u8], arena: &'a Bump) -> Value<'a> {
    match BlockId::from_slice(id) {
        Some(id) => Value::Str(arena.alloc_str(&id.to_string())),
        None => Value::Null,
    }
}

fn str_value<'a>(s: &str, arena: &'a Bump) -> Value<'a> {
    Value::Str(arena.alloc_str(s))
}

/// `blocks`: one row per block.
pub struct Blocks;

impl Table for Blocks {
    const NAME: &'static str = "blocks";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "kind",
        "language",
        "workspace",
        "path",
        "name",
        "qualified_name",
        "parent",
        "start_line",
        "end_line",
        "start_byte",
        "end_byte",
        "signature",
        "doc",
        "source",
        "content_hash",
        "metadata",
    ];

    const INDEXED: &'static [&'static str] = &["id", "name", "qualified_name"];

    fn scan(store: &GraphStore) -> cairn_graph::Result<Iter> {
        store.scan(&store.keyspaces().blocks)
    }

    fn lookup(
        store: &GraphStore,
        column: &str,
        value: &OwnedValue,
    ) -> cairn_graph::Result<Option<Entries>> {
        // A non-string can never equal these string columns: no rows.
        let OwnedValue::Str(text) = value else {
            return Ok(Some(Vec::new()));
        };
        let ids = if column.eq_ignore_ascii_case("id") {
            BlockId::parse_hex(text).into_iter().collect()
        } else if column.eq_ignore_ascii_case("name") {
            store.blocks_named(text)?
        } else if column.eq_ignore_ascii_case("qualified_name") {
            store.blocks_qualified(text)?
        } else {
            return Ok(None);
        };
        store.raw_blocks(&ids).map(Some)
    }

    fn decode<'a>(
        key: &[u8],
        value: &[u8],
        wanted: &[usize],
        arena: &'a Bump,
        out: &mut [Value<'a>],
    ) -> Result<(), String> {
        let mut fields = BlockFields::new(value).map_err(|e| e.to_string())?;
        for (slot, &col) in out.iter_mut().zip(wanted) {
            if col == 0 {
                *slot = id_value(key, arena);
                continue;
            }
            let field = BLOCK_COLUMN_FIELDS[col - 1];
            *slot = match fields.get(field).map_err(|e| e.to_string())? {
                FieldValue::Str(s) => str_value(s, arena),
                FieldValue::Int(i) if field == BlockField::ContentHash => {
                    str_value(&format!("{i:016x}"), arena)
                }
                FieldValue::Int(i) => Value::Int(i as i64),
                FieldValue::Id(Some(id)) => str_value(&id.to_string(), arena),
                FieldValue::Id(None) => Value::Null,
                FieldValue::Metadata(bytes, n) => {
                    let pairs = cairn_graph::record::decode_metadata(bytes, n)
                        .map_err(|e| e.to_string())?;
                    Value::Tuple(
                        arena.alloc_slice_fill_iter(
                            pairs
                                .into_iter()
                                .map(|(k, v)| (&*arena.alloc_str(k), str_value(v, arena))),
                        ),
                    )
                }
            };
        }
        Ok(())
    }
}

/// The block field behind each column after `id`.
const BLOCK_COLUMN_FIELDS: [BlockField; 16] = [
    BlockField::Kind,
    BlockField::Language,
    BlockField::Workspace,
    BlockField::Path,
    BlockField::Name,
    BlockField::QualifiedName,
    BlockField::Parent,
    BlockField::StartLine,
    BlockField::EndLine,
    BlockField::StartByte,
    BlockField::EndByte,
    BlockField::Signature,
    BlockField::Doc,
    BlockField::Source,
    BlockField::ContentHash,
    BlockField::Metadata,
];

/// `edges`: one row per edge.
pub struct Edges;

impl Table for Edges {
    const NAME: &'static str = "edges";
    const COLUMNS: &'static [&'static str] = &[
        "source",
        "kind",
        "target",
        "line",
        "path",
        "target_name",
        "resolved",
    ];

    const INDEXED: &'static [&'static str] = &["source", "target"];

    fn scan(store: &GraphStore) -> cairn_graph::Result<Iter> {
        store.scan(&store.keyspaces().edges_out)
    }

    fn lookup(
        store: &GraphStore,
        column: &str,
        value: &OwnedValue,
    ) -> cairn_graph::Result<Option<Entries>> {
        let OwnedValue::Str(text) = value else {
            return Ok(Some(Vec::new()));
        };
        let Some(id) = BlockId::parse_hex(text) else {
            return Ok(Some(Vec::new()));
        };
        if column.eq_ignore_ascii_case("source") {
            store.raw_edges(&id, true).map(Some)
        } else if column.eq_ignore_ascii_case("target") {
            store.raw_edges(&id, false).map(Some)
        } else {
            Ok(None)
        }
    }

    fn decode<'a>(
        key: &[u8],
        value: &[u8],
        wanted: &[usize],
        arena: &'a Bump,
        out: &mut [Value<'a>],
    ) -> Result<(), String> {
        let edge = cairn_graph::Edge::decode(key, value, true).map_err(|e| e.to_string())?;
        let EdgeInfo {
            path,
            target_text,
            resolved,
        } = &edge.info;
        for (slot, &col) in out.iter_mut().zip(wanted) {
            *slot = match col {
                0 => str_value(&edge.source.to_string(), arena),
                1 => Value::Str(edge.kind.as_str()),
                2 => str_value(&edge.target.to_string(), arena),
                3 => Value::Int(i64::from(edge.line)),
                4 => str_value(path, arena),
                5 => str_value(target_text, arena),
                _ => Value::Bool(*resolved),
            };
        }
        Ok(())
    }
}

/// `files`: one row per source file.
pub struct Files;

impl Table for Files {
    const NAME: &'static str = "files";
    const COLUMNS: &'static [&'static str] = &[
        "workspace",
        "path",
        "language",
        "size",
        "content_hash",
        "blocks",
        "syntax_errors",
    ];

    fn scan(store: &GraphStore) -> cairn_graph::Result<Iter> {
        store.scan(&store.keyspaces().files)
    }

    fn decode<'a>(
        key: &[u8],
        value: &[u8],
        wanted: &[usize],
        arena: &'a Bump,
        out: &mut [Value<'a>],
    ) -> Result<(), String> {
        let split = key
            .iter()
            .position(|&b| b == 0)
            .ok_or("file key without separator")?;
        let text = |b: &[u8]| {
            std::str::from_utf8(b)
                .map(str::to_string)
                .map_err(|e| e.to_string())
        };
        let (ws, path) = (text(&key[..split])?, text(&key[split + 1..])?);
        let f = FileRecord::decode(&ws, &path, value).map_err(|e| e.to_string())?;
        for (slot, &col) in out.iter_mut().zip(wanted) {
            *slot = match col {
                0 => str_value(&f.workspace, arena),
                1 => str_value(&f.path, arena),
                2 => Value::Str(f.language.as_str()),
                3 => Value::Int(f.size as i64),
                4 => str_value(&format!("{:016x}", f.content_hash), arena),
                5 => Value::Int(f.blocks as i64),
                _ => Value::Int(f.syntax_errors as i64),
            };
        }
        Ok(())
    }
}

/// `workspaces`: one row per linked workspace.
pub struct Workspaces;

impl Table for Workspaces {
    const NAME: &'static str = "workspaces";
    const COLUMNS: &'static [&'static str] = &["name", "root", "last_sync"];

    fn scan(store: &GraphStore) -> cairn_graph::Result<Iter> {
        store.scan(&store.keyspaces().workspaces)
    }

    fn decode<'a>(
        key: &[u8],
        value: &[u8],
        wanted: &[usize],
        arena: &'a Bump,
        out: &mut [Value<'a>],
    ) -> Result<(), String> {
        let name = std::str::from_utf8(key).map_err(|e| e.to_string())?;
        let w = WorkspaceRecord::decode(name, value).map_err(|e| e.to_string())?;
        for (slot, &col) in out.iter_mut().zip(wanted) {
            *slot = match col {
                0 => str_value(&w.name, arena),
                1 => str_value(&w.root, arena),
                _ => str_value(&crate::format_time_ms(w.last_sync_ms), arena),
            };
        }
        Ok(())
    }
}
