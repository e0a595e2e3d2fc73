//! A simulated disk for the power-loss test: an in-memory [`Fs`] that remembers what was
//! fsynced and what was not, and at a chosen operation loses power.
//!
//! The model is SQLite's crash test (`test6.c`), on a journaling file system's terms:
//! - a file's bytes are durable once the file is fsynced; at the power cut each write (or
//!   cut) since its last fsync is, independently and in order, kept, dropped, or torn: a
//!   random prefix reaches the disk, and half the time the rest of the write's range reads
//!   as zeros (the length was updated, the data was not);
//! - a directory's entries (creations, renames, removals) are durable once that directory
//!   is fsynced; at the power cut a random prefix of the changes not yet fsynced survives,
//!   in order (a journaling file system commits metadata in order), so a rename not yet
//!   followed by a directory fsync may or may not have happened;
//! - from the power cut on, every operation fails (`EIO`): the process is as good as dead.
//!
//! [`SimFs::recover`] then builds the disk as a fresh boot would find it, which the store
//! loads through its real load path.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::fs::{Fs, FsFile};

/// SplitMix64: a tiny seeded generator, so every crash is reproducible from its seed.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Node {
    Dir,
    File(usize),
}

/// A change to a file's bytes not yet fsynced.
#[derive(Debug, Clone)]
enum Write {
    At(u64, Vec<u8>),
    SetLen(u64),
}

/// A change to a directory's entries not yet fsynced.
#[derive(Debug, Clone)]
enum Entry {
    Create(PathBuf, Node),
    Rename(PathBuf, PathBuf),
    Remove(PathBuf),
}

impl Entry {
    /// The directory whose fsync makes this change durable.
    fn parent(&self) -> &Path {
        let path = match self {
            Entry::Create(p, _) | Entry::Remove(p) => p,
            Entry::Rename(_, to) => to,
        };
        path.parent().unwrap_or(Path::new("/"))
    }

    fn apply(&self, names: &mut BTreeMap<PathBuf, Node>) {
        match self {
            Entry::Create(path, node) => {
                names.insert(path.clone(), *node);
            }
            Entry::Rename(from, to) => {
                if let Some(node) = names.remove(from) {
                    names.insert(to.clone(), node);
                }
            }
            Entry::Remove(path) => names.retain(|p, _| !p.starts_with(path)),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Inode {
    now: Vec<u8>,
    synced: Vec<u8>,
    unsynced: Vec<Write>,
}

#[derive(Debug, Default)]
struct State {
    names: BTreeMap<PathBuf, Node>,
    durable_names: BTreeMap<PathBuf, Node>,
    unsynced_entries: Vec<Entry>,
    inodes: Vec<Inode>,
    /// Mutating operations so far (writes, cuts, fsyncs, creations, renames, removals).
    ops: u64,
    /// The operation at which the power goes (1-based); `None`: never.
    cut_at: Option<u64>,
    dead: bool,
}

/// The simulated disk; clones share it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SimFs(Arc<Mutex<State>>);

fn eio() -> io::Error {
    io::Error::other("simulated power loss")
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, path.display().to_string())
}

impl SimFs {
    /// A disk holding the directory `root` (and its parents), durably.
    pub fn with_dir(root: &Path) -> Self {
        let fs = SimFs::default();
        {
            let mut state = fs.lock();
            for dir in root.ancestors() {
                state.names.insert(dir.to_path_buf(), Node::Dir);
            }
            state.durable_names = state.names.clone();
        }
        fs
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Loses power at the `op`-th mutating operation from now on (that one fails).
    pub fn cut_power_at(&self, op: u64) {
        let mut state = self.lock();
        state.cut_at = Some(state.ops + op);
    }

    /// Mutating operations made so far.
    pub fn ops(&self) -> u64 {
        self.lock().ops
    }

    /// Whether the power went.
    pub fn is_dead(&self) -> bool {
        self.lock().dead
    }

    /// The disk as a reboot finds it: what was fsynced, plus what `rng` lets survive of
    /// what was not (see the module's model).
    pub fn recover(&self, rng: &mut Rng) -> SimFs {
        let state = self.lock();
        let mut names = state.durable_names.clone();
        let survive = rng.below(state.unsynced_entries.len() as u64 + 1) as usize;
        for entry in &state.unsynced_entries[..survive] {
            entry.apply(&mut names);
        }
        let inodes = state
            .inodes
            .iter()
            .map(|inode| {
                let mut bytes = inode.synced.clone();
                for write in &inode.unsynced {
                    apply_at_power_loss(&mut bytes, write, rng);
                }
                Inode {
                    now: bytes.clone(),
                    synced: bytes,
                    unsynced: Vec::new(),
                }
            })
            .collect();
        SimFs(Arc::new(Mutex::new(State {
            durable_names: names.clone(),
            names,
            inodes,
            ..State::default()
        })))
    }
}

/// One unsynced write at the power cut: kept, dropped or torn.
fn apply_at_power_loss(bytes: &mut Vec<u8>, write: &Write, rng: &mut Rng) {
    match (write, rng.below(3)) {
        (_, 0) => {}
        (Write::SetLen(len), _) => bytes.resize(*len as usize, 0),
        (Write::At(at, data), 1) => write_at(bytes, *at, data),
        (Write::At(at, data), _) => {
            let kept = rng.below(data.len() as u64 + 1) as usize;
            let mut torn = data[..kept].to_vec();
            if rng.below(2) == 0 {
                torn.resize(data.len(), 0);
            }
            write_at(bytes, *at, &torn);
        }
    }
}

fn write_at(bytes: &mut Vec<u8>, at: u64, data: &[u8]) {
    let at = at as usize;
    if bytes.len() < at + data.len() {
        bytes.resize(at + data.len(), 0);
    }
    bytes[at..at + data.len()].copy_from_slice(data);
}

impl State {
    /// Counts a mutating operation; fails it if the power goes now or went before.
    fn op(&mut self) -> io::Result<()> {
        if self.dead {
            return Err(eio());
        }
        self.ops += 1;
        if self.cut_at == Some(self.ops) {
            self.dead = true;
            return Err(eio());
        }
        Ok(())
    }

    fn alive(&self) -> io::Result<()> {
        if self.dead {
            return Err(eio());
        }
        Ok(())
    }

    fn file(&self, path: &Path) -> io::Result<usize> {
        match self.names.get(path) {
            Some(Node::File(ino)) => Ok(*ino),
            Some(Node::Dir) => Err(io::Error::other("is a directory")),
            None => Err(not_found(path)),
        }
    }

    fn change(&mut self, entry: Entry) {
        entry.apply(&mut self.names);
        self.unsynced_entries.push(entry);
    }

    fn new_file(&mut self, path: &Path) -> io::Result<usize> {
        let parent = path.parent().unwrap_or(Path::new("/"));
        if self.names.get(parent) != Some(&Node::Dir) {
            return Err(not_found(parent));
        }
        self.inodes.push(Inode::default());
        let ino = self.inodes.len() - 1;
        self.change(Entry::Create(path.to_path_buf(), Node::File(ino)));
        Ok(ino)
    }

    fn write(&mut self, ino: usize, write: Write) {
        let inode = &mut self.inodes[ino];
        match &write {
            Write::At(at, data) => write_at(&mut inode.now, *at, data),
            Write::SetLen(len) => inode.now.resize(*len as usize, 0),
        }
        inode.unsynced.push(write);
    }
}

impl Fs for SimFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let state = self.lock();
        state.alive()?;
        let ino = state.file(path)?;
        Ok(state.inodes[ino].now.clone())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<(String, bool)>> {
        let state = self.lock();
        state.alive()?;
        if state.names.get(dir) != Some(&Node::Dir) {
            return Err(not_found(dir));
        }
        Ok(state
            .names
            .iter()
            .filter(|(p, _)| p.parent() == Some(dir))
            .filter_map(|(p, node)| {
                let name = p.file_name()?.to_str()?.to_owned();
                Some((name, *node == Node::Dir))
            })
            .collect())
    }

    fn exists(&self, path: &Path) -> bool {
        self.lock().names.contains_key(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.lock().names.get(path) == Some(&Node::Dir)
    }

    fn create_dir(&self, path: &Path) -> io::Result<()> {
        let mut state = self.lock();
        state.op()?;
        if state.names.contains_key(path) {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        state.change(Entry::Create(path.to_path_buf(), Node::Dir));
        Ok(())
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        let missing: Vec<PathBuf> = path
            .ancestors()
            .filter(|p| !self.exists(p))
            .map(Path::to_path_buf)
            .collect();
        for dir in missing.iter().rev() {
            self.create_dir(dir)?;
        }
        Ok(())
    }

    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        let mut state = self.lock();
        state.op()?;
        state.change(Entry::Remove(path.to_path_buf()));
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let mut state = self.lock();
        state.op()?;
        state.file(path)?;
        state.change(Entry::Remove(path.to_path_buf()));
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut state = self.lock();
        state.op()?;
        state.file(from)?;
        state.change(Entry::Rename(from.to_path_buf(), to.to_path_buf()));
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut state = self.lock();
        state.op()?;
        let entries = std::mem::take(&mut state.unsynced_entries);
        let (now, later): (Vec<Entry>, Vec<Entry>) =
            entries.into_iter().partition(|e| e.parent() == dir);
        for entry in &now {
            entry.apply(&mut state.durable_names);
        }
        state.unsynced_entries = later;
        Ok(())
    }

    fn create(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let mut state = self.lock();
        state.op()?;
        let ino = match state.file(path) {
            Ok(ino) => {
                state.write(ino, Write::SetLen(0));
                ino
            }
            Err(_) => state.new_file(path)?,
        };
        Ok(Box::new(SimFile {
            fs: self.clone(),
            ino,
        }))
    }

    fn open_append(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let mut state = self.lock();
        let ino = match state.file(path) {
            Ok(ino) => {
                state.alive()?;
                ino
            }
            Err(_) => {
                state.op()?;
                state.new_file(path)?
            }
        };
        Ok(Box::new(SimFile {
            fs: self.clone(),
            ino,
        }))
    }
}

/// An open file on the simulated disk.
#[derive(Debug)]
struct SimFile {
    fs: SimFs,
    ino: usize,
}

impl FsFile for SimFile {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut state = self.fs.lock();
        state.op()?;
        let at = state.inodes[self.ino].now.len() as u64;
        state.write(self.ino, Write::At(at, bytes.to_vec()));
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        let mut state = self.fs.lock();
        state.op()?;
        let inode = &mut state.inodes[self.ino];
        inode.synced = inode.now.clone();
        inode.unsynced.clear();
        Ok(())
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        let mut state = self.fs.lock();
        state.op()?;
        state.write(self.ino, Write::SetLen(len));
        Ok(())
    }

    fn len(&self) -> io::Result<u64> {
        let state = self.fs.lock();
        state.alive()?;
        Ok(state.inodes[self.ino].now.len() as u64)
    }
}
