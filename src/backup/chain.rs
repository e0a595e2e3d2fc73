//! One session directory read while a server may be writing it, and the check that what was
//! read is one consistent state: the files a load needs, with no segment missed to a journal
//! rotation and no half line.
//!
//! A rotation (`store::journal`) writes the snapshot, renames `journal.jsonl` to
//! `journal-<seq>.jsonl` and starts a new journal. Reading the snapshot, then listing and
//! reading the segments, then the live journal, a rotation in between shows as a broken seq
//! chain: a live journal starting after the snapshot's seq + 1 (lines a load would never
//! replay), or a newest segment that does not end where the live journal begins. Then the
//! directory is read again.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::time::Duration;

use crate::store::format::{decode_meta, decode_record, decode_snapshot, newer_journal_line};

/// Reads of one session before the backup gives up on it: a rotation takes milliseconds and
/// happens at most every few thousand lines, so two in a row are already rare.
const ATTEMPTS: u32 = 6;

const META: &str = "meta.json";
const SNAPSHOT: &str = "snapshot.json";
const IMPORTED: &str = "imported.json";
const JOURNAL: &str = "journal.jsonl";

/// A session's files as one consistent state, ready to archive.
#[derive(Debug)]
pub struct SessionCopy {
    /// File name → bytes (the live journal without a torn last line).
    pub files: BTreeMap<String, Vec<u8>>,
    /// The session's seq: the last journal line's, or the snapshot's.
    pub seq: u64,
    /// How many reads were broken (by a rotation) before this one.
    pub rereads: u32,
}

/// What reading a session directory gave.
#[derive(Debug)]
pub enum Read {
    /// A consistent copy.
    Copied(SessionCopy),
    /// The directory is gone (the session was deleted meanwhile), or its creation never
    /// finished (no `meta.json`): nothing acknowledged to keep.
    Skipped(String),
}

/// Reads `dir` until it gives a consistent copy; fails after [`ATTEMPTS`] broken ones with the
/// last reason. `stall` holds the first read between the snapshot and the journals (a test
/// hook: the backup test widens the window a rotation must fall into).
pub fn read_session(dir: &Path, stall: Duration) -> Result<Read, String> {
    let mut reason = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(20 * u64::from(attempt)));
        }
        if !dir.is_dir() {
            return Ok(Read::Skipped("deleted while the backup ran".to_owned()));
        }
        let stall = if attempt == 0 { stall } else { Duration::ZERO };
        let mut files = match read_files(dir, stall) {
            Ok(files) => files,
            // Deleted or rotated while read: the next turn sees the directory gone, or reads
            // it again.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::Interrupted
                ) =>
            {
                reason = e.to_string();
                continue;
            }
            // No permission, a disk error: reading again changes nothing.
            Err(e) => return Err(e.to_string()),
        };
        if !files.contains_key(META) {
            reason = "no meta.json: a creation that never finished".to_owned();
            continue;
        }
        match verify(&mut files) {
            Ok(seq) => {
                return Ok(Read::Copied(SessionCopy {
                    files,
                    seq,
                    rereads: attempt,
                }))
            }
            Err(e) => reason = e,
        }
    }
    if !dir.is_dir() {
        return Ok(Read::Skipped("deleted while the backup ran".to_owned()));
    }
    if reason.starts_with("no meta.json") {
        return Ok(Read::Skipped(reason));
    }
    Err(reason)
}

/// The files in `dir` that belong in a backup besides the snapshot, `imported.json` and
/// `meta.json`: segments by seq, the live journal last (where it is read).
fn journals(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let first = matches!(name.as_str(), SNAPSHOT | IMPORTED | META);
        if entry.file_type()?.is_file() && archived(&name) && !first {
            names.push(name);
        }
    }
    names.sort_by_key(|n| (n == JOURNAL, n.clone()));
    Ok(names)
}

/// Whether a file in a session directory belongs in a backup: not a temporary file of an
/// atomic write or a scrub, not a corrupt snapshot set aside.
fn archived(name: &str) -> bool {
    !(name.ends_with(".tmp")
        || name.ends_with("-tmp")
        || name.starts_with("snapshot.json.corrupt-"))
}

/// The snapshot first, then the listing and the segments, the live journal last: the order
/// the chain check relies on.
fn read_files(dir: &Path, stall: Duration) -> io::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for first in [SNAPSHOT, IMPORTED, META] {
        match std::fs::read(dir.join(first)) {
            Ok(bytes) => {
                files.insert(first.to_owned(), bytes);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    if !stall.is_zero() {
        std::thread::sleep(stall);
    }
    let names = journals(dir)?;
    for name in &names {
        // A live journal renamed away by a rotation between the listing and here (NotFound):
        // what it held is in a segment not listed. Read the whole directory again.
        files.insert(name.clone(), std::fs::read(dir.join(name))?);
    }
    // A second listing: a rotation meanwhile adds a segment (a listing made during a rename
    // may even show neither name); then read the whole directory again.
    if journals(dir)? != names {
        return Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "the directory changed while it was read",
        ));
    }
    Ok(files)
}

/// The seqs of a journal file's lines. `live`: a torn last line (a write in flight, never
/// acknowledged) is cut off `bytes`; anywhere else a bad line fails.
fn line_seqs(name: &str, bytes: &mut Vec<u8>, live: bool) -> Result<Vec<u64>, String> {
    let mut seqs = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let nl = bytes[offset..].iter().position(|&b| b == b'\n');
        let end = nl.map_or(bytes.len(), |nl| offset + nl);
        match (decode_record(&bytes[offset..end]), nl) {
            (Ok(line), Some(_)) => seqs.push(line.seq),
            // Not a torn line: a newer Paja's (a downgrade); backing up without it would lose it.
            (Err(_), _) if newer_journal_line(&bytes[offset..end]).is_some() => {
                return Err(format!(
                    "{name} line {}: a journal format newer than this Paja knows",
                    seqs.len() + 1
                ))
            }
            (_, _) if live && bytes[end..].len() <= 1 => {
                bytes.truncate(offset);
                break;
            }
            (Err(e), _) => return Err(format!("{name} line {}: {e}", seqs.len() + 1)),
            (Ok(_), None) => return Err(format!("{name} ends without a newline")),
        }
        offset = end + 1;
    }
    if let Some(w) = seqs.windows(2).find(|w| w[1] != w[0] + 1) {
        return Err(format!("{name}: seq {} follows {}", w[1], w[0]));
    }
    Ok(seqs)
}

/// Checks a session's files form one state; returns its seq. Cuts a torn last line off the
/// live journal.
pub fn verify(files: &mut BTreeMap<String, Vec<u8>>) -> Result<u64, String> {
    let meta = files.get(META).ok_or("no meta.json")?;
    decode_meta(meta, META).map_err(|e| e.to_string())?;
    let base = match files.get(IMPORTED) {
        Some(bytes) => decode_snapshot(bytes, IMPORTED)
            .map_err(|e| e.to_string())?
            .seq(),
        None => 0,
    };
    let snapshot = match files.get(SNAPSHOT) {
        Some(bytes) => Some(
            decode_snapshot(bytes, SNAPSHOT)
                .map_err(|e| e.to_string())?
                .seq(),
        ),
        None => None,
    };
    let mut runs: Vec<(String, Vec<u64>)> = Vec::new();
    let journals: Vec<String> = files
        .keys()
        .filter(|n| n.starts_with("journal-") && n.ends_with(".jsonl"))
        .cloned()
        .chain(files.contains_key(JOURNAL).then(|| JOURNAL.to_owned()))
        .collect();
    for name in journals {
        let bytes = files.get_mut(&name).ok_or("vanished")?;
        let seqs = line_seqs(&name, bytes, name == JOURNAL)?;
        if !seqs.is_empty() {
            runs.push((name, seqs));
        }
    }
    check_chain(snapshot, base, &runs)
}

/// The seq chain over the snapshot's seq (`None`: no snapshot, the session is rebuilt from
/// `base`, imported or 0, and every line) and the non-empty journal files, segments in order
/// and the live journal last; returns the seq a load reaches.
///
/// A load replays only the live journal over the snapshot, so with a snapshot at `s`: no
/// segment may end after `s` (a rotation wrote a newer snapshot after this one was read), the
/// live journal must start by `s + 1`, and the newest segment must end where the live journal
/// begins (or at `s` when it is empty).
pub fn check_chain(
    snapshot: Option<u64>,
    base: u64,
    runs: &[(String, Vec<u64>)],
) -> Result<u64, String> {
    let first = |run: &(String, Vec<u64>)| run.1.first().copied().unwrap_or(0);
    let last = |run: &(String, Vec<u64>)| run.1.last().copied().unwrap_or(0);
    // Without a snapshot every link counts; with one, the newest link (the one a rotation
    // during the read would break).
    let links = if snapshot.is_some() {
        runs.len().saturating_sub(2)
    } else {
        0
    };
    for pair in runs[links..].windows(2) {
        if first(&pair[1]) != last(&pair[0]) + 1 {
            return Err(format!(
                "missed segment: {} ends at seq {} but {} starts at {}",
                pair[0].0,
                last(&pair[0]),
                pair[1].0,
                first(&pair[1])
            ));
        }
    }
    let (live, segments) = match runs.split_last() {
        Some((live, segments)) if live.0 == JOURNAL => (Some(live), segments),
        _ => (None, runs),
    };
    let Some(s) = snapshot else {
        if let Some(start) = runs.first().map(first).filter(|f| *f > base + 1) {
            return Err(format!(
                "missed segment: the session begins at seq {base} but its journal at {start}"
            ));
        }
        return Ok(runs.last().map_or(base, last).max(base));
    };
    if let Some(newest) = segments.last() {
        if last(newest) > s {
            return Err(format!(
                "stale snapshot: it is at seq {s} but {} ends at {}",
                newest.0,
                last(newest)
            ));
        }
        if live.is_none() && last(newest) < s {
            return Err(format!(
                "missed segment: the snapshot is at seq {s} but the journal ends at {}",
                last(newest)
            ));
        }
    }
    match live {
        Some(live) if first(live) > s + 1 => Err(format!(
            "missed segment: the snapshot is at seq {s} but the journal resumes at {}",
            first(live)
        )),
        Some(live) => Ok(last(live).max(s)),
        None => Ok(s),
    }
}
