//! Rebase tests: after a rehearsal's reset no file of the session holds what participants
//! sent, the agenda is kept, and a crash after any step (or before it) is finished at load.

use std::fs;
use std::path::Path;

use super::format::encode_snapshot;
use super::fs::RealFs;
use super::rebase::rebase_dir;
use super::scrub::tests::{copy_tree, files_under, journal};
use super::*;
use crate::session::testkit;
use crate::session::{Command, PromptId};

const CANARY: &str = "kanaria-harjoitus-5e1d";
const AGENDA: &str = "Mitkä toimijat kuuluvat verkostoon?";

/// A rehearsal with the canary in two archived segments and the live journal, reset, the
/// reset committed to the journal but nothing more (a crash right after its fsync).
fn reset_but_not_rebased(store: &Store) -> (Session, SessionFiles) {
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    journal(&mut s, &mut files, Command::SetRehearsal { on: true }, 1);
    let draft = testkit::draft(AGENDA);
    journal(&mut s, &mut files, Command::AddPrompt { draft }, 2);
    let p1 = PromptId("p1".into());
    let open = Command::OpenPrompt {
        prompt_id: p1.clone(),
    };
    journal(&mut s, &mut files, open, 3);
    for round in 0..3 {
        let submit = Command::Submit {
            participant: testkit::pid(),
            item_id: testkit::iid(),
            prompt_id: p1.clone(),
            text: format!("{CANARY} {round}"),
            column: None,
            name: None,
        };
        journal(&mut s, &mut files, submit, 10 + round);
        if round < 2 {
            files
                .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
                .unwrap();
        }
    }
    journal(&mut s, &mut files, Command::ResetRehearsal, 20);
    (s, files)
}

/// The files under `root` that hold the canary.
fn with_canary(root: &Path) -> Vec<String> {
    files_under(root)
        .into_iter()
        .filter(|p| String::from_utf8_lossy(&fs::read(p).unwrap()).contains(CANARY))
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn after_a_reset_no_file_holds_the_rehearsal_and_the_agenda_stays() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(root.path()).unwrap();
    let (s, mut files) = reset_but_not_rebased(&store);
    let dir = root.path().join("sessions/hyvinsivi");
    fs::write(dir.join("snapshot.json.corrupt-5"), CANARY.as_bytes()).unwrap();
    assert!(with_canary(root.path()).len() >= 3);
    // What the session task does after the reset commits.
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    store.scrub(&s.meta.slug).unwrap();
    assert_eq!(with_canary(root.path()), Vec::<String>::new());
    drop(files);
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.prompts()[0].draft.title, AGENDA);
    // The base a rebuild starts from is the reset state: a corrupt snapshot costs nothing.
    fs::write(dir.join("snapshot.json"), b"{ not json").unwrap();
    let (rebuilt, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(rebuilt, s);
    assert_eq!(with_canary(root.path()), Vec::<String>::new());
}

#[test]
fn a_crash_before_the_rebase_is_finished_at_the_next_load() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(root.path()).unwrap();
    let (s, files) = reset_but_not_rebased(&store);
    drop(files);
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(with_canary(root.path()), Vec::<String>::new());
    let (again, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(again, s, "a restart after the load-time rebase");
}

#[test]
fn a_crash_after_any_step_of_a_rebase_is_finished_at_the_next_load() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(root.path()).unwrap();
    let (s, mut files) = reset_but_not_rebased(&store);
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    drop(files);
    let dir = root.path().join("sessions/hyvinsivi");
    let total = {
        let copy = tempfile::tempdir().unwrap();
        copy_tree(root.path(), copy.path());
        let report = rebase_dir(&RealFs, &copy.path().join("sessions/hyvinsivi"), usize::MAX);
        report.unwrap().files
    };
    assert!(total >= 3, "base, two segments: {total}");
    for steps in 0..=total {
        let copy = tempfile::tempdir().unwrap();
        copy_tree(root.path(), copy.path());
        let copied = copy.path().join("sessions/hyvinsivi");
        rebase_dir(&RealFs, &copied, steps).unwrap();
        let store = Store::open(copy.path()).unwrap();
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s, "after {steps} steps");
        assert_eq!(
            with_canary(copy.path()),
            Vec::<String>::new(),
            "after {steps} steps"
        );
    }
    assert!(dir.exists());
}
