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

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::session::{Command, Millis, Session, SessionMeta, SessionName};

/// Snapshot and meta format version, checked on load.
pub const SNAPSHOT_FORMAT: u32 = 1;
/// Journal lines after which the session task writes a snapshot and starts a new journal.
pub const COMPACT_AFTER_RECORDS: usize = 20_000;

const META: &str = "meta.json";
const SNAPSHOT: &str = "snapshot.json";
const SNAPSHOT_TMP: &str = "snapshot.json.tmp";
const JOURNAL: &str = "journal.jsonl";
const IMPORTED: &str = "imported.json";

/// One journal line: an accepted command, when it was applied, and the seq it led to.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record<C> {
    /// The session's seq after applying `cmd`.
    pub seq: u64,
    /// The time it was applied with.
    pub at: Millis,
    /// The command.
    pub cmd: C,
}

#[derive(Serialize, Deserialize)]
struct Snapshot<S> {
    format: u32,
    session: S,
}

#[derive(Serialize, Deserialize)]
struct Meta<M> {
    format: u32,
    meta: M,
}

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
            let meta = serde_json::to_vec(&Meta {
                format: SNAPSHOT_FORMAT,
                meta: &session.meta,
            })
            .map_err(io::Error::other)?;
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
        Ok(read_state(&dir, None)?.0)
    }

    /// Loads a session: its snapshot, then every newer journal line. A corrupt snapshot is
    /// moved aside and the session rebuilt from the journal. Returns the session and its
    /// files, ready to append to.
    pub fn load(&self, slug: &SessionName) -> Result<(Session, SessionFiles), StoreError> {
        let dir = self.dir(slug);
        let (session, good_len) = read_state(&dir, Some(self.clock.now_ms()))?;
        let mut files = SessionFiles::open(dir, self.fault.clone())?;
        if files.journal_len != good_len {
            tracing::warn!(
                session = %slug,
                kept = good_len,
                dropped = files.journal_len - good_len,
                "cutting a torn line off the journal"
            );
            files.journal.set_len(good_len)?;
            files.journal.sync_all()?;
            files.journal_len = good_len;
        }
        Ok((session, files))
    }
}

/// The state in `dir` and the good length of the live journal. With `repair_at` (now, in ms),
/// a corrupt snapshot is renamed to `snapshot.json.corrupt-<ms>` (kept for inspection).
fn read_state(dir: &Path, repair_at: Option<Millis>) -> Result<(Session, u64), StoreError> {
    let mut session = match read_snapshot(dir) {
        Ok(session) => session,
        Err(error) => {
            let slug = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            tracing::error!(session = slug, %error, "snapshot unusable; rebuilding the session from its journal");
            if let Some(now) = repair_at.filter(|_| dir.join(SNAPSHOT).exists()) {
                let aside = format!("{SNAPSHOT}.corrupt-{now}");
                fs::rename(dir.join(SNAPSHOT), dir.join(&aside))?;
                sync_dir(dir)?;
                tracing::warn!(session = slug, file = %aside, "corrupt snapshot moved aside");
            }
            let mut session = match read_snapshot_file(dir, IMPORTED) {
                Ok(imported) => imported,
                Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
                    Session::new(read_meta(dir)?)
                }
                Err(e) => return Err(e),
            };
            for segment in archived_segments(dir)? {
                replay_journal(&segment, &mut session)?;
            }
            session
        }
    };
    let good_len = replay_journal(&dir.join(JOURNAL), &mut session)?;
    Ok((session, good_len))
}

fn read_snapshot(dir: &Path) -> Result<Session, StoreError> {
    read_snapshot_file(dir, SNAPSHOT)
}

fn read_snapshot_file(dir: &Path, file: &'static str) -> Result<Session, StoreError> {
    let bytes = fs::read(dir.join(file))?;
    let snapshot: Snapshot<Session> =
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            file,
            reason: e.to_string(),
        })?;
    if snapshot.format != SNAPSHOT_FORMAT {
        return Err(StoreError::Corrupt {
            file,
            reason: format!("unknown format {}", snapshot.format),
        });
    }
    let mut session = snapshot.session;
    session.reindex();
    Ok(session)
}

fn read_meta(dir: &Path) -> Result<SessionMeta, StoreError> {
    let bytes = fs::read(dir.join(META))?;
    let meta: Meta<SessionMeta> =
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            file: META,
            reason: e.to_string(),
        })?;
    Ok(meta.meta)
}

/// Archived journal segments, oldest first (their names sort by seq).
fn archived_segments(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut segments: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("journal-") && n.ends_with(".jsonl"))
        })
        .collect();
    segments.sort();
    Ok(segments)
}

/// Re-applies journal lines newer than the session's seq. Returns the length of the journal
/// up to the end of its last complete, readable line.
fn replay_journal(path: &Path, session: &mut Session) -> Result<u64, StoreError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let slug = session.meta.slug.clone();
    let mut good_len = 0u64;
    let mut offset = 0usize;
    let mut line_no = 0usize;
    while offset < bytes.len() {
        line_no += 1;
        let Some(nl) = bytes[offset..].iter().position(|&b| b == b'\n') else {
            tracing::warn!(session = %slug, line = line_no, "journal ends in a torn line; skipped");
            break;
        };
        let line = &bytes[offset..offset + nl];
        let next = offset + nl + 1;
        match serde_json::from_slice::<Record<Command>>(line) {
            Ok(record) => {
                if record.seq > session.seq() {
                    match session.apply(&record.cmd, record.at) {
                        Ok(_) if session.seq() == record.seq => {}
                        Ok(_) => tracing::warn!(
                            session = %slug,
                            line = line_no,
                            expected = record.seq,
                            got = session.seq(),
                            "journal replay reached a different seq"
                        ),
                        Err(rejection) => tracing::warn!(
                            session = %slug,
                            line = line_no,
                            %rejection,
                            "journal line no longer applies; skipped"
                        ),
                    }
                }
                good_len = next as u64;
            }
            Err(e) if next == bytes.len() => {
                tracing::warn!(session = %slug, line = line_no, error = %e, "journal ends in a torn line; skipped");
                break;
            }
            Err(e) => {
                tracing::error!(session = %slug, line = line_no, error = %e, "unreadable journal line; skipped");
                good_len = next as u64;
            }
        }
        offset = next;
    }
    Ok(good_len)
}

/// An open session's files, owned by its session task.
#[derive(Debug)]
pub struct SessionFiles {
    dir: PathBuf,
    journal: File,
    journal_len: u64,
    records: usize,
    fault: WriteFault,
}

impl SessionFiles {
    fn open(dir: PathBuf, fault: WriteFault) -> Result<Self, StoreError> {
        let journal = open_journal(&dir)?;
        let journal_len = journal.metadata()?.len();
        Ok(Self {
            dir,
            journal,
            journal_len,
            records: 0,
            fault,
        })
    }

    /// Appends `lines` (complete JSON lines, `records` of them) and fsyncs. On failure the
    /// journal is cut back to where it was, so a half-written batch never reaches a replay.
    pub fn append(&mut self, lines: &[u8], records: usize) -> io::Result<()> {
        let result = self
            .fault
            .check()
            .and_then(|()| self.journal.write_all(lines))
            .and_then(|()| self.journal.sync_data());
        match result {
            Ok(()) => {
                self.journal_len += lines.len() as u64;
                self.records += records;
                Ok(())
            }
            Err(e) => {
                let _ = self.journal.set_len(self.journal_len);
                Err(e)
            }
        }
    }

    /// Whether the journal has grown enough to be worth compacting into a snapshot.
    pub fn wants_snapshot(&self) -> bool {
        self.records >= COMPACT_AFTER_RECORDS
    }

    /// Writes a snapshot (from [`encode_snapshot`]) at `seq` atomically, then archives the
    /// journal as `journal-<seq>.jsonl` and starts a new one.
    pub fn snapshot(&mut self, snapshot: &[u8], seq: u64) -> io::Result<()> {
        if let Err(e) = self
            .fault
            .check()
            .and_then(|()| write_atomically(&self.dir, SNAPSHOT, snapshot))
        {
            // Leave no temporary file behind, and wait for another full journal's worth
            // before trying again rather than retrying after every batch on a sick disk.
            let _ = fs::remove_file(self.dir.join(SNAPSHOT_TMP));
            self.records = 0;
            return Err(e);
        }
        if self.journal_len > 0 {
            fs::rename(
                self.dir.join(JOURNAL),
                self.dir.join(format!("journal-{seq:020}.jsonl")),
            )?;
            self.journal = open_journal(&self.dir)?;
            sync_dir(&self.dir)?;
        }
        self.journal_len = 0;
        self.records = 0;
        Ok(())
    }
}

fn open_journal(dir: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(JOURNAL))
}

/// Serializes one journal line (with its newline) onto `out`.
pub fn encode_record(out: &mut Vec<u8>, seq: u64, at: Millis, cmd: &Command) {
    let record = Record { seq, at, cmd };
    // A Command is plain data; writing it into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, &record).is_ok() {
        out.push(b'\n');
    }
}

/// Serializes a session into snapshot bytes (CPU only; the session task does this before
/// handing the bytes to a blocking thread).
pub fn encode_snapshot(session: &Session) -> io::Result<Vec<u8>> {
    serde_json::to_vec(&Snapshot {
        format: SNAPSHOT_FORMAT,
        session,
    })
    .map_err(io::Error::other)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{
        Activity, ItemId, Language, ParticipantId, PromptDraft, PromptId, ResultsVisibility,
        SessionMeta,
    };
    use uuid::Uuid;

    fn new_session() -> Session {
        Session::new(SessionMeta {
            slug: SessionName::parse("testi").unwrap(),
            title: "T".into(),
            language: Language::Fi,
            created_at: 1,
            key_hash: "k".into(),
            time_zone: Default::default(),
        })
    }

    fn apply_and_journal(s: &mut Session, files: &mut SessionFiles, cmd: Command, at: Millis) {
        s.apply(&cmd, at).unwrap();
        let mut buf = Vec::new();
        encode_record(&mut buf, s.seq(), at, &cmd);
        files.append(&buf, 1).unwrap();
    }

    fn scripted(s: &mut Session, files: &mut SessionFiles, n: usize) {
        apply_and_journal(
            s,
            files,
            Command::AddPrompt {
                draft: PromptDraft {
                    activity: Activity::default(),
                    title: "Q".into(),
                    instructions: String::new(),
                    time_limit_secs: None,
                    auto_close: false,
                    per_group: false,
                    premoderation: false,
                    wall: false,
                    show_results: ResultsVisibility::Live,
                    reset_column: false,
                },
            },
            2,
        );
        apply_and_journal(
            s,
            files,
            Command::OpenPrompt {
                prompt_id: PromptId("p1".into()),
            },
            3,
        );
        for i in 0..n {
            apply_and_journal(
                s,
                files,
                Command::Submit {
                    participant: ParticipantId(Uuid::new_v4()),
                    item_id: ItemId(Uuid::new_v4()),
                    prompt_id: PromptId("p1".into()),
                    text: format!("item {i} – äö"),
                    column: None,
                },
                10 + i as u64,
            );
        }
    }

    #[test]
    fn snapshot_plus_journal_restores_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut s = new_session();
        let mut files = store.create(&s).unwrap();
        scripted(&mut s, &mut files, 5);
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s);
        assert!(matches!(store.create(&s), Err(StoreError::Exists)));
    }

    #[test]
    fn compaction_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut s = new_session();
        let mut files = store.create(&s).unwrap();
        scripted(&mut s, &mut files, 3);
        files
            .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
            .unwrap();
        assert_eq!(
            fs::metadata(dir.path().join("sessions/testi/journal.jsonl"))
                .unwrap()
                .len(),
            0
        );
        apply_and_journal(
            &mut s,
            &mut files,
            Command::ClosePrompt {
                prompt_id: PromptId("p1".into()),
            },
            99,
        );
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn journal_lines_already_in_the_snapshot_are_skipped() {
        // A crash between the snapshot's rename and the journal's rotation.
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut s = new_session();
        let mut files = store.create(&s).unwrap();
        scripted(&mut s, &mut files, 4);
        write_atomically(
            &dir.path().join("sessions/testi"),
            SNAPSHOT,
            &encode_snapshot(&s).unwrap(),
        )
        .unwrap();
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.items().len(), 4);
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_appending_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut s = new_session();
        let mut files = store.create(&s).unwrap();
        scripted(&mut s, &mut files, 2);
        drop(files);
        let journal = dir.path().join("sessions/testi/journal.jsonl");
        let mut f = OpenOptions::new().append(true).open(&journal).unwrap();
        f.write_all(br#"{"seq":99,"at":1,"cmd":{"type":"sub"#)
            .unwrap();
        drop(f);
        let (mut back, mut files) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s);
        apply_and_journal(
            &mut back,
            &mut files,
            Command::ClosePrompt {
                prompt_id: PromptId("p1".into()),
            },
            50,
        );
        let (again, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(again, back);
    }

    #[test]
    fn a_corrupt_snapshot_is_moved_aside_and_the_journal_rebuilds_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut s = new_session();
        let mut files = store.create(&s).unwrap();
        scripted(&mut s, &mut files, 3);
        files
            .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
            .unwrap();
        apply_and_journal(
            &mut s,
            &mut files,
            Command::ClosePrompt {
                prompt_id: PromptId("p1".into()),
            },
            77,
        );
        drop(files);
        let session_dir = dir.path().join("sessions/testi");
        // Truncated mid-write by something outside Paja.
        let bytes = fs::read(session_dir.join(SNAPSHOT)).unwrap();
        fs::write(session_dir.join(SNAPSHOT), &bytes[..bytes.len() / 2]).unwrap();
        // Reading (offline export) leaves the files alone.
        assert_eq!(store.read(&s.meta.slug).unwrap(), s);
        assert!(session_dir.join(SNAPSHOT).exists());
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s, "every journal line since creation was replayed");
        assert!(!session_dir.join(SNAPSHOT).exists());
        let aside: Vec<_> = fs::read_dir(&session_dir)
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().into_string().ok())
            .filter(|n| n.starts_with("snapshot.json.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1);
    }

    #[test]
    fn an_imported_session_rebuilds_from_its_first_state_when_the_snapshot_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut original = new_session();
        let mut files = store.create(&original).unwrap();
        scripted(&mut original, &mut files, 3);
        drop(files);
        let view = crate::export::View::new(
            &original,
            crate::export::Format::Json,
            &crate::export::Options::default(),
        )
        .unwrap();
        let doc = crate::export::json::document(&view, 5);
        let target = crate::session::ImportTarget {
            slug: Some(SessionName::parse("tuotu").unwrap()),
            title: None,
            key_hash: "k".into(),
            now: 100,
            salt: [1; 32],
        };
        let mut s = Session::import(doc, target).unwrap();
        let mut files = store.create(&s).unwrap();
        apply_and_journal(
            &mut s,
            &mut files,
            Command::ClosePrompt {
                prompt_id: PromptId("p1".into()),
            },
            200,
        );
        drop(files);
        let session_dir = dir.path().join("sessions/tuotu");
        assert!(session_dir.join(IMPORTED).exists());
        assert!(!dir.path().join("sessions/testi").join(IMPORTED).exists());
        fs::write(session_dir.join(SNAPSHOT), b"{").unwrap();
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s, "the import and every journal line since");
        assert_eq!(back.items().len(), 3);
    }

    #[test]
    fn an_injected_disk_fault_refuses_the_write_and_changes_nothing_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let fault = WriteFault::default();
        let store = Store::open(dir.path()).unwrap().with_fault(fault.clone());
        let mut s = new_session();
        let mut files = store.create(&s).unwrap();
        scripted(&mut s, &mut files, 1);
        fault.set(true);
        let mut buf = Vec::new();
        encode_record(&mut buf, 99, 1, &Command::Tick);
        let err = files.append(&buf, 1).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(28));
        fault.set(false);
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s);
    }
}
