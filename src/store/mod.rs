//! Durable storage: per session an append-only JSON-lines journal and an atomic JSON snapshot.
//!
//! ```text
//! <data-dir>/sessions/<slug>/meta.json             {"format":1,"meta":{…}}   written once at creation
//! <data-dir>/sessions/<slug>/snapshot.json         {"format":1,"session":{…}}  state up to its seq
//! <data-dir>/sessions/<slug>/imported.json         {"format":1,"session":{…}}  an imported session as it began
//! <data-dir>/sessions/<slug>/journal.jsonl         {"seq":N,"at":ms,"cmd":{…}}  one accepted command a line
//! <data-dir>/sessions/<slug>/journal-<seq>.jsonl   earlier journal segments, archived by compaction
//! ```
//!
//! A command is acknowledged only after its journal line is fsynced; the session task batches
//! every command that arrived meanwhile into one write and one fsync (group commit). Startup
//! loads the snapshot and re-applies the journal lines whose `seq` is newer, through the same
//! state machine with the same times. A torn last line (a crash mid-write) is logged and cut
//! off.
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
//! | `scrub`      | an erased item's words rewritten out of the history, crash-safely    |

pub mod format;
mod journal;
mod load;
mod scrub;
#[cfg(test)]
mod tests;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::clock::Clock;
use crate::session::{Session, SessionName};

pub use format::{
    decode_record, decode_snapshot, encode_meta, encode_record, encode_snapshot, migrate_command,
    migrate_snapshot, JournalLine, JournalRecord, MetaFile, SnapshotFile, SnapshotV1,
    JOURNAL_FORMAT, SNAPSHOT_FORMAT,
};
pub use journal::SessionFiles;
pub use scrub::{Erasure, ScrubReport};

/// Journal lines after which the session task writes a snapshot and starts a new journal:
/// bounds both the replay at startup and the journal's size on disk.
pub const COMPACT_AFTER_RECORDS: usize = 20_000;

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

/// The data directory.
#[derive(Debug, Clone)]
pub struct Store {
    sessions: PathBuf,
    fault: WriteFault,
    /// Names a corrupt snapshot moved aside.
    clock: Clock,
}

impl Store {
    /// Opens (creating if needed) the data directory.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let sessions = data_dir.join("sessions");
        fs::create_dir_all(&sessions)?;
        Ok(Self {
            sessions,
            fault: WriteFault::default(),
            clock: Clock::system(),
        })
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
        match fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(StoreError::Exists),
            Err(e) => return Err(e.into()),
        }
        let result = (|| {
            self.fault.check()?;
            let meta = encode_meta(&session.meta)?;
            write_atomically(&dir, META, &meta)?;
            let first = encode_snapshot(session)?;
            if session.imported_at().is_some() {
                write_atomically(&dir, IMPORTED, &first)?;
            }
            write_atomically(&dir, SNAPSHOT, &first)?;
            sync_dir(&self.sessions)?;
            SessionFiles::open(dir.clone(), self.fault.clone())
        })();
        if result.is_err() {
            // Leave no half-made session behind to block the name.
            let _ = fs::remove_dir_all(&dir);
        }
        result
    }

    /// Deletes a session's files for good.
    pub fn delete(&self, slug: &SessionName) -> io::Result<()> {
        let _scrub = scrub::lock();
        fs::remove_dir_all(self.dir(slug))?;
        sync_dir(&self.sessions)
    }

    /// The names of every session directory on disk.
    pub fn list(&self) -> io::Result<Vec<SessionName>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.sessions)? {
            let entry = entry?;
            if !entry.file_type()?.is_dir() {
                continue;
            }
            if let Some(name) = entry.file_name().to_str() {
                match SessionName::parse(name) {
                    Ok(slug) => names.push(slug),
                    Err(_) => {
                        tracing::warn!(
                            dir = name,
                            "ignoring a directory that is not a session name"
                        )
                    }
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
        if !dir.is_dir() {
            return Err(StoreError::Io(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no session named {slug}"),
            )));
        }
        Ok(load::read_state(&dir, None)?.0)
    }

    /// Loads a session: its snapshot, then every newer journal line. A corrupt snapshot is
    /// moved aside and the session rebuilt from the journal. Returns the session and its
    /// files, ready to append to.
    pub fn load(&self, slug: &SessionName) -> Result<(Session, SessionFiles), StoreError> {
        let dir = self.dir(slug);
        let (session, good_len) = load::read_state(&dir, Some(self.clock.now_ms()))?;
        let mut files = SessionFiles::open(dir, self.fault.clone())?;
        files.cut_torn_tail(good_len, slug)?;
        if let Err(error) = scrub::at_load(&self.dir(slug), &session, &mut files) {
            // The session itself is sound; the next erasure or start tries again.
            tracing::error!(session = %slug, %error, "scrubbing erased words at load failed");
        }
        Ok((session, files))
    }
}

/// Temporary file, fsync, rename over `name`, fsync the directory.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, dir.join(name))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
