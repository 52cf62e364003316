//! Sync: bringing a workspace's graph up to date with its files.
//!
//! 1. Walk the root (honouring `.gitignore`), classify files: supported source, too
//!    large, binary, unsupported language.
//! 2. Read and hash the source files on all cores; re-parse only those whose content
//!    hash changed since the last sync, and build their blocks on the same threads.
//! 3. Resolve every file's references against the whole workspace (see
//!    [`crate::resolve`]), so edges from unchanged files into changed ones follow.
//! 4. As files are resolved (on all cores), write each changed file as one atomic
//!    batch (its blocks, names, edges and records) and the edges of unchanged files
//!    whose resolution changed, in path order, from one writer thread; then the
//!    removal of deleted files. A sync interrupted between two batches leaves every
//!    file either old or new; the next sync re-resolves everything and repairs the rest.

use crate::error::{GraphError, Result};
use crate::extract::{Extractor, EXTRACTOR_VERSION};
use crate::id::{content_hash, BlockId, FastMap};
use crate::model::{BlockKind, EdgeKind, Language, ParsedFile};
use crate::record::{
    BlockView, EncodedBlocks, FileIndex, FileRecord, StoredReference, Symbol, WorkspaceRecord,
};
use crate::resolve::{LibraryFiles, SymbolTable};
use crate::store::{GraphStore, NewFile, PendingWrite};
use cairn_storage::WriteBatch;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Files that mark the root of a package (scope for name resolution).
const PACKAGE_MANIFESTS: [&str; 7] = [
    "Cargo.toml",
    "package.json",
    "go.mod",
    "pyproject.toml",
    "setup.py",
    "build.zig",
    "tsconfig.json",
];

/// How many bytes at the start of a file are checked for NUL to call it binary.
const BINARY_SNIFF_BYTES: usize = 8192;

/// Settings of a sync.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Files larger than this are skipped (and counted).
    pub max_file_bytes: u64,
    /// Parser threads; 0 means one per core.
    pub threads: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            max_file_bytes: 1 << 20,
            threads: 0,
        }
    }
}

/// What a sync did, with the paths of everything it could not index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub workspace: String,
    /// Source files found in a supported language.
    pub files: usize,
    /// Files (re)parsed because they are new or changed.
    pub parsed: usize,
    pub unchanged: usize,
    /// Files gone since the last sync, whose blocks and edges were removed.
    pub removed: Vec<String>,
    /// Blocks and edges in the workspace after the sync.
    pub blocks: usize,
    pub edges: usize,
    /// Call edges, and how many of them reached a block.
    pub calls: usize,
    pub calls_resolved: usize,
    /// Bytes of source parsed.
    pub bytes_parsed: u64,
    pub skipped_large: Vec<String>,
    pub skipped_binary: Vec<String>,
    pub unsupported: Vec<String>,
    /// Files parsed with syntax errors (indexed as far as they parse).
    pub syntax_errors: Vec<String>,
    /// Paths that could not be read or parsed, with the reason.
    pub errors: Vec<(String, String)>,
    pub elapsed: Duration,
    /// Where `elapsed` went, phase by phase.
    pub phases: SyncPhases,
}

/// Wall time of each phase of a sync, in the order they run; together they make up
/// nearly all of [`SyncSummary::elapsed`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncPhases {
    /// Walking the root for candidate files.
    pub walk: Duration,
    /// Reading, hashing and parsing the files and building their blocks (all cores),
    /// while another thread reads the libraries' indexes.
    pub parse: Duration,
    /// Building the symbol table of the workspace and its libraries (two threads).
    pub symbols: Duration,
    /// Resolving references (all cores) while one thread writes each file's batch.
    pub resolve_write: Duration,
    /// Removing deleted files, the workspace record and the final durable sync.
    pub finish: Duration,
}

/// Progress of a running sync, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// A file the walk found.
struct Candidate {
    rel: String,
    abs: PathBuf,
    language: Language,
    /// Size when the walk saw it (for the order files are parsed in).
    size: u64,
}

/// What reading one candidate gave.
enum Outcome {
    Unchanged,
    /// Parsed and built into its index and blocks on the reading thread.
    Parsed(Box<BuiltFile>),
    Binary,
    Failed(String),
}

/// A parsed file ready to resolve and write.
struct BuiltFile {
    record: FileRecord,
    index: FileIndex,
    blocks: EncodedBlocks,
}

/// A file of the workspace after this sync, in path order.
#[expect(
    clippy::large_enum_variant,
    reason = "one per file of the workspace: boxing would allocate for each changed file to spare a few hundred bytes per unchanged one"
)]
enum Current {
    /// Unchanged: its stored index holds.
    Unchanged,
    /// Parsed: its new index, record and blocks (taken by the thread that writes it).
    Changed {
        record: FileRecord,
        index: FileIndex,
        blocks: Mutex<EncodedBlocks>,
    },
}

/// Files resolved and written per unit of work in the resolve-and-write phase.
const RESOLVE_CHUNK: usize = 32;

/// What resolving one file gave: the batch that brings the store up to date (none
/// when nothing changed) and the file's counts for the summary.
struct Resolved {
    pending: Option<PendingWrite>,
    blocks: usize,
    edges: usize,
    calls: usize,
    calls_resolved: usize,
}

/// Syncs workspace `name`; `progress` is called as files are read and parsed.
pub fn sync(
    store: &GraphStore,
    name: &str,
    options: &SyncOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<SyncSummary> {
    let started = Instant::now();
    let ws = store
        .workspace(name)?
        .ok_or_else(|| GraphError::NoSuchWorkspace(name.to_string()))?;
    let root = PathBuf::from(&ws.root);
    match std::fs::metadata(&root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(GraphError::Root {
                path: root,
                source: std::io::Error::other("not a directory"),
            })
        }
        Err(source) => return Err(GraphError::Root { path: root, source }),
    }
    let mut summary = SyncSummary {
        workspace: name.to_string(),
        ..SyncSummary::default()
    };
    let (candidates, package_roots) = walk(&root, options, &mut summary);
    summary.files = candidates.len();
    let mut phase = started;
    let mut lap = |d: &mut Duration| {
        *d = phase.elapsed();
        phase = Instant::now();
    };
    lap(&mut summary.phases.walk);

    // Files count as unchanged only if this extractor extracted them; after an
    // upgrade that changes extraction, everything is extracted again.
    let stored_files: HashMap<String, FileRecord> = if ws.extractor_version == EXTRACTOR_VERSION {
        store
            .files(name)?
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect()
    } else {
        HashMap::new()
    };
    let mut stored: BTreeMap<String, FileIndex> = store.file_indexes(name)?.into_iter().collect();

    // The libraries' indexes are read while the files are parsed: resolution needs
    // them only after.
    let (outcomes, libraries) = std::thread::scope(|s| {
        let libraries = s.spawn(|| library_indexes(store, &ws));
        let outcomes = read_and_parse(name, &candidates, &stored_files, options, progress);
        let libraries = libraries
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (outcomes, libraries)
    });
    let libraries = libraries?;
    drop(stored_files);

    // The workspace's files after this sync, by path: unchanged ones keep their
    // stored index.
    let mut current: BTreeMap<String, Current> = BTreeMap::new();
    for (cand, outcome) in candidates.iter().zip(outcomes) {
        match outcome {
            Outcome::Unchanged => {
                if stored.contains_key(&cand.rel) {
                    current.insert(cand.rel.clone(), Current::Unchanged);
                    summary.unchanged += 1;
                }
            }
            Outcome::Parsed(built) => {
                let BuiltFile {
                    record,
                    index,
                    blocks,
                } = *built;
                summary.parsed += 1;
                summary.bytes_parsed += record.size;
                if record.syntax_errors > 0 {
                    summary.syntax_errors.push(cand.rel.clone());
                }
                current.insert(
                    cand.rel.clone(),
                    Current::Changed {
                        record,
                        index,
                        blocks: Mutex::new(blocks),
                    },
                );
            }
            Outcome::Binary => summary.skipped_binary.push(cand.rel.clone()),
            Outcome::Failed(why) => summary.errors.push((cand.rel.clone(), why)),
        }
    }
    drop(candidates);

    // Resolve every reference against the whole workspace, and write each file whose
    // graph changed, as resolution goes.
    let empty = FileIndex::default();
    let current: Vec<(String, Current)> = current.into_iter().collect();
    let files: Vec<(&str, &FileIndex)> = current
        .iter()
        .map(|(p, c)| {
            let index = match c {
                Current::Changed { index, .. } => index,
                Current::Unchanged => stored.get(p).unwrap_or(&empty),
            };
            (p.as_str(), index)
        })
        .collect();
    lap(&mut summary.phases.parse);
    let table = SymbolTable::with_libraries(
        name,
        files.clone(),
        &package_roots,
        libraries
            .iter()
            .map(|(record, indexes)| LibraryFiles {
                files: indexes.iter().map(|(p, i)| (p.as_str(), i)).collect(),
                package_roots: &record.package_roots,
            })
            .collect(),
    );
    lap(&mut summary.phases.symbols);
    let job = ResolveJob {
        store,
        workspace: name,
        table: &table,
        files: &files,
        current: &current,
        stored: &stored,
        spare_batches: Mutex::new(Vec::new()),
    };
    resolve_and_write(&job, options, &mut summary)?;
    drop(table);
    drop(files);
    drop(libraries);
    lap(&mut summary.phases.resolve_write);

    let current: std::collections::HashSet<&str> =
        current.iter().map(|(p, _)| p.as_str()).collect();
    stored.retain(|path, _| !current.contains(path.as_str()));
    for (path, old) in &stored {
        store.write_file(name, path, old, None)?;
        summary.removed.push(path.clone());
    }
    store.put_workspace(&WorkspaceRecord {
        last_sync_ms: now_ms(),
        extractor_version: EXTRACTOR_VERSION,
        package_roots,
        ..ws
    })?;
    store.engine().sync()?;
    lap(&mut summary.phases.finish);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A library workspace's record and file indexes (sorted by path, without edges).
type LibraryIndexes = (WorkspaceRecord, Vec<(String, FileIndex)>);

/// The records and file indexes of workspace `ws`'s libraries.
fn library_indexes(store: &GraphStore, ws: &WorkspaceRecord) -> Result<Vec<LibraryIndexes>> {
    ws.libraries
        .iter()
        .map(|library| {
            let record = store
                .workspace(library)?
                .ok_or_else(|| GraphError::MissingLibrary {
                    workspace: ws.name.clone(),
                    library: library.clone(),
                })?;
            Ok((record, store.file_definitions(library)?))
        })
        .collect()
}

/// Sets the libraries of workspace `name`: the linked workspaces whose definitions
/// its references may resolve to (the Rust standard library's sources, say), after
/// its own. They take effect at its next sync, which re-resolves every reference;
/// a library's own libraries are not followed. Edges into a library follow the
/// library's last sync as of the user's last sync.
pub fn set_libraries(
    store: &GraphStore,
    name: &str,
    libraries: &[String],
) -> Result<WorkspaceRecord> {
    let ws = store
        .workspace(name)?
        .ok_or_else(|| GraphError::NoSuchWorkspace(name.to_string()))?;
    let mut chosen: Vec<String> = Vec::with_capacity(libraries.len());
    for library in libraries {
        if library == name {
            return Err(GraphError::SelfLibrary(name.to_string()));
        }
        if store.workspace(library)?.is_none() {
            return Err(GraphError::MissingLibrary {
                workspace: name.to_string(),
                library: library.clone(),
            });
        }
        if !chosen.contains(library) {
            chosen.push(library.clone());
        }
    }
    let ws = WorkspaceRecord {
        libraries: chosen,
        ..ws
    };
    store.put_workspace(&ws)?;
    store.engine().sync()?;
    Ok(ws)
}

/// Removes every file of workspace `name` and its record. A workspace another one
/// uses as a library stays: their edges into it would point at nothing.
pub fn unlink(store: &GraphStore, name: &str) -> Result<()> {
    if store.workspace(name)?.is_none() {
        return Err(GraphError::NoSuchWorkspace(name.to_string()));
    }
    let users: Vec<String> = store
        .workspaces()?
        .into_iter()
        .filter(|w| w.libraries.iter().any(|l| l == name))
        .map(|w| format!("`{}`", w.name))
        .collect();
    if !users.is_empty() {
        return Err(GraphError::LibraryInUse {
            library: name.to_string(),
            users: users.join(", "),
        });
    }
    for (path, old) in store.file_indexes(name)? {
        store.write_file(name, &path, &old, None)?;
    }
    store.delete_workspace_record(name)?;
    store.engine().sync()?;
    Ok(())
}

/// Links a workspace (does not sync it). Names are restricted so they can appear in
/// keys, paths and commands unquoted.
pub fn link(store: &GraphStore, name: &str, root: &Path) -> Result<WorkspaceRecord> {
    if name.is_empty()
        || name.len() > 128
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(GraphError::BadWorkspaceName(name.to_string()));
    }
    let root = root.canonicalize().map_err(|source| GraphError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    if !root.is_dir() {
        return Err(GraphError::Root {
            path: root,
            source: std::io::Error::other("not a directory"),
        });
    }
    let root_text = root.to_string_lossy().into_owned();
    if let Some(existing) = store.workspace(name)? {
        if existing.root != root_text {
            return Err(GraphError::WorkspaceExists {
                name: name.to_string(),
                root: existing.root,
            });
        }
        return Ok(existing);
    }
    let ws = WorkspaceRecord {
        name: name.to_string(),
        root: root_text,
        last_sync_ms: 0,
        extractor_version: EXTRACTOR_VERSION,
        libraries: Vec::new(),
        package_roots: Vec::new(),
    };
    store.put_workspace(&ws)?;
    Ok(ws)
}

fn walk(
    root: &Path,
    options: &SyncOptions,
    summary: &mut SyncSummary,
) -> (Vec<Candidate>, Vec<String>) {
    let mut candidates = Vec::new();
    let mut package_roots = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .parents(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = ignore_error_path(&err).unwrap_or_default();
                summary.errors.push((path, err.to_string()));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let file_name = rel.rsplit('/').next().unwrap_or("");
        if PACKAGE_MANIFESTS.contains(&file_name) {
            package_roots.push(rel[..rel.len() - file_name.len()].to_string());
        }
        let Some(language) = Language::from_path(&rel) else {
            summary.unsupported.push(rel);
            continue;
        };
        let size = match entry.metadata() {
            Ok(m) if m.len() > options.max_file_bytes => {
                summary.skipped_large.push(rel);
                continue;
            }
            Ok(m) => m.len(),
            Err(err) => {
                summary.errors.push((rel, err.to_string()));
                continue;
            }
        };
        candidates.push(Candidate {
            rel,
            abs: entry.into_path(),
            language,
            size,
        });
    }
    (candidates, package_roots)
}

fn ignore_error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.to_string_lossy().into_owned()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            ignore_error_path(err)
        }
        _ => None,
    }
}

/// Reads, hashes and (when changed) parses every candidate, on all cores.
fn read_and_parse(
    workspace: &str,
    candidates: &[Candidate],
    stored: &HashMap<String, FileRecord>,
    options: &SyncOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<Outcome> {
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(candidates.len().max(1));
    // Largest first: the threads then run out of work at about the same time, not
    // one of them parsing a big file alone at the end.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(candidates[i].size));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..candidates.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut extractor = Extractor::new();
                // One read buffer per thread: a fresh one per file costs an allocation
                // as large as the file, and freeing it, every time.
                let mut buf = Vec::new();
                let mut local = Vec::new();
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let cand = &candidates[i];
                    let outcome = read_one(
                        &mut extractor,
                        &mut buf,
                        workspace,
                        cand,
                        stored.get(&cand.rel),
                    );
                    local.push((i, outcome));
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if d.is_multiple_of(64) || d == candidates.len() {
                        progress(Progress {
                            done: d,
                            total: candidates.len(),
                        });
                    }
                }
                let mut all = results.lock().unwrap_or_else(|p| p.into_inner());
                for (i, o) in local {
                    all[i] = Some(o);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Failed("not read".into())))
        .collect()
}

fn read_one(
    extractor: &mut Extractor,
    buf: &mut Vec<u8>,
    workspace: &str,
    cand: &Candidate,
    stored: Option<&FileRecord>,
) -> Outcome {
    buf.clear();
    let read = std::fs::File::open(&cand.abs).and_then(|mut f| {
        use std::io::Read;
        f.read_to_end(buf)
    });
    if let Err(err) = read {
        return Outcome::Failed(format!("cannot read: {err}"));
    }
    let bytes = &buf[..];
    if bytes[..bytes.len().min(BINARY_SNIFF_BYTES)].contains(&0) {
        return Outcome::Binary;
    }
    let hash = content_hash(bytes);
    if stored.is_some_and(|s| {
        s.content_hash == hash && s.size == bytes.len() as u64 && s.language == cand.language
    }) {
        return Outcome::Unchanged;
    }
    let source = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            return Outcome::Failed(format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ))
        }
    };
    let parsed = match extractor.extract(cand.language, &cand.rel, source) {
        Ok(parsed) => parsed,
        Err(err) => return Outcome::Failed(err.to_string()),
    };
    let syntax_errors = parsed.syntax_errors as u64;
    let (index, blocks) = build_file(workspace, &cand.rel, parsed, source);
    let record = FileRecord {
        workspace: workspace.to_string(),
        path: cand.rel.clone(),
        language: cand.language,
        size: source.len() as u64,
        content_hash: hash,
        blocks: blocks.len() as u64,
        syntax_errors,
    };
    Outcome::Parsed(Box::new(BuiltFile {
        record,
        index,
        blocks,
    }))
}

/// What the resolve-and-write phase reads: the table, and per file (in table order)
/// its path and index, what this sync found, and what the store held.
struct ResolveJob<'a> {
    store: &'a GraphStore,
    workspace: &'a str,
    table: &'a SymbolTable<'a>,
    files: &'a [(&'a str, &'a FileIndex)],
    current: &'a [(String, Current)],
    stored: &'a BTreeMap<String, FileIndex>,
    /// Emptied batches the writer hands back for their buffers (see
    /// [`SPARE_BATCHES`]).
    spare_batches: Mutex<Vec<WriteBatch>>,
}

/// At most this many emptied batches wait for reuse: about what is in flight
/// between the resolving threads and the writer.
const SPARE_BATCHES: usize = 16;

impl ResolveJob<'_> {
    /// Resolves file number `fi` and builds the batch that writes it, if any.
    fn resolve(&self, fi: usize) -> Resolved {
        let edges = self.table.edges_of(fi);
        let (path, index) = self.files[fi];
        let calls = edges.iter().filter(|e| e.kind == EdgeKind::Calls);
        let mut resolved = Resolved {
            pending: None,
            blocks: index.symbols.len(),
            edges: edges.len(),
            calls: calls.clone().count(),
            calls_resolved: calls.filter(|e| e.info.resolved).count(),
        };
        let empty = FileIndex::default();
        let old = self.stored.get(path).unwrap_or(&empty);
        resolved.pending = match &self.current[fi].1 {
            Current::Changed { record, blocks, .. } => {
                // This thread alone writes the file: its blocks are dropped here too.
                let blocks = std::mem::take(&mut *blocks.lock().unwrap_or_else(|p| p.into_inner()));
                let new = NewFile {
                    record,
                    index,
                    edges: &edges,
                    blocks: &blocks,
                };
                // A buffer the writer is done with, if any: a file's batch is about
                // as large as its source, and a fresh one each time costs a large
                // allocation, its page faults and a free on the writer's thread.
                let batch = self
                    .spare_batches
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .pop()
                    .unwrap_or_default();
                Some(
                    self.store
                        .file_batch_in(batch, self.workspace, path, old, Some(new)),
                )
            }
            Current::Unchanged if old.edges != edges => {
                Some(
                    self.store
                        .edges_batch(self.workspace, path, old, index, &edges),
                )
            }
            Current::Unchanged => None,
        };
        resolved
    }
}

/// Resolves every file of `job` on all cores (files dealt out in chunks) while this
/// thread writes the batches they give, in file order, through a bounded channel:
/// storage writes overlap resolution instead of following it. Each file's change
/// stays one atomic batch.
fn resolve_and_write(
    job: &ResolveJob<'_>,
    options: &SyncOptions,
    summary: &mut SyncSummary,
) -> Result<()> {
    let files = job.files.len();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(files.div_ceil(RESOLVE_CHUNK).max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Resolved>)>(2 * threads);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || loop {
                let start = next.fetch_add(RESOLVE_CHUNK, Ordering::Relaxed);
                if start >= files {
                    break;
                }
                let end = (start + RESOLVE_CHUNK).min(files);
                let chunk = (start..end).map(|fi| job.resolve(fi)).collect();
                // The writer hung up after a failed write: stop.
                if tx.send((start, chunk)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Chunks arrive in any order; they are written in file order.
        let mut waiting: BTreeMap<usize, Vec<Resolved>> = BTreeMap::new();
        let mut next_start = 0;
        let mut written = Ok(());
        'receive: for (start, chunk) in &rx {
            waiting.insert(start, chunk);
            while let Some(chunk) = waiting.remove(&next_start) {
                next_start += RESOLVE_CHUNK;
                for r in chunk {
                    summary.blocks += r.blocks;
                    summary.edges += r.edges;
                    summary.calls += r.calls;
                    summary.calls_resolved += r.calls_resolved;
                    if let Some(p) = r.pending {
                        written = job.store.commit_pending(&p);
                        if written.is_err() {
                            break 'receive;
                        }
                        let mut spare = job.spare_batches.lock().unwrap_or_else(|p| p.into_inner());
                        if spare.len() < SPARE_BATCHES {
                            spare.push(p.into_empty_batch());
                        }
                    }
                }
            }
        }
        // Unblocks the resolvers if a write failed.
        drop(rx);
        written
    })
}

/// Gives a parsed file's definitions their ids and builds its blocks and index.
fn build_file(
    workspace: &str,
    path: &str,
    parsed: ParsedFile,
    source: &str,
) -> (FileIndex, EncodedBlocks) {
    let mut seen: FastMap<(BlockKind, &str), u32> = FastMap::default();
    let ids: Vec<BlockId> = parsed
        .definitions
        .iter()
        .map(|d| {
            let n = seen.entry((d.kind, d.qualified_name.as_str())).or_insert(0);
            let id =
                BlockId::for_definition(workspace, path, d.kind.as_str(), &d.qualified_name, *n);
            *n += 1;
            id
        })
        .collect();
    // Its keys borrow the definitions, whose strings move into the index below.
    drop(seen);
    let parent_of = |p: Option<usize>| p.filter(|&p| p < ids.len());
    let language = parsed.language;
    // The blocks are encoded here, from borrowed strings: the thread that writes the
    // file copies their bytes. A definition's view is made twice, to size the buffer
    // and to encode (a vector of them was a large allocation per file), and hashed
    // the second time only.
    let definitions = &parsed.definitions;
    let view = |i: usize, hash: bool| {
        let d = &definitions[i];
        // A file's module block would repeat the whole file: its text is the file.
        let text = if d.kind == BlockKind::Module && d.parent.is_none() {
            ""
        } else {
            source
                .get(d.span.start_byte as usize..d.span.end_byte as usize)
                .unwrap_or("")
        };
        BlockView {
            kind: d.kind,
            language,
            workspace,
            path,
            name: &d.name,
            qualified_name: &d.qualified_name,
            parent: parent_of(d.parent).map(|p| ids[p]),
            span: d.span,
            signature: &d.signature,
            doc: &d.doc,
            source: text,
            content_hash: if hash {
                content_hash(text.as_bytes())
            } else {
                0
            },
            metadata: &d.metadata,
        }
    };
    let bytes = (0..ids.len()).map(|i| view(i, false).encoded_len()).sum();
    let mut blocks = EncodedBlocks::with_capacity(ids.len(), bytes);
    for (i, id) in ids.iter().enumerate() {
        blocks.push(*id, &view(i, true));
    }
    // The parsed file is consumed: its strings move into the index.
    let symbols = parsed
        .definitions
        .into_iter()
        .zip(&ids)
        .map(|(d, id)| Symbol {
            id: *id,
            kind: d.kind,
            name: d.name,
            qualified_name: d.qualified_name,
            parent: parent_of(d.parent).map(|p| p as u32),
        })
        .collect();
    let references = parsed
        .references
        .into_iter()
        .filter(|r| r.from < ids.len())
        .map(|r| StoredReference {
            kind: r.kind,
            from: r.from as u32,
            name: r.name,
            qualifier: r.qualifier,
            alias: r.alias,
            line: r.line,
        })
        .collect();
    (
        FileIndex {
            language: Some(language),
            symbols,
            references,
            edges: Vec::new(),
        },
        blocks,
    )
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
