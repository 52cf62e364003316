//! The records the graph stores, and their encodings (see [`crate::codec`]).
//!
//! | keyspace     | key                                   | value          |
//! |--------------|---------------------------------------|----------------|
//! | `blocks`     | block id (16)                         | [`Block`]      |
//! | `names`      | `n` name 0 id, or `q` qualified 0 id   | empty          |
//! | `edges_out`  | source (16) kind (1) target (16) line (4, BE) | [`EdgeInfo`] |
//! | `edges_in`   | target (16) kind (1) source (16) line (4, BE) | [`EdgeInfo`] |
//! | `files`      | workspace 0 path                      | [`FileRecord`] |
//! | `file_index` | workspace 0 path                      | [`FileIndex`]  |
//! | `workspaces` | workspace                             | [`WorkspaceRecord`] |
//!
//! `file_index` keeps, per file, what name resolution needs (the file's symbols and
//! unresolved references) and the edges the file's blocks are the source of, so a sync
//! can re-resolve every reference without re-parsing and rewrite only what changed.

use crate::codec::{DecodeError, Decoder, Encoder};
use crate::id::BlockId;
use crate::model::{BlockKind, EdgeKind, Language, Span};

/// A unit of code, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub id: BlockId,
    pub kind: BlockKind,
    pub language: Language,
    pub workspace: String,
    pub path: String,
    pub name: String,
    pub qualified_name: String,
    pub parent: Option<BlockId>,
    pub span: Span,
    pub signature: String,
    pub doc: String,
    pub source: String,
    pub content_hash: u64,
    pub metadata: Vec<(String, String)>,
}

/// A block's fields (but its id, the record's key), borrowed: what a [`Block`]
/// record holds, for encoding one without owning its strings.
#[derive(Clone, Copy, Debug)]
pub struct BlockView<'a> {
    pub kind: BlockKind,
    pub language: Language,
    pub workspace: &'a str,
    pub path: &'a str,
    pub name: &'a str,
    pub qualified_name: &'a str,
    pub parent: Option<BlockId>,
    pub span: Span,
    pub signature: &'a str,
    pub doc: &'a str,
    pub source: &'a str,
    pub content_hash: u64,
    pub metadata: &'a [(String, String)],
}

impl BlockView<'_> {
    /// About the bytes of the record (a little more).
    pub fn encoded_len(&self) -> usize {
        let strings = self.workspace.len()
            + self.path.len()
            + self.name.len()
            + self.qualified_name.len()
            + self.signature.len()
            + self.doc.len()
            + self.source.len()
            + self
                .metadata
                .iter()
                .map(|(k, v)| k.len() + v.len() + 4)
                .sum::<usize>();
        strings + 96
    }

    /// Appends the record's bytes (those [`Block::decode`] reads) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let mut e = Encoder::append_to(std::mem::take(out), self.encoded_len());
        e.str(self.kind.as_str())
            .str(self.language.as_str())
            .str(self.workspace)
            .str(self.path)
            .str(self.name)
            .str(self.qualified_name)
            .bytes(self.parent.as_ref().map_or(&[][..], |p| &p.0[..]))
            .u32(self.span.start_line)
            .u32(self.span.end_line)
            .u32(self.span.start_byte)
            .u32(self.span.end_byte)
            .str(self.signature)
            .str(self.doc)
            .str(self.source)
            .u64(self.content_hash)
            .u64(self.metadata.len() as u64);
        for (k, v) in self.metadata {
            e.str(k).str(v);
        }
        *out = e.finish();
    }
}

/// Block records encoded end to end in one buffer, with their ids: how a sync
/// carries a parsed file's blocks from the thread that parses it to the thread that
/// writes it, one allocation (and one free, on the other thread) for the file
/// instead of several strings per block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncodedBlocks {
    bytes: Vec<u8>,
    /// Per block, in push order: its id and where its record ends in `bytes`.
    ends: Vec<(BlockId, usize)>,
}

impl EncodedBlocks {
    /// Room for `blocks` records of about `bytes` bytes in all.
    pub fn with_capacity(blocks: usize, bytes: usize) -> EncodedBlocks {
        EncodedBlocks {
            bytes: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(blocks),
        }
    }

    /// Appends the record of block `id`.
    pub fn push(&mut self, id: BlockId, block: &BlockView<'_>) {
        block.encode_into(&mut self.bytes);
        self.ends.push((id, self.bytes.len()));
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of all the records.
    pub fn encoded_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// Each block's id and record, in push order.
    pub fn iter(&self) -> impl Iterator<Item = (BlockId, &[u8])> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(_, end)| end));
        self.ends
            .iter()
            .zip(starts)
            .map(|(&(id, end), start)| (id, &self.bytes[start..end]))
    }
}

/// The fields of a [`Block`] record, in encoding order; a reader decoding only some of
/// them skips the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BlockField {
    Kind,
    Language,
    Workspace,
    Path,
    Name,
    QualifiedName,
    Parent,
    StartLine,
    EndLine,
    StartByte,
    EndByte,
    Signature,
    Doc,
    Source,
    ContentHash,
    Metadata,
}

impl Block {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// About the bytes of [`Self::encode`]'s result (a little more).
    pub fn encoded_len(&self) -> usize {
        self.view().encoded_len()
    }

    /// Appends [`Self::encode`]'s bytes to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        self.view().encode_into(out)
    }

    /// The block's fields, borrowed.
    pub fn view(&self) -> BlockView<'_> {
        BlockView {
            kind: self.kind,
            language: self.language,
            workspace: &self.workspace,
            path: &self.path,
            name: &self.name,
            qualified_name: &self.qualified_name,
            parent: self.parent,
            span: self.span,
            signature: &self.signature,
            doc: &self.doc,
            source: &self.source,
            content_hash: self.content_hash,
            metadata: &self.metadata,
        }
    }

    pub fn decode(id: BlockId, buf: &[u8]) -> Result<Block, DecodeError> {
        let mut d = Decoder::record(buf, "block")?;
        let kind = BlockKind::parse(d.str()?).ok_or_else(|| d.error("unknown block kind"))?;
        let language = Language::parse(d.str()?).ok_or_else(|| d.error("unknown language"))?;
        let workspace = d.str()?.to_string();
        let path = d.str()?.to_string();
        let name = d.str()?.to_string();
        let qualified_name = d.str()?.to_string();
        let parent = decode_opt_id(&mut d)?;
        let span = Span {
            start_line: d.u32()?,
            end_line: d.u32()?,
            start_byte: d.u32()?,
            end_byte: d.u32()?,
        };
        let signature = d.str()?.to_string();
        let doc = d.str()?.to_string();
        let source = d.str()?.to_string();
        let content_hash = d.u64()?;
        let n = d.count()?;
        let mut metadata = Vec::with_capacity(n);
        for _ in 0..n {
            metadata.push((d.str()?.to_string(), d.str()?.to_string()));
        }
        Ok(Block {
            id,
            kind,
            language,
            workspace,
            path,
            name,
            qualified_name,
            parent,
            span,
            signature,
            doc,
            source,
            content_hash,
            metadata,
        })
    }
}

fn decode_opt_id(d: &mut Decoder<'_>) -> Result<Option<BlockId>, DecodeError> {
    let b = d.bytes()?;
    if b.is_empty() {
        return Ok(None);
    }
    BlockId::from_slice(b)
        .filter(|_| b.len() == BlockId::LEN)
        .map(Some)
        .ok_or_else(|| d.error("block id of the wrong length"))
}

/// One field of a block record, borrowed from the encoded bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldValue<'a> {
    Str(&'a str),
    Id(Option<BlockId>),
    Int(u64),
    Metadata(&'a [u8], usize),
}

/// Walks a block record field by field, decoding only what the caller asks for.
pub struct BlockFields<'a> {
    d: Decoder<'a>,
    next: u8,
}

impl<'a> BlockFields<'a> {
    pub fn new(buf: &'a [u8]) -> Result<BlockFields<'a>, DecodeError> {
        Ok(BlockFields {
            d: Decoder::record(buf, "block")?,
            next: 0,
        })
    }

    /// Advances to `field` (fields must be asked for in encoding order), skipping the
    /// ones in between, and decodes it.
    pub fn get(&mut self, field: BlockField) -> Result<FieldValue<'a>, DecodeError> {
        let want = field as u8;
        if want < self.next {
            return Err(self.d.error("fields asked for out of order"));
        }
        while self.next < want {
            self.skip_one()?;
        }
        self.next += 1;
        self.read(field)
    }

    fn skip_one(&mut self) -> Result<(), DecodeError> {
        let field = BLOCK_FIELDS[self.next as usize];
        self.next += 1;
        match field {
            BlockField::StartLine
            | BlockField::EndLine
            | BlockField::StartByte
            | BlockField::EndByte
            | BlockField::ContentHash => self.d.u64().map(|_| ()),
            BlockField::Metadata => self.read(field).map(|_| ()),
            _ => self.d.skip_bytes(),
        }
    }

    fn read(&mut self, field: BlockField) -> Result<FieldValue<'a>, DecodeError> {
        Ok(match field {
            BlockField::Parent => FieldValue::Id(decode_opt_id(&mut self.d)?),
            BlockField::StartLine
            | BlockField::EndLine
            | BlockField::StartByte
            | BlockField::EndByte
            | BlockField::ContentHash => FieldValue::Int(self.d.u64()?),
            BlockField::Metadata => {
                let n = self.d.count()?;
                let rest = self.d.rest();
                for _ in 0..n {
                    self.d.skip_bytes()?;
                    self.d.skip_bytes()?;
                }
                FieldValue::Metadata(rest, n)
            }
            _ => FieldValue::Str(self.d.str()?),
        })
    }
}

const BLOCK_FIELDS: [BlockField; 16] = [
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

/// Decodes `n` metadata pairs from the bytes [`FieldValue::Metadata`] points at.
pub fn decode_metadata(buf: &[u8], n: usize) -> Result<Vec<(&str, &str)>, DecodeError> {
    let mut d = Decoder::raw(buf, "block metadata");
    (0..n).map(|_| Ok((d.str()?, d.str()?))).collect()
}

/// A typed edge, with the site it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edge {
    pub source: BlockId,
    pub kind: EdgeKind,
    pub target: BlockId,
    /// 1-based line of the call or import site in `path` (the source's file).
    pub line: u32,
    pub info: EdgeInfo,
}

/// What an edge's value holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeInfo {
    /// The file of the site.
    pub path: String,
    /// The target as written at the site (`m::helper`, `obj.method`, `crate::store`).
    pub target_text: String,
    /// Whether the target is a block (`false`: an unresolved symbol).
    pub resolved: bool,
}

/// Length of an edge key.
pub const EDGE_KEY_LEN: usize = 2 * BlockId::LEN + 1 + 4;

impl Edge {
    /// The `edges_out` key.
    pub fn out_key(&self) -> [u8; EDGE_KEY_LEN] {
        edge_key(&self.source, self.kind, &self.target, self.line)
    }

    /// The `edges_in` key.
    pub fn in_key(&self) -> [u8; EDGE_KEY_LEN] {
        edge_key(&self.target, self.kind, &self.source, self.line)
    }

    /// Rebuilds an edge from an `edges_out` (`outgoing`) or `edges_in` key and its value.
    pub fn decode(key: &[u8], value: &[u8], outgoing: bool) -> Result<Edge, DecodeError> {
        let bad = |what| DecodeError {
            record: "edge key",
            what,
            offset: 0,
        };
        if key.len() != EDGE_KEY_LEN {
            return Err(bad("edge key of the wrong length"));
        }
        let first = BlockId::from_slice(&key[..16]).ok_or(bad("short key"))?;
        let kind = EdgeKind::from_code(key[16]).ok_or(bad("unknown edge kind"))?;
        let second = BlockId::from_slice(&key[17..33]).ok_or(bad("short key"))?;
        let line = u32::from_be_bytes([key[33], key[34], key[35], key[36]]);
        let (source, target) = if outgoing {
            (first, second)
        } else {
            (second, first)
        };
        Ok(Edge {
            source,
            kind,
            target,
            line,
            info: EdgeInfo::decode(value)?,
        })
    }
}

/// Bytes of `v` as a LEB128 varint (see [`Encoder::u64`]).
fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

pub fn edge_key(
    first: &BlockId,
    kind: EdgeKind,
    second: &BlockId,
    line: u32,
) -> [u8; EDGE_KEY_LEN] {
    let mut k = [0u8; EDGE_KEY_LEN];
    k[..16].copy_from_slice(&first.0);
    k[16] = kind.code();
    k[17..33].copy_from_slice(&second.0);
    k[33..].copy_from_slice(&line.to_be_bytes());
    k
}

impl EdgeInfo {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends [`Self::encode`]'s bytes to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let mut e = Encoder::append_to(std::mem::take(out), self.encoded_len());
        self.encode_fields(&mut e);
        *out = e.finish();
    }

    /// Bytes of [`Self::encode`]'s result.
    pub fn encoded_len(&self) -> usize {
        1 + varint_len(self.path.len() as u64)
            + self.path.len()
            + varint_len(self.target_text.len() as u64)
            + self.target_text.len()
            + 1
    }

    fn encode_fields(&self, e: &mut Encoder) {
        e.str(&self.path)
            .str(&self.target_text)
            .u64(u64::from(self.resolved));
    }

    pub fn decode(buf: &[u8]) -> Result<EdgeInfo, DecodeError> {
        let mut d = Decoder::record(buf, "edge")?;
        Ok(EdgeInfo {
            path: d.str()?.to_string(),
            target_text: d.str()?.to_string(),
            resolved: d.u64()? != 0,
        })
    }
}

/// A source file of a workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub workspace: String,
    pub path: String,
    pub language: Language,
    pub size: u64,
    pub content_hash: u64,
    pub blocks: u64,
    pub syntax_errors: u64,
}

impl FileRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::record();
        e.str(self.language.as_str())
            .u64(self.size)
            .u64(self.content_hash)
            .u64(self.blocks)
            .u64(self.syntax_errors);
        e.finish()
    }

    pub fn decode(workspace: &str, path: &str, buf: &[u8]) -> Result<FileRecord, DecodeError> {
        let mut d = Decoder::record(buf, "file")?;
        Ok(FileRecord {
            workspace: workspace.to_string(),
            path: path.to_string(),
            language: Language::parse(d.str()?).ok_or_else(|| d.error("unknown language"))?,
            size: d.u64()?,
            content_hash: d.u64()?,
            blocks: d.u64()?,
            syntax_errors: d.u64()?,
        })
    }
}

/// A symbol of a file, as name resolution sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub id: BlockId,
    pub kind: BlockKind,
    pub name: String,
    pub qualified_name: String,
    /// Index of the parent symbol in the same file.
    pub parent: Option<u32>,
}

/// A reference of a file, not yet resolved (see [`crate::model::Reference`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReference {
    pub kind: EdgeKind,
    /// Index of the symbol the reference occurs in.
    pub from: u32,
    pub name: String,
    pub qualifier: Option<String>,
    pub alias: Option<String>,
    pub line: u32,
}

/// Per file: its symbols, its references, and the edges it is the source of.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileIndex {
    pub language: Option<Language>,
    pub symbols: Vec<Symbol>,
    pub references: Vec<StoredReference>,
    pub edges: Vec<Edge>,
}

impl FileIndex {
    pub fn encode(&self) -> Vec<u8> {
        self.encode_with_edges(&self.edges)
    }

    /// The encoding of this index with `edges` in place of its own (a sync resolves
    /// a file's edges while the index is still shared with the symbol table).
    pub fn encode_with_edges(&self, edges: &[Edge]) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_with_edges_into(edges, &mut out);
        out
    }

    /// About the bytes of [`Self::encode_with_edges`]'s result.
    pub fn encoded_len_with_edges(&self, edges: &[Edge]) -> usize {
        let symbols: usize = self
            .symbols
            .iter()
            .map(|s| s.name.len() + s.qualified_name.len() + 32)
            .sum();
        let references: usize = self
            .references
            .iter()
            .map(|r| {
                r.name.len()
                    + r.qualifier.as_ref().map_or(0, String::len)
                    + r.alias.as_ref().map_or(0, String::len)
                    + 16
            })
            .sum();
        let edge_bytes: usize = edges
            .iter()
            .map(|e| EDGE_KEY_LEN + 2 + e.info.encoded_len() + 2)
            .sum();
        symbols + references + edge_bytes + 32
    }

    /// Appends [`Self::encode_with_edges`]'s bytes to `out`.
    pub fn encode_with_edges_into(&self, edges: &[Edge], out: &mut Vec<u8>) {
        let len = self.encoded_len_with_edges(edges);
        let mut e = Encoder::append_to(std::mem::take(out), len);
        e.str(self.language.map_or("", Language::as_str));
        e.u64(self.symbols.len() as u64);
        for s in &self.symbols {
            e.bytes(&s.id.0)
                .str(s.kind.as_str())
                .str(&s.name)
                .str(&s.qualified_name)
                .u64(s.parent.map_or(0, |p| u64::from(p) + 1));
        }
        e.u64(self.references.len() as u64);
        for r in &self.references {
            e.u64(u64::from(r.kind.code()))
                .u32(r.from)
                .str(&r.name)
                .str(r.qualifier.as_deref().unwrap_or(""))
                .str(r.alias.as_deref().unwrap_or(""))
                .u32(r.line);
        }
        e.u64(edges.len() as u64);
        for edge in edges {
            e.bytes(&edge.out_key());
            e.nested(edge.info.encoded_len(), |e| edge.info.encode_fields(e));
        }
        *out = e.finish();
    }

    pub fn decode(buf: &[u8]) -> Result<FileIndex, DecodeError> {
        FileIndex::decode_with(buf, true)
    }

    /// Decodes what name resolution needs: the symbols and references, leaving
    /// `edges` empty (a library's, which a user's sync never rewrites).
    pub fn decode_without_edges(buf: &[u8]) -> Result<FileIndex, DecodeError> {
        FileIndex::decode_with(buf, false)
    }

    fn decode_with(buf: &[u8], with_edges: bool) -> Result<FileIndex, DecodeError> {
        let mut d = Decoder::record(buf, "file index")?;
        let language = match d.str()? {
            "" => None,
            l => Some(Language::parse(l).ok_or_else(|| d.error("unknown language"))?),
        };
        let n = d.count()?;
        let mut symbols = Vec::with_capacity(n);
        for _ in 0..n {
            let id = BlockId::from_slice(d.bytes()?).ok_or_else(|| d.error("short block id"))?;
            let kind = BlockKind::parse(d.str()?).ok_or_else(|| d.error("unknown block kind"))?;
            let name = d.str()?.to_string();
            let qualified_name = d.str()?.to_string();
            let parent = match d.u32()? {
                0 => None,
                p => Some(p - 1),
            };
            symbols.push(Symbol {
                id,
                kind,
                name,
                qualified_name,
                parent,
            });
        }
        let n = d.count()?;
        let mut references = Vec::with_capacity(n);
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        for _ in 0..n {
            let code = u8::try_from(d.u64()?).map_err(|_| d.error("edge kind out of range"))?;
            let kind = EdgeKind::from_code(code).ok_or_else(|| d.error("unknown edge kind"))?;
            references.push(StoredReference {
                kind,
                from: d.u32()?,
                name: d.str()?.to_string(),
                qualifier: opt(d.str()?),
                alias: opt(d.str()?),
                line: d.u32()?,
            });
        }
        let n = if with_edges { d.count()? } else { 0 };
        let mut edges = Vec::with_capacity(n);
        for _ in 0..n {
            let key = d.bytes()?;
            let value = d.bytes()?;
            edges.push(Edge::decode(key, value, true)?);
        }
        Ok(FileIndex {
            language,
            symbols,
            references,
            edges,
        })
    }
}

/// A linked workspace: a root directory and when it was last synced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceRecord {
    pub name: String,
    pub root: String,
    /// Milliseconds since the Unix epoch; 0 when never synced.
    pub last_sync_ms: u64,
    /// The [`crate::extract::EXTRACTOR_VERSION`] of the last sync: files are
    /// extracted again, changed or not, when it differs. 0 in records written before
    /// the field existed.
    pub extractor_version: u64,
    /// The workspaces whose definitions this one's references may resolve to (a
    /// library such as the Rust standard library's sources), in the order given.
    pub libraries: Vec<String>,
    /// The directories (relative, with a trailing `/`, or "" for the root) that held a
    /// package manifest at the last sync: package scope when this workspace is used as
    /// a library.
    pub package_roots: Vec<String>,
}

impl WorkspaceRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::record();
        e.str(&self.root)
            .u64(self.last_sync_ms)
            .u64(self.extractor_version);
        for list in [&self.libraries, &self.package_roots] {
            e.u64(list.len() as u64);
            for item in list {
                e.str(item);
            }
        }
        e.finish()
    }

    /// Decodes a record; fields added after the first version read as empty when a
    /// record written before them ends early.
    pub fn decode(name: &str, buf: &[u8]) -> Result<WorkspaceRecord, DecodeError> {
        let mut d = Decoder::record(buf, "workspace")?;
        let root = d.str()?.to_string();
        let last_sync_ms = d.u64()?;
        let extractor_version = if d.rest().is_empty() { 0 } else { d.u64()? };
        let mut lists = [Vec::new(), Vec::new()];
        for list in &mut lists {
            if d.rest().is_empty() {
                break;
            }
            let n = d.count()?;
            for _ in 0..n {
                list.push(d.str()?.to_string());
            }
        }
        let [libraries, package_roots] = lists;
        Ok(WorkspaceRecord {
            name: name.to_string(),
            root,
            last_sync_ms,
            extractor_version,
            libraries,
            package_roots,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_block() -> Block {
        Block {
            id: BlockId::for_definition("w", "src/a.rs", "function", "a::f", 0),
            kind: BlockKind::Function,
            language: Language::Rust,
            workspace: "w".into(),
            path: "src/a.rs".into(),
            name: "f".into(),
            qualified_name: "a::f".into(),
            parent: Some(BlockId::for_definition("w", "src/a.rs", "module", "a", 0)),
            span: Span {
                start_line: 3,
                end_line: 5,
                start_byte: 10,
                end_byte: 40,
            },
            signature: "pub fn f()".into(),
            doc: "Does f.".into(),
            source: "pub fn f() {}".into(),
            content_hash: 77,
            metadata: vec![("visibility".into(), "pub".into())],
        }
    }

    #[test]
    fn block_round_trips_and_fields_skip() {
        let b = sample_block();
        let buf = b.encode();
        assert_eq!(Block::decode(b.id, &buf).unwrap(), b);
        let mut f = BlockFields::new(&buf).unwrap();
        assert_eq!(f.get(BlockField::Name).unwrap(), FieldValue::Str("f"));
        assert_eq!(f.get(BlockField::EndLine).unwrap(), FieldValue::Int(5));
        assert_eq!(
            f.get(BlockField::Source).unwrap(),
            FieldValue::Str("pub fn f() {}")
        );
        match f.get(BlockField::Metadata).unwrap() {
            FieldValue::Metadata(bytes, n) => {
                assert_eq!(
                    decode_metadata(bytes, n).unwrap(),
                    vec![("visibility", "pub")]
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(f.get(BlockField::Kind).is_err());
    }

    #[test]
    fn encoded_blocks_hold_each_record_as_block_encode_writes_it() {
        let a = sample_block();
        let mut b = sample_block();
        b.id = BlockId::for_definition("w", "src/a.rs", "function", "a::g", 0);
        b.name = "g".into();
        b.source = String::new();
        b.metadata.clear();
        let mut blocks = EncodedBlocks::with_capacity(1, 8);
        assert!(blocks.is_empty());
        blocks.push(a.id, &a.view());
        blocks.push(b.id, &b.view());
        assert_eq!(blocks.len(), 2);
        let records: Vec<(BlockId, Vec<u8>)> =
            blocks.iter().map(|(id, r)| (id, r.to_vec())).collect();
        assert_eq!(records, vec![(a.id, a.encode()), (b.id, b.encode())]);
        assert_eq!(blocks.encoded_bytes(), a.encode().len() + b.encode().len());
        assert_eq!(Block::decode(b.id, &records[1].1).unwrap(), b);
    }

    #[test]
    fn every_truncation_of_a_record_is_an_error() {
        let buf = sample_block().encode();
        for cut in 0..buf.len() {
            assert!(Block::decode(sample_block().id, &buf[..cut]).is_err());
        }
    }

    #[test]
    fn file_index_round_trips() {
        let a = BlockId::for_definition("w", "p", "module", "m", 0);
        let b = BlockId::for_definition("w", "p", "function", "m::f", 0);
        let idx = FileIndex {
            language: Some(Language::Python),
            symbols: vec![
                Symbol {
                    id: a,
                    kind: BlockKind::Module,
                    name: "m".into(),
                    qualified_name: "m".into(),
                    parent: None,
                },
                Symbol {
                    id: b,
                    kind: BlockKind::Function,
                    name: "f".into(),
                    qualified_name: "m::f".into(),
                    parent: Some(0),
                },
            ],
            references: vec![StoredReference {
                kind: EdgeKind::Calls,
                from: 1,
                name: "g".into(),
                qualifier: Some("x".into()),
                alias: None,
                line: 4,
            }],
            edges: vec![Edge {
                source: a,
                kind: EdgeKind::Contains,
                target: b,
                line: 1,
                info: EdgeInfo {
                    path: "p".into(),
                    target_text: "f".into(),
                    resolved: true,
                },
            }],
        };
        assert_eq!(FileIndex::decode(&idx.encode()).unwrap(), idx);
        assert_eq!(
            FileIndex::decode_without_edges(&idx.encode()).unwrap(),
            FileIndex {
                edges: vec![],
                ..idx.clone()
            }
        );
    }
}

#[cfg(test)]
mod encoding_tests {
    use super::*;

    #[test]
    fn an_edge_info_is_as_long_as_computed_and_nests_like_a_byte_string() {
        for (path, text) in [("", ""), ("a.rs", "f"), ("p/q.rs", &"x".repeat(300)[..])] {
            for resolved in [false, true] {
                let info = EdgeInfo {
                    path: path.to_string(),
                    target_text: text.to_string(),
                    resolved,
                };
                let alone = info.encode();
                assert_eq!(alone.len(), info.encoded_len());
                let mut nested = Encoder::record();
                nested.nested(info.encoded_len(), |e| info.encode_fields(e));
                let mut by_bytes = Encoder::record();
                by_bytes.bytes(&alone);
                assert_eq!(nested.finish(), by_bytes.finish());
            }
        }
        for v in [0u64, 1, 127, 128, 16_383, 16_384, u64::MAX] {
            let mut e = Encoder::default();
            e.u64(v);
            assert_eq!(e.finish().len(), varint_len(v), "{v}");
        }
    }

    #[test]
    fn workspace_records_round_trip_and_older_ones_read_with_empty_lists() {
        let ws = WorkspaceRecord {
            name: "app".into(),
            root: "/src/app".into(),
            last_sync_ms: 5,
            extractor_version: 4,
            libraries: vec!["rust-std".into(), "vendor".into()],
            package_roots: vec!["".into(), "crates/x/".into()],
        };
        assert_eq!(WorkspaceRecord::decode("app", &ws.encode()).unwrap(), ws);
        // As written before libraries and package roots were recorded.
        let mut e = Encoder::record();
        e.str("/src/app").u64(5).u64(4);
        let old = WorkspaceRecord::decode("app", &e.finish()).unwrap();
        assert_eq!(
            old,
            WorkspaceRecord {
                libraries: vec![],
                package_roots: vec![],
                ..ws.clone()
            }
        );
        // A library count past the record's end is an error, not a huge allocation.
        let mut e = Encoder::record();
        e.str("/src/app").u64(5).u64(4).u64(1 << 40);
        assert!(WorkspaceRecord::decode("app", &e.finish()).is_err());
    }
}
