//! Scrubbing: an erased item's words leave the disk, not only memory.
//!
//! The journal is append-only and its archived segments are kept (a corrupt snapshot is
//! rebuilt from them), so an erasure in the session state alone would leave the words in
//! every segment and in `imported.json`. After an erasure commits, the session task writes
//! a snapshot and rotates the journal, so the snapshot (which holds only the tombstone) and
//! the archived segments hold everything; then [`Store::scrub`] rewrites the history:
//!
//! 1. **plan**: replay the history (`imported.json` or `meta.json`, then every segment)
//!    through a scratch session; what that state says is erased (or whose history is
//!    erased) decides which lines' texts must go. Each such `Submit` or `EditItem` keeps its
//!    place, its seq and its time, but its text becomes a placeholder unique to its seq (so
//!    an edit still changes the text and replay still stamps the same seqs); the erase
//!    command later in the history turns the item into a tombstone as before.
//! 2. **verify**: replaying the rewritten files must give exactly the state the original
//!    files give, or nothing is written.
//! 3. **write**: each changed file goes to `<name>.scrub-tmp`, is fsynced and renamed over
//!    the original, then the directory is fsynced. `snapshot.json.corrupt-*` files set aside
//!    that hold an erased text are removed (they are unreadable, so they cannot be
//!    rewritten); leftover temporary files go too.
//! 4. **record**: `scrubbed.json` lists the erased items scrubbed for.
//!
//! A crash at any point leaves each file either old or new; both replay to the same state.
//! At load ([`at_load`]), a session whose erased items are not all in `scrubbed.json` is
//! snapshotted, rotated and scrubbed again before it serves, so an interrupted scrub always
//! completes. Scrubs are serialized in the process by one lock (they are rare), which
//! [`Store::delete`](super::Store::delete) also takes so a scrub never writes into a
//! directory being removed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::format::{
    decode_meta, decode_record, decode_snapshot, encode_record, encode_snapshot_at,
};
use super::fs::Fs;
use super::journal::archived_segments;
use super::{write_atomically, SessionFiles, Store, StoreError, IMPORTED, META};
use crate::session::{clean_text, Command, ItemId, Session, SessionName, ITEM_TEXT_MAX};

/// The record of what has been scrubbed for.
const SCRUBBED: &str = "scrubbed.json";
/// What a scrub's temporary files end in.
const SCRUB_TMP: &str = ".scrub-tmp";
/// The prefix of a corrupt snapshot set aside by the loader.
const CORRUPT: &str = "snapshot.json.corrupt-";

/// One scrub at a time in the process: scrubs are rare, and this keeps a background scrub
/// and a load-time scrub (a reload) of the same session from interleaving.
static SCRUB: Mutex<()> = Mutex::new(());

/// Takes the scrub lock (a panicked scrub left files old or new, never mixed: go on).
pub(super) fn lock() -> MutexGuard<'static, ()> {
    SCRUB
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The items whose words must not stay on disk, as a session's state says.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    /// Items erased or withdrawn: no text of theirs may remain.
    pub erased: BTreeSet<ItemId>,
    /// Items whose edit history was erased: only their current text (and history written
    /// since) may remain.
    pub history_erased: BTreeSet<ItemId>,
}

impl Erasure {
    /// What `session` says is erased.
    pub fn of(session: &Session) -> Self {
        Erasure {
            erased: session.tombstones().iter().map(|t| t.id).collect(),
            history_erased: session.erased_histories().map(|(id, _)| *id).collect(),
        }
    }

    /// Whether nothing is erased.
    pub fn is_empty(&self) -> bool {
        self.erased.is_empty() && self.history_erased.is_empty()
    }

    /// Whether everything `other` erases is erased here too.
    fn covers(&self, other: &Erasure) -> bool {
        other.erased.is_subset(&self.erased) && other.history_erased.is_subset(&self.history_erased)
    }
}

/// `scrubbed.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    format: u32,
    #[serde(flatten)]
    erasure: Erasure,
}

/// What a scrub did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScrubReport {
    /// Journal lines read (every segment).
    pub lines: usize,
    /// Lines whose text was replaced.
    pub scrubbed: usize,
    /// Files rewritten or removed.
    pub files: usize,
    /// How long the whole scrub took, in ms.
    pub ms: u64,
}

impl Store {
    /// Scrubs the erased words out of `slug`'s archived history (see the module doc). The
    /// session task calls it, on a blocking thread, after an erasure's snapshot and rotation.
    /// A reset rehearsal's history is removed first (`rebase`).
    pub fn scrub(&self, slug: &SessionName) -> Result<ScrubReport, StoreError> {
        let _guard = lock();
        let rebased = super::rebase::rebase_dir(&*self.fs, &self.dir(slug), usize::MAX)?;
        let mut report = scrub_dir(&*self.fs, &self.dir(slug), usize::MAX)?;
        report.files += rebased.files;
        Ok(report)
    }
}

/// At load, before the session serves, for a session with erasures: leftover temporary
/// files go, and when `scrubbed.json` does not cover them all (a crash between an erasure
/// and its scrub), a snapshot, a rotation and a scrub.
pub(super) fn at_load(
    fs: &dyn Fs,
    dir: &Path,
    session: &Session,
    files: &mut SessionFiles,
) -> Result<(), StoreError> {
    let erasure = Erasure::of(session);
    if erasure.is_empty() {
        // Nothing was ever erased: no file can hold erased words (and loads stay free).
        return Ok(());
    }
    let _guard = lock();
    remove_leftovers(fs, dir)?;
    if read_record(fs, dir).is_some_and(|done| done.covers(&erasure)) {
        return Ok(());
    }
    let snapshot = encode_snapshot_at(session, files.last_change_at())?;
    files.snapshot(&snapshot, session.seq())?;
    let report = scrub_dir(fs, dir, usize::MAX)?;
    tracing::info!(session = %session.meta.slug, ?report, "scrub completed at load");
    Ok(())
}

/// Removes temporary files a crash left behind (a half-written snapshot may hold erased
/// words). Only when no task writes in `dir`.
fn remove_leftovers(fs: &dyn Fs, dir: &Path) -> io::Result<()> {
    let mut removed = false;
    for (name, is_dir) in fs.list(dir)? {
        if !is_dir && (name.ends_with(".tmp") || name.ends_with(SCRUB_TMP)) {
            fs.remove_file(&dir.join(name))?;
            removed = true;
        }
    }
    if removed {
        fs.sync_dir(dir)?;
    }
    Ok(())
}

fn read_record(fs: &dyn Fs, dir: &Path) -> Option<Erasure> {
    let bytes = fs.read(&dir.join(SCRUBBED)).ok()?;
    serde_json::from_slice::<Record>(&bytes)
        .ok()
        .map(|r| r.erasure)
}

/// Plans, verifies and writes a scrub of `dir`, doing at most `steps` file operations (a
/// crash simulated after each; `usize::MAX` for all).
pub(super) fn scrub_dir(fs: &dyn Fs, dir: &Path, steps: usize) -> Result<ScrubReport, StoreError> {
    let started = Instant::now();
    let history = History::read(fs, dir)?;
    let (plan, mut report) = plan(&history)?;
    report.files = plan.ops.len();
    for op in plan.ops.iter().take(steps) {
        op.run(fs, dir)?;
    }
    report.ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// A session's history as on disk: its first state and its archived segments.
struct History {
    /// `imported.json`'s bytes, for an imported session.
    imported: Option<Vec<u8>>,
    /// The first state (from `imported.json` or `meta.json`).
    base: Session,
    /// Each archived segment's file name and bytes, oldest first.
    segments: Vec<(String, Vec<u8>)>,
    /// `snapshot.json.corrupt-*` files: name and bytes.
    corrupt: Vec<(String, Vec<u8>)>,
}

impl History {
    fn read(fs: &dyn Fs, dir: &Path) -> Result<Self, StoreError> {
        let imported = match fs.read(&dir.join(IMPORTED)) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let base = match &imported {
            Some(bytes) => decode_snapshot(bytes, IMPORTED)?,
            None => Session::new(decode_meta(&fs.read(&dir.join(META))?, META)?),
        };
        let mut segments = Vec::new();
        for path in archived_segments(fs, dir)? {
            let name = file_name(&path);
            segments.push((name, fs.read(&path)?));
        }
        let mut corrupt = Vec::new();
        for (name, is_dir) in fs.list(dir)? {
            if !is_dir && name.starts_with(CORRUPT) {
                corrupt.push((name.clone(), fs.read(&dir.join(name))?));
            }
        }
        corrupt.sort();
        Ok(History {
            imported,
            base,
            segments,
            corrupt,
        })
    }

    /// The state every segment's lines give, applied to `base`.
    fn replay<'a>(base: Session, segments: impl Iterator<Item = &'a [u8]>) -> (Session, usize) {
        let mut session = base;
        let mut count = 0;
        for bytes in segments {
            for line in lines(bytes) {
                count += 1;
                if let Ok(record) = decode_record(line) {
                    if record.seq > session.seq() {
                        // A line that no longer applies is skipped, as the loader does.
                        let _ = session.apply(&record.cmd, record.at);
                    }
                }
            }
        }
        (session, count)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_owned()
}

/// The complete lines of `bytes` (without their newlines); a torn tail is not a line.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes[..end]
        .split(|&b| b == b'\n')
        .take(bytes[..end].iter().filter(|&&b| b == b'\n').count())
}

/// One file operation of a scrub; each leaves every file old or new.
#[derive(Debug)]
enum Op {
    /// Write `<name>.scrub-tmp` and fsync it.
    WriteTmp(String, Vec<u8>),
    /// Rename `<name>.scrub-tmp` over `<name>`, fsync the directory.
    Rename(String),
    /// Remove a file, fsync the directory.
    Remove(String),
    /// Write `scrubbed.json` atomically.
    Record(Vec<u8>),
}

impl Op {
    fn run(&self, fs: &dyn Fs, dir: &Path) -> io::Result<()> {
        match self {
            Op::WriteTmp(name, bytes) => {
                let mut file = fs.create(&dir.join(format!("{name}{SCRUB_TMP}")))?;
                file.write_all(bytes)?;
                file.sync()
            }
            Op::Rename(name) => {
                fs.rename(&dir.join(format!("{name}{SCRUB_TMP}")), &dir.join(name))?;
                fs.sync_dir(dir)
            }
            Op::Remove(name) => {
                fs.remove_file(&dir.join(name))?;
                fs.sync_dir(dir)
            }
            Op::Record(bytes) => write_atomically(fs, dir, SCRUBBED, bytes),
        }
    }
}

/// The file operations of a scrub.
struct Plan {
    ops: Vec<Op>,
}

/// Per item to scrub for, the texts that may stay (the current text and the history the
/// state still holds; none for an erased item).
type Keep = HashMap<ItemId, HashSet<String>>;

fn plan(history: &History) -> Result<(Plan, ScrubReport), StoreError> {
    let segments = || history.segments.iter().map(|(_, b)| b.as_slice());
    let (state, lines) = History::replay(history.base.clone(), segments());
    let erasure = Erasure::of(&state);
    let mut report = ScrubReport {
        lines,
        ..ScrubReport::default()
    };
    if erasure.is_empty() {
        return Ok((Plan { ops: Vec::new() }, report));
    }
    let keep = keep(&state, &erasure);
    let mut gone = BTreeSet::new();
    let mut rewritten: Vec<(String, Vec<u8>)> = Vec::new();
    let mut base = history.base.clone();
    if let Some(bytes) = &history.imported {
        if let Some(scrubbed) = scrub_imported(bytes, &keep, &mut gone)? {
            base = decode_snapshot(&scrubbed, IMPORTED)?;
            rewritten.push((IMPORTED.to_owned(), scrubbed));
        }
    }
    let mut scrubbed_segments = Vec::new();
    let mut session = base.clone();
    for (name, bytes) in &history.segments {
        let (out, count) = scrub_segment(bytes, &mut session, &keep, &mut gone);
        report.scrubbed += count;
        if count > 0 {
            rewritten.push((name.clone(), out.clone()));
        }
        scrubbed_segments.push(out);
    }
    let (check, _) = History::replay(base, scrubbed_segments.iter().map(Vec::as_slice));
    if check != state {
        return Err(StoreError::Corrupt {
            file: "journal",
            reason: "a scrubbed history would replay to another state; nothing rewritten".into(),
        });
    }
    // Removals first: which files to remove is known from the texts the rewrites take out,
    // so after a crash among the rewrites a second scrub could no longer tell.
    let mut ops: Vec<Op> = (history.corrupt.iter())
        .filter(|(_, bytes)| holds_any(bytes, &gone))
        .map(|(name, _)| Op::Remove(name.clone()))
        .collect();
    for (name, bytes) in rewritten {
        ops.push(Op::WriteTmp(name.clone(), bytes));
        ops.push(Op::Rename(name));
    }
    let record = Record { format: 1, erasure };
    ops.push(Op::Record(
        serde_json::to_vec(&record).map_err(io::Error::other)?,
    ));
    Ok((Plan { ops }, report))
}

/// The texts `state` still holds for each item to scrub for.
fn keep(state: &Session, erasure: &Erasure) -> Keep {
    let mut keep = Keep::new();
    for id in &erasure.erased {
        keep.insert(*id, HashSet::new());
    }
    for id in erasure.history_erased.difference(&erasure.erased) {
        let texts = state
            .item(id)
            .map(|item| {
                std::iter::once(item.text.clone())
                    .chain(item.history.iter().map(|r| r.text.clone()))
                    .collect()
            })
            .unwrap_or_default();
        keep.insert(*id, texts);
    }
    keep
}

/// Whether the text a command carries for `id` must go.
fn must_go(keep: &Keep, id: &ItemId, text: &str) -> bool {
    keep.get(id).is_some_and(|kept| {
        let cleaned = clean_text(text, ITEM_TEXT_MAX).unwrap_or_else(|_| text.to_owned());
        !kept.contains(&cleaned)
    })
}

/// Whether `id` was erased (withdrawn or erased by the facilitator): nothing of it stays.
fn is_erased(keep: &Keep, id: &ItemId) -> bool {
    keep.get(id).is_some_and(HashSet::is_empty)
}

/// The placeholder for a scrubbed line's text: unique to its seq, so an edit of it still
/// changes the text; short enough for any activity.
fn placeholder(seq: u64) -> String {
    format!("erased {seq}")
}

/// Rewrites one segment's lines whose texts must go, replaying them onto `session` (which
/// the next segment goes on from). Returns the new bytes and how many lines changed.
fn scrub_segment(
    bytes: &[u8],
    session: &mut Session,
    keep: &Keep,
    gone: &mut BTreeSet<String>,
) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut changed = 0;
    let mut rest = bytes;
    for line in lines(bytes) {
        rest = &rest[line.len() + 1..];
        let Ok(mut record) = decode_record(line) else {
            out.extend_from_slice(line);
            out.push(b'\n');
            continue;
        };
        let mut scrubbed = match &mut record.cmd {
            Command::Submit { item_id, text, .. } | Command::EditItem { item_id, text }
                if must_go(keep, item_id, text) && *text != placeholder(record.seq) =>
            {
                gone.insert(std::mem::replace(text, placeholder(record.seq)));
                true
            }
            _ => false,
        };
        // An erased question's name goes with its text (a name is personal data).
        if let Command::Submit { item_id, name, .. } = &mut record.cmd {
            if name.is_some() && is_erased(keep, item_id) {
                gone.extend(name.take());
                scrubbed = true;
            }
        }
        if record.seq > session.seq() {
            let _ = session.apply(&record.cmd, record.at);
        }
        if scrubbed {
            changed += 1;
            encode_record(&mut out, record.seq, record.at, &record.cmd);
        } else {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out.extend_from_slice(rest);
    (out, changed)
}

/// `imported.json` with the texts that must go replaced (each with a placeholder unique in
/// the file), or `None` when none must.
fn scrub_imported(
    bytes: &[u8],
    keep: &Keep,
    gone: &mut BTreeSet<String>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        file: IMPORTED,
        reason: e.to_string(),
    };
    let mut file: Value = serde_json::from_slice(bytes).map_err(corrupt)?;
    let (mut n, mut changed) = (0usize, 0usize);
    let items = file
        .pointer_mut("/session/items")
        .and_then(Value::as_array_mut);
    for item in items.into_iter().flatten() {
        let Some(id) = item
            .get("id")
            .and_then(|v| serde_json::from_value::<ItemId>(v.clone()).ok())
        else {
            continue;
        };
        let Some(fields) = item.as_object_mut() else {
            continue;
        };
        let mut texts: Vec<&mut Value> = Vec::new();
        for (key, value) in fields.iter_mut() {
            match key.as_str() {
                "text" => texts.push(value),
                // An erased question's name: blanked with its text.
                "author_name" if is_erased(keep, &id) => {
                    if let Some(name) = value.as_str() {
                        changed += 1;
                        gone.insert(name.to_owned());
                    }
                    *value = Value::Null;
                }
                "history" => texts.extend(
                    value
                        .as_array_mut()
                        .into_iter()
                        .flatten()
                        .filter_map(|revision| revision.get_mut("text")),
                ),
                _ => {}
            }
        }
        for value in texts {
            let Some(text) = value.as_str() else { continue };
            if must_go(keep, &id, text) {
                // Numbered in file order, so a second scrub finds the same placeholders;
                // never the same as a journal line's (`erased <seq>`).
                n += 1;
                let placeholder = format!("erased i{n}");
                if text != placeholder {
                    changed += 1;
                    gone.insert(text.to_owned());
                    *value = Value::String(placeholder);
                }
            }
        }
    }
    if changed == 0 {
        return Ok(None);
    }
    serde_json::to_vec(&file).map(Some).map_err(corrupt)
}

/// Whether `bytes` hold any of `texts`, as written or JSON-escaped.
fn holds_any(bytes: &[u8], texts: &BTreeSet<String>) -> bool {
    texts.iter().any(|text| {
        let escaped = serde_json::to_string(text).unwrap_or_default();
        let escaped = escaped.trim_matches('"');
        [text.as_str(), escaped]
            .iter()
            .any(|needle| !needle.is_empty() && contains(bytes, needle.as_bytes()))
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
#[path = "scrub_tests.rs"]
pub(super) mod tests;
