//! Scrub tests: every file of a session directory is clean after a scrub, and a crash after
//! any step of it (or before it) leaves a directory the next load scrubs to the same end.

use std::fs;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use super::super::format::encode_snapshot;
use super::super::fs::{Fs, RealFs};
use super::super::sim_fs::{Rng, SimFs};
use super::*;
use crate::session::testkit;
use crate::session::{Command, Millis, ParticipantId, PromptId};

/// Submitted, then erased by the facilitator (a quote, so its JSON-escaped form differs).
const ERASED: &str = "kanaria \"A\" 51f0e";
/// Submitted, then withdrawn by its author.
const WITHDRAWN: &str = "kanaria W 8c2d1";
/// An item's first text, then edited, then its history erased.
const OLD_TEXT: &str = "kanaria H 93ab7";
/// Kept: the text an edit replaced on an item whose history was not erased.
const KEPT_HISTORY: &str = "kept history 4411";

/// Applies `cmd` to `s` and appends it to the journal, as the session task does.
pub(in crate::store) fn journal(
    s: &mut Session,
    files: &mut SessionFiles,
    cmd: Command,
    at: Millis,
) {
    s.apply(&cmd, at).unwrap();
    let mut buf = Vec::new();
    encode_record(&mut buf, s.seq(), at, &cmd);
    files.append(&buf, 1).unwrap();
}

fn submit(who: ParticipantId, id: ItemId, text: &str) -> Command {
    Command::Submit {
        participant: who,
        item_id: id,
        prompt_id: PromptId("p1".into()),
        text: text.into(),
        column: None,
        name: None,
    }
}

fn edit(id: ItemId, text: &str) -> Command {
    Command::EditItem {
        item_id: id,
        text: text.into(),
    }
}

/// A session whose erasures are committed to the journal but not yet scrubbed (a crash
/// right after the erase's fsync): texts in two segments and the live journal.
fn erased_but_not_scrubbed(store: &Store) -> (Session, SessionFiles) {
    let mut s = testkit::session();
    let mut files = store.create(&s).unwrap();
    let draft = testkit::draft("Q");
    journal(&mut s, &mut files, Command::AddPrompt { draft }, 2);
    let open = Command::OpenPrompt {
        prompt_id: PromptId("p1".into()),
    };
    journal(&mut s, &mut files, open, 3);
    let (phone, other) = (testkit::pid(), testkit::pid());
    let ids: Vec<ItemId> = (0..4).map(|_| testkit::iid()).collect();
    journal(&mut s, &mut files, submit(phone, ids[0], ERASED), 10);
    journal(&mut s, &mut files, submit(other, ids[1], WITHDRAWN), 11);
    journal(&mut s, &mut files, submit(phone, ids[2], OLD_TEXT), 12);
    journal(&mut s, &mut files, submit(other, ids[3], KEPT_HISTORY), 13);
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    journal(&mut s, &mut files, edit(ids[2], "middle text"), 20);
    journal(&mut s, &mut files, edit(ids[3], "edited, history kept"), 21);
    journal(
        &mut s,
        &mut files,
        edit(ids[0], &format!("{ERASED} too")),
        22,
    );
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    journal(
        &mut s,
        &mut files,
        Command::EraseItem { item_id: ids[0] },
        30,
    );
    let withdraw = Command::WithdrawItem {
        participant: other,
        item_id: ids[1],
    };
    journal(&mut s, &mut files, withdraw, 31);
    journal(
        &mut s,
        &mut files,
        Command::EraseItemHistory { item_id: ids[2] },
        32,
    );
    // Edited again after its history was erased: this history stays.
    journal(&mut s, &mut files, edit(ids[2], "current text"), 33);
    (s, files)
}

/// Every file under `root`, recursively.
pub(in crate::store) fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The files under `root` that hold an erased text, raw or JSON-escaped.
fn dirty_files(root: &Path) -> Vec<String> {
    let gone: BTreeSet<String> = [ERASED, WITHDRAWN, OLD_TEXT]
        .iter()
        .map(|t| t.to_string())
        .collect();
    files_under(root)
        .into_iter()
        .filter(|p| holds_any(&fs::read(p).unwrap(), &gone))
        .map(|p| p.display().to_string())
        .collect()
}

/// Copies a directory tree (a crash test's starting point, run once per crash point).
pub(in crate::store) fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn a_scrub_leaves_no_erased_text_in_any_file_and_the_same_state() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(root.path()).unwrap();
    let (s, mut files) = erased_but_not_scrubbed(&store);
    let dir = root.path().join("sessions/hyvinsivi");
    // A corrupt snapshot set aside earlier and a temporary file a crash left.
    fs::write(dir.join("snapshot.json.corrupt-5"), ERASED.as_bytes()).unwrap();
    fs::write(dir.join("snapshot.json.tmp"), WITHDRAWN.as_bytes()).unwrap();
    assert!(!dirty_files(root.path()).is_empty());
    // What the session task does after the erasure commits.
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    let report = store.scrub(&s.meta.slug).unwrap();
    // Three submits and the edit of the erased item; "middle text" was the current text
    // when the history was erased, so it stays (the later edit put it in the history).
    assert_eq!(report.scrubbed, 4, "{report:?}");
    drop(files);
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(dirty_files(root.path()), Vec::<String>::new());
    let kept = fs::read_to_string(dir.join("snapshot.json")).unwrap();
    for text in [KEPT_HISTORY, "current text", "middle text"] {
        assert!(kept.contains(text), "{text}");
    }
    // A second scrub finds nothing to do and changes nothing.
    let again = store.scrub(&s.meta.slug).unwrap();
    assert_eq!(again.scrubbed, 0);
}

#[test]
fn a_crash_before_the_scrub_is_scrubbed_at_the_next_load() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(root.path()).unwrap();
    let (s, files) = erased_but_not_scrubbed(&store);
    drop(files);
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
    assert_eq!(dirty_files(root.path()), Vec::<String>::new());
    let (again, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(again, s, "a restart after the load-time scrub");
}

#[test]
fn a_crash_after_any_step_of_a_scrub_is_finished_at_the_next_load() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(root.path()).unwrap();
    let (s, mut files) = erased_but_not_scrubbed(&store);
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    drop(files);
    let dir = root.path().join("sessions/hyvinsivi");
    fs::write(dir.join("snapshot.json.corrupt-5"), OLD_TEXT.as_bytes()).unwrap();
    let steps = {
        let copy = tempfile::tempdir().unwrap();
        copy_tree(root.path(), copy.path());
        scrub_dir(&RealFs, &copy.path().join("sessions/hyvinsivi"), 0)
            .unwrap()
            .files
    };
    assert_eq!(
        steps, 6,
        "a removal, two segments (write, rename each), the record"
    );
    for step in 0..=steps {
        let copy = tempfile::tempdir().unwrap();
        copy_tree(root.path(), copy.path());
        let session_dir = copy.path().join("sessions/hyvinsivi");
        scrub_dir(&RealFs, &session_dir, step).unwrap();
        let store = Store::open(copy.path()).unwrap();
        let (back, _) = store.load(&s.meta.slug).unwrap();
        assert_eq!(back, s, "crash after step {step}");
        assert_eq!(
            dirty_files(copy.path()),
            Vec::<String>::new(),
            "step {step}"
        );
    }
    assert!(dir.join("journal.jsonl").exists());
}

#[test]
fn an_imported_sessions_first_state_is_scrubbed() {
    // A session exported before any erasure, with an edited item, imported as a new one.
    let mut first = testkit::session();
    first
        .apply(
            &Command::AddPrompt {
                draft: testkit::draft("Q"),
            },
            2,
        )
        .unwrap();
    let open = Command::OpenPrompt {
        prompt_id: PromptId("p1".into()),
    };
    first.apply(&open, 3).unwrap();
    let (a, b) = (testkit::iid(), testkit::iid());
    first.apply(&submit(testkit::pid(), a, ERASED), 10).unwrap();
    first
        .apply(&submit(testkit::pid(), b, OLD_TEXT), 11)
        .unwrap();
    first.apply(&edit(b, "current text"), 12).unwrap();
    let view = crate::export::View::new(
        &first,
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
    let id_of = |s: &Session, text: &str| s.items().iter().find(|i| i.text == text).unwrap().id;
    let (a, b) = (id_of(&s, ERASED), id_of(&s, "current text"));
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(root.path()).unwrap();
    let mut files = store.create(&s).unwrap();
    assert!(
        !dirty_files(root.path()).is_empty(),
        "imported.json holds them"
    );
    journal(&mut s, &mut files, Command::EraseItem { item_id: a }, 200);
    journal(
        &mut s,
        &mut files,
        Command::EraseItemHistory { item_id: b },
        201,
    );
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    store.scrub(&s.meta.slug).unwrap();
    drop(files);
    assert_eq!(dirty_files(root.path()), Vec::<String>::new());
    // The rebuild from imported.json (snapshot lost) gives the same state.
    fs::remove_file(root.path().join("sessions/tuotu/snapshot.json")).unwrap();
    let (back, _) = store.load(&s.meta.slug).unwrap();
    assert_eq!(back, s);
}

/// Every file on a simulated disk under `dir`, with its bytes.
fn sim_files(fs: &SimFs, dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, is_dir) in fs.list(dir).unwrap() {
        let path = dir.join(name);
        if is_dir {
            out.extend(sim_files(fs, &path));
        } else {
            let bytes = fs.read(&path).unwrap();
            out.push((path, bytes));
        }
    }
    out
}

#[test]
fn a_power_cut_at_any_operation_of_a_scrub_is_finished_at_the_next_load() {
    // The simulated disk of the power-loss test: at the cut, what was not fsynced is kept,
    // dropped or torn, and renames not followed by a directory fsync may be undone.
    let root = Path::new("/data");
    let before = SimFs::with_dir(&root.join("sessions"));
    let store = Store::open_on(Arc::new(before.clone()), root).unwrap();
    let (s, mut files) = erased_but_not_scrubbed(&store);
    files
        .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
        .unwrap();
    drop(files);
    let dry = before.recover(&mut Rng::new(0));
    let start = dry.ops();
    Store::open_on(Arc::new(dry.clone()), root)
        .unwrap()
        .scrub(&s.meta.slug)
        .unwrap();
    let ops = dry.ops() - start;
    let gone: BTreeSet<String> = [ERASED, WITHDRAWN, OLD_TEXT].map(String::from).into();
    for op in 1..=ops {
        let disk = before.recover(&mut Rng::new(0));
        disk.cut_power_at(op);
        let store = Store::open_on(Arc::new(disk.clone()), root).unwrap();
        assert!(
            store.scrub(&s.meta.slug).is_err(),
            "the power went at op {op}"
        );
        for seed in 0..8 {
            let rebooted = disk.recover(&mut Rng::new(op * 100 + seed));
            let store = Store::open_on(Arc::new(rebooted.clone()), root).unwrap();
            let (back, _) = store.load(&s.meta.slug).unwrap();
            assert_eq!(back, s, "cut at op {op}, disk {seed}");
            for (path, bytes) in sim_files(&rebooted, root) {
                assert!(!holds_any(&bytes, &gone), "op {op}, disk {seed}: {path:?}");
            }
        }
    }
    assert!(ops >= 10, "{ops} operations");
    println!("scrub power loss: a cut at each of {ops} operations, 8 disks each");
}

/// The figure in docs/operations.md: `cargo test --lib scrub_figure -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn scrub_figure() {
    for n in [2_000usize, 20_000] {
        let root = tempfile::tempdir().unwrap();
        let store = Store::open(root.path()).unwrap();
        let mut s = testkit::session();
        let mut files = store.create(&s).unwrap();
        let draft = testkit::draft("Q");
        journal(&mut s, &mut files, Command::AddPrompt { draft }, 2);
        let open = Command::OpenPrompt {
            prompt_id: PromptId("p1".into()),
        };
        journal(&mut s, &mut files, open, 3);
        let first = testkit::iid();
        let mut batch = Vec::new();
        for i in 0..n {
            let id = if i == 0 { first } else { testkit::iid() };
            let cmd = submit(testkit::pid(), id, &format!("ajatus numero {i}"));
            s.apply(&cmd, 10 + i as u64).unwrap();
            encode_record(&mut batch, s.seq(), 10 + i as u64, &cmd);
        }
        files.append(&batch, n).unwrap();
        journal(
            &mut s,
            &mut files,
            Command::EraseItem { item_id: first },
            1_000_000,
        );
        let started = std::time::Instant::now();
        files
            .snapshot(&encode_snapshot(&s).unwrap(), s.seq())
            .unwrap();
        let report = store.scrub(&s.meta.slug).unwrap();
        eprintln!(
            "scrub figure: {} lines, snapshot + rotation + scrub {} ms ({report:?})",
            report.lines,
            started.elapsed().as_millis()
        );
    }
}
