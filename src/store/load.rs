//! Loading: a session's state from its snapshot and the journal lines newer than it, or,
//! when the snapshot is unusable, rebuilt from its first state and every journal line since
//! creation.

use std::io;
use std::path::Path;

use super::format::{decode_meta, decode_snapshot, decode_snapshot_file};
use super::fs::Fs;
use super::journal::{archived_segments, replay_journal};
use super::{StoreError, IMPORTED, JOURNAL, META, SNAPSHOT};
use crate::session::{Millis, Session, SessionMeta};

/// A session as its files hold it.
pub(super) struct Loaded {
    pub session: Session,
    /// The live journal's length up to the end of its last good line.
    pub good_len: u64,
    /// When the session last changed, as the snapshot and the journal tell.
    pub last_change_at: Option<Millis>,
}

/// The state in `dir` and the good length of the live journal. With `repair_at` (now, in ms), a corrupt
/// snapshot is renamed to `snapshot.json.corrupt-<ms>` (kept for inspection), but only once
/// the session was rebuilt: a load that is refused (a corrupt journal line) changes nothing.
pub(super) fn read_state(
    fs: &dyn Fs,
    dir: &Path,
    repair_at: Option<Millis>,
) -> Result<Loaded, StoreError> {
    let slug = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
    let mut last_change_at = None;
    let snapshot = fs
        .read(&dir.join(SNAPSHOT))
        .map_err(StoreError::from)
        .and_then(|bytes| decode_snapshot_file(&bytes, SNAPSHOT));
    let (mut session, rebuilt) = match snapshot {
        Ok((session, at)) => {
            last_change_at = at;
            (session, false)
        }
        // A newer Paja's snapshot is not corrupt: rebuilding past it would move it aside.
        Err(error @ StoreError::NewerFormat { .. }) => return Err(error),
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
                let (_, at) = replay_journal(fs, &segment, &mut session)?;
                last_change_at = at.or(last_change_at);
            }
            (session, true)
        }
    };
    let (good_len, at) = replay_journal(fs, &dir.join(JOURNAL), &mut session)?;
    let last_change_at = at.or(last_change_at);
    if let Some(now) = repair_at.filter(|_| rebuilt && fs.exists(&dir.join(SNAPSHOT))) {
        let aside = format!("{SNAPSHOT}.corrupt-{now}");
        fs.rename(&dir.join(SNAPSHOT), &dir.join(&aside))?;
        fs.sync_dir(dir)?;
        tracing::warn!(session = slug, file = %aside, "corrupt snapshot moved aside");
    }
    Ok(Loaded {
        session,
        good_len,
        last_change_at,
    })
}

fn read_snapshot_file(fs: &dyn Fs, dir: &Path, file: &'static str) -> Result<Session, StoreError> {
    decode_snapshot(&fs.read(&dir.join(file))?, file)
}

/// `meta.json`, the first file a creation writes. Missing (with no usable snapshot): the
/// creation was cut short by a crash before it was answered, so nothing in the directory
/// was ever acknowledged: [`StoreError::Unfinished`] (the simulated power loss meets this
/// case), and the hub removes the directory at start.
pub(super) fn read_meta(fs: &dyn Fs, dir: &Path) -> Result<SessionMeta, StoreError> {
    match fs.read(&dir.join(META)) {
        Ok(bytes) => decode_meta(&bytes, META),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::Unfinished),
        Err(e) => Err(e.into()),
    }
}
