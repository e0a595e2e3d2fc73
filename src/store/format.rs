//! The persisted forms: what a journal line, a snapshot and a meta file look like on disk,
//! with their versions, and the one place where they are converted to and from the domain.
//!
//! The domain types (`Session`, `Command`) change with refactors; these files must not, or
//! old data directories stop loading (`tests/fixtures/golden/` proves they do not). So every
//! read and write of the store goes through the functions here, and a change of shape is a
//! new version with a migration, never a quiet edit:
//!
//! | file                              | type                  | version field        |
//! |-----------------------------------|-----------------------|----------------------|
//! | `journal.jsonl`, `journal-*.jsonl`| [`JournalRecord`]     | `v` (absent = 1)     |
//! | `snapshot.json`, `imported.json`  | [`SnapshotFile`]      | `format`             |
//! | `meta.json`                       | [`MetaFile`]          | `format`             |
//!
//! # Migrating to a new shape
//!
//! Format 1 is today's: the command and the session as their serde derives write them. When
//! a shape changes (say the core's per-kind answer sets change the snapshot's `answers`):
//!
//! 1. bump [`SNAPSHOT_FORMAT`] (or [`JOURNAL_FORMAT`]) to 2 and write that from now on;
//! 2. add a step to [`migrate_snapshot`] (or [`migrate_command`]) that rewrites a format-1
//!    JSON value into the format-2 shape — a function on `serde_json::Value`, so no old Rust
//!    type has to be kept alive; steps chain, 1 → 2 → 3;
//! 3. leave the golden files alone: they must still load to the pinned state.
//!
//! Reading the current version parses straight into the domain type, so the migration costs
//! nothing for up-to-date files.
//!
//! # What the core could offer next
//!
//! A snapshot that is fully its own struct (as sshx's `SerializedSession`) needs to build a
//! `Session` from its parts and read them back; `Session` keeps its fields private, so that
//! needs from `crate::session` (owned by the core): `Session::from_parts(SessionParts) ->
//! Session` (reindexing) and `Session::to_parts(&self) -> SessionParts` (or borrowed views
//! of `prompts`, `items`, `groups`, `members`, `answers`, `current`, `screen`, `seq`,
//! `next_prompt`, `next_group`, `pseudonyms`, `imported_at`). With those, `SnapshotV1` below
//! becomes a struct of its own (the ~38 `#[serde(default)]`s move here) and only
//! `session_to_snapshot` and `snapshot_to_session` change.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StoreError;
use crate::session::{Command, Millis, Session, SessionMeta};

/// The snapshot and meta format written now, checked on load.
pub const SNAPSHOT_FORMAT: u32 = 1;
/// The journal line format written now.
pub const JOURNAL_FORMAT: u32 = 1;

/// One journal line: an accepted command, when it was applied, and the seq it led to.
///
/// `{"seq":N,"at":ms,"cmd":{…}}`. Lines of format 1 carry no `v`, so the field is written
/// only for later formats and a line without it reads as format 1.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record<C> {
    /// The line's format; 1 when absent.
    #[serde(default = "journal_v1", skip_serializing_if = "is_journal_v1")]
    pub v: u32,
    /// The session's seq after applying `cmd`.
    pub seq: u64,
    /// The time it was applied with.
    pub at: Millis,
    /// The command.
    pub cmd: C,
}

/// A journal line as read and written: the command in its format-1 shape.
pub type JournalRecord = Record<Command>;

fn journal_v1() -> u32 {
    1
}

fn is_journal_v1(v: &u32) -> bool {
    *v == 1
}

/// `snapshot.json` and `imported.json`: `{"format":1,"session":{…}}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct SnapshotFile<S> {
    /// The snapshot's format.
    pub format: u32,
    /// The session's whole state.
    pub session: S,
}

/// The format-1 snapshot's session: today, the domain's own serde shape (see the module
/// docs for what turns it into a struct of its own).
pub type SnapshotV1 = Session;

/// `meta.json`: `{"format":1,"meta":{…}}`, written once at creation.
#[derive(Debug, Serialize, Deserialize)]
pub struct MetaFile<M> {
    /// The meta file's format.
    pub format: u32,
    /// Who runs the session and how it presents itself.
    pub meta: M,
}

/// Only a file's version, read without building the rest.
#[derive(Deserialize)]
struct Version {
    format: u32,
}

/// Serializes one journal line (with its newline) onto `out`.
pub fn encode_record(out: &mut Vec<u8>, seq: u64, at: Millis, cmd: &Command) {
    let record = Record {
        v: JOURNAL_FORMAT,
        seq,
        at,
        cmd,
    };
    // A Command is plain data; writing it into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, &record).is_ok() {
        out.push(b'\n');
    }
}

/// Reads one journal line (without its newline), migrating an older format's command.
pub fn decode_record(line: &[u8]) -> Result<JournalRecord, serde_json::Error> {
    let record: Record<Value> = match serde_json::from_slice::<JournalRecord>(line) {
        Ok(record) if record.v == JOURNAL_FORMAT => return Ok(record),
        Ok(record) => Record {
            v: record.v,
            seq: record.seq,
            at: record.at,
            cmd: serde_json::to_value(&record.cmd)?,
        },
        Err(e) => match serde_json::from_slice::<Record<Value>>(line) {
            Ok(raw) if raw.v != JOURNAL_FORMAT => raw,
            _ => return Err(e),
        },
    };
    let cmd = migrate_command(record.cmd, record.v).map_err(serde::de::Error::custom)?;
    Ok(Record {
        v: JOURNAL_FORMAT,
        seq: record.seq,
        at: record.at,
        cmd: serde_json::from_value(cmd)?,
    })
}

/// Rewrites a journal command of format `from` into the current shape. Format 1 is current.
pub fn migrate_command(cmd: Value, from: u32) -> Result<Value, String> {
    match from {
        JOURNAL_FORMAT => Ok(cmd),
        // A step per older format goes here: `1 => migrate_command(v1_to_v2(cmd), 2)`.
        other => Err(format!("unknown journal format {other}")),
    }
}

/// Serializes a session into snapshot bytes (CPU only; the session task does this before
/// handing the bytes to a blocking thread).
pub fn encode_snapshot(session: &Session) -> std::io::Result<Vec<u8>> {
    serde_json::to_vec(&session_to_snapshot(session)).map_err(std::io::Error::other)
}

/// Reads snapshot bytes (from `file`, for the error) into a session, migrating an older
/// format.
pub fn decode_snapshot(bytes: &[u8], file: &'static str) -> Result<Session, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { file, reason };
    let version: Version = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    let snapshot: SnapshotFile<SnapshotV1> = if version.format == SNAPSHOT_FORMAT {
        serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?
    } else {
        let raw: SnapshotFile<Value> =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        let session = migrate_snapshot(raw.session, raw.format).map_err(corrupt)?;
        SnapshotFile {
            format: SNAPSHOT_FORMAT,
            session: serde_json::from_value(session).map_err(|e| corrupt(e.to_string()))?,
        }
    };
    Ok(snapshot_to_session(snapshot))
}

/// Rewrites a snapshot's session of format `from` into the current shape. Format 1 is
/// current; there is nothing older.
pub fn migrate_snapshot(session: Value, from: u32) -> Result<Value, String> {
    match from {
        SNAPSHOT_FORMAT => Ok(session),
        // A step per older format goes here: `1 => migrate_snapshot(v1_to_v2(session), 2)`.
        other => Err(format!("unknown format {other}")),
    }
}

/// The domain → disk conversion of a snapshot.
fn session_to_snapshot(session: &Session) -> SnapshotFile<&SnapshotV1> {
    SnapshotFile {
        format: SNAPSHOT_FORMAT,
        session,
    }
}

/// The disk → domain conversion of a snapshot: the lookup indexes are not stored.
fn snapshot_to_session(snapshot: SnapshotFile<SnapshotV1>) -> Session {
    let mut session = snapshot.session;
    session.reindex();
    session
}

/// Serializes a session's meta into `meta.json` bytes.
pub fn encode_meta(meta: &SessionMeta) -> std::io::Result<Vec<u8>> {
    serde_json::to_vec(&MetaFile {
        format: SNAPSHOT_FORMAT,
        meta,
    })
    .map_err(std::io::Error::other)
}

/// Reads `meta.json` bytes (its format is not checked: the meta's shape has never changed).
pub fn decode_meta(bytes: &[u8], file: &'static str) -> Result<SessionMeta, StoreError> {
    let meta: MetaFile<SessionMeta> =
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
            file,
            reason: e.to_string(),
        })?;
    Ok(meta.meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_line_of_format_1_has_no_version_field() {
        let mut out = Vec::new();
        encode_record(&mut out, 7, 42, &Command::Tick);
        assert_eq!(out, b"{\"seq\":7,\"at\":42,\"cmd\":{\"type\":\"tick\"}}\n");
        let back = decode_record(&out[..out.len() - 1]).unwrap();
        assert_eq!((back.v, back.seq, back.at), (1, 7, 42));
        assert_eq!(back.cmd, Command::Tick);
    }

    #[test]
    fn an_unknown_journal_format_is_refused_not_guessed() {
        let err = decode_record(br#"{"v":9,"seq":1,"at":1,"cmd":{"type":"tick"}}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown journal format 9"),
            "{err}"
        );
        assert!(decode_record(br#"{"seq":1,"at":1,"cmd":{"type":"nope"}}"#).is_err());
    }

    #[test]
    fn an_unknown_snapshot_format_is_corrupt() {
        let err = decode_snapshot(br#"{"format":2,"session":{}}"#, "snapshot.json").unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt { file: "snapshot.json", reason } if reason == "unknown format 2"),
            "{err}"
        );
        assert!(decode_snapshot(b"{", "snapshot.json").is_err());
    }
}
