use std::fs::{self, OpenOptions};
use std::io::Write;

use super::*;
use crate::session::testkit;
use crate::session::{Command, Millis, PromptId};

fn apply_and_journal(s: &mut Session, files: &mut SessionFiles, cmd: Command, at: Millis) {
    s.apply(&cmd, at).unwrap();
    let mut buf = Vec::new();
    encode_record(&mut buf, s.seq(), at, &cmd);
    files.append(&buf, 1).unwrap();
}

fn scripted(s: &mut Session, files: &mut SessionFiles, n: usize) {
    apply_and_journal(
        s,
        files,
        Command::AddPrompt {
            draft: testkit::draft("Q"),
        },
        2,
    );
    apply_and_journal(
        s,
        files,
        Command::OpenPrompt {
            prompt_id: PromptId("p1".into()),
        },
        3,
    );
    for i in 0..n {
        apply_and_journal(
            s,
            files,
            Command::Submit {
                participant: testkit::pid(),
                item_id: testkit::iid(),
                prompt_id: PromptId("p1".into()),
                text: format!("item {i} – äö"),
                column: None,
                name: None,
            },
            10 + i as u64,
        );
    }
}

#[test]
fn snapshot_plus_journal_restores_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    scripted(&mut s, &mut files, 5);
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert!(matches!(store.create(&s), Err(StoreError::Exists)));
}

#[test]
fn compaction_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    scripted(&mut s, &mut files, 3);
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    assert_eq!(
        fs::metadata(dir.path().join("sessions/hyvinsivi/journal.jsonl"))
            .unwrap()
            .len(),
        0
    );
    apply_and_journal(
        &mut s,
        &mut files,
        Command::ClosePrompt {
            prompt_id: PromptId("p1".into()),
        },
        99,
    );
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
}

#[test]
fn journal_lines_already_in_the_snapshot_are_skipped() {
    // A crash between the snapshot's rename and the journal's rotation.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    scripted(&mut s, &mut files, 4);
    write_atomically(
        &RealFs,
        &dir.path().join("sessions/hyvinsivi"),
        SNAPSHOT,
        &encode_snapshot(&s).unwrap(),
    )
    .unwrap();
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.items().len(), 4);
}

#[test]
fn a_torn_last_line_is_cut_off_and_appending_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    scripted(&mut s, &mut files, 2);
    drop(files);
    let journal = dir.path().join("sessions/hyvinsivi/journal.jsonl");
    let mut f = OpenOptions::new().append(true).open(&journal).unwrap();
    f.write_all(br#"{"seq":99,"at":1,"cmd":{"type":"sub"#)
        .unwrap();
    drop(f);
    let (mut back, mut files) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    apply_and_journal(
        &mut back,
        &mut files,
        Command::ClosePrompt {
            prompt_id: PromptId("p1".into()),
        },
        50,
    );
    let (again, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(again, back);
}

#[test]
fn a_corrupt_snapshot_is_moved_aside_and_the_journal_rebuilds_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    scripted(&mut s, &mut files, 3);
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    apply_and_journal(
        &mut s,
        &mut files,
        Command::ClosePrompt {
            prompt_id: PromptId("p1".into()),
        },
        77,
    );
    drop(files);
    let session_dir = dir.path().join("sessions/hyvinsivi");
    // Truncated mid-write by something outside Paja.
    let bytes = fs::read(session_dir.join(SNAPSHOT)).unwrap();
    fs::write(session_dir.join(SNAPSHOT), &bytes[..bytes.len() / 2]).unwrap();
    // Reading (offline export) leaves the files alone.
    assert_eq!(store.read(&s.meta.slug).unwrap(), s);
    assert!(session_dir.join(SNAPSHOT).exists());
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s, "every journal line since creation was replayed");
    assert!(!session_dir.join(SNAPSHOT).exists());
    let aside: Vec<_> = fs::read_dir(&session_dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.starts_with("snapshot.json.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
}

#[test]
fn an_imported_session_rebuilds_from_its_first_state_when_the_snapshot_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut original = testkit::session();
    let mut files = store.create(&original).unwrap();
    scripted(&mut original, &mut files, 3);
    drop(files);
    let view = crate::export::View::new(
        &original,
        crate::export::Format::Json,
        &crate::export::Options::default(),
    )
    .unwrap();
    let doc = crate::export::json::document(&view, 5);
    let target = crate::session::ImportTarget {
        slug: Some(SessionName::parse("tuotu").unwrap()),
        title: None,
        key_hash: "k".into(),
        now: 100,
        salt: [1; 32],
    };
    let mut s = Session::import(doc, target).unwrap();
    let mut files = store.create(&s).unwrap();
    apply_and_journal(
        &mut s,
        &mut files,
        Command::ClosePrompt {
            prompt_id: PromptId("p1".into()),
        },
        200,
    );
    drop(files);
    let session_dir = dir.path().join("sessions/tuotu");
    assert!(session_dir.join(IMPORTED).exists());
    assert!(!dir
        .path()
        .join("sessions/hyvinsivi")
        .join(IMPORTED)
        .exists());
    fs::write(session_dir.join(SNAPSHOT), b"{").unwrap();
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s, "the import and every journal line since");
    assert_eq!(back.items().len(), 3);
}

#[test]
fn an_injected_disk_fault_refuses_the_write_and_changes_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let fault = WriteFault::default();
    let store = Store::open(dir.path()).unwrap().with_fault(fault.clone());
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    scripted(&mut s, &mut files, 1);
    fault.set(true);
    let mut buf = Vec::new();
    encode_record(&mut buf, 99, 1, &Command::Tick);
    let err = files.append(&buf, 1).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(28));
    fault.set(false);
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
}

/// The languages (a new main one, the projector's second) and a prompt's and a group's
/// translations come back from the journal alone, and from a snapshot.
#[test]
fn languages_and_translations_replay_from_the_journal_and_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    let mut draft = testkit::draft("Kysymys");
    draft.translations.insert(
        crate::session::Language::Sv,
        crate::session::PromptTranslation {
            title: "Fråga".into(),
            ..Default::default()
        },
    );
    let commands = [
        Command::AddPrompt { draft },
        Command::AddGroup {
            name: "Keskusta".into(),
            color: None,
            translations: [(crate::session::Language::Sv, "Centrum".to_owned())].into(),
        },
        Command::SetLanguages {
            main: crate::session::Language::En,
            screen: Some(crate::session::Language::Sv),
        },
    ];
    for (at, command) in (2..).zip(commands) {
        apply_and_journal(&mut s, &mut files, command, at);
    }
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.meta.language, crate::session::Language::En);
    assert_eq!(back.screen_language(), Some(crate::session::Language::Sv));
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
}
