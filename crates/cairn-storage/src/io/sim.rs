//! [`SimVfs`]: an in-memory file system, deterministic from a seed, that injects faults.
//!
//! The model: every file is an inode with its live bytes and the bytes made durable by
//! its last `sync`. Directory entries are live too, and become durable only through
//! `sync_dir`. [`SimVfs::crash`] throws away everything that was not durable, keeping a
//! random (possibly torn) prefix of each file's unsynced tail, as a power cut would.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::vfs::{Vfs, VfsFile, VfsLock};
use crate::util::SplitMix64;

/// Which faults [`SimVfs`] injects; probabilities are per call, in `[0, 1]`.
#[derive(Debug, Clone, Default)]
pub struct SimFaults {
    /// An append writes a random prefix of its data, then fails.
    pub write_error: f64,
    /// A sync fails (and makes nothing durable).
    pub sync_error: f64,
    /// A read fails.
    pub read_error: f64,
    /// A read returns its bytes with one bit flipped.
    pub read_bitflip: f64,
    /// Total bytes the disk holds; appends beyond it fail with "disk full".
    pub disk_capacity: Option<u64>,
    /// After this many mutating calls the process "dies": the call in progress is
    /// torn and every later call fails until [`SimVfs::crash`] is called.
    pub crash_after_ops: Option<u64>,
}

#[derive(Debug, Default, Clone)]
struct Inode {
    data: Vec<u8>,
    durable: Vec<u8>,
}

#[derive(Debug, Clone)]
struct State {
    rng: SplitMix64,
    faults: SimFaults,
    inodes: HashMap<u64, Inode>,
    names: HashMap<PathBuf, u64>,
    durable_names: HashMap<PathBuf, u64>,
    dirs: HashSet<PathBuf>,
    locks: HashSet<PathBuf>,
    next_inode: u64,
    epoch: u64,
    ops: u64,
    dead: bool,
}

/// A deterministic in-memory [`Vfs`] with fault injection. Clones share the same disk.
#[derive(Debug, Clone)]
pub struct SimVfs {
    state: Arc<Mutex<State>>,
}

fn injected(what: &str) -> io::Error {
    io::Error::other(format!("simulated fault: {what}"))
}

impl State {
    fn check_alive(&self, epoch: u64) -> io::Result<()> {
        if self.dead {
            return Err(injected("process crashed"));
        }
        if epoch != self.epoch {
            return Err(injected("stale handle from before a crash"));
        }
        Ok(())
    }

    /// Counts a mutating call; returns true when this call is the one that dies.
    fn tick(&mut self) -> bool {
        self.ops += 1;
        if let Some(limit) = self.faults.crash_after_ops {
            if self.ops >= limit {
                self.dead = true;
                return true;
            }
        }
        false
    }

    fn roll(&mut self, which: fn(&SimFaults) -> f64) -> bool {
        let p = which(&self.faults);
        p > 0.0 && self.rng.next_f64() < p
    }

    fn used_bytes(&self) -> u64 {
        self.inodes.values().map(|i| i.data.len() as u64).sum()
    }
}

impl SimVfs {
    /// A fresh, empty disk whose random choices follow `seed`.
    pub fn new(seed: u64) -> Self {
        SimVfs {
            state: Arc::new(Mutex::new(State {
                rng: SplitMix64::new(seed),
                faults: SimFaults::default(),
                inodes: HashMap::new(),
                names: HashMap::new(),
                durable_names: HashMap::new(),
                dirs: HashSet::new(),
                locks: HashSet::new(),
                next_inode: 1,
                epoch: 0,
                ops: 0,
                dead: false,
            })),
        }
    }

    /// An independent copy of this disk (live and durable state), with no locks held
    /// and its own random stream from `seed`.
    pub fn fork(&self, seed: u64) -> SimVfs {
        let mut state = self.state.lock().clone();
        state.rng = SplitMix64::new(seed);
        state.locks.clear();
        SimVfs {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Replaces the fault configuration (and restarts the crash countdown).
    pub fn set_faults(&self, faults: SimFaults) {
        let mut s = self.state.lock();
        s.faults = faults;
        s.ops = 0;
    }

    /// Mutating calls made since the last [`SimVfs::set_faults`].
    pub fn ops(&self) -> u64 {
        self.state.lock().ops
    }

    /// Simulates a power cut: unsynced data and directory entries are lost (each file
    /// keeps a random, possibly torn, prefix of its unsynced tail), open handles and
    /// locks become invalid, and faults are cleared.
    pub fn crash(&self) {
        let mut s = self.state.lock();
        s.names = s.durable_names.clone();
        let live: HashSet<u64> = s.names.values().copied().collect();
        s.inodes.retain(|id, _| live.contains(id));
        let mut ids: Vec<u64> = s.inodes.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let keep_frac = s.rng.next_f64();
            let tear = s.rng.next_f64() < 0.3;
            let flip_at = s.rng.next_u64();
            let Some(inode) = s.inodes.get_mut(&id) else {
                continue;
            };
            let mut image = inode.durable.clone();
            let extends = inode.data.len() > image.len() && inode.data.starts_with(&image);
            if extends {
                let tail = &inode.data[image.len()..];
                let keep = (tail.len() as f64 * keep_frac) as usize;
                let start = image.len();
                image.extend_from_slice(&tail[..keep.min(tail.len())]);
                if tear && keep > 0 {
                    let idx = start + (flip_at as usize % keep);
                    image[idx] ^= 0x5a;
                }
            }
            inode.data = image.clone();
            inode.durable = image;
        }
        s.locks.clear();
        s.faults = SimFaults::default();
        s.dead = false;
        s.ops = 0;
        s.epoch += 1;
    }

    /// A copy of a file's live bytes (for tests that inspect or damage files).
    pub fn read_file(&self, path: &Path) -> Option<Vec<u8>> {
        let s = self.state.lock();
        let id = s.names.get(path)?;
        s.inodes.get(id).map(|i| i.data.clone())
    }

    /// Overwrites a file's bytes, live and durable (for corruption tests).
    pub fn write_file(&self, path: &Path, bytes: &[u8]) -> bool {
        let mut s = self.state.lock();
        let Some(id) = s.names.get(path).copied() else {
            return false;
        };
        match s.inodes.get_mut(&id) {
            Some(inode) => {
                inode.data = bytes.to_vec();
                inode.durable = bytes.to_vec();
                true
            }
            None => false,
        }
    }
}

struct SimFile {
    vfs: SimVfs,
    inode: u64,
    epoch: u64,
}

impl SimFile {
    fn with<R>(&self, f: impl FnOnce(&mut State) -> io::Result<R>) -> io::Result<R> {
        let mut s = self.vfs.state.lock();
        s.check_alive(self.epoch)?;
        f(&mut s)
    }
}

impl VfsFile for SimFile {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let id = self.inode;
        self.with(|s| {
            if s.roll(|f| f.read_error) {
                return Err(injected("read error"));
            }
            let flip = s.roll(|f| f.read_bitflip);
            let bit = s.rng.next_u64();
            let inode = s.inodes.get(&id).ok_or_else(|| injected("inode gone"))?;
            let start = usize::try_from(offset).map_err(|_| injected("offset"))?;
            let end = start
                .checked_add(buf.len())
                .ok_or_else(|| injected("offset"))?;
            let src = inode
                .data
                .get(start..end)
                .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "short read"))?;
            buf.copy_from_slice(src);
            if flip && !buf.is_empty() {
                let b = (bit as usize / 8) % buf.len();
                buf[b] ^= 1 << (bit % 8);
            }
            Ok(())
        })
    }

    fn append(&mut self, data: &[u8]) -> io::Result<()> {
        let id = self.inode;
        self.with(|s| {
            let dies = s.tick();
            let fail = dies || s.roll(|f| f.write_error);
            if let Some(cap) = s.faults.disk_capacity {
                if s.used_bytes() + data.len() as u64 > cap {
                    return Err(injected("disk full"));
                }
            }
            let keep = if fail {
                (s.rng.next_u64() % (data.len() as u64 + 1)) as usize
            } else {
                data.len()
            };
            let inode = s
                .inodes
                .get_mut(&id)
                .ok_or_else(|| injected("inode gone"))?;
            inode.data.extend_from_slice(&data[..keep]);
            if fail {
                Err(injected("torn write"))
            } else {
                Ok(())
            }
        })
    }

    fn sync(&mut self) -> io::Result<()> {
        let id = self.inode;
        self.with(|s| {
            if s.tick() || s.roll(|f| f.sync_error) {
                return Err(injected("sync error"));
            }
            let inode = s
                .inodes
                .get_mut(&id)
                .ok_or_else(|| injected("inode gone"))?;
            inode.durable.clone_from(&inode.data);
            Ok(())
        })
    }

    fn len(&self) -> io::Result<u64> {
        let id = self.inode;
        self.with(|s| {
            let inode = s.inodes.get(&id).ok_or_else(|| injected("inode gone"))?;
            Ok(inode.data.len() as u64)
        })
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        let id = self.inode;
        self.with(|s| {
            if s.tick() {
                return Err(injected("process crashed"));
            }
            let inode = s
                .inodes
                .get_mut(&id)
                .ok_or_else(|| injected("inode gone"))?;
            inode
                .data
                .resize(usize::try_from(len).map_err(|_| injected("len"))?, 0);
            Ok(())
        })
    }
}

struct SimLock {
    vfs: SimVfs,
    path: PathBuf,
    epoch: u64,
}
impl VfsLock for SimLock {}
impl Drop for SimLock {
    fn drop(&mut self) {
        let mut s = self.vfs.state.lock();
        if s.epoch == self.epoch {
            s.locks.remove(&self.path);
        }
    }
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: not found", path.display()),
    )
}

impl Vfs for SimVfs {
    fn create(&self, path: &Path) -> io::Result<Box<dyn VfsFile>> {
        let mut s = self.state.lock();
        let epoch = s.epoch;
        s.check_alive(epoch)?;
        if s.tick() {
            return Err(injected("process crashed"));
        }
        let id = s.next_inode;
        s.next_inode += 1;
        s.inodes.insert(id, Inode::default());
        if let Some(old) = s.names.insert(path.to_path_buf(), id) {
            if !s.durable_names.values().any(|v| *v == old) {
                s.inodes.remove(&old);
            }
        }
        Ok(Box::new(SimFile {
            vfs: self.clone(),
            inode: id,
            epoch,
        }))
    }

    fn open(&self, path: &Path) -> io::Result<Box<dyn VfsFile>> {
        let s = self.state.lock();
        s.check_alive(s.epoch)?;
        let id = *s.names.get(path).ok_or_else(|| not_found(path))?;
        Ok(Box::new(SimFile {
            vfs: self.clone(),
            inode: id,
            epoch: s.epoch,
        }))
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        let mut s = self.state.lock();
        s.check_alive(s.epoch)?;
        if s.tick() {
            return Err(injected("process crashed"));
        }
        // NOTE: the inode stays alive while durable names or open handles may use it;
        // unreachable inodes are collected at the next crash.
        s.names
            .remove(path)
            .map(|_| ())
            .ok_or_else(|| not_found(path))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut s = self.state.lock();
        s.check_alive(s.epoch)?;
        if s.tick() {
            return Err(injected("process crashed"));
        }
        let id = s.names.remove(from).ok_or_else(|| not_found(from))?;
        s.names.insert(to.to_path_buf(), id);
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let s = self.state.lock();
        s.check_alive(s.epoch)?;
        let mut out: Vec<String> = s
            .names
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
            .collect();
        out.sort();
        Ok(out)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.state.lock();
        s.check_alive(s.epoch)?;
        s.dirs.insert(dir.to_path_buf());
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.state.lock();
        s.check_alive(s.epoch)?;
        if s.tick() || s.roll(|f| f.sync_error) {
            return Err(injected("directory sync error"));
        }
        s.durable_names.retain(|p, _| p.parent() != Some(dir));
        let live: Vec<(PathBuf, u64)> = s
            .names
            .iter()
            .filter(|(p, _)| p.parent() == Some(dir))
            .map(|(p, id)| (p.clone(), *id))
            .collect();
        s.durable_names.extend(live);
        Ok(())
    }

    fn exists(&self, path: &Path) -> io::Result<bool> {
        let s = self.state.lock();
        s.check_alive(s.epoch)?;
        Ok(s.names.contains_key(path) || s.dirs.contains(path))
    }

    fn lock(&self, path: &Path) -> io::Result<Option<Box<dyn VfsLock>>> {
        let mut s = self.state.lock();
        s.check_alive(s.epoch)?;
        if !s.locks.insert(path.to_path_buf()) {
            return Ok(None);
        }
        Ok(Some(Box::new(SimLock {
            vfs: self.clone(),
            path: path.to_path_buf(),
            epoch: s.epoch,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_drops_unsynced_names_and_data() -> io::Result<()> {
        let vfs = SimVfs::new(7);
        let dir = Path::new("/db");
        vfs.create_dir_all(dir)?;
        let mut a = vfs.create(&dir.join("a"))?;
        a.append(b"durable")?;
        a.sync()?;
        vfs.sync_dir(dir)?;
        a.append(b"-lost")?;
        let mut b = vfs.create(&dir.join("b"))?;
        b.append(b"never named durably")?;
        b.sync()?;
        vfs.crash();
        assert!(!vfs.exists(&dir.join("b"))?);
        let bytes = vfs.read_file(&dir.join("a")).unwrap_or_default();
        assert!(bytes.len() >= 7 && bytes.len() <= 12, "{bytes:?}");
        assert_eq!(&bytes[..7], b"durable");
        assert!(a.append(b"x").is_err(), "stale handle must fail");
        Ok(())
    }

    #[test]
    fn crash_countdown_kills_every_later_call() -> io::Result<()> {
        let vfs = SimVfs::new(1);
        let dir = Path::new("/db");
        let mut f = vfs.create(&dir.join("f"))?;
        vfs.set_faults(SimFaults {
            crash_after_ops: Some(2),
            ..SimFaults::default()
        });
        f.append(b"one")?;
        assert!(f.append(b"two").is_err());
        assert!(f.sync().is_err());
        assert!(vfs.list(dir).is_err());
        vfs.crash();
        assert!(vfs.list(dir)?.is_empty(), "file name was never synced");
        Ok(())
    }
}
