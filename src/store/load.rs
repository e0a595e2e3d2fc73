//! Loading: a session's state from its snapshot and the journal lines newer than it, or,
//! when the snapshot is unusable, rebuilt from its first state and every journal line since
//! creation.

use std::io;
use std::path::Path;

use super::format::{decode_meta, decode_snapshot};
use super::fs::Fs;
use super::journal::{archived_segments, replay_journal};
use super::{StoreError, IMPORTED, JOURNAL, META, SNAPSHOT};
use crate::session::{Millis, Session, SessionMeta};

/// The state in `dir` and the good length of the live journal. With `repair_at` (now, in ms), a corrupt
/// snapshot is renamed to `snapshot.json.corrupt-<ms>` (kept for inspection), but only once
/// the session was rebuilt: a load that is refused (a corrupt journal line) changes nothing.
pub(super) fn read_state(
    fs: &dyn Fs,
    dir: &Path,
    repair_at: Option<Millis>,
) -> Result<(Session, u64), StoreError> {
    let slug = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
    let (mut session, rebuilt) = match read_snapshot(fs, dir) {
        Ok(session) => (session, false),
        Err(error) => {
            tracing::error!(session = slug, %error, "snapshot unusable; rebuilding the session from its journal");
            let mut session = match read_snapshot_file(fs, dir, IMPORTED) {
                Ok(imported) => imported,
                Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
                    Session::new(read_meta(fs, dir)?)
                }
                Err(e) => return Err(e),
            };
            for segment in archived_segments(fs, dir)? {
                replay_journal(fs, &segment, &mut session)?;
            }
            (session, true)
        }
    };
    let good_len = replay_journal(fs, &dir.join(JOURNAL), &mut session)?;
    if let Some(now) = repair_at.filter(|_| rebuilt && fs.exists(&dir.join(SNAPSHOT))) {
        let aside = format!("{SNAPSHOT}.corrupt-{now}");
        fs.rename(&dir.join(SNAPSHOT), &dir.join(&aside))?;
        fs.sync_dir(dir)?;
        tracing::warn!(session = slug, file = %aside, "corrupt snapshot moved aside");
    }
    Ok((session, good_len))
}

fn read_snapshot(fs: &dyn Fs, dir: &Path) -> Result<Session, StoreError> {
    read_snapshot_file(fs, dir, SNAPSHOT)
}

fn read_snapshot_file(fs: &dyn Fs, dir: &Path, file: &'static str) -> Result<Session, StoreError> {
    decode_snapshot(&fs.read(&dir.join(file))?, file)
}

fn read_meta(fs: &dyn Fs, dir: &Path) -> Result<SessionMeta, StoreError> {
    decode_meta(&fs.read(&dir.join(META))?, META)
}
