//! Durable storage: per session an append-only JSON-lines journal and an atomic JSON snapshot.
//!
//! ```text
//! <data-dir>/sessions/<slug>/meta.json             {"format":1,"meta":{…}}   written once at creation
//! <data-dir>/sessions/<slug>/snapshot.json         {"format":1,"session":{…}}  state up to its seq
//! <data-dir>/sessions/<slug>/imported.json         {"format":1,"session":{…}}  the base of a rebuild: an import as it began, or a reset rehearsal
//! <data-dir>/sessions/<slug>/journal.jsonl         {"v":2,"seq":N,"at":ms,"cmd":{…},"crc":"…"}  one accepted command a line
//! <data-dir>/sessions/<slug>/journal-<seq>.jsonl   earlier journal segments, archived by compaction
//! ```
//!
//! A command is acknowledged only after its journal line is fsynced; the session task batches
//! every command that arrived meanwhile into one write and one fsync (group commit). Startup
//! loads the snapshot and re-applies the journal lines whose `seq` is newer, through the same
//! state machine with the same times. A torn last line (a crash mid-write) is logged and cut
//! off; a bad line before the last (each line carries a CRC-32C) refuses the session's load
//! and changes no file. The journal holds each command as the session kept it
//! ([`Command::normalized`](crate::session::Command::normalized)), never the raw frame.
//!
//! Compaction writes a snapshot to a temporary file, fsyncs it, renames it over the old one
//! and fsyncs the directory; only then is the live journal renamed to an archived segment and
//! a new one started. A crash at any point leaves a snapshot and journal lines that together
//! hold everything (lines the snapshot already holds are skipped by `seq`). Segments are kept
//! so that a corrupt snapshot costs nothing: it is moved aside and the session is rebuilt from
//! `meta.json` (or, for a session imported from an export, `imported.json`: no journal line
//! holds what the import brought) and every journal line since creation. All functions here
//! block: call them from `spawn_blocking`.
//!
//! | module       | its job                                                              |
//! |--------------|----------------------------------------------------------------------|
//! | `mod.rs`     | the data directory: create, load, read, delete, list; atomic writes  |
//! | [`format`](mod@format) | the persisted forms, their versions, the conversions and migrations  |
//! | `journal`    | an open session's files: append, snapshot and rotation; replay       |
//! | `load`       | the state from a snapshot and the journal, or rebuilt without one    |
//! | `index`      | what the registry needs of a stored session, read without loading it |
//! | [`series`](mod@series) | series of seminars: `<data-dir>/series/<name>/series.json`  |
//! | `scrub`      | an erased item's words rewritten out of the history, crash-safely    |
//! | `fs`         | the file layer under all of it: the real disk, or a simulated one    |
//! | `sim_fs`, `power_loss` | tests: a disk that loses unsynced writes; crashes under the real hub |

#[cfg(test)]
mod checksum_tests;
pub mod format;
mod fs;
mod index;
mod journal;
#[cfg(test)]
mod last_change_tests;
mod load;
#[cfg(test)]
mod power_loss;
mod rebase;
#[cfg(test)]
mod rebase_tests;
mod scrub;
pub mod series;
#[cfg(test)]
mod sim_fs;
#[cfg(test)]
mod tests;
mod trash;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::clock::Clock;
use crate::session::{Session, SessionName};

pub use format::{
    decode_record, decode_snapshot, encode_meta, encode_record, encode_snapshot,
    encode_snapshot_at, migrate_command, migrate_snapshot, JournalLine, JournalRecord, MetaFile,
    SnapshotFile, SnapshotV1, JOURNAL_FORMAT, SNAPSHOT_FORMAT,
};
pub use index::StoredInfo;
pub use journal::SessionFiles;
pub use rebase::RebaseReport;
pub use scrub::{Erasure, ScrubReport};

use fs::{Fs, RealFs};

/// Journal lines after which the session task writes a snapshot and starts a new journal:
/// bounds both the replay at startup and the journal's size on disk.
pub const COMPACT_AFTER_RECORDS: usize = 20_000;

/// The environment variable that overrides [`COMPACT_AFTER_RECORDS`]: a test hook (the backup
/// test rotates journals every few dozen lines so a backup surely races rotations), not a
/// tuning knob, so it has no command-line flag.
pub const COMPACT_AFTER_ENV: &str = "PAJA_COMPACT_AFTER";

/// [`COMPACT_AFTER_RECORDS`], or a positive number in [`COMPACT_AFTER_ENV`].
fn compact_after() -> usize {
    std::env::var(COMPACT_AFTER_ENV)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(COMPACT_AFTER_RECORDS)
}

const META: &str = "meta.json";
const SNAPSHOT: &str = "snapshot.json";
const SNAPSHOT_TMP: &str = "snapshot.json.tmp";
const JOURNAL: &str = "journal.jsonl";
const IMPORTED: &str = "imported.json";

/// Why a session could not be stored or loaded.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A session with that name already exists on disk.
    #[error("a session with that name exists")]
    Exists,
    /// The files are missing or unreadable.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// A journal line before the journal's end is unreadable or fails its checksum: not a
    /// torn write (that can only be the last line) but rot or tampering. The session is not
    /// started and its files are left exactly as they are, for a person to look at.
    #[error("corrupt journal {} line {line}: {reason}; the session is not started and its files are left as they are", path.display())]
    CorruptJournal {
        /// The journal file.
        path: PathBuf,
        /// Its 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
    /// `meta.json` (the first file a creation writes) is missing and there is no usable
    /// snapshot: the creation was cut short by a crash before it was answered, so nothing in
    /// the directory was ever acknowledged. The server removes such a directory at start, so
    /// the name is free again.
    #[error(
        "meta.json missing: the session's creation never finished (nothing in it was acknowledged)"
    )]
    Unfinished,
    /// A file was written by a newer Paja in a format this one does not know (a downgrade).
    /// Reading on could misread it, and rewriting it would destroy what the newer version
    /// wrote, so the session is not started and its files are left exactly as they are.
    #[error("{file} has format {found}, newer than this Paja knows ({known}): written by a newer Paja; the session is not started and its files are left as they are (run the newer Paja, or restore a backup taken before the upgrade)")]
    NewerFormat {
        /// Which file.
        file: String,
        /// The format it declares.
        found: u32,
        /// The newest format this build reads.
        known: u32,
    },
    /// A file is not valid.
    #[error("corrupt {file}: {reason}")]
    Corrupt {
        /// Which file.
        file: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// A switch that makes every journal write fail with ENOSPC: lets tests prove that a full
/// disk refuses submissions cleanly and that the service recovers when space returns.
#[derive(Debug, Clone, Default)]
pub struct WriteFault(Arc<AtomicBool>);

impl WriteFault {
    /// Makes writes fail (`true`) or succeed again (`false`).
    pub fn set(&self, failing: bool) {
        self.0.store(failing, Ordering::SeqCst);
    }

    fn check(&self) -> io::Result<()> {
        if self.0.load(Ordering::SeqCst) {
            // ENOSPC, exactly what a full disk says.
            return Err(io::Error::from_raw_os_error(28));
        }
        Ok(())
    }
}

/// Deliberate bugs that only tests can switch on, to prove that the power-loss test catches
/// what it exists for: with either one it must find acknowledged commands lost. No
/// constructor outside `#[cfg(test)]` sets them, so the binary never runs with one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sabotage {
    /// Journal appends are written but never fsynced.
    pub skip_fsync: bool,
    /// The session task acknowledges a batch before writing it to the journal.
    pub ack_before_write: bool,
}

/// The data directory.
#[derive(Debug, Clone)]
pub struct Store {
    sessions: PathBuf,
    fault: WriteFault,
    /// Names a corrupt snapshot moved aside.
    clock: Clock,
    /// The disk: the real one, or a simulated one in tests.
    fs: Arc<dyn Fs>,
    /// Journal lines after which a snapshot is taken ([`COMPACT_AFTER_RECORDS`]; fewer in
    /// tests, so that snapshots and rotations happen often).
    compact_after: usize,
    /// Always off outside tests.
    sabotage: Sabotage,
}

impl Store {
    /// Opens (creating if needed) the data directory.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        Self::open_on(Arc::new(RealFs), data_dir)
    }

    /// Opens (creating if needed) the data directory on `fs`.
    pub(crate) fn open_on(fs: Arc<dyn Fs>, data_dir: &Path) -> io::Result<Self> {
        let sessions = data_dir.join("sessions");
        fs.create_dir_all(&sessions)?;
        Ok(Self {
            sessions,
            fault: WriteFault::default(),
            clock: Clock::system(),
            fs,
            compact_after: compact_after(),
            sabotage: Sabotage::default(),
        })
    }

    /// The same store, snapshotting after `records` journal lines.
    #[cfg(test)]
    pub(crate) fn with_compact_after(mut self, records: usize) -> Self {
        self.compact_after = records;
        self
    }

    /// The same store with deliberate bugs switched on (tests of the tests only).
    #[cfg(test)]
    pub(crate) fn with_sabotage(mut self, sabotage: Sabotage) -> Self {
        self.sabotage = sabotage;
        self
    }

    /// The deliberate bugs switched on: none, outside tests.
    pub(crate) fn sabotage(&self) -> Sabotage {
        self.sabotage
    }

    /// The same store, reading the time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The same store, with journal writes failing whenever `fault` is set.
    pub fn with_fault(mut self, fault: WriteFault) -> Self {
        self.fault = fault;
        self
    }

    /// Opens an existing data directory without creating or changing anything (offline export
    /// while a server may be running on it).
    pub fn open_read_only(data_dir: &Path) -> io::Result<Self> {
        let sessions = data_dir.join("sessions");
        if !sessions.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} holds no Paja sessions", data_dir.display()),
            ));
        }
        Ok(Self {
            sessions,
            fault: WriteFault::default(),
            clock: Clock::system(),
            fs: Arc::new(RealFs),
            compact_after: COMPACT_AFTER_RECORDS,
            sabotage: Sabotage::default(),
        })
    }

    fn dir(&self, slug: &SessionName) -> PathBuf {
        self.sessions.join(slug.as_str())
    }

    /// Creates a new session's directory, meta and first snapshot. Creating the directory is
    /// the atomic claim on the name: a second creator gets [`StoreError::Exists`]. A session
    /// that does not start empty (an import) also keeps its first state in `imported.json`,
    /// the base a rebuild from the journal starts from.
    pub fn create(&self, session: &Session) -> Result<SessionFiles, StoreError> {
        let dir = self.dir(&session.meta.slug);
        let fs = &*self.fs;
        match fs.create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(StoreError::Exists),
            Err(e) => return Err(e.into()),
        }
        let result = (|| {
            self.fault.check()?;
            let meta = encode_meta(&session.meta)?;
            write_atomically(fs, &dir, META, &meta)?;
            let first = encode_snapshot(session)?;
            if session.imported_at().is_some() {
                write_atomically(fs, &dir, IMPORTED, &first)?;
            }
            write_atomically(fs, &dir, SNAPSHOT, &first)?;
            fs.sync_dir(&self.sessions)?;
            SessionFiles::open(self, dir.clone())
        })();
        if result.is_err() {
            // Leave no half-made session behind to block the name.
            let _ = fs.remove_dir_all(&dir);
        }
        result
    }

    /// Deletes a session's files for good.
    pub fn delete(&self, slug: &SessionName) -> io::Result<()> {
        let _scrub = scrub::lock();
        self.fs.remove_dir_all(&self.dir(slug))?;
        self.fs.sync_dir(&self.sessions)
    }

    /// Whether the data directory takes a write now (`/readyz` after a failed journal write):
    /// a small file written, fsynced and removed again, beside `sessions/` (never in it, so
    /// no listing of sessions sees it). Fails while the test hook [`WriteFault`] is set.
    pub fn probe_write(&self) -> io::Result<()> {
        self.fault.check()?;
        let dir = self.sessions.parent().unwrap_or(&self.sessions);
        let probe = dir.join(".paja-write-probe");
        let mut file = self.fs.create(&probe)?;
        let written = file.write_all(b"ok").and_then(|()| file.sync());
        drop(file);
        let removed = self.fs.remove_file(&probe);
        written.and(removed)
    }

    /// The names of every session directory on disk.
    pub fn list(&self) -> io::Result<Vec<SessionName>> {
        let mut names = Vec::new();
        for (name, is_dir) in self.fs.list(&self.sessions)? {
            if !is_dir {
                continue;
            }
            match SessionName::parse(&name) {
                Ok(slug) => names.push(slug),
                Err(_) => {
                    tracing::warn!(
                        dir = name,
                        "ignoring a directory that is not a session name"
                    )
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// Reads a session's state without touching its files (a corrupt snapshot is read past,
    /// not moved).
    pub fn read(&self, slug: &SessionName) -> Result<Session, StoreError> {
        let dir = self.dir(slug);
        if !self.fs.is_dir(&dir) {
            return Err(StoreError::Io(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no session named {slug}"),
            )));
        }
        Ok(load::read_state(&*self.fs, &dir, None)?.session)
    }

    /// Loads a session: its snapshot, then every newer journal line. A corrupt snapshot is
    /// moved aside and the session rebuilt from the journal. Returns the session and its
    /// files, ready to append to.
    pub fn load(&self, slug: &SessionName) -> Result<(Session, SessionFiles), StoreError> {
        let dir = self.dir(slug);
        let loaded = load::read_state(&*self.fs, &dir, Some(self.clock.now_ms()))?;
        let mut files = SessionFiles::open(self, dir)?;
        files.cut_torn_tail(loaded.good_len, slug)?;
        files.last_change_at = loaded.last_change_at;
        let rebase = rebase::at_load(&*self.fs, &self.dir(slug), &loaded.session, &mut files);
        if let Err(error) = rebase {
            tracing::error!(session = %slug, %error, "removing a reset rehearsal's history at load failed");
        }
        let scrub = scrub::at_load(&*self.fs, &self.dir(slug), &loaded.session, &mut files);
        if let Err(error) = scrub {
            // The session itself is sound; the next erasure or start tries again.
            tracing::error!(session = %slug, %error, "scrubbing erased words at load failed");
        }
        Ok((loaded.session, files))
    }
}

/// Temporary file, fsync, rename over `name`, fsync the directory.
fn write_atomically(fs: &dyn Fs, dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut file = fs.create(&tmp)?;
    file.write_all(bytes)?;
    file.sync()?;
    drop(file);
    fs.rename(&tmp, &dir.join(name))?;
    fs.sync_dir(dir)
}
