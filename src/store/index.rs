//! What the hub's registry needs of a stored session without loading it: its meta (name, key
//! digest, series) and when it last changed (for retention).
//!
//! A server that hosted a year of seminars lists thousands of directories at start; replaying
//! each one's snapshot and journal would cost seconds and hold every session in memory. So
//! the scan reads `meta.json` (a few hundred bytes) and the last change from the end of a
//! file: the live journal's last line carries its time, and a journal emptied by a snapshot
//! leaves the time in the snapshot's last field (`"last_change_at":N}`, written last by
//! [`encode_snapshot_at`](super::encode_snapshot_at)). Only when neither tells (a session
//! never changed since creation, an old snapshot without the field, an unreadable meta) is
//! the whole state read, as a load would. Nothing is written: a torn tail or a corrupt line
//! is the load's business, at first use.

use std::path::Path;

use super::format::decode_record;
use super::fs::Fs;
use super::load::{read_meta, read_state};
use super::{Store, StoreError, JOURNAL, SNAPSHOT};
use crate::session::{Millis, SessionMeta, SessionName};

/// How much of the journal's end is read for its last line: more than any ordinary line
/// (an agenda import may be longer; then the whole state is read).
const JOURNAL_TAIL: u64 = 64 * 1024;
/// How much of the snapshot's end is read for its `last_change_at` field.
const SNAPSHOT_TAIL: u64 = 64;

/// A stored session as the registry keeps it.
#[derive(Debug, Clone)]
pub struct StoredInfo {
    /// Its meta (name, key digest, series, creation time).
    pub meta: SessionMeta,
    /// When it last changed, ms since the epoch.
    pub last_change_at: Millis,
}

impl Store {
    /// What the registry needs of `slug`, read cheaply (see the module doc). Errors are those
    /// of a load ([`StoreError::Unfinished`] for a creation cut short).
    pub fn index(&self, slug: &SessionName) -> Result<StoredInfo, StoreError> {
        let dir = self.dir(slug);
        let fs = &*self.fs;
        if let Ok(meta) = read_meta(fs, &dir) {
            if let Some(at) = last_change_from_tails(fs, &dir) {
                let last_change_at = at.max(meta.created_at);
                return Ok(StoredInfo {
                    meta,
                    last_change_at,
                });
            }
        }
        let loaded = read_state(fs, &dir, None)?;
        let last_change_at = loaded
            .session
            .last_activity()
            .max(loaded.last_change_at.unwrap_or(0));
        Ok(StoredInfo {
            meta: loaded.session.meta,
            last_change_at,
        })
    }
}

/// The time of the journal's last complete line or, the journal empty, the snapshot's
/// `last_change_at`; `None` when the ends of the files do not tell.
fn last_change_from_tails(fs: &dyn Fs, dir: &Path) -> Option<Millis> {
    let journal = match fs.read_tail(&dir.join(JOURNAL), JOURNAL_TAIL) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(_) => return None,
    };
    if journal.iter().any(|b| !b.is_ascii_whitespace()) {
        // The text after the last newline is a torn line; the first may be cut by the tail.
        return journal
            .split(|&b| b == b'\n')
            .rev()
            .skip(1)
            .find_map(|line| decode_record(line).ok())
            .map(|record| record.at);
    }
    let snapshot = fs.read_tail(&dir.join(SNAPSHOT), SNAPSHOT_TAIL).ok()?;
    snapshot_last_change(&snapshot)
}

/// `N` from a snapshot ending in `"last_change_at":N}`.
fn snapshot_last_change(tail: &[u8]) -> Option<Millis> {
    const FIELD: &[u8] = br#","last_change_at":"#;
    let text = tail.strip_suffix(b"}")?;
    let at = text.windows(FIELD.len()).rposition(|w| w == FIELD)?;
    std::str::from_utf8(&text[at + FIELD.len()..])
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::testkit;
    use crate::session::{Command, PromptId};

    #[test]
    fn the_last_field_of_a_snapshot_is_read_from_its_tail() {
        assert_eq!(
            snapshot_last_change(br#"{"x":1}},"last_change_at":1700000000123}"#),
            Some(1_700_000_000_123)
        );
        assert_eq!(snapshot_last_change(br#"{"session":{}}"#), None);
        assert_eq!(snapshot_last_change(br#""last_change_at":12}"#), None);
    }

    /// The cheap scan agrees with a full load: after journal lines, after a snapshot that
    /// emptied the journal, and for a session never changed.
    #[test]
    fn the_index_agrees_with_a_full_load() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut s = testkit::session();
        let mut files = store.create(&s).unwrap();
        let slug = s.meta.slug.clone();
        let fresh = store.index(&slug).unwrap();
        assert_eq!(fresh.last_change_at, s.last_activity());
        assert_eq!(fresh.meta.key_hash, s.meta.key_hash);
        let t = s.last_activity() + 1_000;
        let cmd = Command::AddPrompt {
            draft: testkit::draft("Q"),
        };
        s.apply(&cmd, t).unwrap();
        let mut line = Vec::new();
        crate::store::encode_record(&mut line, s.seq(), t, &cmd);
        files.append(&line, 1).unwrap();
        assert_eq!(store.index(&slug).unwrap().last_change_at, t);
        let open = Command::OpenPrompt {
            prompt_id: PromptId("p1".into()),
        };
        s.apply(&open, t + 5).unwrap();
        let snap = crate::store::encode_snapshot_at(&s, Some(t + 5)).unwrap();
        files.snapshot(&snap, s.seq()).unwrap();
        assert_eq!(store.index(&slug).unwrap().last_change_at, t + 5);
    }
}
