//! The journal: the live `journal.jsonl` a session task appends to (one write and one fsync
//! per batch), its rotation into an archived segment when a snapshot is taken, and the replay
//! of its lines through the same state machine with the same times.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::format::{decode_record, JournalLine};
use super::{sync_dir, write_atomically, StoreError, WriteFault, COMPACT_AFTER_RECORDS};
use super::{JOURNAL, SNAPSHOT, SNAPSHOT_TMP};
use crate::session::{Command, Session};

/// Archived journal segments, oldest first (their names sort by seq).
pub(super) fn archived_segments(dir: &Path) -> io::Result<Vec<PathBuf>> {
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
///
/// Only the last line may be bad: a crash mid-write tears the tail, never the middle (every
/// batch is fsynced before the next is written). A bad line anywhere else is rot or
/// tampering, and skipping it would silently drop an acknowledged command, so it refuses
/// the load with [`StoreError::CorruptJournal`] naming the file and line.
pub(super) fn replay_journal(path: &Path, session: &mut Session) -> Result<u64, StoreError> {
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
        match decode_record(line) {
            Ok(record) => {
                if record.seq > session.seq() {
                    reapply(session, &record, line_no);
                }
                good_len = next as u64;
            }
            Err(e) if next == bytes.len() => {
                tracing::warn!(session = %slug, line = line_no, error = %e, "journal ends in a torn line; skipped");
                break;
            }
            Err(e) => {
                return Err(StoreError::CorruptJournal {
                    path: path.to_path_buf(),
                    line: line_no,
                    reason: e.to_string(),
                })
            }
        }
        offset = next;
    }
    Ok(good_len)
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
    journal: File,
    journal_len: u64,
    records: usize,
    fault: WriteFault,
}

impl SessionFiles {
    pub(super) fn open(dir: PathBuf, fault: WriteFault) -> Result<Self, StoreError> {
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
            self.journal.sync_all()?;
            self.journal_len = good_len;
        }
        Ok(())
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

    /// Writes a snapshot (from [`encode_snapshot`](super::format::encode_snapshot)) at `seq` atomically, then archives the
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
