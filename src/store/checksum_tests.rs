//! A journal's checksums at load: a bad line in the middle refuses the session's start and
//! changes no byte of its files; a bad last line is a torn write and is cut off as before.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::session::testkit;
use crate::session::{Command, PromptId, SessionMeta};

/// Every file under `dir` with its bytes.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(files_under(&path));
        } else {
            all.insert(path.clone(), fs::read(&path).unwrap());
        }
    }
    all
}

/// A stored session named `slug` with a prompt and `n` items journaled after its snapshot.
fn stored(store: &Store, slug: &str, n: usize) -> Session {
    let mut s = Session::new(SessionMeta {
        slug: SessionName::parse(slug).unwrap(),
        ..testkit::session().meta
    });
    let mut files = store.create(&s).unwrap();
    let mut commands = vec![
        Command::AddPrompt {
            draft: testkit::draft("Q"),
        },
        Command::OpenPrompt {
            prompt_id: PromptId("p1".into()),
        },
    ];
    commands.extend((0..n).map(|i| Command::Submit {
        participant: testkit::pid(),
        item_id: testkit::iid(),
        prompt_id: PromptId("p1".into()),
        text: format!("ajatus {i}"),
        column: None,
        name: None,
    }));
    for (at, cmd) in commands.into_iter().enumerate() {
        s.apply(&cmd, at as u64 + 1).unwrap();
        let mut line = Vec::new();
        encode_record(&mut line, s.seq(), at as u64 + 1, &cmd);
        files.append(&line, 1).unwrap();
    }
    s
}

fn journal(dir: &Path, slug: &str) -> PathBuf {
    dir.join("sessions").join(slug).join(JOURNAL)
}

/// Flips one bit in the middle of line `line` (0-based) of the file.
fn flip_in_line(path: &Path, line: usize) {
    let mut bytes = fs::read(path).unwrap();
    let start: usize = bytes
        .split_inclusive(|&b| b == b'\n')
        .take(line)
        .map(<[u8]>::len)
        .sum();
    let len = bytes[start..].iter().position(|&b| b == b'\n').unwrap();
    bytes[start + len / 2] ^= 0x04;
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_flipped_bit_mid_journal_refuses_that_session_and_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let healthy = stored(&store, "terve", 3);
    stored(&store, "laho", 5);
    flip_in_line(&journal(dir.path(), "laho"), 3);
    let before = files_under(dir.path());

    let slug = SessionName::parse("laho").unwrap();
    let err = store.load(&slug).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, StoreError::CorruptJournal { line: 4, .. }),
        "{message}"
    );
    assert!(message.contains("laho/journal.jsonl line 4"), "{message}");
    assert!(message.contains("checksum mismatch"), "{message}");
    assert_eq!(files_under(dir.path()), before, "not one byte changed");
    // A refusal stays a refusal: nothing was repaired behind the person's back.
    assert!(store.load(&slug).is_err());
    let (back, _) = store.load(&healthy.meta.slug).unwrap();
    assert_eq!(back, healthy, "the other session starts");
}

#[test]
fn a_corrupt_line_in_an_archived_segment_refuses_a_rebuild_without_moving_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let s = stored(&store, "laho", 4);
    let (_, mut files) = store.load(&s.meta.slug).unwrap();
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    drop(files);
    let session_dir = dir.path().join("sessions/laho");
    let segment = journal::archived_segments(&RealFs, &session_dir)
        .unwrap()
        .remove(0);
    flip_in_line(&segment, 1);
    // With a good snapshot the archived segment is not read: the session starts.
    assert_eq!(store.load(&s.meta.slug).unwrap().0, s);
    // With a corrupt snapshot too, the rebuild meets the bad line and refuses; the
    // snapshot stays where it was.
    fs::write(session_dir.join(SNAPSHOT), b"{").unwrap();
    let before = files_under(dir.path());
    let err = store.load(&s.meta.slug).unwrap_err();
    assert!(
        matches!(&err, StoreError::CorruptJournal { path, line: 2, .. } if *path == segment),
        "{err}"
    );
    assert_eq!(files_under(dir.path()), before);
}

#[test]
fn a_last_line_failing_its_checksum_is_a_torn_write_and_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let s = stored(&store, "repea", 3);
    let path = journal(dir.path(), "repea");
    let good = fs::read(&path).unwrap();
    // One more complete line whose bytes did not all reach the disk.
    let mut line = Vec::new();
    encode_record(&mut line, s.seq() + 1, 99, &Command::Tick);
    let mid = line.len() / 2;
    line[mid] ^= 0x10;
    fs::write(&path, [good.as_slice(), &line].concat()).unwrap();
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(fs::read(&path).unwrap(), good, "the torn line was cut off");
}
