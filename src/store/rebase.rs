//! Rebasing: a rehearsal's history leaves the disk once the rehearsal is reset.
//!
//! A reset ([`Command::ResetRehearsal`](crate::session::Command::ResetRehearsal)) empties the
//! session in memory, but the archived journal segments (kept so that a corrupt snapshot costs
//! nothing) still hold every answer given before it, and `imported.json` an imported
//! session's. So after the reset commits, the session task writes a snapshot and rotates the
//! journal, as for an erasure, and then [`Store::scrub`](super::Store::scrub) rebases the
//! history on that snapshot:
//!
//! 1. `imported.json` (the state a rebuild starts from) becomes the snapshot's state, written
//!    atomically;
//! 2. every archived segment is removed (each holds only lines the new base already has);
//! 3. corrupt snapshots set aside by the loader are removed, and `scrubbed.json` is rewritten
//!    for what the new base still erases (or removed).
//!
//! A crash at any point leaves a loadable session: before step 1 the old base and segments
//! replay to the same state; after it, the segments' lines are all older than the base and
//! skipped by seq. At load ([`at_load`]) a session whose last reset is newer than its base,
//! or whose base still has older segments beside it, is snapshotted, rotated and rebased
//! before it serves. The directory then holds what a session created with the rehearsal's
//! agenda would: no byte of what participants sent before the reset.

use std::io;
use std::path::Path;

use super::format::{decode_snapshot, encode_snapshot_at};
use super::fs::Fs;
use super::journal::archived_segments;
use super::{write_atomically, SessionFiles, StoreError, IMPORTED, SNAPSHOT};
use crate::session::Session;

/// The prefix of a corrupt snapshot set aside by the loader.
const CORRUPT: &str = "snapshot.json.corrupt-";
/// The scrubber's record of what it scrubbed for (see `scrub`).
const SCRUBBED: &str = "scrubbed.json";

/// What a rebase did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RebaseReport {
    /// Files written or removed.
    pub files: usize,
}

/// The seq in an archived segment's name (`journal-<seq>.jsonl`): its lines are at most that.
fn segment_seq(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    name.strip_prefix("journal-")?
        .strip_suffix(".jsonl")?
        .parse()
        .ok()
}

/// The seq of the base a rebuild starts from (`imported.json`; 0 for `meta.json`).
fn base_seq(fs: &dyn Fs, dir: &Path) -> Result<u64, StoreError> {
    match fs.read(&dir.join(IMPORTED)) {
        Ok(bytes) => Ok(decode_snapshot(&bytes, IMPORTED)?.seq()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Whether `dir` still holds history from before `session`'s last reset.
fn owed(fs: &dyn Fs, dir: &Path, session: &Session) -> Result<bool, StoreError> {
    let Some(reset) = session.rehearsal().last_reset else {
        return Ok(false);
    };
    let base = base_seq(fs, dir)?;
    if base < reset {
        return Ok(true);
    }
    let stale_segment = archived_segments(fs, dir)?
        .iter()
        .any(|path| segment_seq(path).is_none_or(|seq| seq <= base));
    let corrupt = fs
        .list(dir)?
        .iter()
        .any(|(name, is_dir)| !is_dir && name.starts_with(CORRUPT));
    Ok(stale_segment || corrupt)
}

/// At load, before the session serves: a rebase a crash cut short is done now (after a
/// snapshot and rotation, so the snapshot holds everything the journal had).
pub(super) fn at_load(
    fs: &dyn Fs,
    dir: &Path,
    session: &Session,
    files: &mut SessionFiles,
) -> Result<(), StoreError> {
    if !owed(fs, dir, session)? {
        return Ok(());
    }
    let _guard = super::scrub::lock();
    let snapshot = encode_snapshot_at(session, files.last_change_at())?;
    files.snapshot(&snapshot, session.seq())?;
    let report = rebase_dir(fs, dir, usize::MAX)?;
    tracing::info!(session = %session.meta.slug, ?report, "rehearsal history removed at load");
    Ok(())
}

/// Rebases `dir`'s history on its snapshot when the snapshot's state was reset since the
/// base was written (see the module doc); at most `steps` file operations (a crash
/// simulated after each; `usize::MAX` for all). The caller holds the scrub lock.
pub(super) fn rebase_dir(
    fs: &dyn Fs,
    dir: &Path,
    steps: usize,
) -> Result<RebaseReport, StoreError> {
    let bytes = fs.read(&dir.join(SNAPSHOT))?;
    let state = decode_snapshot(&bytes, SNAPSHOT)?;
    let mut report = RebaseReport::default();
    if !owed(fs, dir, &state)? {
        return Ok(report);
    }
    let mut ops: Vec<Box<dyn Fn() -> io::Result<()> + '_>> = Vec::new();
    if base_seq(fs, dir)? < state.seq() {
        ops.push(Box::new(|| write_atomically(fs, dir, IMPORTED, &bytes)));
    }
    for path in archived_segments(fs, dir)? {
        // Every archived segment predates the snapshot (a rotation follows its snapshot).
        if segment_seq(&path).is_none_or(|seq| seq <= state.seq()) {
            ops.push(Box::new(move || remove(fs, dir, &path)));
        }
    }
    for (name, is_dir) in fs.list(dir)? {
        if !is_dir && (name.starts_with(CORRUPT) || name == SCRUBBED) {
            // The new base holds no erased words: the scrubber's record starts over (a
            // later erasure writes it again).
            let path = dir.join(name);
            ops.push(Box::new(move || remove(fs, dir, &path)));
        }
    }
    for op in ops.iter().take(steps) {
        op()?;
        report.files += 1;
    }
    Ok(report)
}

/// Removes a file and makes the removal durable.
fn remove(fs: &dyn Fs, dir: &Path, path: &Path) -> io::Result<()> {
    fs.remove_file(path)?;
    fs.sync_dir(dir)
}
