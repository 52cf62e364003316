//! The graph's storage: blocks, edges and their indexes in `cairn-storage` keyspaces
//! (layout in [`crate::record`]).

use crate::error::{corrupt, GraphError, Result};
use crate::id::BlockId;
use crate::model::EdgeKind;
use crate::record::{Block, Edge, FileIndex, FileRecord, WorkspaceRecord};
use cairn_storage::{Engine, Iter, Keyspace, WriteBatch};
use std::sync::Arc;

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

/// Tag bytes of the `names` keyspace.
const NAME_TAG: u8 = b'n';
const QUALIFIED_TAG: u8 = b'q';

/// The code graph over one storage engine. Cheap to clone.
#[derive(Clone)]
pub struct GraphStore {
    engine: Arc<Engine>,
    ks: Keyspaces,
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
        Ok(GraphStore { engine, ks })
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

    /// Calls `visit` with each edge arriving at (`outgoing == false`) or leaving `id`
    /// with kind `kind`, without collecting them; traversal's hot path.
    pub(crate) fn for_each_neighbor(
        &self,
        id: &BlockId,
        kind: EdgeKind,
        outgoing: bool,
        mut visit: impl FnMut(BlockId, u32, bool),
    ) -> Result<()> {
        let ks = if outgoing {
            &self.ks.edges_out
        } else {
            &self.ks.edges_in
        };
        let mut prefix = [0u8; BlockId::LEN + 1];
        prefix[..BlockId::LEN].copy_from_slice(&id.0);
        prefix[BlockId::LEN] = kind.code();
        let mut it = self.engine.prefix(ks, &prefix)?;
        while let Some((k, v)) = it.next_entry()? {
            let other = k
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
            visit(other, line, resolved);
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
        Ok(self
            .engine
            .put(&self.ks.workspaces, ws.name.as_bytes(), &ws.encode())?)
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
        let prefix = file_key(workspace, "");
        let mut it = self.engine.prefix(&self.ks.file_index, &prefix)?;
        let mut out = Vec::new();
        while let Some((k, v)) = it.next_entry()? {
            let path =
                std::str::from_utf8(&k[prefix.len()..]).map_err(|_| bad_key("file_index"))?;
            out.push((
                path.to_string(),
                FileIndex::decode(v).map_err(corrupt("file_index"))?,
            ));
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
        new: Option<(&FileRecord, &FileIndex, &[Block])>,
    ) -> Result<()> {
        let mut batch = WriteBatch::new();
        let key = file_key(workspace, path);
        let (new_index, new_blocks) = match new {
            Some((record, index, blocks)) => {
                batch.put(&self.ks.files, &key, &record.encode());
                batch.put(&self.ks.file_index, &key, &index.encode());
                (Some(index), blocks)
            }
            None => {
                batch.delete(&self.ks.files, &key);
                batch.delete(&self.ks.file_index, &key);
                (None, &[][..])
            }
        };
        // Blocks: delete those that went away, (re)write the rest (their content may
        // have changed under the same id).
        let keep: std::collections::HashSet<BlockId> = new_blocks.iter().map(|b| b.id).collect();
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
        let old_names: std::collections::HashSet<(&str, &str, BlockId)> = old
            .symbols
            .iter()
            .map(|s| (s.name.as_str(), s.qualified_name.as_str(), s.id))
            .collect();
        for b in new_blocks {
            batch.put(&self.ks.blocks, &b.id.0, &b.encode());
            if !old_names.contains(&(b.name.as_str(), b.qualified_name.as_str(), b.id)) {
                batch.put(
                    &self.ks.names,
                    &name_key(NAME_TAG, &b.name, Some(&b.id)),
                    &[],
                );
                batch.put(
                    &self.ks.names,
                    &name_key(QUALIFIED_TAG, &b.qualified_name, Some(&b.id)),
                    &[],
                );
            }
        }
        self.diff_edges(
            &mut batch,
            &old.edges,
            new_index.map_or(&[][..], |i| &i.edges),
        );
        self.engine.write(&batch)?;
        Ok(())
    }

    /// Replaces a file's outgoing edges (after re-resolution) without touching its blocks.
    pub(crate) fn write_edges(
        &self,
        workspace: &str,
        path: &str,
        old: &FileIndex,
        new: &FileIndex,
    ) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(
            &self.ks.file_index,
            &file_key(workspace, path),
            &new.encode(),
        );
        self.diff_edges(&mut batch, &old.edges, &new.edges);
        self.engine.write(&batch)?;
        Ok(())
    }

    fn diff_edges(&self, batch: &mut WriteBatch, old: &[Edge], new: &[Edge]) {
        let new_set: std::collections::HashSet<&Edge> = new.iter().collect();
        let old_set: std::collections::HashSet<&Edge> = old.iter().collect();
        for e in old.iter().filter(|e| !new_set.contains(e)) {
            batch.delete(&self.ks.edges_out, &e.out_key());
            batch.delete(&self.ks.edges_in, &e.in_key());
        }
        for e in new.iter().filter(|e| !old_set.contains(e)) {
            let info = e.info.encode();
            batch.put(&self.ks.edges_out, &e.out_key(), &info);
            batch.put(&self.ks.edges_in, &e.in_key(), &info);
        }
    }

    pub(crate) fn delete_workspace_record(&self, name: &str) -> Result<()> {
        Ok(self.engine.delete(&self.ks.workspaces, name.as_bytes())?)
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
