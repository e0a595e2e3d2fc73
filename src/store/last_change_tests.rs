//! `last_activity` after a restart counts every change (issue 13, part 8): a hide leaves no
//! time in the session's state, so the files remember when the session last changed.

use super::*;
use crate::session::testkit;
use crate::session::{Command, PromptId};

#[test]
fn the_last_change_survives_a_restart_and_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    let item = testkit::iid();
    let t0 = s.last_activity();
    let later = t0 + 5_000_000;
    let commands = [
        (
            t0 + 10,
            Command::AddPrompt {
                draft: testkit::draft("Q"),
            },
        ),
        (
            t0 + 20,
            Command::OpenPrompt {
                prompt_id: PromptId("p1".into()),
            },
        ),
        (
            t0 + 30,
            Command::Submit {
                participant: testkit::pid(),
                item_id: item,
                prompt_id: PromptId("p1".into()),
                text: "idea".into(),
                column: None,
                name: None,
            },
        ),
        // Hours later, a hide: the session's own times do not see it.
        (later, Command::HideItem { item_id: item }),
    ];
    for (at, cmd) in &commands {
        s.apply(cmd, *at).unwrap();
        let mut line = Vec::new();
        encode_record(&mut line, s.seq(), *at, cmd);
        files.append(&line, 1).unwrap();
    }
    assert!(
        s.last_activity() < later,
        "the hide is invisible to the state"
    );
    drop(files);
    let (_, mut files) = store.load(&s.meta.slug).unwrap();
    assert_eq!(files.last_change_at(), Some(later), "from the journal");
    // After compaction the journal is empty: the snapshot remembers.
    files
        .snapshot(&encode_snapshot_at(&s, Some(later)).unwrap(), s.seq())
        .unwrap();
    drop(files);
    let (back, files) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(files.last_change_at(), Some(later), "from the snapshot");
}

#[test]
fn a_snapshot_without_the_field_still_loads() {
    let s = testkit::session();
    let mut bytes = encode_snapshot(&s).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("last_change_at"));
    bytes = encode_snapshot_at(&s, Some(7)).unwrap();
    let (back, at) = format::decode_snapshot_file(&bytes, "snapshot.json").unwrap();
    assert_eq!((back, at), (s, Some(7)));
}
