//! The journal: the live `journal.jsonl` a session task appends to (one write and one fsync
//! per batch), its rotation into an archived segment when a snapshot is taken, and the replay
//! of its lines through the same state machine with the same times.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{decode_record, newer_journal_line, JournalLine, JOURNAL_FORMAT};
use super::fs::{Fs, FsFile};
use super::{write_atomically, Sabotage, Store, StoreError, WriteFault};
use super::{JOURNAL, SNAPSHOT, SNAPSHOT_TMP};
use crate::session::{Command, Millis, Session};

/// Archived journal segments, oldest first (their names sort by seq).
pub(super) fn archived_segments(fs: &dyn Fs, dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut segments: Vec<PathBuf> = fs
        .list(dir)?
        .into_iter()
        .filter(|(n, is_dir)| !is_dir && n.starts_with("journal-") && n.ends_with(".jsonl"))
        .map(|(n, _)| dir.join(n))
        .collect();
    segments.sort();
    Ok(segments)
}

/// Re-applies journal lines newer than the session's seq. Returns the length of the journal
/// up to the end of its last complete, readable line, and the time of the last line applied.
///
/// Only the last line may be bad: a crash mid-write tears the tail, never the middle (every
/// batch is fsynced before the next is written). A bad line anywhere else is rot or
/// tampering, and skipping it would silently drop an acknowledged command, so it refuses
/// the load with [`StoreError::CorruptJournal`] naming the file and line.
pub(super) fn replay_journal(
    fs: &dyn Fs,
    path: &Path,
    session: &mut Session,
) -> Result<(u64, Option<Millis>), StoreError> {
    let bytes = match fs.read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, None)),
        Err(e) => return Err(e.into()),
    };
    let mut last_at = None;
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
        match decode_record(line) {
            Ok(record) => {
                if record.seq > session.seq() {
                    reapply(session, &record, line_no);
                    last_at = Some(record.at);
                }
                good_len = next as u64;
            }
            Err(e) => {
                if let Some(found) = newer_journal_line(line) {
                    // Not a torn line to cut: a newer Paja's, which must stay as it is.
                    // (Checked only when a line fails, so good lines are parsed once.)
                    return Err(StoreError::NewerFormat {
                        file: path.display().to_string(),
                        found,
                        known: JOURNAL_FORMAT,
                    });
                }
                if next == bytes.len() {
                    tracing::warn!(session = %slug, line = line_no, error = %e, "journal ends in a torn line; skipped");
                    break;
                }
                return Err(StoreError::CorruptJournal {
                    path: path.to_path_buf(),
                    line: line_no,
                    reason: e.to_string(),
                });
            }
        }
        offset = next;
    }
    Ok((good_len, last_at))
}

/// Applies one journal line's command with its time.
fn reapply(session: &mut Session, record: &JournalLine<Command>, line_no: usize) {
    match session.apply(&record.cmd, record.at) {
        Ok(_) if session.seq() == record.seq => {}
        Ok(_) => tracing::warn!(
            session = %session.meta.slug,
            line = line_no,
            expected = record.seq,
            got = session.seq(),
            "journal replay reached a different seq"
        ),
        Err(rejection) => tracing::warn!(
            session = %session.meta.slug,
            line = line_no,
            %rejection,
            "journal line no longer applies; skipped"
        ),
    }
}

/// An open session's files, owned by its session task.
#[derive(Debug)]
pub struct SessionFiles {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    journal: Box<dyn FsFile>,
    journal_len: u64,
    records: usize,
    compact_after: usize,
    fault: WriteFault,
    sabotage: Sabotage,
    /// When the session last changed as its files tell (the snapshot's note and the
    /// journal's last line), set at load.
    pub(super) last_change_at: Option<Millis>,
}

impl SessionFiles {
    pub(super) fn open(store: &Store, dir: PathBuf) -> Result<Self, StoreError> {
        let path = dir.join(JOURNAL);
        let created = !store.fs.exists(&path);
        let journal = store.fs.open_append(&path)?;
        if created {
            // A new file's name is durable only once its directory is fsynced: without this,
            // lines fsynced into a journal created at a session's creation could vanish
            // with its name at a power cut (found by the power-loss test).
            store.fs.sync_dir(&dir)?;
        }
        let journal_len = journal.len()?;
        Ok(Self {
            dir,
            fs: store.fs.clone(),
            journal,
            journal_len,
            records: 0,
            compact_after: store.compact_after,
            fault: store.fault.clone(),
            sabotage: store.sabotage,
            last_change_at: None,
        })
    }

    /// Cuts the journal back to `good_len`, the end of its last complete line, when a crash
    /// left a torn line after it: appends then start on a line boundary.
    pub(super) fn cut_torn_tail(
        &mut self,
        good_len: u64,
        slug: &crate::session::SessionName,
    ) -> io::Result<()> {
        if self.journal_len != good_len {
            tracing::warn!(
                session = %slug,
                kept = good_len,
                dropped = self.journal_len - good_len,
                "cutting a torn line off the journal"
            );
            self.journal.set_len(good_len)?;
            self.journal.sync()?;
            self.journal_len = good_len;
        }
        Ok(())
    }

    /// Appends `lines` (complete JSON lines, `records` of them) and fsyncs. On failure the
    /// journal is cut back to where it was, so a half-written batch never reaches a replay.
    pub fn append(&mut self, lines: &[u8], records: usize) -> io::Result<()> {
        let skip_fsync = self.sabotage.skip_fsync;
        let journal = &mut self.journal;
        let result = self
            .fault
            .check()
            .and_then(|()| journal.write_all(lines))
            .and_then(|()| if skip_fsync { Ok(()) } else { journal.sync() });
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

    /// When the session last changed as its files tell at load (any command, votes and
    /// likes too), if they do.
    pub fn last_change_at(&self) -> Option<Millis> {
        self.last_change_at
    }

    /// Whether the journal has grown enough to be worth compacting into a snapshot.
    pub fn wants_snapshot(&self) -> bool {
        self.records >= self.compact_after
    }

    /// Writes a snapshot (from [`encode_snapshot`](super::format::encode_snapshot)) at `seq` atomically, then archives the
    /// journal as `journal-<seq>.jsonl` and starts a new one.
    pub fn snapshot(&mut self, snapshot: &[u8], seq: u64) -> io::Result<()> {
        let fs = &*self.fs;
        if let Err(e) = self
            .fault
            .check()
            .and_then(|()| write_atomically(fs, &self.dir, SNAPSHOT, snapshot))
        {
            // Leave no temporary file behind, and wait for another full journal's worth
            // before trying again rather than retrying after every batch on a sick disk.
            let _ = fs.remove_file(&self.dir.join(SNAPSHOT_TMP));
            self.records = 0;
            return Err(e);
        }
        if self.journal_len > 0 {
            fs.rename(
                &self.dir.join(JOURNAL),
                &self.dir.join(format!("journal-{seq:020}.jsonl")),
            )?;
            self.journal = fs.open_append(&self.dir.join(JOURNAL))?;
            fs.sync_dir(&self.dir)?;
        }
        self.journal_len = 0;
        self.records = 0;
        Ok(())
    }
}
