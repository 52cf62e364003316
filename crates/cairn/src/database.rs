//! [`Database`]: one directory holding the storage engine, the code graph over it,
//! and the PartiQL catalog that exposes both.

use crate::error::{Error, Result};
use crate::functions::graph_functions;
use crate::rust_std;
use crate::statement::Statement;
use crate::tables::{Blocks, Edges, Files, TableSource, Workspaces};
use cairn_graph::sync::{self, Progress, SyncOptions, SyncSummary};
use cairn_graph::traverse::{self, Bounds, Direction};
use cairn_graph::{Block, BlockId, BlockKind, EdgeKind, GraphStore, WorkspaceRecord};
use cairn_query::{Catalog, FunctionRegistry};
use cairn_storage::{Engine, Options};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable naming the default database directory.
pub const HOME_ENV: &str = "CAIRN_HOME";
/// The default database directory under the current directory.
pub const DEFAULT_DIR: &str = ".cairn";
/// The file every storage engine directory holds once created (see
/// `cairn-storage`'s manifest module).
const MANIFEST: &str = "MANIFEST";

/// An open Cairn database.
pub struct Database {
    dir: PathBuf,
    store: GraphStore,
    catalog: Catalog,
    functions: Arc<FunctionRegistry>,
}

/// Which way `show` looks from a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Callers,
    Callees,
    Imports,
    Importers,
}

impl Relation {
    fn walk(self) -> (Direction, EdgeKind) {
        match self {
            Relation::Callers => (Direction::Incoming, EdgeKind::Calls),
            Relation::Callees => (Direction::Outgoing, EdgeKind::Calls),
            Relation::Imports => (Direction::Outgoing, EdgeKind::Imports),
            Relation::Importers => (Direction::Incoming, EdgeKind::Imports),
        }
    }
}

/// A block reached from another, with how far and by which path.
#[derive(Clone, Debug)]
pub struct Related {
    /// The block (`None` for an unresolved symbol).
    pub block: Option<Block>,
    /// The block's qualified name, or the unresolved symbol's text.
    pub name: String,
    pub distance: u32,
    /// Qualified names from the start to this block.
    pub path: Vec<String>,
    /// Line of the edge's site.
    pub line: u32,
}

/// Counts and sizes, for `cairn status`.
#[derive(Clone, Debug)]
pub struct Status {
    pub dir: PathBuf,
    pub disk_bytes: u64,
    pub sstables: usize,
    pub workspaces: Vec<WorkspaceStatus>,
}

#[derive(Clone, Debug)]
pub struct WorkspaceStatus {
    pub name: String,
    pub root: String,
    pub last_sync: String,
    pub files: usize,
    pub blocks: u64,
    pub edges: usize,
    /// The workspaces this one resolves against (see [`Database::set_libraries`]).
    pub libraries: Vec<String>,
}

/// A block with what surrounds it: the bundle `cairn context` prints.
#[derive(Clone, Debug)]
pub struct Context {
    pub block: Block,
    pub callers: Vec<Related>,
    pub callees: Vec<Related>,
}

impl Database {
    /// The directory used when none is given: `$CAIRN_HOME`, else `.cairn` under the
    /// current directory.
    pub fn default_dir() -> PathBuf {
        match std::env::var_os(HOME_ENV) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(DEFAULT_DIR),
        }
    }

    /// Opens the database in `dir`, creating it if needed.
    pub fn open(dir: impl AsRef<Path>) -> Result<Database> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| Error::Directory {
            path: dir.clone(),
            source,
        })?;
        let options = Options::default().with_memtable_bytes(MEMTABLE_BYTES)?;
        let engine = Arc::new(Engine::open(&dir, options)?);
        let store = GraphStore::new(engine)?;
        let functions = Arc::new(graph_functions(&store));
        let mut catalog = Catalog::new();
        catalog
            .add_source(
                "blocks",
                Arc::new(TableSource::<Blocks>::new(store.clone())),
            )
            .add_source("edges", Arc::new(TableSource::<Edges>::new(store.clone())))
            .add_source("files", Arc::new(TableSource::<Files>::new(store.clone())))
            .add_source(
                "workspaces",
                Arc::new(TableSource::<Workspaces>::new(store.clone())),
            );
        Ok(Database {
            dir,
            store,
            catalog,
            functions,
        })
    }

    /// Opens an existing database; a directory without one (missing, or without the
    /// storage engine's manifest) is [`Error::NoDatabase`], and is left untouched.
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<Database> {
        let dir = dir.as_ref();
        if !Database::exists(dir) {
            return Err(Error::NoDatabase(dir.to_path_buf()));
        }
        Database::open(dir)
    }

    /// Whether `dir` holds a database (its storage engine's manifest).
    pub fn exists(dir: impl AsRef<Path>) -> bool {
        dir.as_ref().join(MANIFEST).is_file()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn store(&self) -> &GraphStore {
        &self.store
    }

    /// Links the directory `path` as a workspace named `name` (default: the
    /// directory's name). Linking the same path again is a no-op.
    pub fn link(&self, path: &Path, name: Option<&str>) -> Result<WorkspaceRecord> {
        let name = match name {
            Some(n) => n.to_string(),
            None => default_name(path)?,
        };
        Ok(sync::link(&self.store, &name, path)?)
    }

    /// Sets the libraries of workspace `name`: linked workspaces whose definitions
    /// its references may resolve to, from its next sync on (see
    /// [`cairn_graph::sync::set_libraries`]).
    pub fn set_libraries(&self, name: &str, libraries: &[String]) -> Result<WorkspaceRecord> {
        Ok(sync::set_libraries(&self.store, name, libraries)?)
    }

    /// Links the Rust standard library's sources as workspace `name` (not synced),
    /// from the toolchain's `rust-src` component, else recovered from its `rust-docs`
    /// pages into `rust-std/` in the database directory (see [`crate::rust_std`]).
    pub fn link_rust_std(&self, name: &str) -> Result<WorkspaceRecord> {
        let root = match rust_std::locate()? {
            rust_std::StdSources::RustSrc(library) => library,
            rust_std::StdSources::RustDocs(pages) => {
                let out = self.dir.join(RUST_STD_DIR);
                // Afresh: files a newer toolchain no longer has must not stay.
                match std::fs::remove_dir_all(&out) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(Error::Invalid(format!(
                            "cannot clear {}: {e}",
                            out.display()
                        )))
                    }
                }
                rust_std::recover_from_docs(&pages, &out)?;
                out
            }
        };
        self.link(&root, Some(name))
    }

    /// Syncs one workspace.
    pub fn sync(
        &self,
        name: &str,
        options: &SyncOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<SyncSummary> {
        Ok(sync::sync(&self.store, name, options, progress)?)
    }

    /// Removes a workspace and all its data.
    pub fn unlink(&self, name: &str) -> Result<()> {
        Ok(sync::unlink(&self.store, name)?)
    }

    pub fn workspaces(&self) -> Result<Vec<WorkspaceRecord>> {
        Ok(self.store.workspaces()?)
    }

    /// Blocks whose name or qualified name is `name`, optionally of one kind and in
    /// one workspace, ordered by path and line.
    pub fn find(
        &self,
        name: &str,
        kind: Option<BlockKind>,
        workspace: Option<&str>,
    ) -> Result<Vec<Block>> {
        let mut ids = self.store.blocks_named(name)?;
        ids.extend(self.store.blocks_qualified(name)?);
        ids.sort();
        ids.dedup();
        let mut out = Vec::new();
        for id in ids {
            if let Some(b) = self.store.block(&id)? {
                if kind.is_none_or(|k| b.kind == k) && workspace.is_none_or(|w| b.workspace == w) {
                    out.push(b);
                }
            }
        }
        out.sort_by(|a, b| {
            (&a.workspace, &a.path, a.span.start_line).cmp(&(
                &b.workspace,
                &b.path,
                b.span.start_line,
            ))
        });
        Ok(out)
    }

    /// The one block `target` names: a block id, a qualified name, or a simple name.
    /// A name several blocks share is [`Error::Ambiguous`], listing them.
    pub fn resolve(&self, target: &str) -> Result<Block> {
        resolve_target(&self.store, target)
    }

    /// Blocks related to `target` by `relation`, up to `depth` edges away.
    pub fn show(&self, target: &str, relation: Relation, depth: u32) -> Result<Vec<Related>> {
        let start = self.resolve(target)?;
        let (direction, kind) = relation.walk();
        related(&self.store, &start, direction, &[kind], depth)
    }

    /// A shortest call path from `from` to `to`, as blocks.
    pub fn trace(&self, from: &str, to: &str, max_depth: u32) -> Result<Option<Vec<Block>>> {
        let from = self.resolve(from)?;
        let to = self.resolve(to)?;
        let path =
            traverse::shortest_path(&self.store, from.id, to.id, &[EdgeKind::Calls], max_depth)?;
        path.map(|ids| {
            ids.iter()
                .map(|id| {
                    self.store
                        .block(id)?
                        .ok_or_else(|| Error::NoSuchBlock(id.to_string()))
                })
                .collect()
        })
        .transpose()
    }

    /// The block `target`, with its direct callers and callees.
    pub fn context(&self, target: &str) -> Result<Context> {
        let block = self.resolve(target)?;
        let callers = related(
            &self.store,
            &block,
            Direction::Incoming,
            &[EdgeKind::Calls],
            1,
        )?;
        let callees = related(
            &self.store,
            &block,
            Direction::Outgoing,
            &[EdgeKind::Calls],
            1,
        )?;
        Ok(Context {
            block,
            callers,
            callees,
        })
    }

    /// Compiles a PartiQL statement once; run it with [`Statement::execute`] as often
    /// as needed, with different `?` parameters.
    pub fn prepare(&self, text: &str) -> Result<Statement> {
        Statement::prepare(&self.catalog, &self.functions, text)
    }

    /// The compiled plan of `text`, described for `EXPLAIN`.
    pub fn explain(&self, text: &str) -> Result<String> {
        Ok(self.prepare(text)?.explain())
    }

    /// Names of the PartiQL tables and their columns.
    pub fn tables() -> Vec<(&'static str, &'static [&'static str])> {
        use crate::tables::Table;
        vec![
            (Blocks::NAME, Blocks::COLUMNS),
            (Edges::NAME, Edges::COLUMNS),
            (Files::NAME, Files::COLUMNS),
            (Workspaces::NAME, Workspaces::COLUMNS),
        ]
    }

    /// What crash recovery had to drop when the database was opened, one sentence
    /// each (empty after a clean shutdown or a crash that lost nothing): the
    /// caller should show these, since the graph may then lack recent syncs, which
    /// `sync` repairs.
    pub fn recovery_warnings(&self) -> Vec<String> {
        let report = self.store.engine().recovery_report();
        let mut out: Vec<String> = report
            .dropped
            .iter()
            .map(|d| {
                format!(
                    "recovery dropped {} byte(s) of {} from offset {} ({}); run `cairn sync --all` to restore what they held",
                    d.bytes,
                    d.file.display(),
                    d.offset,
                    d.reason
                )
            })
            .collect();
        for f in &report.discarded_wal_files {
            out.push(format!(
                "recovery discarded {}, written after a damaged log; run `cairn sync --all` to restore what it held",
                f.display()
            ));
        }
        out
    }

    pub fn status(&self) -> Result<Status> {
        let mut workspaces = Vec::new();
        for ws in self.store.workspaces()? {
            let files = self.store.files(&ws.name)?;
            let edges = self
                .store
                .file_indexes(&ws.name)?
                .iter()
                .map(|(_, i)| i.edges.len())
                .sum();
            workspaces.push(WorkspaceStatus {
                blocks: files.iter().map(|f| f.blocks).sum(),
                files: files.len(),
                edges,
                last_sync: crate::format_time_ms(ws.last_sync_ms),
                libraries: ws.libraries,
                name: ws.name,
                root: ws.root,
            });
        }
        Ok(Status {
            dir: self.dir.clone(),
            disk_bytes: dir_size(&self.dir),
            sstables: self.store.engine().table_count(),
            workspaces,
        })
    }
}

/// See [`Database::resolve`].
pub(crate) fn resolve_target(store: &GraphStore, target: &str) -> Result<Block> {
    if let Some(id) = BlockId::parse_hex(target) {
        if let Some(b) = store.block(&id)? {
            return Ok(b);
        }
    }
    let mut ids = store.blocks_qualified(target)?;
    if ids.is_empty() {
        ids = store.blocks_named(target)?;
    }
    let mut blocks = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(b) = store.block(id)? {
            blocks.push(b);
        }
    }
    // A type and its impl blocks share a name: the impl blocks are not what a
    // user names.
    if blocks.len() > 1 {
        blocks.retain(|b| b.kind != BlockKind::Impl);
    }
    match blocks.len() {
        0 => Err(Error::NoSuchBlock(target.to_string())),
        1 => Ok(blocks.remove(0)),
        count => {
            blocks.sort_by(|a, b| a.qualified_name.cmp(&b.qualified_name));
            let examples = blocks
                .iter()
                .take(5)
                .map(|b| {
                    format!(
                        "{} {} ({}:{})",
                        b.kind, b.qualified_name, b.path, b.span.start_line
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            Err(Error::Ambiguous {
                target: target.to_string(),
                count,
                examples,
            })
        }
    }
}

/// Traverses from `start` and looks up every block reached.
pub(crate) fn related(
    store: &GraphStore,
    start: &Block,
    direction: Direction,
    kinds: &[EdgeKind],
    depth: u32,
) -> Result<Vec<Related>> {
    let bounds = Bounds {
        depth: depth.max(1),
        limit: 10_000,
    };
    let hits = traverse::neighbors(store, start.id, direction, kinds, &bounds)?;
    let mut names: std::collections::HashMap<BlockId, String> =
        std::collections::HashMap::from([(start.id, start.qualified_name.clone())]);
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        let block = if hit.resolved {
            store.block(&hit.block)?
        } else {
            None
        };
        let name = match &block {
            Some(b) => b.qualified_name.clone(),
            None => unresolved_text(store, &hit)?,
        };
        names.insert(hit.block, name.clone());
        out.push(Related {
            path: hit
                .path
                .iter()
                .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
                .collect(),
            block,
            name,
            distance: hit.distance,
            line: hit.line,
        });
    }
    // Nearest first, then by name: the same graph always lists the same way,
    // whatever order the traversal met the blocks in.
    out.sort_by(|a, b| {
        let place = |r: &Related| {
            r.block
                .as_ref()
                .map(|b| (b.path.clone(), b.span.start_line))
        };
        (a.distance, &a.name, place(a), a.line).cmp(&(b.distance, &b.name, place(b), b.line))
    });
    Ok(out)
}

/// The text an unresolved symbol was written as, from the edge that reached it.
fn unresolved_text(store: &GraphStore, hit: &traverse::Hit) -> Result<String> {
    let from = hit.path.len().checked_sub(2).and_then(|i| hit.path.get(i));
    if let Some(from) = from {
        for e in store.edges_from(from, Some(hit.kind))? {
            if e.target == hit.block {
                return Ok(format!("{} (unresolved)", e.info.target_text));
            }
        }
    }
    Ok(format!("{} (unresolved)", hit.block))
}

/// The storage engine's memtable size for a Cairn database. A sync writes about eight
/// bytes per byte of source (blocks with their text, names, both edge directions,
/// file indexes): with the engine's default 64 MiB, syncing 50 MB of code paid for six
/// flushes and a compaction of the first four tables while it ran; with 128 MiB, about three
/// flushes, and the first compaction comes after it (in the background).
pub const MEMTABLE_BYTES: usize = 128 << 20;

/// Where [`Database::link_rust_std`] writes sources recovered from documentation.
pub const RUST_STD_DIR: &str = "rust-std";

fn default_name(path: &Path) -> Result<String> {
    let canonical = path.canonicalize().map_err(|source| {
        Error::Graph(cairn_graph::GraphError::Root {
            path: path.to_path_buf(),
            source,
        })
    })?;
    let raw = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".to_string());
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(name)
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_existing_refuses_a_directory_without_a_database_and_leaves_it_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("missing");
        assert!(matches!(
            Database::open_existing(&missing),
            Err(Error::NoDatabase(d)) if d == missing
        ));
        assert!(!missing.exists());
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert!(matches!(
            Database::open_existing(&empty),
            Err(Error::NoDatabase(_))
        ));
        assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
        // Once created, it opens.
        drop(Database::open(&empty).unwrap());
        assert!(Database::exists(&empty));
        Database::open_existing(&empty).unwrap();
    }
}
