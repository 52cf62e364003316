//! The graph's storage: blocks, edges and their indexes in `cairn-storage` keyspaces
//! (layout in [`crate::record`]).

use crate::adjacency::{self, AdjacencyCache, CacheStats, ListKey, Neighbor};
use crate::error::{corrupt, GraphError, Result};
use crate::id::{BlockId, FastBuildHasher};
use crate::model::EdgeKind;
use crate::record::{
    Block, Edge, EncodedBlocks, FileIndex, FileRecord, WorkspaceRecord, EDGE_KEY_LEN,
};
use cairn_storage::{Durability, Engine, Iter, Keyspace, WriteBatch};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// The keyspaces the graph lives in.
#[derive(Clone, Debug)]
pub struct Keyspaces {
    pub blocks: Keyspace,
    pub names: Keyspace,
    pub edges_out: Keyspace,
    pub edges_in: Keyspace,
    pub files: Keyspace,
    pub file_index: Keyspace,
    pub workspaces: Keyspace,
}

impl Keyspaces {
    /// The keyspaces that hold the graph itself, by name: all but `workspaces` (whose
    /// roots and sync times differ between two ingests of the same code).
    pub fn graph(&self) -> [(&'static str, &Keyspace); 6] {
        [
            ("blocks", &self.blocks),
            ("names", &self.names),
            ("edges_out", &self.edges_out),
            ("edges_in", &self.edges_in),
            ("files", &self.files),
            ("file_index", &self.file_index),
        ]
    }
}

/// Tag bytes of the `names` keyspace.
const NAME_TAG: u8 = b'n';
const QUALIFIED_TAG: u8 = b'q';

/// The code graph over one storage engine. Cheap to clone; clones share one
/// adjacency cache.
#[derive(Clone)]
pub struct GraphStore {
    engine: Arc<Engine>,
    ks: Keyspaces,
    adjacency: Arc<Mutex<AdjacencyCache>>,
}

impl GraphStore {
    /// Opens (creating if needed) the graph's keyspaces in `engine`.
    pub fn new(engine: Arc<Engine>) -> Result<GraphStore> {
        let ks = Keyspaces {
            blocks: engine.keyspace("blocks")?,
            names: engine.keyspace("names")?,
            edges_out: engine.keyspace("edges_out")?,
            edges_in: engine.keyspace("edges_in")?,
            files: engine.keyspace("files")?,
            file_index: engine.keyspace("file_index")?,
            workspaces: engine.keyspace("workspaces")?,
        };
        let adjacency = AdjacencyCache::new(engine.last_seq(), adjacency::DEFAULT_BUDGET);
        Ok(GraphStore {
            engine,
            ks,
            adjacency: Arc::new(Mutex::new(adjacency)),
        })
    }

    /// Sets the memory budget of the adjacency cache (0 turns it off).
    pub fn set_adjacency_budget(&self, bytes: usize) {
        self.lock_adjacency().set_budget(bytes);
    }

    /// The adjacency cache's counters.
    pub fn adjacency_stats(&self) -> CacheStats {
        self.lock_adjacency().stats()
    }

    fn lock_adjacency(&self) -> MutexGuard<'_, AdjacencyCache> {
        match self.adjacency.lock() {
            Ok(g) => g,
            Err(poisoned) => {
                // A panic while holding the lock may have left entries half-updated:
                // start over from storage.
                self.adjacency.clear_poison();
                let mut g = poisoned.into_inner();
                g.clear();
                g
            }
        }
    }

    /// Adjacency lists for one traversal: the cache, locked and checked against the
    /// engine's latest write, filling from the edge indexes on a miss. Holding it
    /// blocks the store's writes (which must not run on the same thread meanwhile).
    pub(crate) fn adjacency(&self) -> Adjacency<'_> {
        let mut cache = self.lock_adjacency();
        cache.check_seq(self.engine.last_seq());
        Adjacency {
            store: self,
            cache,
            scratch: Vec::new(),
        }
    }

    /// Writes `batch`, whose edge changes touch the adjacency lists `touched`, keeping
    /// the adjacency cache exact: every write of the graph goes through here.
    fn commit(&self, batch: &WriteBatch, touched: &[ListKey]) -> Result<()> {
        self.commit_with(batch, touched, Durability::Default)
    }

    fn commit_with(
        &self,
        batch: &WriteBatch,
        touched: &[ListKey],
        durability: Durability,
    ) -> Result<()> {
        // Held across the write so no traversal fills an entry in between.
        let mut cache = self.lock_adjacency();
        let before = self.engine.last_seq();
        cache.check_seq(before);
        for key in touched {
            cache.invalidate(key);
        }
        let written = self.engine.write_with(batch, durability);
        let after = self.engine.last_seq();
        // Each operation takes one sequence number (tested below): any other advance
        // means someone else wrote too, and the cache cannot know what.
        if written.is_ok() && after - before == batch.len() as u64 {
            cache.advance(after);
        } else {
            cache.clear();
            cache.advance(after);
        }
        Ok(written?)
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub fn keyspaces(&self) -> &Keyspaces {
        &self.ks
    }

    pub fn block(&self, id: &BlockId) -> Result<Option<Block>> {
        match self.engine.get(&self.ks.blocks, &id.0)? {
            None => Ok(None),
            Some(v) => Block::decode(*id, &v).map(Some).map_err(corrupt("blocks")),
        }
    }

    /// Ids of the blocks whose simple name is `name`, in key order.
    pub fn blocks_named(&self, name: &str) -> Result<Vec<BlockId>> {
        self.name_index(NAME_TAG, name)
    }

    /// Ids of the blocks whose qualified name is `qualified`.
    pub fn blocks_qualified(&self, qualified: &str) -> Result<Vec<BlockId>> {
        self.name_index(QUALIFIED_TAG, qualified)
    }

    fn name_index(&self, tag: u8, name: &str) -> Result<Vec<BlockId>> {
        let prefix = name_key(tag, name, None);
        let mut it = self.engine.prefix(&self.ks.names, &prefix)?;
        let mut out = Vec::new();
        while let Some((k, _)) = it.next_entry()? {
            if let Some(id) = k.get(prefix.len()..).and_then(BlockId::from_slice) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Edges leaving `id` (kinds: `None` for all), in key order.
    pub fn edges_from(&self, id: &BlockId, kind: Option<EdgeKind>) -> Result<Vec<Edge>> {
        self.edges(&self.ks.edges_out, id, kind, true)
    }

    /// Edges arriving at `id`: as cheap as [`Self::edges_from`], through the target index.
    pub fn edges_to(&self, id: &BlockId, kind: Option<EdgeKind>) -> Result<Vec<Edge>> {
        self.edges(&self.ks.edges_in, id, kind, false)
    }

    fn edges(
        &self,
        ks: &Keyspace,
        id: &BlockId,
        kind: Option<EdgeKind>,
        outgoing: bool,
    ) -> Result<Vec<Edge>> {
        let mut prefix = id.0.to_vec();
        if let Some(k) = kind {
            prefix.push(k.code());
        }
        let mut it = self.engine.prefix(ks, &prefix)?;
        let mut out = Vec::new();
        while let Some((k, v)) = it.next_entry()? {
            out.push(Edge::decode(k, v, outgoing).map_err(corrupt("edges"))?);
        }
        Ok(out)
    }

    /// Appends to `out` the neighbours of `key`'s list, by one prefix scan of the
    /// edge index of its direction.
    fn scan_neighbors(&self, key: &ListKey, out: &mut Vec<Neighbor>) -> Result<()> {
        let ks = if key.outgoing {
            &self.ks.edges_out
        } else {
            &self.ks.edges_in
        };
        let mut prefix = [0u8; BlockId::LEN + 1];
        prefix[..BlockId::LEN].copy_from_slice(&key.id.0);
        prefix[BlockId::LEN] = key.kind.code();
        let mut it = self.engine.prefix(ks, &prefix)?;
        while let Some((k, v)) = it.next_entry()? {
            let id = k
                .get(17..33)
                .and_then(BlockId::from_slice)
                .ok_or_else(|| bad_key("edges"))?;
            let line = k
                .get(33..37)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_be_bytes)
                .ok_or_else(|| bad_key("edges"))?;
            // The value's last byte is the `resolved` flag (see `EdgeInfo::encode`).
            let resolved = v.last().is_some_and(|&b| b != 0);
            out.push(Neighbor { id, line, resolved });
        }
        Ok(())
    }

    pub fn workspace(&self, name: &str) -> Result<Option<WorkspaceRecord>> {
        match self.engine.get(&self.ks.workspaces, name.as_bytes())? {
            None => Ok(None),
            Some(v) => WorkspaceRecord::decode(name, &v)
                .map(Some)
                .map_err(corrupt("workspaces")),
        }
    }

    pub fn workspaces(&self) -> Result<Vec<WorkspaceRecord>> {
        let mut it = self.engine.prefix(&self.ks.workspaces, b"")?;
        let mut out = Vec::new();
        while let Some((k, v)) = it.next_entry()? {
            let name = std::str::from_utf8(k).map_err(|_| bad_key("workspaces"))?;
            out.push(WorkspaceRecord::decode(name, v).map_err(corrupt("workspaces"))?);
        }
        Ok(out)
    }

    pub fn put_workspace(&self, ws: &WorkspaceRecord) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(&self.ks.workspaces, ws.name.as_bytes(), &ws.encode());
        self.commit(&batch, &[])
    }

    /// The files of a workspace, by path.
    pub fn files(&self, workspace: &str) -> Result<Vec<FileRecord>> {
        let prefix = file_key(workspace, "");
        let mut it = self.engine.prefix(&self.ks.files, &prefix)?;
        let mut out = Vec::new();
        while let Some((k, v)) = it.next_entry()? {
            let path = std::str::from_utf8(&k[prefix.len()..]).map_err(|_| bad_key("files"))?;
            out.push(FileRecord::decode(workspace, path, v).map_err(corrupt("files"))?);
        }
        Ok(out)
    }

    /// The stored index of every file of a workspace, by path.
    pub fn file_indexes(&self, workspace: &str) -> Result<Vec<(String, FileIndex)>> {
        self.file_indexes_with(workspace, FileIndex::decode)
    }

    /// [`Self::file_indexes`] without their edges: what resolving against a library
    /// needs.
    pub fn file_definitions(&self, workspace: &str) -> Result<Vec<(String, FileIndex)>> {
        self.file_indexes_with(workspace, FileIndex::decode_without_edges)
    }

    fn file_indexes_with(
        &self,
        workspace: &str,
        decode: fn(&[u8]) -> std::result::Result<FileIndex, crate::codec::DecodeError>,
    ) -> Result<Vec<(String, FileIndex)>> {
        let prefix = file_key(workspace, "");
        let mut it = self.engine.prefix(&self.ks.file_index, &prefix)?;
        let mut out = Vec::new();
        while let Some((k, v)) = it.next_entry()? {
            let path =
                std::str::from_utf8(&k[prefix.len()..]).map_err(|_| bad_key("file_index"))?;
            out.push((path.to_string(), decode(v).map_err(corrupt("file_index"))?));
        }
        Ok(out)
    }

    /// The stored records of the blocks `ids` that exist, as (key, value) pairs of the
    /// `blocks` keyspace; for index lookups by table readers.
    pub fn raw_blocks(&self, ids: &[BlockId]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = self.engine.get(&self.ks.blocks, &id.0)? {
                out.push((id.0.to_vec(), v.to_vec()));
            }
        }
        Ok(out)
    }

    /// The edges leaving (`outgoing`) or arriving at `id`, as (key, value) pairs in
    /// the `edges_out` format whichever index found them.
    pub fn raw_edges(&self, id: &BlockId, outgoing: bool) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let ks = if outgoing {
            &self.ks.edges_out
        } else {
            &self.ks.edges_in
        };
        let mut it = self.engine.prefix(ks, &id.0)?;
        let mut out = Vec::new();
        while let Some((k, v)) = it.next_entry()? {
            let key = if outgoing {
                k.to_vec()
            } else {
                Edge::decode(k, v, false)
                    .map_err(corrupt("edges"))?
                    .out_key()
                    .to_vec()
            };
            out.push((key, v.to_vec()));
        }
        Ok(out)
    }

    /// A raw iterator over a keyspace, for table scans.
    pub fn scan(&self, ks: &Keyspace) -> Result<Iter> {
        Ok(self.engine.prefix(ks, b"")?)
    }

    /// Writes one file's change as one atomic batch: `old` is what the store holds for
    /// the file (empty when new), `new` what it should hold (`None`: the file is gone).
    pub(crate) fn write_file(
        &self,
        workspace: &str,
        path: &str,
        old: &FileIndex,
        new: Option<(&FileRecord, &FileIndex, &EncodedBlocks)>,
    ) -> Result<()> {
        let new = new.map(|(record, index, blocks)| NewFile {
            record,
            index,
            edges: &index.edges,
            blocks,
        });
        self.commit_pending(&self.file_batch(workspace, path, old, new))
    }

    /// The batch of [`Self::write_file`], built without touching the engine (so on any
    /// thread); [`Self::commit_pending`] writes it.
    pub(crate) fn file_batch(
        &self,
        workspace: &str,
        path: &str,
        old: &FileIndex,
        new: Option<NewFile<'_>>,
    ) -> PendingWrite {
        self.file_batch_in(WriteBatch::new(), workspace, path, old, new)
    }

    /// [`Self::file_batch`] built in `batch`, an empty one whose buffer is reused.
    pub(crate) fn file_batch_in(
        &self,
        mut batch: WriteBatch,
        workspace: &str,
        path: &str,
        old: &FileIndex,
        new: Option<NewFile<'_>>,
    ) -> PendingWrite {
        debug_assert!(batch.is_empty());
        batch.reserve(new.as_ref().map_or(0, NewFile::batch_bytes));
        let key = file_key(workspace, path);
        let empty = EncodedBlocks::default();
        let (new_edges, new_blocks, new_symbols) = match &new {
            Some(n) => {
                batch.put(&self.ks.files, &key, &n.record.encode());
                batch.put_with(&self.ks.file_index, &key, |out| {
                    n.index.encode_with_edges_into(n.edges, out)
                });
                (n.edges, n.blocks, &n.index.symbols[..])
            }
            None => {
                batch.delete(&self.ks.files, &key);
                batch.delete(&self.ks.file_index, &key);
                (&[][..], &empty, &[][..])
            }
        };
        // The blocks are the index's symbols, in the same order (see `NewFile`).
        assert_eq!(new_blocks.len(), new_symbols.len(), "one block per symbol");
        // Blocks: delete those that went away, (re)write the rest (their content may
        // have changed under the same id). A new file has nothing to delete.
        if !old.symbols.is_empty() {
            let keep: HashSet<BlockId, FastBuildHasher> =
                new_symbols.iter().map(|s| s.id).collect();
            for s in &old.symbols {
                if !keep.contains(&s.id) {
                    batch.delete(&self.ks.blocks, &s.id.0);
                    batch.delete(&self.ks.names, &name_key(NAME_TAG, &s.name, Some(&s.id)));
                    batch.delete(
                        &self.ks.names,
                        &name_key(QUALIFIED_TAG, &s.qualified_name, Some(&s.id)),
                    );
                }
            }
        }
        let old_names: HashSet<(&str, &str, BlockId), FastBuildHasher> = old
            .symbols
            .iter()
            .map(|s| (s.name.as_str(), s.qualified_name.as_str(), s.id))
            .collect();
        for ((id, record), s) in new_blocks.iter().zip(new_symbols) {
            assert_eq!(id, s.id, "blocks in symbol order");
            batch.put(&self.ks.blocks, &id.0, record);
            if !old_names.contains(&(s.name.as_str(), s.qualified_name.as_str(), id)) {
                batch.put(&self.ks.names, &name_key(NAME_TAG, &s.name, Some(&id)), &[]);
                batch.put(
                    &self.ks.names,
                    &name_key(QUALIFIED_TAG, &s.qualified_name, Some(&id)),
                    &[],
                );
            }
        }
        let touched = self.diff_edges(&mut batch, &old.edges, new_edges);
        PendingWrite { batch, touched }
    }

    /// The batch that replaces a file's outgoing edges (after re-resolution) with
    /// `edges`, without touching its blocks; built without touching the engine.
    pub(crate) fn edges_batch(
        &self,
        workspace: &str,
        path: &str,
        old: &FileIndex,
        new: &FileIndex,
        edges: &[Edge],
    ) -> PendingWrite {
        let mut batch = WriteBatch::new();
        batch.put_with(&self.ks.file_index, &file_key(workspace, path), |out| {
            new.encode_with_edges_into(edges, out)
        });
        let touched = self.diff_edges(&mut batch, &old.edges, edges);
        PendingWrite { batch, touched }
    }

    /// Writes a batch built by [`Self::file_batch`] or [`Self::edges_batch`].
    ///
    /// The write is deferred ([`Durability::Deferred`]): a sync writes thousands of
    /// these, a group-commit fsync for each window of them kept the one writer thread
    /// waiting on the disk, and the sync ends with one [`Engine::sync`] instead. Each
    /// batch stays atomic, and a crash keeps whole batches in order, which the next
    /// sync repairs as it does any interrupted one.
    pub(crate) fn commit_pending(&self, pending: &PendingWrite) -> Result<()> {
        self.commit_with(&pending.batch, &pending.touched, Durability::Deferred)
    }

    /// Adds to `batch` the edge writes that turn `old` into `new`; returns the
    /// adjacency lists they change (both ends of every edge written or deleted).
    fn diff_edges<'e>(
        &self,
        batch: &mut WriteBatch,
        old: &'e [Edge],
        new: &'e [Edge],
    ) -> Vec<ListKey> {
        // A new file has no old edges and a deleted one no new edges: no sets then.
        let set = |edges: &'e [Edge], other: &[Edge]| -> HashSet<&'e Edge, FastBuildHasher> {
            if other.is_empty() {
                HashSet::default()
            } else {
                edges.iter().collect()
            }
        };
        let new_set = set(new, old);
        let old_set = set(old, new);
        let mut touched = Vec::with_capacity(2 * new.len().max(old.len()));
        let mut touch = |e: &Edge| {
            touched.push(ListKey {
                id: e.source,
                kind: e.kind,
                outgoing: true,
            });
            touched.push(ListKey {
                id: e.target,
                kind: e.kind,
                outgoing: false,
            });
        };
        for e in old.iter().filter(|e| !new_set.contains(e)) {
            batch.delete(&self.ks.edges_out, &e.out_key());
            batch.delete(&self.ks.edges_in, &e.in_key());
            touch(e);
        }
        let mut info = Vec::new();
        for e in new.iter().filter(|e| !old_set.contains(e)) {
            info.clear();
            e.info.encode_into(&mut info);
            batch.put(&self.ks.edges_out, &e.out_key(), &info);
            batch.put(&self.ks.edges_in, &e.in_key(), &info);
            touch(e);
        }
        touched
    }

    pub(crate) fn delete_workspace_record(&self, name: &str) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(&self.ks.workspaces, name.as_bytes());
        self.commit(&batch, &[])
    }
}

/// What a file should hold after a sync (see [`GraphStore::file_batch`]): its record,
/// its index with `edges` as its edges, and its blocks, one per symbol of the index
/// and in the same order.
pub(crate) struct NewFile<'a> {
    pub record: &'a FileRecord,
    pub index: &'a FileIndex,
    pub edges: &'a [Edge],
    pub blocks: &'a EncodedBlocks,
}

impl NewFile<'_> {
    /// About the bytes of the batch that writes this file whole (its records, block
    /// names and both directions of its edges), so the batch is allocated once.
    fn batch_bytes(&self) -> usize {
        let put = WriteBatch::put_len;
        // A name key: tag, name, separator, id; no value.
        let name_key = |name: &str| put(2 + name.len() + BlockId::LEN, 0);
        let names: usize = self
            .index
            .symbols
            .iter()
            .map(|s| name_key(&s.name) + name_key(&s.qualified_name))
            .sum();
        let blocks = self.blocks.len() * put(BlockId::LEN, 0) + self.blocks.encoded_bytes();
        let edges: usize = self
            .edges
            .iter()
            .map(|e| 2 * put(EDGE_KEY_LEN, e.info.encoded_len()))
            .sum();
        let key = self.record.workspace.len() + self.record.path.len() + 2;
        put(key, 64)
            + put(key, self.index.encoded_len_with_edges(self.edges))
            + names
            + blocks
            + edges
    }
}

/// One atomic batch of the graph, not yet written, with the adjacency lists its edge
/// changes touch.
pub(crate) struct PendingWrite {
    batch: WriteBatch,
    touched: Vec<ListKey>,
}

impl PendingWrite {
    /// The batch, emptied, for its buffer to be used again.
    pub(crate) fn into_empty_batch(self) -> WriteBatch {
        let mut batch = self.batch;
        batch.clear();
        batch
    }
}

/// The adjacency cache, locked for one traversal (see [`GraphStore::adjacency`]).
pub(crate) struct Adjacency<'a> {
    store: &'a GraphStore,
    cache: MutexGuard<'a, AdjacencyCache>,
    scratch: Vec<Neighbor>,
}

impl Adjacency<'_> {
    /// The neighbours of `id` along edges of `kind` (leaving it when `outgoing`), in
    /// key order: from the cache, or from one prefix scan that then fills it.
    pub(crate) fn neighbors(
        &mut self,
        id: BlockId,
        kind: EdgeKind,
        outgoing: bool,
    ) -> Result<&[Neighbor]> {
        let key = ListKey { id, kind, outgoing };
        if self.cache.contains(&key) {
            return Ok(self.cache.list(&key));
        }
        self.scratch.clear();
        self.store.scan_neighbors(&key, &mut self.scratch)?;
        self.cache.insert(key, self.scratch.as_slice().into());
        // Served from the scan itself: the budget may have refused to cache it.
        Ok(&self.scratch)
    }
}

fn bad_key(keyspace: &'static str) -> GraphError {
    GraphError::Corrupt {
        keyspace,
        source: crate::codec::DecodeError {
            record: "key",
            what: "malformed key",
            offset: 0,
        },
    }
}

/// `workspace 0 path`: files and file indexes of a workspace sort together.
pub fn file_key(workspace: &str, path: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(workspace.len() + 1 + path.len());
    k.extend_from_slice(workspace.as_bytes());
    k.push(0);
    k.extend_from_slice(path.as_bytes());
    k
}

fn name_key(tag: u8, name: &str, id: Option<&BlockId>) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + name.len() + BlockId::LEN);
    k.push(tag);
    k.extend_from_slice(name.as_bytes());
    k.push(0);
    if let Some(id) = id {
        k.extend_from_slice(&id.0);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{self, SyncOptions};
    use crate::traverse::{self, Bounds};
    use cairn_storage::Options;

    struct Fixture {
        store: GraphStore,
        root: tempfile::TempDir,
        _db: tempfile::TempDir,
    }

    impl Fixture {
        fn new(files: &[(&str, &str)]) -> Fixture {
            let root = tempfile::tempdir().unwrap();
            let db = tempfile::tempdir().unwrap();
            let engine = Arc::new(Engine::open(db.path(), Options::default()).unwrap());
            let store = GraphStore::new(engine).unwrap();
            sync::link(&store, "w", root.path()).unwrap();
            let f = Fixture {
                store,
                root,
                _db: db,
            };
            for (path, text) in files {
                f.write(path, text);
            }
            f.sync();
            f
        }

        fn write(&self, path: &str, text: &str) {
            std::fs::write(self.root.path().join(path), text).unwrap();
        }

        fn sync(&self) {
            let summary = sync::sync(&self.store, "w", &SyncOptions::default(), &|_| {}).unwrap();
            assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        }

        fn id(&self, qualified: &str) -> BlockId {
            let ids = self.store.blocks_qualified(qualified).unwrap();
            assert_eq!(ids.len(), 1, "{qualified}");
            ids[0]
        }

        /// Names of the callers of `qualified` to depth 2, with distances, sorted;
        /// checked equal to the answer of a store over the same engine without a cache.
        fn callers(&self, qualified: &str) -> Vec<(String, u32)> {
            let id = self.id(qualified);
            let bounds = Bounds {
                depth: 2,
                limit: 100,
            };
            let cached = traverse::callers(&self.store, id, &bounds).unwrap();
            let uncached = GraphStore::new(Arc::clone(self.store.engine())).unwrap();
            uncached.set_adjacency_budget(0);
            assert_eq!(
                cached,
                traverse::callers(&uncached, id, &bounds).unwrap(),
                "cached and stored answers differ"
            );
            let mut out: Vec<(String, u32)> = cached
                .iter()
                .map(|h| {
                    let name = self.store.block(&h.block).unwrap().map(|b| b.name);
                    (name.unwrap_or_else(|| "?".into()), h.distance)
                })
                .collect();
            out.sort();
            out
        }
    }

    fn named(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs.iter().map(|&(n, d)| (n.to_string(), d)).collect()
    }

    const A: &str = "from b import g\n\ndef f():\n    g()\n\ndef top():\n    f()\n";
    const B: &str = "def g():\n    pass\n";

    #[test]
    fn a_warm_traversal_sees_an_edit_after_sync() {
        let fx = Fixture::new(&[("a.py", A), ("b.py", B)]);
        assert_eq!(fx.callers("b.g"), named(&[("f", 1), ("top", 2)]));
        let warm = fx.store.adjacency_stats();
        assert_eq!(fx.callers("b.g"), named(&[("f", 1), ("top", 2)]));
        let again = fx.store.adjacency_stats();
        assert!(
            again.hits > warm.hits,
            "the second traversal used the cache"
        );
        assert_eq!(again.misses, warm.misses, "and found every list there");

        // `f` stops calling `g`, a new `h` calls it, `top` calls `h`.
        fx.write(
            "a.py",
            "from b import g\n\ndef f():\n    pass\n\ndef h():\n    g()\n\ndef top():\n    f()\n    h()\n",
        );
        fx.sync();
        assert_eq!(fx.callers("b.g"), named(&[("h", 1), ("top", 2)]));
        assert_eq!(fx.callers("a.f"), named(&[("top", 1)]));
    }

    #[test]
    fn editing_the_target_file_keeps_the_cache_exact() {
        let fx = Fixture::new(&[("a.py", A), ("b.py", B)]);
        assert_eq!(fx.callers("b.g"), named(&[("f", 1), ("top", 2)]));
        assert_eq!(fx.callers("a.f"), named(&[("top", 1)]));
        // `g` gains a caller inside its own file; `a.py` is untouched.
        fx.write("b.py", "def g():\n    pass\n\ndef k():\n    g()\n");
        fx.sync();
        assert_eq!(fx.callers("b.g"), named(&[("f", 1), ("k", 1), ("top", 2)]));
        // Deleting a caller's file removes its edges from the cached lists.
        std::fs::remove_file(fx.root.path().join("a.py")).unwrap();
        fx.sync();
        assert_eq!(fx.callers("b.g"), named(&[("k", 1)]));
        assert!(fx.store.adjacency_stats().entries > 0);
    }

    #[test]
    fn unlink_empties_what_traversal_sees() {
        let fx = Fixture::new(&[("a.py", A), ("b.py", B)]);
        let g = fx.id("b.g");
        let bounds = Bounds::default();
        assert_eq!(traverse::callers(&fx.store, g, &bounds).unwrap().len(), 1);
        sync::unlink(&fx.store, "w").unwrap();
        assert!(traverse::callers(&fx.store, g, &bounds).unwrap().is_empty());
    }

    #[test]
    fn a_write_outside_the_store_empties_the_cache() {
        let fx = Fixture::new(&[("a.py", A), ("b.py", B)]);
        let g = fx.id("b.g");
        let bounds = Bounds::default();
        let hits = traverse::callers(&fx.store, g, &bounds).unwrap();
        assert_eq!(hits.len(), 1);
        // Remove the edge behind the store's back, through the engine.
        let edge = fx
            .store
            .edges_to(&g, Some(EdgeKind::Calls))
            .unwrap()
            .remove(0);
        let ks = fx.store.keyspaces().clone();
        let engine = fx.store.engine();
        engine.delete(&ks.edges_in, &edge.in_key()).unwrap();
        assert!(traverse::callers(&fx.store, g, &bounds).unwrap().is_empty());
    }

    /// [`GraphStore::commit`] relies on each operation of a batch taking one sequence
    /// number; if the engine changes that, the cache would empty itself on every write.
    #[test]
    fn a_batch_takes_one_sequence_number_per_operation() {
        let fx = Fixture::new(&[("b.py", B)]);
        let engine = fx.store.engine();
        let before = engine.last_seq();
        let mut batch = WriteBatch::new();
        for k in [b"x".as_slice(), b"y", b"z"] {
            batch.put(&fx.store.keyspaces().workspaces, k, b"");
        }
        batch.delete(&fx.store.keyspaces().workspaces, b"x");
        engine.write(&batch).unwrap();
        assert_eq!(engine.last_seq() - before, batch.len() as u64);
    }
}
