//! Keeping the graph fresh: one [`Shared`] database for the MCP server and the watch
//! loop, and the loop itself (`cairn watch`, `cairn mcp --watch`), which re-syncs a
//! workspace shortly after a file in it changes.
//!
//! A database holds a lock on its directory, so the server and the watcher share one
//! open [`Database`]. Reads (tool calls) and syncs are serialised by a read-write
//! gate: an answer never sees a sync half done, and one asked for during a sync
//! waits for it and sees the new state.

use crate::report::CliError;
use cairn::{Database, SyncOptions, SyncSummary, WorkspaceRecord};
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer_opt, Config, DebounceEventResult};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a file must be quiet before its change is synced. The debouncer batches
/// events, so a sync starts at most twice this long after a save.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// File names outside the supported languages whose change still changes the
/// graph: the package manifests name resolution reads (as in `cairn-graph`'s sync).
const MANIFESTS: [&str; 7] = [
    "Cargo.toml",
    "package.json",
    "go.mod",
    "pyproject.toml",
    "setup.py",
    "build.zig",
    "tsconfig.json",
];

/// One open database shared by the MCP server's tool calls and the watch loop.
pub struct Shared {
    db: Database,
    gate: RwLock<()>,
    watching: AtomicBool,
    stopping: AtomicBool,
}

impl Shared {
    pub fn new(db: Database) -> Arc<Shared> {
        Arc::new(Shared {
            db,
            gate: RwLock::new(()),
            watching: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        })
    }

    /// Runs `f` on the database, never during a sync.
    pub fn read<T>(&self, f: impl FnOnce(&Database) -> T) -> T {
        let _guard = self.gate.read().unwrap_or_else(|p| p.into_inner());
        f(&self.db)
    }

    /// Syncs workspace `name`, with no read under way.
    pub fn sync(&self, name: &str) -> cairn::Result<SyncSummary> {
        let _guard = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.db.sync(name, &SyncOptions::default(), &|_| {})
    }

    /// Whether a watch loop keeps the workspaces in sync.
    pub fn watching(&self) -> bool {
        self.watching.load(Ordering::Relaxed)
    }

    /// Waits for a sync under way to end and keeps the watch loop from starting
    /// another, so the process can exit with the database in a clean state.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        drop(self.gate.write().unwrap_or_else(|p| p.into_inner()));
    }
}

/// `cairn watch [NAME]`: syncs the workspace (every workspace without a name), then
/// re-syncs it whenever its files change, until interrupted.
pub fn run_watch(db: Database, name: Option<String>, verbose: bool) -> Result<(), CliError> {
    let shared = Shared::new(db);
    let workspaces = chosen_workspaces(&shared, name.as_deref())?;
    let watcher = Watcher::start(Arc::clone(&shared), workspaces, verbose)?;
    watcher.run();
    Ok(())
}

/// The workspaces to watch: `name`, or all of them.
pub fn chosen_workspaces(
    shared: &Shared,
    name: Option<&str>,
) -> Result<Vec<WorkspaceRecord>, CliError> {
    let all = shared.read(|db| db.workspaces())?;
    match name {
        None => Ok(all),
        Some(n) => match all.into_iter().find(|w| w.name == n) {
            Some(w) => Ok(vec![w]),
            None => Err(cairn::Error::Invalid(format!(
                "no workspace named `{n}` (see `cairn status`; link one with `cairn link PATH`)"
            ))
            .into()),
        },
    }
}

/// A watch on some workspaces' roots, and what it re-syncs.
pub struct Watcher {
    shared: Arc<Shared>,
    workspaces: Vec<WorkspaceRecord>,
    db_dir: PathBuf,
    events: mpsc::Receiver<DebounceEventResult>,
    // Dropping the debouncer ends the watch, so it lives as long as the loop.
    _debouncer: notify_debouncer_mini::Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
    verbose: bool,
}

impl Watcher {
    /// Watches the roots of `workspaces` (before the first sync, so no change made
    /// while it runs is missed).
    pub fn start(
        shared: Arc<Shared>,
        workspaces: Vec<WorkspaceRecord>,
        verbose: bool,
    ) -> Result<Watcher, CliError> {
        let (tx, events) = mpsc::channel();
        let config = Config::default()
            .with_timeout(DEBOUNCE)
            .with_batch_mode(true);
        let mut debouncer = new_debouncer_opt(config, tx).map_err(watch_error)?;
        for ws in &workspaces {
            debouncer
                .watcher()
                .watch(Path::new(&ws.root), RecursiveMode::Recursive)
                .map_err(|e| {
                    cairn::Error::Invalid(format!("cannot watch {} ({}): {e}", ws.root, ws.name))
                })?;
        }
        let db_dir = shared.read(|db| db.dir().to_path_buf());
        let db_dir = db_dir.canonicalize().unwrap_or(db_dir);
        shared.watching.store(true, Ordering::Relaxed);
        Ok(Watcher {
            shared,
            workspaces,
            db_dir,
            events,
            _debouncer: debouncer,
            verbose,
        })
    }

    /// Syncs every watched workspace once, then each again after its files change.
    /// Returns only once [`Shared::stop`] was called and a change came in.
    pub fn run(self) {
        let names: Vec<String> = self.workspaces.iter().map(|w| w.name.clone()).collect();
        if names.is_empty() {
            eprintln!("cairn watch: no workspaces linked (link one with `cairn link PATH`)");
        } else {
            eprintln!(
                "cairn watch: watching {} for changes",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for name in &names {
            self.resync(name, true);
        }
        for batch in &self.events {
            if self.shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            let events = match batch {
                Ok(events) => events,
                Err(e) => {
                    eprintln!("cairn watch: {e}");
                    continue;
                }
            };
            let dirty: BTreeSet<&str> = self
                .workspaces
                .iter()
                .filter(|ws| {
                    events
                        .iter()
                        .any(|e| affects(&e.path, Path::new(&ws.root), &self.db_dir))
                })
                .map(|ws| ws.name.as_str())
                .collect();
            for name in dirty {
                self.resync(name, false);
            }
        }
        self.shared.watching.store(false, Ordering::Relaxed);
    }

    /// Syncs `name`, saying so on stderr: always the first time, after that only
    /// when something changed.
    fn resync(&self, name: &str, first: bool) {
        if self.shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let started = Instant::now();
        match self.shared.sync(name) {
            Ok(s) => {
                if first || s.parsed > 0 || !s.removed.is_empty() || self.verbose {
                    eprint!(
                        "{}",
                        crate::commands::summary_text(
                            &s,
                            started.elapsed().as_secs_f64(),
                            self.verbose
                        )
                    );
                }
            }
            Err(e) => eprintln!("cairn watch: sync of `{name}` failed: {e}"),
        }
    }
}

/// Whether a change at `path` can change the graph of the workspace at `root`: a
/// source file or a package manifest under it, or a directory (created, moved or
/// removed with what it holds), outside hidden directories (which a sync skips) and
/// the database itself.
fn affects(path: &Path, root: &Path, db_dir: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if path.starts_with(db_dir) {
        return false;
    }
    let hidden = rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    if hidden {
        return false;
    }
    let name = rel.to_string_lossy();
    let file_name = path.file_name().map(|n| n.to_string_lossy());
    if cairn::Language::from_path(&name).is_some()
        || file_name.is_some_and(|f| MANIFESTS.contains(&f.as_ref()))
    {
        return true;
    }
    // A directory, or something gone that may have been one.
    match std::fs::metadata(path) {
        Ok(m) => m.is_dir(),
        Err(_) => path.extension().is_none(),
    }
}

fn watch_error(e: notify_debouncer_mini::notify::Error) -> CliError {
    cairn::Error::Invalid(format!("cannot watch for file changes: {e}")).into()
}

#[cfg(test)]
mod tests {
    use super::affects;
    use std::path::Path;

    #[test]
    fn only_changes_that_can_change_the_graph_count() {
        let root = Path::new("/w");
        let db = Path::new("/w/.cairn");
        assert!(affects(Path::new("/w/src/main.rs"), root, db));
        assert!(affects(Path::new("/w/app/x.py"), root, db));
        assert!(affects(Path::new("/w/Cargo.toml"), root, db));
        // Gone, without an extension: perhaps a directory.
        assert!(affects(Path::new("/w/src/old_module"), root, db));
        assert!(!affects(Path::new("/w/README.md"), root, db));
        assert!(!affects(Path::new("/w/.git/index"), root, db));
        assert!(!affects(Path::new("/w/.cairn/000001.wal"), root, db));
        assert!(!affects(Path::new("/w/src/.main.rs.swp"), root, db));
        assert!(!affects(Path::new("/elsewhere/main.rs"), root, db));
        // A database kept inside the workspace under a name that is not hidden.
        assert!(!affects(Path::new("/w/db/x.rs"), root, Path::new("/w/db")));
    }
}
