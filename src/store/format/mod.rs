//! The persisted forms: what a journal line, a snapshot and a meta file look like on disk,
//! with their versions, and the one place where they are converted to and from the domain.
//!
//! The domain types (`Session`, `Command`) change with refactors; these files must not, or
//! old data directories stop loading (`tests/fixtures/golden/` proves they do not). So every
//! read and write of the store goes through the functions here, in types of the store's own
//! that spell the files out field by field, and a change of shape is a new version with a
//! migration, never a quiet edit:
//!
//! | file                              | type                                   | version field     |
//! |-----------------------------------|----------------------------------------|-------------------|
//! | `journal.jsonl`, `journal-*.jsonl`| [`JournalLine`] of [`JournalRecord`]   | `v` (absent = 1)  |
//! | `snapshot.json`, `imported.json`  | [`SnapshotFile`] of [`SnapshotV1`]     | `format`          |
//! | `meta.json`                       | [`MetaFile`] of [`MetaV1`]             | `format`          |
//!
//! | module       | its job                                                               |
//! |--------------|-----------------------------------------------------------------------|
//! | `mod.rs`     | versions, encode/decode, migrations                                   |
//! | `snapshot`   | [`SnapshotV1`] and its parts, to and from `Session` (via its parts)   |
//! | `journal`    | [`JournalLine`], [`JournalRecord`], to and from `Command` (exhaustive)|
//!
//! # Migrating to a new shape
//!
//! When a shape changes (say a kind's answers move out of `{poll, poll_at, scale, dots}`):
//!
//! 1. copy the current types into `SnapshotV2` (or a `JournalRecord` of format 2), change
//!    them, bump [`SNAPSHOT_FORMAT`] (or [`JOURNAL_FORMAT`]) and convert from the domain to
//!    the new types only;
//! 2. add a step to [`SNAPSHOT_STEPS`] (or [`JOURNAL_STEPS`]) that rewrites a format-1 JSON
//!    value into the format-2 shape: a function on `serde_json::Value`, so the old types can
//!    go; steps chain, 1 → 2 → 3;
//! 3. leave the golden files alone: they must still load to the pinned state.
//!
//! Reading the current version parses straight into its types, so the migration costs
//! nothing for up-to-date files.

mod crc;
mod journal;
mod snapshot;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StoreError;
use crate::session::{Command, Millis, Session, SessionMeta};

pub use journal::{JournalLine, JournalRecord};
pub use snapshot::{AnswersV1, GroupV1, ItemV1, MetaV1, PromptV1, SnapshotV1};

/// The snapshot and meta format written now, checked on load.
pub const SNAPSHOT_FORMAT: u32 = 1;
/// The journal line format written now. Format 2 is format 1's line with a `v` and a
/// CRC-32C at its end (see [`encode_record`]); the command's shape did not change.
pub const JOURNAL_FORMAT: u32 = 2;

/// The oldest journal format whose command has today's shape: lines from it on parse
/// straight into [`JournalRecord`], with no migration.
const JOURNAL_SHAPE_SINCE: u32 = 1;

/// What ends a line of format 2 before its checksum's eight hex digits and `"}`.
const CRC_FIELD: &[u8] = br#","crc":""#;
/// `,"crc":"` + eight hex digits + `"}`.
const CRC_SUFFIX_LEN: usize = CRC_FIELD.len() + 8 + 2;

/// A migration step: rewrites a file's JSON of one format into the next format's shape.
pub type Step = fn(Value) -> Result<Value, String>;

/// The snapshot's migration steps, by the format each rewrites from. Empty: format 1 is the
/// first and the current.
pub const SNAPSHOT_STEPS: &[(u32, Step)] = &[];

/// The journal command's migration steps, by the format each rewrites from. Format 2 only
/// added the line's checksum, so its step leaves the command as it is.
pub const JOURNAL_STEPS: &[(u32, Step)] = &[(1, same_command)];

fn same_command(cmd: Value) -> Result<Value, String> {
    Ok(cmd)
}

/// `snapshot.json` and `imported.json`: `{"format":1,"session":{…}}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct SnapshotFile<S> {
    /// The snapshot's format.
    pub format: u32,
    /// The session's whole state.
    pub session: S,
    /// When the session last changed (any command: a vote, a like, a hide too), for
    /// retention: the session's own times miss those. Absent in older snapshots (then the
    /// session's own times and the journal's count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change_at: Option<Millis>,
}

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

/// [`StoreError::NewerFormat`] when `found` is newer than `known`: a downgrade.
fn newer(file: &str, found: u32, known: u32) -> Result<(), StoreError> {
    if found > known {
        return Err(StoreError::NewerFormat {
            file: file.to_owned(),
            found,
            known,
        });
    }
    Ok(())
}

/// The format of a complete journal line written by a newer Paja (`"v"` above
/// [`JOURNAL_FORMAT`]), if it is one: such a line is a downgrade, never a torn write.
pub fn newer_journal_line(line: &[u8]) -> Option<u32> {
    #[derive(Deserialize)]
    struct LineVersion {
        #[serde(default)]
        v: u32,
    }
    serde_json::from_slice::<LineVersion>(line)
        .ok()
        .map(|l| l.v)
        .filter(|v| *v > JOURNAL_FORMAT)
}

/// Serializes one journal line (with its newline) onto `out`:
/// `{"v":2,"seq":N,"at":ms,"cmd":{…},"crc":"1a2b3c4d"}`, where `crc` is the CRC-32C (hex) of
/// every byte of the line before `,"crc"`. A flipped bit anywhere in the line then fails its
/// check, so a journal's middle cannot rot silently. Stable: the scrubber re-encodes lines
/// with it.
pub fn encode_record(out: &mut Vec<u8>, seq: u64, at: Millis, cmd: &Command) {
    let line = JournalLine {
        v: JOURNAL_FORMAT,
        seq,
        at,
        cmd: JournalRecord::from(cmd.clone()),
    };
    let start = out.len();
    // A record is plain data; writing it into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, &line).is_ok() {
        // Replace the closing brace with the checksum field and close again.
        out.pop();
        let crc = crc::crc32c(&out[start..]);
        out.extend_from_slice(CRC_FIELD);
        out.extend_from_slice(format!("{crc:08x}\"}}\n").as_bytes());
    }
}

/// Reads one journal line (without its newline), migrating an older format's command. A
/// line of format 2 or later must carry its checksum and match it; a line of format 1 has
/// none (the golden journals hold such lines). Stable: the scrubber reads lines with it.
pub fn decode_record(line: &[u8]) -> Result<JournalLine<Command>, serde_json::Error> {
    let checked = check_crc(line).map_err(serde::de::Error::custom)?;
    let raw: JournalLine<Value> = match serde_json::from_slice::<JournalLine<JournalRecord>>(line) {
        Ok(current) if (JOURNAL_SHAPE_SINCE..=JOURNAL_FORMAT).contains(&current.v) => {
            return versioned(current.v, checked).map(|()| into_command(current));
        }
        Ok(other) => JournalLine {
            v: other.v,
            seq: other.seq,
            at: other.at,
            cmd: serde_json::to_value(&other.cmd)?,
        },
        Err(e) => match serde_json::from_slice::<JournalLine<Value>>(line) {
            Ok(raw) if raw.v != JOURNAL_FORMAT => raw,
            _ => return Err(e),
        },
    };
    versioned(raw.v, checked)?;
    let cmd = migrate_command(raw.cmd, raw.v).map_err(serde::de::Error::custom)?;
    Ok(into_command(JournalLine {
        v: JOURNAL_FORMAT,
        seq: raw.seq,
        at: raw.at,
        cmd: serde_json::from_value::<JournalRecord>(cmd)?,
    }))
}

/// Whether a line of format `v` has the checksum its format requires.
fn versioned(v: u32, checked: bool) -> Result<(), serde_json::Error> {
    match (v >= 2, checked) {
        _ if v > JOURNAL_FORMAT => Err(serde::de::Error::custom(format!(
            "unknown journal format {v}"
        ))),
        (true, false) => Err(serde::de::Error::custom(format!(
            "a journal line of format {v} without its crc"
        ))),
        (false, true) => Err(serde::de::Error::custom(
            "a journal line of format 1 with a crc",
        )),
        _ => Ok(()),
    }
}

/// Checks the line's CRC-32C if it ends in one: `Ok(true)` when it matches, `Ok(false)` when
/// the line has none, an error when it does not match.
fn check_crc(line: &[u8]) -> Result<bool, String> {
    let Some(body_len) = line.len().checked_sub(CRC_SUFFIX_LEN) else {
        return Ok(false);
    };
    let (body, suffix) = line.split_at(body_len);
    let Some(hex) = suffix
        .strip_prefix(CRC_FIELD)
        .and_then(|rest| rest.strip_suffix(b"\"}"))
    else {
        return Ok(false);
    };
    let stored = std::str::from_utf8(hex)
        .ok()
        .filter(|h| h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or("a journal line's crc is not eight lowercase hex digits")?;
    let computed = crc::crc32c(body);
    if stored != computed {
        return Err(format!(
            "checksum mismatch (crc {stored:08x} stored, {computed:08x} computed)"
        ));
    }
    Ok(true)
}

fn into_command(line: JournalLine<JournalRecord>) -> JournalLine<Command> {
    JournalLine {
        v: line.v,
        seq: line.seq,
        at: line.at,
        cmd: line.cmd.into(),
    }
}

/// Rewrites a journal command of format `from` into the current shape.
pub fn migrate_command(cmd: Value, from: u32) -> Result<Value, String> {
    migrate(cmd, from, JOURNAL_FORMAT, JOURNAL_STEPS)
        .map_err(|from| format!("unknown journal format {from}"))
}

/// Serializes a session into snapshot bytes (CPU only; the session task does this before
/// handing the bytes to a blocking thread).
pub fn encode_snapshot(session: &Session) -> std::io::Result<Vec<u8>> {
    encode_snapshot_at(session, None)
}

/// [`encode_snapshot`] with when the session last changed (see
/// [`SnapshotFile::last_change_at`]).
pub fn encode_snapshot_at(
    session: &Session,
    last_change_at: Option<Millis>,
) -> std::io::Result<Vec<u8>> {
    let file = SnapshotFile {
        format: SNAPSHOT_FORMAT,
        session: SnapshotV1::from(session),
        last_change_at,
    };
    serde_json::to_vec(&file).map_err(std::io::Error::other)
}

/// Reads snapshot bytes (from `file`, for the error) into a session, migrating an older
/// format.
pub fn decode_snapshot(bytes: &[u8], file: &'static str) -> Result<Session, StoreError> {
    decode_snapshot_file(bytes, file).map(|(session, _)| session)
}

/// [`decode_snapshot`], with when the session last changed if the snapshot says.
pub(crate) fn decode_snapshot_file(
    bytes: &[u8],
    file: &'static str,
) -> Result<(Session, Option<Millis>), StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { file, reason };
    let version: Version = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    newer(file, version.format, SNAPSHOT_FORMAT)?;
    let (snapshot, last_change_at): (SnapshotV1, _) = if version.format == SNAPSHOT_FORMAT {
        let current: SnapshotFile<SnapshotV1> =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        (current.session, current.last_change_at)
    } else {
        let raw: SnapshotFile<Value> =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        let session = migrate_snapshot(raw.session, raw.format).map_err(corrupt)?;
        let session = serde_json::from_value(session).map_err(|e| corrupt(e.to_string()))?;
        (session, raw.last_change_at)
    };
    Ok((
        Session::try_from(snapshot).map_err(corrupt)?,
        last_change_at,
    ))
}

/// Rewrites a snapshot's session of format `from` into the current shape.
pub fn migrate_snapshot(session: Value, from: u32) -> Result<Value, String> {
    migrate(session, from, SNAPSHOT_FORMAT, SNAPSHOT_STEPS)
        .map_err(|from| format!("unknown format {from}"))
}

/// Applies `steps` to `value`, from format `from` up to `to`, one format at a time. Fails
/// with the format it could not go on from (a step's own failure reads as that too: the
/// value is not what that format holds). A format newer than `to` is unknown: this build
/// cannot know what it means.
fn migrate(mut value: Value, mut from: u32, to: u32, steps: &[(u32, Step)]) -> Result<Value, u32> {
    while from != to {
        let step = steps
            .iter()
            .find(|(at, _)| *at == from && from < to)
            .ok_or(from)?;
        value = (step.1)(value).map_err(|_| from)?;
        from += 1;
    }
    Ok(value)
}

/// Serializes a session's meta into `meta.json` bytes.
pub fn encode_meta(meta: &SessionMeta) -> std::io::Result<Vec<u8>> {
    serde_json::to_vec(&MetaFile {
        format: SNAPSHOT_FORMAT,
        meta: MetaV1::from(meta.clone()),
    })
    .map_err(std::io::Error::other)
}

/// Reads `meta.json` bytes (a format up to today's: the meta's shape has never changed; a
/// newer one is refused).
pub fn decode_meta(bytes: &[u8], file: &'static str) -> Result<SessionMeta, StoreError> {
    if let Ok(version) = serde_json::from_slice::<Version>(bytes) {
        newer(file, version.format, SNAPSHOT_FORMAT)?;
    }
    let meta: MetaFile<MetaV1> =
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
            file,
            reason: e.to_string(),
        })?;
    Ok(meta.meta.into())
}

#[cfg(test)]
mod tests;
