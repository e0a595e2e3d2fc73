//! The chain check on crafted runs and on real session directories: a missed segment (the
//! race a rotation causes) is retried and refused, a torn last line is cut, a directory that
//! heals between reads is copied.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::chain::{check_chain, read_session, Read};
use crate::session::{testkit, Command, PromptId, Session};
use crate::store::{encode_record, encode_snapshot, SessionFiles, Store};

fn run(name: &str, seqs: std::ops::RangeInclusive<u64>) -> (String, Vec<u64>) {
    (name.to_owned(), seqs.collect())
}

#[test]
fn an_unbroken_chain_gives_the_last_seq() {
    let runs = [
        run("journal-00000000000000000050.jsonl", 1..=50),
        run("journal-00000000000000000100.jsonl", 51..=100),
        run("journal.jsonl", 101..=110),
    ];
    assert_eq!(check_chain(Some(100), 0, &runs), Ok(110));
    // A snapshot written at the end of the journal, nothing after it yet.
    assert_eq!(check_chain(Some(100), 0, &runs[..2]), Ok(100));
    // An old data directory whose older segments are gone still backs up.
    assert_eq!(check_chain(Some(100), 0, &runs[1..]), Ok(110));
    // No snapshot: every line from creation on.
    assert_eq!(check_chain(None, 0, &runs), Ok(110));
    assert_eq!(check_chain(Some(7), 7, &[]), Ok(7));
}

#[test]
fn a_missed_segment_breaks_the_chain() {
    // The snapshot read before a rotation, the journal after: lines 51..=100 are nowhere.
    let stale = [run("journal.jsonl", 101..=110)];
    let error = check_chain(Some(50), 0, &stale).unwrap_err();
    assert!(error.contains("missed segment"), "{error}");
    // The listing made before a rotation, the live journal read after it.
    let unlisted = [
        run("journal-00000000000000000050.jsonl", 1..=50),
        run("journal.jsonl", 101..=110),
    ];
    assert!(check_chain(Some(100), 0, &unlisted).is_err());
    // The new snapshot, an empty new journal, the segment not listed.
    let behind = [run("journal-00000000000000000050.jsonl", 1..=50)];
    assert!(check_chain(Some(100), 0, &behind).is_err());
    // The snapshot read before a rotation, the journal after it, with no line yet: the
    // segment is listed, but a load would replay none of it.
    let stale = [
        run("journal-00000000000000000050.jsonl", 1..=50),
        run("journal-00000000000000000100.jsonl", 51..=100),
    ];
    let error = check_chain(Some(50), 0, &stale).unwrap_err();
    assert!(error.contains("stale snapshot"), "{error}");
    // Rebuilt from creation: a gap anywhere counts.
    let gap = [
        run("journal-00000000000000000050.jsonl", 2..=50),
        run("journal.jsonl", 51..=60),
    ];
    assert!(check_chain(None, 0, &gap).is_err());
}

fn submit(s: &mut Session, files: &mut SessionFiles, n: usize) {
    for i in 0..n {
        let cmd = Command::Submit {
            participant: testkit::pid(),
            item_id: testkit::iid(),
            prompt_id: PromptId("p1".into()),
            text: format!("idea {i}"),
            column: None,
            name: None,
        };
        let at = 100 + s.seq();
        s.apply(&cmd, at).unwrap();
        let mut line = Vec::new();
        encode_record(&mut line, s.seq(), at, &cmd);
        files.append(&line, 1).unwrap();
    }
}

/// A session whose snapshot was taken at seq 6 and 10 (segments `journal-…6` and `…10`) and
/// whose live journal holds 11..=13; returns its directory and the seq-6 snapshot's bytes.
fn rotated_session(root: &Path) -> (PathBuf, Vec<u8>) {
    let store = Store::open(root).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    for cmd in [
        Command::AddPrompt {
            draft: testkit::draft("Q"),
        },
        Command::OpenPrompt {
            prompt_id: PromptId("p1".into()),
        },
    ] {
        s.apply(&cmd, 1).unwrap();
        let mut line = Vec::new();
        encode_record(&mut line, s.seq(), 1, &cmd);
        files.append(&line, 1).unwrap();
    }
    submit(&mut s, &mut files, 4);
    let old = encode_snapshot(&s).unwrap();
    files.snapshot(&old, s.seq()).unwrap();
    submit(&mut s, &mut files, 4);
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    submit(&mut s, &mut files, 3);
    assert_eq!(s.seq(), 13);
    (root.join("sessions").join(s.meta.slug.as_str()), old)
}

fn segment(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("journal-{seq:020}.jsonl"))
}

#[test]
fn a_sound_directory_is_copied_with_a_torn_tail_cut() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = rotated_session(root.path());
    let whole = std::fs::read(dir.join("journal.jsonl")).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(br#"{"v":2,"seq":14,"at":1"#);
    std::fs::write(dir.join("journal.jsonl"), &torn).unwrap();
    let Ok(Read::Copied(copy)) = read_session(&dir, Duration::ZERO) else {
        panic!("not copied")
    };
    assert_eq!(copy.seq, 13);
    assert_eq!(copy.files["journal.jsonl"], whole);
    assert!(copy
        .files
        .contains_key("journal-00000000000000000006.jsonl"));
    assert!(copy
        .files
        .contains_key("journal-00000000000000000010.jsonl"));
}

#[test]
fn a_missed_segment_is_read_again_then_refused() {
    let root = tempfile::tempdir().unwrap();
    let (dir, old_snapshot) = rotated_session(root.path());
    // What a read racing the rotation at seq 10 could see: the snapshot from before it, the
    // journal from after it, and the segment between them not listed.
    std::fs::write(dir.join("snapshot.json"), &old_snapshot).unwrap();
    std::fs::remove_file(segment(&dir, 10)).unwrap();
    let error = read_session(&dir, Duration::ZERO).unwrap_err();
    assert!(error.contains("missed segment"), "{error}");

    // The same race with the new journal still empty.
    let root = tempfile::tempdir().unwrap();
    let (dir, old_snapshot) = rotated_session(root.path());
    std::fs::write(dir.join("snapshot.json"), &old_snapshot).unwrap();
    std::fs::remove_file(segment(&dir, 10)).unwrap();
    std::fs::rename(dir.join("journal.jsonl"), segment(&dir, 13)).unwrap();
    std::fs::write(dir.join("journal.jsonl"), b"").unwrap();
    let error = read_session(&dir, Duration::ZERO).unwrap_err();
    assert!(error.contains("missed segment"), "{error}");
    let root = tempfile::tempdir().unwrap();
    let (dir, old_snapshot) = rotated_session(root.path());
    std::fs::write(dir.join("snapshot.json"), &old_snapshot).unwrap();
    std::fs::write(dir.join("journal.jsonl"), b"").unwrap();
    let error = read_session(&dir, Duration::ZERO).unwrap_err();
    assert!(error.contains("stale snapshot"), "{error}");

    // The newest segment alone missing (the listing before the rotation) is refused too.
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = rotated_session(root.path());
    std::fs::remove_file(segment(&dir, 10)).unwrap();
    assert!(read_session(&dir, Duration::ZERO).is_err());
}

#[test]
fn a_directory_that_heals_between_reads_is_copied() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = rotated_session(root.path());
    let held = std::fs::read(segment(&dir, 10)).unwrap();
    std::fs::remove_file(segment(&dir, 10)).unwrap();
    let healer = {
        let path = segment(&dir, 10);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            std::fs::write(path, held).unwrap();
        })
    };
    let read = read_session(&dir, Duration::ZERO);
    healer.join().unwrap();
    let Ok(Read::Copied(copy)) = read else {
        panic!("not copied: {read:?}")
    };
    assert_eq!(copy.seq, 13);
}

#[test]
fn a_deleted_or_unfinished_session_is_skipped() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = rotated_session(root.path());
    std::fs::remove_file(dir.join("meta.json")).unwrap();
    assert!(matches!(
        read_session(&dir, Duration::ZERO),
        Ok(Read::Skipped(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(
        read_session(&dir, Duration::ZERO),
        Ok(Read::Skipped(_))
    ));
}
